/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Denial events as fguardctl shows them, and the loop that receives them. */
#ifndef FGUARD_CTL_EVENTS_H
#define FGUARD_CTL_EVENTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "netlink.h"

/* "open", "exec", "rename"... for enum fguard_op; "op<N>" for unknown. */
const char *fg_kop_name(uint32_t op, char buf[16]);
/* "deny", or "complain" (a would-be denial in complain mode). */
const char *fg_decision_name(uint32_t decision);

/* One human line, or one JSON object on one line. */
void fg_event_print(const struct fg_event *ev, FILE *out);
void fg_event_json(const struct fg_event *ev, FILE *out);

/* Events of namespace @inum (or inheriting from it); 0 for all. */
bool fg_event_matches(const struct fg_event *ev, uint32_t inum);

/*
 * Receive events on @nl (subscribed) until *stop is set (a signal
 * handler), @deadline_ms on CLOCK_MONOTONIC passes (0: no deadline), or
 * @fn returns non-zero (1: stop, <0: error). Lost events are counted in
 * *lost and reported on stderr. Returns 0 or a negative errno.
 */
int fg_events_loop(struct fg_nl *nl, volatile sig_atomic_t *stop,
		   long long deadline_ms,
		   int (*fn)(const struct fg_event *ev, void *arg), void *arg,
		   unsigned int *lost);
long long fg_now_ms(void);

#endif
