/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_HOOK_H
#define _FGUARD_HOOK_H

int fguard_hook_init(void);
void fguard_hook_uninit(void);

#endif
