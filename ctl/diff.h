/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* The rule differences between two policies (fguardctl diff, import-trace). */
#ifndef FGUARD_CTL_DIFF_H
#define FGUARD_CTL_DIFF_H

#include <stdbool.h>
#include <stdio.h>

#include "policy.h"

struct fg_diff_counts {
	size_t added, removed, changed;
	size_t widened;		/* changed rules that grant more */
};

/*
 * fg_policy_diff - print the rules added (+), removed (-) and changed (~)
 * from @a to @b, in `fguardctl diff' form (human, or --porcelain), sorted
 * by pattern, and count them. Returns 0, or -1 out of memory.
 */
int fg_policy_diff(const struct fg_policy *a, const struct fg_policy *b,
		   const char *name_a, const char *name_b, bool porcelain,
		   FILE *out, struct fg_diff_counts *n);

#endif
