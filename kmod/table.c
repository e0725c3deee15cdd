// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The policy table: validation, indexing and lookup of policy.bin. This file
 * is compiled into fguard.ko and into fguardctl (ctl/Makefile): one
 * implementation serves the kernel's decisions and `fguardctl check`, the
 * unit tests and the fuzzers. It is pure logic: no locks, no sleeping in
 * lookup, no globals.
 */
#ifdef __KERNEL__
#include <linux/errno.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <asm/byteorder.h>
#define fg_zalloc(n)	kvzalloc(n, GFP_KERNEL_ACCOUNT)
#define fg_free(p)	kvfree(p)
#define fg_hash(d, n, k)	siphash(d, n, k)
#else
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#define le16_to_cpu(x)	le16toh(x)
#define le32_to_cpu(x)	le32toh(x)
#define fg_zalloc(n)	calloc(1, n)
#define fg_free(p)	free(p)
#include "../include/fguard/table.h"
u64 fg_hash(const void *data, size_t len, const siphash_key_t *key);
#define BUILD_BUG_ON(c)	_Static_assert(!(c), #c)
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#endif

#include "../include/fguard/table.h"

static void build_check_abi(void)
{
	BUILD_BUG_ON(sizeof(struct fguard_pol_str) != 8);
	BUILD_BUG_ON(sizeof(struct fguard_pol_header) != 64);
	BUILD_BUG_ON(sizeof(struct fguard_pol_rule) != 24);
	BUILD_BUG_ON(sizeof(struct fg_slot) != 16);
	BUILD_BUG_ON(sizeof(struct fg_bslot) != 16);
}

#define FAIL(msg, at) do { *why = (msg); *where = (at); return -EINVAL; } while (0)

static bool str_ok(const struct fguard_pol_str *s, u32 pool, u32 max)
{
	u32 off = le32_to_cpu(s->off), len = le32_to_cpu(s->len);

	return len <= max && off <= pool && len <= pool - off;
}

/*
 * A rule path is absolute and canonical: starts with '/', no NUL, no empty,
 * "." or ".." component, no trailing '/' except for "/" itself.
 */
static bool path_ok(const char *p, u32 len)
{
	u32 i, start;

	if (len == 0 || len >= FGUARD_POL_PATH_MAX || p[0] != '/')
		return false;
	if (len == 1)
		return true;
	if (p[len - 1] == '/')
		return false;
	for (i = 1, start = 1; i <= len; i++) {
		if (i < len && p[i] == '\0')
			return false;
		if (i == len || p[i] == '/') {
			u32 n = i - start;

			if (n == 0 || (n == 1 && p[start] == '.') ||
			    (n == 2 && p[start] == '.' && p[start + 1] == '.'))
				return false;
			start = i + 1;
		}
	}
	return true;
}

int fg_table_validate(const void *blob, size_t size, const char **why,
		      u32 *where, bool *where_is_rule)
{
	const struct fguard_pol_header *h = blob;
	const struct fguard_pol_rule *r;
	const char *pool;
	u32 count, roff, soff, ssize, i;

	build_check_abi();
	*where_is_rule = false;
	*where = 0;
	if (size < sizeof(*h))
		FAIL("shorter than the header", (u32)size);
	if (size > FGUARD_POL_MAX_SIZE) {
		*why = "larger than the 64 MiB limit";
		*where = 0;
		return -E2BIG;
	}
	if (le32_to_cpu(h->magic) != FGUARD_POL_MAGIC)
		FAIL("bad magic: not a policy.bin", 0);
	if (le16_to_cpu(h->version) != FGUARD_POL_VERSION) {
		*why = "unsupported format version";
		*where = 4;
		return -EPROTO;
	}
	if (le16_to_cpu(h->header_size) != sizeof(*h))
		FAIL("bad header size", 6);
	if (le32_to_cpu(h->total_size) != size)
		FAIL("total size does not match the data (truncated or padded)", 8);
	if (le32_to_cpu(h->flags) & ~(u32)__FGUARD_POL_F_ALL)
		FAIL("unknown header flags", 12);
	if (h->reserved[0] || h->reserved[1])
		FAIL("reserved header field not zero", 56);

	count = le32_to_cpu(h->rule_count);
	roff = le32_to_cpu(h->rules_off);
	soff = le32_to_cpu(h->strings_off);
	ssize = le32_to_cpu(h->strings_size);
	if (count > FGUARD_POL_MAX_RULES)
		FAIL("too many rules", 16);
	if (roff != sizeof(*h))
		FAIL("rule table does not follow the header", 20);
	if ((u64)count * sizeof(*r) != (u64)soff - roff || soff < roff)
		FAIL("string pool does not follow the rule table", 24);
	if ((u64)soff + ssize != size)
		FAIL("string pool does not end the file", 28);

	pool = (const char *)blob + soff;
	if (!str_ok(&h->image, ssize, FGUARD_POL_REASON_MAX) ||
	    !str_ok(&h->digest, ssize, FGUARD_POL_REASON_MAX) ||
	    !str_ok(&h->entrypoint, ssize, FGUARD_POL_REASON_MAX))
		FAIL("header metadata string out of bounds", 36);

	r = (const struct fguard_pol_rule *)((const u8 *)blob + roff);
	*where_is_rule = true;
	for (i = 0; i < count; i++, r++) {
		*where = i;
		if (!str_ok(&r->path, ssize, FGUARD_POL_PATH_MAX - 1))
			FAIL("path out of bounds", i);
		if (!str_ok(&r->reason, ssize, FGUARD_POL_REASON_MAX))
			FAIL("reason out of bounds", i);
		if (!path_ok(pool + le32_to_cpu(r->path.off),
			     le32_to_cpu(r->path.len)))
			FAIL("path not absolute and canonical", i);
		if (r->kind >= __FGUARD_KIND_COUNT)
			FAIL("unknown rule kind", i);
		if (!r->perms || (r->perms & ~__FGUARD_PERM_ALL))
			FAIL("bad permission bits", i);
		if (r->reserved[0] | r->reserved[1] | r->reserved[2] |
		    r->reserved[3] | r->reserved[4] | r->reserved[5])
			FAIL("reserved rule field not zero", i);
	}
	*where_is_rule = false;
	return 0;
}

const char *fg_table_str(const struct fg_table *t,
			 const struct fguard_pol_str *s, u32 *len)
{
	*len = le32_to_cpu(s->len);
	return t->strings + le32_to_cpu(s->off);
}

unsigned int fg_path_depth(const char *path, size_t len)
{
	unsigned int d = 0;
	size_t i;

	if (len <= 1)
		return 0;
	for (i = 0; i < len; i++)
		d += path[i] == '/';
	return d;
}

static u64 depth_bit(unsigned int d)
{
	return 1ull << (d > 63 ? 63 : d);
}

static u32 slot_hash(const struct fg_table *t, const char *p, size_t len)
{
	u32 h = (u32)fg_hash(p, len, &t->key);

	return h ? h : 1;
}

static bool slot_is(const struct fg_table *t, const struct fg_slot *s,
		    const char *p, size_t len)
{
	const struct fguard_pol_rule *r;
	u32 i, n;

	for (i = 0; i < __FGUARD_KIND_COUNT; i++)
		if (s->rule[i])
			break;
	r = &t->rules[s->rule[i] - 1];
	n = le32_to_cpu(r->path.len);
	return n == len &&
	       !memcmp(t->strings + le32_to_cpu(r->path.off), p, len);
}

static struct fg_slot *find_slot(const struct fg_table *t, const char *p,
				 size_t len, bool insert)
{
	u32 h = slot_hash(t, p, len), i;

	for (i = h & t->mask;; i = (i + 1) & t->mask) {
		struct fg_slot *s = &t->slots[i];

		if (!s->hash)
			return insert ? s : NULL;
		if (s->hash == h && slot_is(t, s, p, len))
			return s;
	}
}

static bool bslot_is(const struct fg_table *t, const struct fg_bslot *s,
		     const char *p, size_t len)
{
	const struct fguard_pol_rule *r = &t->rules[s->rule - 1];

	return s->len == len &&
	       !memcmp(t->strings + le32_to_cpu(r->path.off), p, len);
}

static struct fg_bslot *find_bslot(const struct fg_table *t, const char *p,
				   size_t len, bool insert)
{
	u32 h = slot_hash(t, p, len), i;

	for (i = h & t->below_mask;; i = (i + 1) & t->below_mask) {
		struct fg_bslot *s = &t->below[i];

		if (!s->hash)
			return insert ? s : NULL;
		if (s->hash == h && bslot_is(t, s, p, len))
			return s;
	}
}

/*
 * Index every proper ancestor of every rule path ("/a/b/c" marks "/a/b",
 * "/a" and "/"). At most 8 per rule on average: a policy of very deep paths
 * sets below_overflow instead of growing without bound, and then every
 * directory counts as having rules below it (the safe answer).
 */
static int build_below(struct fg_table *t)
{
	u64 total = 0, cap = 8ull * t->rule_count + 1024;
	u32 i, slots = 16;

	for (i = 0; i < t->rule_count; i++) {
		const struct fguard_pol_rule *r = &t->rules[i];

		total += fg_path_depth(t->strings + le32_to_cpu(r->path.off),
				       le32_to_cpu(r->path.len));
	}
	if (total > cap) {
		t->below_overflow = true;
		return 0;
	}
	while (slots < 2 * total)
		slots <<= 1;
	t->below = fg_zalloc((size_t)slots * sizeof(*t->below));
	if (!t->below)
		return -ENOMEM;
	t->below_mask = slots - 1;
	for (i = 0; i < t->rule_count; i++) {
		const struct fguard_pol_rule *r = &t->rules[i];
		const char *p = t->strings + le32_to_cpu(r->path.off);
		size_t len = le32_to_cpu(r->path.len);

		while (len > 1) {
			struct fg_bslot *s;

			while (len > 1 && p[len - 1] != '/')
				len--;
			if (len > 1)
				len--;
			s = find_bslot(t, p, len, true);
			if (s->hash)
				break;	/* this ancestor and the ones above: done */
			s->hash = slot_hash(t, p, len);
			s->rule = i + 1;
			s->len = (u32)len;
		}
	}
	return 0;
}

bool fg_table_dir_perms(const struct fg_table *t, const char *dir,
			size_t len, u8 *tree, u8 *children)
{
	const struct fg_slot *s = find_slot(t, dir, len, false);
	bool below;

	*children = s && s->rule[FGUARD_KIND_CHILDREN] ?
		    t->rules[s->rule[FGUARD_KIND_CHILDREN] - 1].perms : 0;
	below = t->below_overflow || (t->below && find_bslot(t, dir, len, false));
	*tree = 0;
	for (;;) {
		s = find_slot(t, dir, len, false);
		if (s && s->rule[FGUARD_KIND_TREE])
			*tree |= t->rules[s->rule[FGUARD_KIND_TREE] - 1].perms;
		if (len <= 1)
			break;
		while (len > 1 && dir[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
	}
	return below;
}

int fg_table_build(struct fg_table *t, const void *blob, size_t size,
		   const siphash_key_t *key)
{
	const struct fguard_pol_header *h = blob;
	u32 i, slots = 16;

	memset(t, 0, sizeof(*t));
	t->blob = blob;
	t->size = (u32)size;
	t->flags = le32_to_cpu(h->flags);
	t->rule_count = le32_to_cpu(h->rule_count);
	t->rules = (const void *)((const u8 *)blob + le32_to_cpu(h->rules_off));
	t->strings = (const char *)blob + le32_to_cpu(h->strings_off);
	t->strings_size = le32_to_cpu(h->strings_size);
	t->key = *key;

	/* Load factor at most 1/2: probes stay short and a free slot exists. */
	while (slots < 2 * t->rule_count)
		slots <<= 1;
	t->slots = fg_zalloc((size_t)slots * sizeof(*t->slots));
	if (!t->slots)
		return -ENOMEM;
	t->mask = slots - 1;

	for (i = 0; i < t->rule_count; i++) {
		const struct fguard_pol_rule *r = &t->rules[i];
		const char *p = t->strings + le32_to_cpu(r->path.off);
		size_t len = le32_to_cpu(r->path.len);
		struct fg_slot *s = find_slot(t, p, len, true);

		if (!s->hash)
			s->hash = slot_hash(t, p, len);
		else if (s->rule[r->kind]) {
			fg_table_free(t);
			return -EEXIST;	/* duplicate (path, kind) */
		}
		s->rule[r->kind] = i + 1;
		if (r->kind == FGUARD_KIND_TREE)
			t->tree_depths |= depth_bit(fg_path_depth(p, len));
		else if (r->kind == FGUARD_KIND_CHILDREN)
			t->child_depths |= depth_bit(fg_path_depth(p, len));
	}
	if (build_below(t)) {
		fg_table_free(t);
		return -ENOMEM;
	}
	return 0;
}

void fg_table_free(struct fg_table *t)
{
	fg_free(t->slots);
	fg_free(t->below);
	t->slots = NULL;
	t->below = NULL;
}

static void consider(const struct fg_table *t, struct fg_verdict *v,
		     u32 rule, u8 want, int *partial)
{
	u8 perms;

	if (!rule)
		return;
	perms = t->rules[rule - 1].perms;
	v->granted |= perms;
	if ((perms & want) && v->rule < 0)
		v->rule = rule - 1;
	else if (*partial < 0)
		*partial = rule - 1;
}

/*
 * Probes, most specific first: the path itself (EXACT and TREE), its
 * parent (CHILDREN and TREE), then each further ancestor (TREE), skipping
 * depths at which the policy has no such rule. A path of depth d costs at
 * most d + 1 probes, each one siphash and one string compare.
 */
struct fg_verdict fg_table_lookup(const struct fg_table *t, const char *path,
				  size_t len, u8 want)
{
	struct fg_verdict v = { .granted = 0, .rule = -1 };
	unsigned int depth = fg_path_depth(path, len);
	int partial = -1;
	bool self = true, parent = false;

	for (;;) {
		bool child = parent && (t->child_depths & depth_bit(depth));
		bool tree = t->tree_depths & depth_bit(depth);
		const struct fg_slot *s;

		if (self || child || tree) {
			s = find_slot(t, path, len, false);
			if (s) {
				if (self)
					consider(t, &v, s->rule[FGUARD_KIND_EXACT],
						 want, &partial);
				if (child)
					consider(t, &v,
						 s->rule[FGUARD_KIND_CHILDREN],
						 want, &partial);
				if (tree)
					consider(t, &v, s->rule[FGUARD_KIND_TREE],
						 want, &partial);
			}
			if ((v.granted & want) == want)
				break;
		}
		if (len <= 1)
			break;
		/* Step to the parent: "/a/b" -> "/a" -> "/". */
		while (len > 1 && path[len - 1] != '/')
			len--;
		if (len > 1)
			len--;
		depth--;
		parent = self;
		self = false;
	}
	if (v.rule < 0)
		v.rule = partial;
	return v;
}

bool fg_table_decide(const struct fg_table *t, const char *path, size_t len,
		     u8 want, struct fg_verdict *v)
{
	/* for x, every rule matters: one of them may grant w */
	*v = fg_table_lookup(t, path, len, want & FGUARD_PERM_EXEC ?
			     __FGUARD_PERM_ALL : want);
	if ((v->granted & want) != want)
		return false;
	return !(want & FGUARD_PERM_EXEC) || !(v->granted & FGUARD_PERM_WRITE) ||
	       (t->flags & FGUARD_POL_F_ALLOW_WRITE_EXEC);
}

static bool parse_pid(const char **pp, const char *end, u32 *out)
{
	const char *p = *pp;
	u32 v = 0;

	if (p >= end || *p < '1' || *p > '9')
		return false;
	for (; p < end && *p >= '0' && *p <= '9'; p++) {
		if (p - *pp >= 10)
			return false;
		v = v * 10 + (u32)(*p - '0');
	}
	if (p < end && *p != '/')
		return false;
	*pp = p;
	*out = v;
	return true;
}

char *fg_proc_self(char *path, size_t *len, u32 tgid, u32 tid)
{
	static const char self[] = "/proc/self";
	static const char thread[] = "/proc/thread-self";
	const char *end = path + *len, *rest = path + 6, *q;
	const char *repl = self;
	size_t rlen = sizeof(self) - 1;
	u32 v;
	char *p;

	if (*len < 7 || memcmp(path, "/proc/", 6) ||
	    !parse_pid(&rest, end, &v) || v != tgid)
		return path;
	q = rest + 6;
	if (end - rest > 6 && !memcmp(rest, "/task/", 6) &&
	    parse_pid(&q, end, &v) && v == tid) {
		rest = q;
		repl = thread;
		rlen = sizeof(thread) - 1;
	}
	p = (char *)rest - rlen;
	memmove(p, repl, rlen);
	*len = (size_t)(end - p);
	return p;
}
