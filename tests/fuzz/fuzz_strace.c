// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: strace log lines -> accesses -> learner -> written
 * policy, which must parse (the learner never writes what cannot load).
 */
// fuzz-sources: ctl/strace.c ctl/learn.c ctl/policy.c ctl/hash.c kmod/table.c
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "learn.h"
#include "strace.h"

static int learn_one(void *ctx, const struct fg_access *a)
{
	fg_learner_add(ctx, a);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char base_text[] = "r /etc/passwd  # users\nrw /tmp/**\nr /usr/lib/*\n";
	struct fg_strace_opts o = { .root = size && (data[0] & 1) ? "/srv/root" : NULL,
				    .cwd = "/", .resolve = false };
	struct fg_policy base, out;
	struct fg_learner *l;
	struct fg_strace *st;
	const char *s = (const char *)data, *end = s + size;
	char *text = NULL, err[256];
	size_t len = 0;
	FILE *f;

	fg_policy_init(&base);
	if (fg_policy_parse(&base, base_text, sizeof(base_text) - 1, "base", err, sizeof(err)))
		abort();
	l = fg_learner_new(&base);
	st = fg_strace_new(&o, learn_one, l);
	if (!l || !st)
		abort();
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s + 1) : (size_t)(end - s);

		fg_strace_line(st, s, n);
		s += n;
	}
	fg_strace_finish(st);
	f = open_memstream(&text, &len);
	if (!f || fg_learner_write(l, base_text, sizeof(base_text) - 1, "fuzz", f))
		abort();
	fclose(f);
	fg_policy_init(&out);
	if (fg_policy_parse(&out, text, len, "out", err, sizeof(err)))
		abort();
	fg_policy_free(&out);
	free(text);
	fg_strace_free(st);
	fg_learner_free(l);
	fg_policy_free(&base);
	return 0;
}
