// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
// fuzz-sources: ctl/policy.c ctl/hash.c kmod/table.c
 * libFuzzer target: policy.bin as the kernel receives it. Whatever the
 * bytes, validation either refuses them or the table it accepts can be
 * indexed and searched without touching memory outside the blob.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	siphash_key_t key = { { 0x0123456789abcdefULL, 0xfedcba9876543210ULL } };
	static const char *const paths[] = {
		"/", "/etc/passwd", "/usr/lib/x86_64-linux-gnu/libc.so.6",
		"/a/b/c/d/e/f", "/proc/self/maps",
	};
	struct fg_table t;
	const char *why;
	uint32_t where;
	bool is_rule;
	uint8_t *copy;
	size_t i;

	/* an exact-size heap copy, so ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	if (!fg_table_validate(copy, size, &why, &where, &is_rule) &&
	    !fg_table_build(&t, copy, size, &key)) {
		for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			fg_table_lookup(&t, paths[i], strlen(paths[i]), 7);
		fg_table_free(&t);
	}
	free(copy);
	return 0;
}
