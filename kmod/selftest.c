// SPDX-License-Identifier: GPL-2.0
/*
 * In-module self-tests of the pure logic (DEBUG builds only): the table
 * code must behave in the kernel exactly as the userspace tests say it does
 * (different compiler flags, the kernel's siphash). The load fails if any
 * check fails.
 */
#ifdef DEBUG
#include <linux/slab.h>
#include <linux/string.h>

#include <fguard/table.h>
#include "selftest.h"

struct st_rule {
	const char *path;
	u8 kind, perms;
};

static const struct st_rule rules[] = {
	{ "/etc/passwd", FGUARD_KIND_EXACT, FGUARD_PERM_READ },
	{ "/usr/lib", FGUARD_KIND_CHILDREN, FGUARD_PERM_READ | FGUARD_PERM_EXEC },
	{ "/var/log/app", FGUARD_KIND_TREE, FGUARD_PERM_READ | FGUARD_PERM_WRITE },
	{ "/proc/self", FGUARD_KIND_TREE, FGUARD_PERM_READ },
};

static const struct {
	const char *path;
	u8 want;
	bool allowed;
} cases[] = {
	{ "/etc/passwd", FGUARD_PERM_READ, true },
	{ "/etc/passwd", FGUARD_PERM_WRITE, false },
	{ "/etc/passwd2", FGUARD_PERM_READ, false },
	{ "/usr/lib/libc.so.6", FGUARD_PERM_EXEC, true },
	{ "/usr/lib", FGUARD_PERM_READ, false },
	{ "/usr/lib/x/y.so", FGUARD_PERM_READ, false },
	{ "/var/log/app", FGUARD_PERM_WRITE, true },
	{ "/var/log/app/a/b", FGUARD_PERM_WRITE, true },
	{ "/var/log/app2", FGUARD_PERM_READ, false },
	{ "/", FGUARD_PERM_READ, false },
};

static void *make_blob(size_t *size)
{
	size_t nrules = ARRAY_SIZE(rules), pool = 0, i;
	struct fguard_pol_header *h;
	struct fguard_pol_rule *r;
	char *s;
	u8 *b;

	for (i = 0; i < nrules; i++)
		pool += strlen(rules[i].path);
	*size = sizeof(*h) + nrules * sizeof(*r) + pool;
	b = kzalloc(*size, GFP_KERNEL);
	if (!b)
		return NULL;
	h = (void *)b;
	r = (void *)(b + sizeof(*h));
	s = (char *)(r + nrules);
	h->magic = cpu_to_le32(FGUARD_POL_MAGIC);
	h->version = cpu_to_le16(FGUARD_POL_VERSION);
	h->header_size = cpu_to_le16(sizeof(*h));
	h->total_size = cpu_to_le32(*size);
	h->rule_count = cpu_to_le32(nrules);
	h->rules_off = cpu_to_le32(sizeof(*h));
	h->strings_off = cpu_to_le32(sizeof(*h) + nrules * sizeof(*r));
	h->strings_size = cpu_to_le32(pool);
	for (i = 0, pool = 0; i < nrules; i++) {
		size_t n = strlen(rules[i].path);

		memcpy(s + pool, rules[i].path, n);
		r[i].path.off = cpu_to_le32(pool);
		r[i].path.len = cpu_to_le32(n);
		r[i].kind = rules[i].kind;
		r[i].perms = rules[i].perms;
		pool += n;
	}
	return b;
}

int fguard_selftest(void)
{
	siphash_key_t key = { { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL } };
	char buf[64], *p;
	struct fg_table t;
	const char *why;
	bool is_rule, ok = true;
	size_t size, len, i;
	u32 where;
	u8 *blob;

	blob = make_blob(&size);
	if (!blob)
		return -ENOMEM;
	if (fg_table_validate(blob, size, &why, &where, &is_rule) ||
	    fg_table_build(&t, blob, size, &key)) {
		pr_err("self-test: valid table refused\n");
		kfree(blob);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fg_verdict v = fg_table_lookup(&t, cases[i].path,
						      strlen(cases[i].path),
						      cases[i].want);
		bool got = (v.granted & cases[i].want) == cases[i].want;

		if (got != cases[i].allowed) {
			pr_err("self-test: lookup %zu (%s) wrong\n", i, cases[i].path);
			ok = false;
		}
	}
	fg_table_free(&t);
	blob[sizeof(struct fguard_pol_header)] ^= 0x40;	/* path offset */
	if (!fg_table_validate(blob, size, &why, &where, &is_rule)) {
		pr_err("self-test: corrupt table accepted\n");
		ok = false;
	}
	kfree(blob);

	p = buf + 32;
	strscpy(p, "/proc/42/task/43/maps", sizeof(buf) - 32);
	len = strlen(p);
	p = fg_proc_self(p, &len, 42, 43);
	if (len != strlen("/proc/thread-self/maps") ||
	    memcmp(p, "/proc/thread-self/maps", len)) {
		pr_err("self-test: /proc/self rewrite wrong\n");
		ok = false;
	}
	if (siphash("abc", 3, &key) == siphash("abd", 3, &key)) {
		pr_err("self-test: siphash\n");
		ok = false;
	}
	if (!ok)
		return -EINVAL;
	pr_info("self-tests: pass\n");
	return 0;
}
#endif
