// SPDX-License-Identifier: GPL-2.0 OR MIT
/* libFuzzer target: policy text -> model -> policy.bin -> table -> lookup. */
// fuzz-sources: ctl/policy.c ctl/hash.c kmod/table.c
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_policy p;
	struct fg_table t;
	uint8_t *blob = NULL;
	char err[256];

	fg_policy_init(&p);
	if (!fg_policy_parse(&p, (const char *)data, size, "fuzz", err, sizeof(err)) &&
	    !fg_policy_table(&p, &t, &blob, err, sizeof(err))) {
		size_t i;

		/* every rule's own path must be found with its perms */
		for (i = 0; i < p.nrules; i++) {
			struct fg_verdict v = fg_table_lookup(&t, p.rules[i].path,
							      strlen(p.rules[i].path),
							      p.rules[i].perms);

			if (p.rules[i].kind != FGUARD_KIND_CHILDREN &&
			    (v.granted & p.rules[i].perms) != p.rules[i].perms)
				abort();
		}
		fg_table_free(&t);
	}
	free(blob);
	fg_policy_free(&p);
	return 0;
}
