// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the policy language, policy.bin and the shared lookup
 * (kmod/table.c, the code the kernel runs).
 */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

static const char sample[] =
	"# sample\n"
	"image nginx:1\n"
	"digest sha256:0123\n"
	"entrypoint /usr/sbin/nginx -g daemon off;\n"
	"mode complain\n"
	"r   /etc/passwd        # user database\n"
	"rx  /usr/lib/*         # libraries\n"
	"rw  /var/log/nginx/**  # logs\n"
	"x   /usr/sbin/nginx\n"
	"r   /proc/self/**      # own proc entries\n"
	"rwx /opt/app/**\n";

struct env {
	struct fg_policy p;
	struct fg_table t;
	uint8_t *blob;
};

static void build(struct env *e, const char *text)
{
	char err[256];

	fg_policy_init(&e->p);
	assert_int_equal(fg_policy_parse(&e->p, text, strlen(text), "t", err,
					 sizeof(err)), 0);
	assert_int_equal(fg_policy_table(&e->p, &e->t, &e->blob, err,
					 sizeof(err)), 0);
}

static void teardown_env(struct env *e)
{
	fg_table_free(&e->t);
	free(e->blob);
	fg_policy_free(&e->p);
}

/* 1 if want is fully granted */
static int allows(struct env *e, const char *perms, const char *path)
{
	struct fg_verdict v = fg_table_lookup(&e->t, path, strlen(path),
					      (uint8_t)fg_perms_parse(perms, strlen(perms)));
	int want = fg_perms_parse(perms, strlen(perms));

	return (v.granted & want) == want;
}

static void text_parses_header_and_rules(void **state)
{
	struct fg_policy p;
	char err[256];

	(void)state;
	fg_policy_init(&p);
	assert_int_equal(fg_policy_parse(&p, sample, strlen(sample), "s", err,
					 sizeof(err)), 0);
	assert_string_equal(p.image, "nginx:1");
	assert_string_equal(p.entrypoint, "/usr/sbin/nginx -g daemon off;");
	assert_int_equal(p.mode, FG_MODE_COMPLAIN);
	assert_int_equal(p.nrules, 6);
	assert_string_equal(p.rules[1].path, "/usr/lib");
	assert_int_equal(p.rules[1].kind, FGUARD_KIND_CHILDREN);
	assert_int_equal(p.rules[1].perms, FGUARD_PERM_READ | FGUARD_PERM_EXEC);
	assert_string_equal(p.rules[1].reason, "libraries");
	assert_int_equal(p.rules[1].line, 7);
	assert_int_equal(p.rules[2].kind, FGUARD_KIND_TREE);
	assert_null(p.rules[3].reason);
	fg_policy_free(&p);
}

static void expect_parse_error_len(const char *text, size_t len,
				   const char *msg)
{
	struct fg_policy p;
	char err[256] = "";

	fg_policy_init(&p);
	assert_int_not_equal(fg_policy_parse(&p, text, len, "bad.txt", err,
					     sizeof(err)), 0);
	if (!strstr(err, msg))
		fail_msg("error `%s' does not contain `%s'", err, msg);
	fg_policy_free(&p);
}

static void expect_parse_error(const char *text, const char *msg)
{
	expect_parse_error_len(text, strlen(text), msg);
}

static void text_errors_name_line_and_problem(void **state)
{
	(void)state;
	expect_parse_error("r /a\nq /b\n", "bad.txt:2: Invalid permissions: `q'");
	expect_parse_error("rr /a\n", "Invalid permissions: `rr'");
	expect_parse_error("r relative/path\n", "bad.txt:1: Invalid path `relative/path': pattern is not an absolute path");
	expect_parse_error("r /a/../etc\n", "'..' is not allowed");
	expect_parse_error("r /a/*.conf\n", "'*' is only allowed as a final");
	expect_parse_error("r /a/**/b\n", "'*' is only allowed as a final");
	expect_parse_error("r /a\nw /a\n", "bad.txt:2: duplicate pattern `/a' (first at line 1)");
	expect_parse_error("mode strict\n", "bad.txt:1: Invalid mode: `strict'");
	expect_parse_error("r\n", "missing path");
	expect_parse_error("r /a b\n", "unexpected text after the path");
	expect_parse_error_len("r /a\0b\n", 7, "NUL byte");
}

static void patterns_are_canonicalised(void **state)
{
	struct fg_policy p;

	(void)state;
	fg_policy_init(&p);
	assert_int_equal(fg_policy_add(&p, "//etc/./nginx//", FGUARD_PERM_READ, "x"), 0);
	assert_string_equal(p.rules[0].path, "/etc/nginx");
	assert_int_equal(fg_policy_add(&p, "/**", FGUARD_PERM_READ, NULL), 0);
	assert_string_equal(p.rules[1].path, "/");
	assert_int_equal(p.rules[1].kind, FGUARD_KIND_TREE);
	/* merging: same pattern ORs the perms and keeps the first reason */
	assert_int_equal(fg_policy_add(&p, "/etc/nginx", FGUARD_PERM_EXEC, "y"), 0);
	assert_int_equal(p.nrules, 2);
	assert_int_equal(p.rules[0].perms, FGUARD_PERM_READ | FGUARD_PERM_EXEC);
	assert_string_equal(p.rules[0].reason, "x");
	fg_policy_free(&p);
}

static void text_bin_text_round_trip(void **state)
{
	struct fg_policy a, b;
	uint8_t *blob, *blob2;
	size_t size, size2, i;
	char err[256];
	char *t1 = NULL, *t2 = NULL;
	size_t n1, n2;
	FILE *f;

	(void)state;
	fg_policy_init(&a);
	fg_policy_init(&b);
	assert_int_equal(fg_policy_parse(&a, sample, strlen(sample), "s", err, sizeof(err)), 0);
	assert_int_equal(fg_policy_to_bin(&a, &blob, &size, err, sizeof(err)), 0);
	assert_int_equal(fg_policy_from_bin(&b, blob, size, "b", err, sizeof(err)), 0);
	assert_int_equal(a.nrules, b.nrules);
	for (i = 0; i < a.nrules; i++) {
		assert_string_equal(a.rules[i].path, b.rules[i].path);
		assert_int_equal(a.rules[i].kind, b.rules[i].kind);
		assert_int_equal(a.rules[i].perms, b.rules[i].perms);
	}
	f = open_memstream(&t1, &n1);
	fg_policy_write(&a, f);
	fclose(f);
	f = open_memstream(&t2, &n2);
	fg_policy_write(&b, f);
	fclose(f);
	assert_string_equal(t1, t2);
	/* and the text of the dump compiles to the same bytes */
	fg_policy_free(&b);
	fg_policy_init(&b);
	assert_int_equal(fg_policy_parse(&b, t2, n2, "dump", err, sizeof(err)), 0);
	assert_int_equal(fg_policy_to_bin(&b, &blob2, &size2, err, sizeof(err)), 0);
	assert_int_equal(size, size2);
	assert_memory_equal(blob, blob2, size);
	free(t1);
	free(t2);
	free(blob);
	free(blob2);
	fg_policy_free(&a);
	fg_policy_free(&b);
}

static void lookup_semantics(void **state)
{
	struct env e;

	(void)state;
	build(&e, "r /etc/passwd\n"
		  "rx /usr/lib/*\n"
		  "rw /var/log/app/**\n"
		  "x /bin/app\n");
	assert_true(allows(&e, "r", "/etc/passwd"));
	assert_false(allows(&e, "w", "/etc/passwd"));
	assert_false(allows(&e, "r", "/etc/passwd2"));
	assert_false(allows(&e, "r", "/etc"));
	// DIR/*: direct children only, not DIR itself, not grandchildren
	assert_true(allows(&e, "rx", "/usr/lib/libc.so.6"));
	assert_false(allows(&e, "r", "/usr/lib"));
	assert_false(allows(&e, "r", "/usr/lib/x/libc.so"));
	assert_false(allows(&e, "r", "/usr/lib2/a"));
	// DIR/**: DIR and everything below; never DIR2 or DIR.bak
	assert_true(allows(&e, "rw", "/var/log/app"));
	assert_true(allows(&e, "w", "/var/log/app/a/b/c"));
	assert_false(allows(&e, "r", "/var/log/app2"));
	assert_false(allows(&e, "r", "/var/log/app.bak"));
	assert_false(allows(&e, "r", "/var/log"));
	assert_true(allows(&e, "x", "/bin/app"));
	assert_false(allows(&e, "r", "/bin/app"));
	assert_false(allows(&e, "r", "/"));
	teardown_env(&e);
}

static void perms_are_the_union_of_matching_rules(void **state)
{
	struct fg_verdict v;
	struct env e;

	(void)state;
	build(&e, "r /srv/**\n"
		  "w /srv/data/*\n"
		  "x /srv/data/run\n");
	assert_true(allows(&e, "rwx", "/srv/data/run"));
	assert_true(allows(&e, "rw", "/srv/data/file"));
	assert_false(allows(&e, "w", "/srv/data/sub/file"));
	/* the deciding rule is the most specific one that grants */
	v = fg_table_lookup(&e.t, "/srv/data/run", 13, FGUARD_PERM_EXEC);
	assert_int_equal(v.rule, 2);
	v = fg_table_lookup(&e.t, "/srv/data/run", 13, FGUARD_PERM_READ);
	assert_int_equal(v.rule, 0);
	/* denied: the nearest rule is reported */
	v = fg_table_lookup(&e.t, "/srv/x", 6, FGUARD_PERM_WRITE);
	assert_int_equal(v.granted, FGUARD_PERM_READ);
	assert_int_equal(v.rule, 0);
	teardown_env(&e);
}

static void root_patterns(void **state)
{
	struct env e;

	(void)state;
	build(&e, "r /**\nw /*\n");
	assert_true(allows(&e, "r", "/"));
	assert_true(allows(&e, "r", "/a/b/c/d/e/f/g"));
	assert_true(allows(&e, "w", "/tmpfile"));
	assert_false(allows(&e, "w", "/"));
	assert_false(allows(&e, "w", "/a/b"));
	teardown_env(&e);
}

static void deep_paths_and_many_rules(void **state)
{
	char path[FGUARD_POL_PATH_MAX];
	struct fg_policy p;
	struct fg_table t;
	uint8_t *blob;
	char err[256];
	int i;

	(void)state;
	fg_policy_init(&p);
	for (i = 0; i < 20000; i++) {
		snprintf(path, sizeof(path), "/srv/d%d/f%d", i % 97, i);
		assert_int_equal(fg_policy_add(&p, path, FGUARD_PERM_READ, NULL), 0);
	}
	assert_int_equal(fg_policy_add(&p, "/deep/**", FGUARD_PERM_READ, NULL), 0);
	assert_int_equal(fg_policy_table(&p, &t, &blob, err, sizeof(err)), 0);
	for (i = 0; i < 20000; i += 7) {
		snprintf(path, sizeof(path), "/srv/d%d/f%d", i % 97, i);
		assert_int_equal(fg_table_lookup(&t, path, strlen(path), 1).granted, 1);
		snprintf(path, sizeof(path), "/srv/d%d/f%d", (i + 1) % 97, i);
		assert_int_equal(fg_table_lookup(&t, path, strlen(path), 1).granted, 0);
	}
	/* a path of 2000 components */
	strcpy(path, "/deep");
	for (i = 0; i < 1000; i++)
		strcat(path, "/a");
	assert_int_equal(fg_table_lookup(&t, path, strlen(path), 1).granted, 1);
	path[1] = 'x';
	assert_int_equal(fg_table_lookup(&t, path, strlen(path), 1).granted, 0);
	fg_table_free(&t);
	free(blob);
	fg_policy_free(&p);
}

static void proc_self_rewrite(void **state)
{
	char buf[128], *p;
	size_t len;

	(void)state;
#define REWRITE(in, tgid, tid, out) do { \
		p = buf + 32; \
		strcpy(p, in); \
		len = strlen(p); \
		p = fg_proc_self(p, &len, tgid, tid); \
		assert_int_equal(len, strlen(out)); \
		assert_memory_equal(p, out, len); \
	} while (0)
	REWRITE("/proc/42/maps", 42, 42, "/proc/self/maps");
	REWRITE("/proc/42", 42, 42, "/proc/self");
	REWRITE("/proc/42/task/43/stat", 42, 43, "/proc/thread-self/stat");
	REWRITE("/proc/42/task/44/stat", 42, 43, "/proc/self/task/44/stat");
	REWRITE("/proc/43/maps", 42, 42, "/proc/43/maps");
	REWRITE("/proc/420/maps", 42, 42, "/proc/420/maps");
	REWRITE("/proc/042/maps", 42, 42, "/proc/042/maps");
	REWRITE("/proc/42x", 42, 42, "/proc/42x");
	REWRITE("/proc/self/maps", 42, 42, "/proc/self/maps");
	REWRITE("/proc", 42, 42, "/proc");
	REWRITE("/procs/42", 42, 42, "/procs/42");
#undef REWRITE
}

/* The userspace siphash must be the kernel's: kernel lib/test_siphash.c. */
static void siphash_matches_kernel_vectors(void **state)
{
	static const siphash_key_t key = {
		{ 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL }
	};
	static const uint64_t want[4] = {
		0x726fdb47dd0e0e31ULL, 0x74f839c593dc67fdULL,
		0x0d6c8009d9a94f5aULL, 0x85676696d7fb7e2dULL,
	};
	uint8_t in[64];
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		in[i] = (uint8_t)i;
	for (i = 0; i < 4; i++)
		assert_int_equal(fg_hash(in, (size_t)i, &key), want[i]);
	assert_int_equal(fg_hash(in, 63, &key), 0x958a324ceb064572ULL);
}

static uint8_t *sample_blob(size_t *size)
{
	struct fg_policy p;
	uint8_t *blob;
	char err[256];

	fg_policy_init(&p);
	assert_int_equal(fg_policy_parse(&p, sample, strlen(sample), "s", err, sizeof(err)), 0);
	assert_int_equal(fg_policy_to_bin(&p, &blob, size, err, sizeof(err)), 0);
	fg_policy_free(&p);
	return blob;
}

static void expect_invalid(const uint8_t *blob, size_t size, const char *msg)
{
	const char *why = "";
	uint32_t where;
	bool is_rule;

	assert_int_not_equal(fg_table_validate(blob, size, &why, &where, &is_rule), 0);
	if (!strstr(why, msg))
		fail_msg("`%s' does not contain `%s'", why, msg);
}

static void bin_validation_refuses_corruption(void **state)
{
	struct fguard_pol_header *h;
	struct fguard_pol_rule *r;
	uint8_t *blob, *copy;
	size_t size;

	(void)state;
	blob = sample_blob(&size);
	copy = malloc(size + 16);
#define MUTATE(stmt, msg) do { \
		memcpy(copy, blob, size); \
		h = (void *)copy; \
		r = (void *)(copy + sizeof(*h)); \
		(void)r; \
		stmt; \
		expect_invalid(copy, size, msg); \
	} while (0)
	MUTATE(h->magic = 0, "bad magic");
	MUTATE(h->version = htole16(2), "unsupported format version");
	MUTATE(h->header_size = htole16(60), "bad header size");
	MUTATE(h->total_size = htole32((uint32_t)size + 1), "total size");
	MUTATE(h->flags = htole32(0x80), "unknown header flags");
	MUTATE(h->reserved[1] = 1, "reserved header field");
	MUTATE(h->rule_count = htole32(le32toh(h->rule_count) + 1), "string pool does not follow");
	MUTATE(h->rule_count = htole32(0x7fffffff), "too many rules");
	MUTATE(h->strings_size = htole32(le32toh(h->strings_size) - 1), "does not end the file");
	MUTATE(h->image.len = htole32(0xffffff00), "header metadata");
	MUTATE(r[0].path.off = htole32(0xfffffff0), "path out of bounds");
	MUTATE(r[0].path.len = htole32(0xffffffff), "path out of bounds");
	MUTATE(r[1].reason.len = htole32(100000), "reason out of bounds");
	MUTATE(r[2].kind = 3, "unknown rule kind");
	MUTATE(r[2].perms = 0, "bad permission bits");
	MUTATE(r[2].perms = 8, "bad permission bits");
	MUTATE(r[3].reserved[5] = 1, "reserved rule field");
	MUTATE(copy[le32toh(h->strings_off) + le32toh(r[0].path.off)] = 'x',
	       "not absolute");
#undef MUTATE
	expect_invalid(blob, 10, "shorter than the header");
	expect_invalid(blob, size - 1, "total size");
	free(copy);
	free(blob);
}

/* Random corruption never crashes and never yields an unvalidated table. */
static void bin_random_flips_are_safe(void **state)
{
	uint8_t *blob, *copy;
	size_t size;
	int i, j;

	(void)state;
	blob = sample_blob(&size);
	copy = malloc(size);
	srand(1);
	for (i = 0; i < 20000; i++) {
		const char *why;
		uint32_t where;
		bool is_rule;

		memcpy(copy, blob, size);
		for (j = 0; j < 1 + i % 4; j++)
			copy[(size_t)rand() % size] ^= (uint8_t)(1 + rand() % 255);
		if (!fg_table_validate(copy, size, &why, &where, &is_rule)) {
			struct fg_table t;
			siphash_key_t key = { { 1, 2 } };

			if (!fg_table_build(&t, copy, size, &key)) {
				fg_table_lookup(&t, "/usr/lib/x", 10, 1);
				fg_table_free(&t);
			}
		}
	}
	free(copy);
	free(blob);
}

static void duplicate_rules_in_a_blob_are_refused(void **state)
{
	struct fguard_pol_rule *r;
	struct fg_table t;
	siphash_key_t key = { { 3, 4 } };
	const char *why;
	uint32_t where;
	bool is_rule;
	uint8_t *blob;
	size_t size;

	(void)state;
	blob = sample_blob(&size);
	r = (void *)(blob + sizeof(struct fguard_pol_header));
	r[1] = r[0];
	assert_int_equal(fg_table_validate(blob, size, &why, &where, &is_rule), 0);
	assert_int_not_equal(fg_table_build(&t, blob, size, &key), 0);
	free(blob);
}

static void dir_perms_for_moving_directories(void **state)
{
	u8 tree, children;
	struct env e;

	(void)state;
	build(&e, "rw /srv/**\n"
		  "r /srv/www/*\n"
		  "rw /srv/www/upload/**\n"
		  "x /opt/tool\n");
	/* /srv/www has rules below it: its descendants could gain */
	assert_true(fg_table_dir_perms(&e.t, "/srv/www", 8, &tree, &children));
	assert_int_equal(tree, FGUARD_PERM_READ | FGUARD_PERM_WRITE);
	assert_int_equal(children, FGUARD_PERM_READ);
	assert_true(fg_table_dir_perms(&e.t, "/srv", 4, &tree, &children));
	assert_true(fg_table_dir_perms(&e.t, "/", 1, &tree, &children));
	assert_true(fg_table_dir_perms(&e.t, "/opt", 4, &tree, &children));
	/* nothing below /srv/data: only the tree rules above count */
	assert_false(fg_table_dir_perms(&e.t, "/srv/data", 9, &tree, &children));
	assert_int_equal(tree, FGUARD_PERM_READ | FGUARD_PERM_WRITE);
	assert_int_equal(children, 0);
	assert_false(fg_table_dir_perms(&e.t, "/srv/www/upload/a", 17, &tree, &children));
	assert_false(fg_table_dir_perms(&e.t, "/tmp", 4, &tree, &children));
	assert_int_equal(tree, 0);
	teardown_env(&e);
}

static void allow_lines_round_trip(void **state)
{
	static const char text[] = "allow mount\nallow write-exec\nr /a\n";
	struct fg_policy p, q;
	uint8_t *blob;
	size_t size;
	char err[256];

	(void)state;
	fg_policy_init(&p);
	fg_policy_init(&q);
	assert_int_equal(fg_policy_parse(&p, text, strlen(text), "t", err, sizeof(err)), 0);
	assert_int_equal(p.allow, FGUARD_POL_F_ALLOW_MOUNT | FGUARD_POL_F_ALLOW_WRITE_EXEC);
	assert_int_equal(fg_policy_to_bin(&p, &blob, &size, err, sizeof(err)), 0);
	assert_int_equal(fg_policy_from_bin(&q, blob, size, "b", err, sizeof(err)), 0);
	assert_int_equal(q.allow, p.allow);
	assert_int_equal(q.mode, FG_MODE_ENFORCE);
	free(blob);
	fg_policy_free(&p);
	fg_policy_free(&q);
	expect_parse_error("allow everything\n", "bad.txt:1: Invalid allow: `everything'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_parses_header_and_rules),
		cmocka_unit_test(text_errors_name_line_and_problem),
		cmocka_unit_test(patterns_are_canonicalised),
		cmocka_unit_test(text_bin_text_round_trip),
		cmocka_unit_test(lookup_semantics),
		cmocka_unit_test(perms_are_the_union_of_matching_rules),
		cmocka_unit_test(root_patterns),
		cmocka_unit_test(deep_paths_and_many_rules),
		cmocka_unit_test(proc_self_rewrite),
		cmocka_unit_test(siphash_matches_kernel_vectors),
		cmocka_unit_test(bin_validation_refuses_corruption),
		cmocka_unit_test(bin_random_flips_are_safe),
		cmocka_unit_test(duplicate_rules_in_a_blob_are_refused),
		cmocka_unit_test(dir_perms_for_moving_directories),
		cmocka_unit_test(allow_lines_round_trip),
	};

	return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
