/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The kernel interface of fguardctl; ctl/netlink.c alone speaks netlink. */
#ifndef FGUARD_CTL_NETLINK_H
#define FGUARD_CTL_NETLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fg_nl;

struct fg_ns_status {
	uint32_t inum, origin_inum, mode, rules, armed;
	uint8_t digest[32];
	uint64_t loaded, checked, allowed, denied, complained;
	uint64_t events, dropped;
};

/* One denial event; the strings live until the callback returns. */
struct fg_event {
	uint32_t inum, origin_inum;
	uint8_t digest[32];
	uint64_t time_ns;		/* since the epoch */
	uint32_t pid, tgid, uid;	/* as the host sees them */
	uint32_t ns_pid, ns_tgid;	/* in the process's own pid namespace */
	const char *comm;
	const char *exe;		/* may be NULL */
	uint32_t op;			/* enum fguard_op */
	uint32_t perms;			/* enum fguard_perm bits */
	const char *path, *path2;	/* may be NULL */
	uint32_t decision;		/* enum fguard_decision */
	uint32_t repeat;
};

struct fg_load_result {
	uint32_t inum, rules;
	uint8_t digest[32];
};

/*
 * Every call returns 0 or a negative errno, and prints nothing: the last
 * error's text (the kernel's extack message, and a hint for known causes)
 * is in fg_nl_error().
 */
int fg_nl_open(struct fg_nl **nl);
void fg_nl_close(struct fg_nl *nl);
const char *fg_nl_error(const struct fg_nl *nl);

int fg_nl_version(struct fg_nl *nl, uint32_t *abi);
/* flags: enum fguard_load_flag */
int fg_nl_load(struct fg_nl *nl, const void *blob, size_t size, uint32_t pid,
	       int mode, uint32_t flags, struct fg_load_result *res);
int fg_nl_unload(struct fg_nl *nl, uint32_t pid);
int fg_nl_set_mode(struct fg_nl *nl, uint32_t pid, uint32_t mode);
int fg_nl_status(struct fg_nl *nl,
		 int (*fn)(const struct fg_ns_status *st, void *arg), void *arg);

/*
 * Events: subscribe this socket to the events group (needs CAP_NET_ADMIN:
 * -EPERM otherwise); then poll fg_nl_fd() and call fg_nl_events() to
 * receive what is pending. Use a socket of its own for events.
 * fg_nl_events() returns 0, a negative errno, or -ENOBUFS once when the
 * socket overflowed and events were lost (receiving may go on).
 */
int fg_nl_subscribe(struct fg_nl *nl);
int fg_nl_fd(const struct fg_nl *nl);
int fg_nl_events(struct fg_nl *nl,
		 int (*fn)(const struct fg_event *ev, void *arg), void *arg);

#endif
