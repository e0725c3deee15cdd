/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_NETLINK_H
#define _FGUARD_NETLINK_H

struct fguard_event;

int fguard_netlink_init(void);
/* Whether the events group has a subscriber: no sleeping, cheap. */
bool fguard_nl_listening(void);
/* Multicast one event (process context). */
void fguard_nl_send_event(const struct fguard_event *ev);
void fguard_netlink_uninit(void);

#endif
