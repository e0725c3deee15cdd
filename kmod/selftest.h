/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_SELFTEST_H
#define _FGUARD_SELFTEST_H

#ifdef DEBUG
int fguard_selftest(void);
#else
static inline int fguard_selftest(void)
{
	return 0;
}
#endif

#endif
