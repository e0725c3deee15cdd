/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_NETLINK_H
#define _FGUARD_NETLINK_H

int fguard_netlink_init(void);
void fguard_netlink_uninit(void);

#endif
