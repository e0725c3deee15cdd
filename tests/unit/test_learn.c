// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the learner (ctl/learn.c): every decision is checked by
 * compiling the written policy and asking the kernel's lookup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "learn.h"
#include "policy.h"

#define R FGUARD_PERM_READ
#define W FGUARD_PERM_WRITE
#define X FGUARD_PERM_EXEC

struct env {
	const char *text;
	struct fg_policy base;
	struct fg_learner *l;
	char *out;		/* fg_learner_write() output */
	struct fg_policy p;	/* out, parsed */
	struct fg_table t;
	uint8_t *blob;
	bool built;
};

static void start(struct env *e, const char *text)
{
	char err[256];

	memset(e, 0, sizeof(*e));
	setenv("SOURCE_DATE_EPOCH", "1796414280", 1);	/* 2026-12-04T19:58:00Z */
	e->text = text;
	fg_policy_init(&e->base);
	assert_int_equal(fg_policy_parse(&e->base, text, strlen(text), "base",
					 err, sizeof(err)), 0);
	e->l = fg_learner_new(&e->base);
	assert_non_null(e->l);
}

/* Write, check it parses and compiles: the output must always load. */
static const char *finish(struct env *e)
{
	size_t len = 0;
	char err[256];
	FILE *f = open_memstream(&e->out, &len);

	assert_non_null(f);
	assert_int_equal(fg_learner_write(e->l, e->text, strlen(e->text),
					  "test", f), 0);
	fclose(f);
	fg_policy_init(&e->p);
	if (fg_policy_parse(&e->p, e->out, len, "out", err, sizeof(err)))
		fail_msg("output does not parse: %s\n%s", err, e->out);
	assert_int_equal(fg_policy_table(&e->p, &e->t, &e->blob, err, sizeof(err)), 0);
	e->built = true;
	return e->out;
}

static void end(struct env *e)
{
	if (e->built) {
		fg_table_free(&e->t);
		free(e->blob);
		fg_policy_free(&e->p);
	}
	free(e->out);
	fg_learner_free(e->l);
	fg_policy_free(&e->base);
}

static unsigned int grants(struct env *e, const char *path)
{
	return fg_table_lookup(&e->t, path, strlen(path), __FGUARD_PERM_ALL).granted;
}

static int add(struct env *e, enum fg_op op, unsigned int perms,
	       const char *path, const char *path2)
{
	struct fg_access a = {
		.op = op, .perms = perms, .path = path, .path2 = path2,
		.comm = "nginx", .when = 1796414280, .origin = "trace line 42",
	};

	return fg_learner_add(e->l, &a);
}

static size_t count_lines_with(const char *text, const char *needle)
{
	size_t n = 0;
	const char *s = text;

	while ((s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

static void op_names_round_trip(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < __FG_OP_COUNT; i++) {
		assert_non_null(fg_op_name(i));
		assert_int_equal(fg_op_parse(fg_op_name(i)), i);
	}
	assert_string_equal(fg_op_name(FG_OP_MOUNT), "mount");
	assert_string_equal(fg_op_name(FG_OP_OPEN), "open");
	assert_int_equal(fg_op_parse("mknod"), -1);
	assert_null(fg_op_name(__FG_OP_COUNT));
}

static void learns_an_exact_rule_with_only_the_perms_wanted(void **state)
{
	struct env e;
	const char *out;

	(void)state;
	start(&e, "mode enforce\nr /etc/passwd  # users\n");
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/etc/localtime", NULL), 1);
	assert_int_equal(fg_learner_count(e.l), 1);
	out = finish(&e);
	assert_non_null(strstr(out, "# --- learned by fguardctl test on 2026-12-04T19:58:00Z ---\n"));
	assert_non_null(strstr(out, "r   /etc/localtime  # learned: open(r) by nginx at 2026-12-04T19:58:00Z (trace line 42)\n"));
	/* the operator's text comes first, verbatim */
	assert_int_equal(strncmp(out, e.text, strlen(e.text)), 0);
	assert_int_equal(grants(&e, "/etc/localtime"), R);
	assert_int_equal(grants(&e, "/etc/localtime2"), 0);
	assert_int_equal(grants(&e, "/etc/shadow"), 0);
	end(&e);
}

static void an_access_the_base_allows_is_not_learned(void **state)
{
	struct env e;

	(void)state;
	start(&e, "r /usr/share/**\nrw /var/log/app/*\n");
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/usr/share/zoneinfo/UTC", NULL), 0);
	assert_int_equal(add(&e, FG_OP_OPEN, R | W, "/var/log/app/x.log", NULL), 0);
	assert_int_equal(add(&e, FG_OP_UNLINK, 0, "/var/log/app/x.log", NULL), 0);
	assert_int_equal(fg_learner_count(e.l), 0);
	/* nothing learned: the file is written back unchanged */
	assert_string_equal(finish(&e), e.text);
	end(&e);
}

static void a_second_access_to_a_learned_path_is_already_allowed(void **state)
{
	struct env e;

	(void)state;
	start(&e, "\n");
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/etc/hosts", NULL), 1);
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/etc/hosts", NULL), 0);
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/etc//./hosts", NULL), 0);
	assert_int_equal(add(&e, FG_OP_OPEN, W, "/etc/hosts", NULL), 1);
	assert_int_equal(fg_learner_count(e.l), 1);
	finish(&e);
	assert_int_equal(grants(&e, "/etc/hosts"), R | W);
	assert_int_equal(count_lines_with(e.out, "/etc/hosts  #"), 1);
	assert_non_null(strstr(e.out, "# learned: open(r) by nginx at 2026-12-04T19:58:00Z (trace line 42); learned: open(w)"));
	end(&e);
}

static void widening_an_existing_exact_rule_rewrites_it_in_place(void **state)
{
	struct env e;
	const char *out;

	(void)state;
	start(&e, "# app\nr   /var/log/app.log   # the log\nr /etc/app.conf\nr /var/**\n");
	assert_int_equal(add(&e, FG_OP_OPEN, R | W, "/var/log/app.log", NULL), 1);
	assert_int_equal(add(&e, FG_OP_CHMOD, 0, "/etc/app.conf", NULL), 1);
	assert_int_equal(fg_learner_count(e.l), 2);
	assert_int_equal(fg_learner_widened(e.l), 2);
	out = finish(&e);
	/* the line keeps its place, column and reason; no second pattern */
	assert_non_null(strstr(out, "# app\nrw  /var/log/app.log   # the log; learned: open(w) by nginx at 2026-12-04T19:58:00Z (trace line 42)\n"));
	assert_non_null(strstr(out, "\nrw /etc/app.conf  # learned: chmod(w) by nginx"));
	assert_int_equal(count_lines_with(out, "/var/log/app.log"), 1);
	assert_int_equal(count_lines_with(out, "/etc/app.conf"), 1);
	assert_non_null(strstr(out, "# 2 existing rules widened in place"));
	assert_int_equal(grants(&e, "/var/log/app.log"), R | W);
	assert_int_equal(grants(&e, "/var/log/other"), R);
	end(&e);
}

static void exec_of_a_writable_path_is_a_write_exec_suggestion(void **state)
{
	struct env e;
	const char *out;

	(void)state;
	start(&e, "rw /tmp/**\n");
	assert_int_equal(add(&e, FG_OP_EXEC, X, "/tmp/prog", NULL), -1);
	assert_non_null(strstr(fg_learner_why(e.l), "write-exec"));
	assert_int_equal(add(&e, FG_OP_MMAP, 0, "/tmp/lib.so", NULL), -1);
	assert_int_equal(fg_learner_count(e.l), 0);
	assert_int_equal(fg_learner_suggestions(e.l), 2);
	out = finish(&e);
	assert_non_null(strstr(out, "# suggestion: /tmp/prog is both written and executed (exec(x) by nginx"));
	assert_non_null(strstr(out, "\"allow write-exec\" would permit it\n"));
	/* never the flag itself, never x */
	assert_null(strstr(out, "\nallow"));
	assert_int_equal(grants(&e, "/tmp/prog") & X, 0);
	end(&e);
}

static void with_allow_write_exec_the_exec_is_learned(void **state)
{
	struct env e;

	(void)state;
	start(&e, "allow write-exec\nrw /tmp/**\n");
	assert_int_equal(add(&e, FG_OP_EXEC, X, "/tmp/prog", NULL), 1);
	finish(&e);
	assert_int_equal(grants(&e, "/tmp/prog"), R | W | X);
	assert_null(strstr(e.out, "suggestion"));
	end(&e);
}

static void a_write_to_a_path_seen_executed_is_refused(void **state)
{
	struct env e;

	(void)state;
	start(&e, "\n");
	assert_int_equal(add(&e, FG_OP_EXEC, X, "/opt/tool", NULL), 1);
	/* learning w would make the exec just learned fail */
	assert_int_equal(add(&e, FG_OP_OPEN, W, "/opt/tool", NULL), -1);
	assert_int_equal(add(&e, FG_OP_RENAME, 0, "/opt/new", "/opt/tool"), -1);
	finish(&e);
	assert_int_equal(grants(&e, "/opt/tool"), X);
	assert_non_null(strstr(e.out, "# suggestion: /opt/tool is both written and executed (open(w)"));
	end(&e);
}

static void rename_old_name_gains_what_the_new_name_is_granted(void **state)
{
	struct env e;
	const char *out;

	(void)state;
	/* a drop box: moving a file into the readable tree needs r on it */
	start(&e, "r /srv/data/**\n");
	assert_int_equal(add(&e, FG_OP_RENAME, 0, "/tmp/upload", "/srv/data/f"), 1);
	out = finish(&e);
	assert_int_equal(grants(&e, "/srv/data/f"), R | W);
	assert_int_equal(grants(&e, "/tmp/upload"), R | W);
	assert_non_null(strstr(out, "rw  /tmp/upload  # learned: rename(w) to /srv/data/f by nginx at 2026-12-04T19:58:00Z (trace line 42); learned: move to /srv/data/f: the new name may not be granted more (+r)\n"));
	assert_non_null(strstr(out, "w   /srv/data/f  # learned: rename(w) from /tmp/upload"));
	end(&e);
}

static void a_rename_the_base_allows_is_not_learned(void **state)
{
	struct env e;

	(void)state;
	start(&e, "rw /tmp/**\n");
	assert_int_equal(add(&e, FG_OP_RENAME, 0, "/tmp/a", "/tmp/b"), 0);
	assert_int_equal(add(&e, FG_OP_LINK, 0, "/tmp/a", "/tmp/c"), 0);
	assert_int_equal(fg_learner_count(e.l), 0);
	finish(&e);
	end(&e);
}

static void rename_subset_rule_is_checked_even_when_both_are_writable(void **state)
{
	struct env e;

	(void)state;
	/* w on both already; the new name has r the old lacks */
	start(&e, "w /in/*\nrw /out/*\n");
	assert_int_equal(add(&e, FG_OP_LINK, 0, "/in/f", "/out/f"), 1);
	finish(&e);
	assert_int_equal(grants(&e, "/in/f"), R | W);
	assert_int_equal(grants(&e, "/in/g"), W);
	end(&e);
}

static void exchange_makes_both_names_equal(void **state)
{
	struct env e;

	(void)state;
	start(&e, "rw /a/*\nwx /b/*\n");
	{
		struct fg_access a = { .op = FG_OP_RENAME, .path = "/a/f",
				       .path2 = "/b/g", .flags = FG_ACCESS_EXCHANGE };

		assert_int_equal(fg_learner_add(e.l, &a), 1);
	}
	finish(&e);
	assert_int_equal(grants(&e, "/a/f"), R | W | X);
	assert_int_equal(grants(&e, "/b/g"), R | W | X);
	end(&e);
}

static void a_later_grant_keeps_an_earlier_rename_allowed(void **state)
{
	struct env e;

	(void)state;
	start(&e, "\n");
	assert_int_equal(add(&e, FG_OP_RENAME, 0, "/run/a.tmp", "/run/a"), 1);
	assert_int_equal(add(&e, FG_OP_RENAME, 0, "/run/b.tmp", "/run/a.tmp"), 1);
	/* reading the final name widens it: both older names must follow */
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/run/a", NULL), 1);
	finish(&e);
	assert_int_equal(grants(&e, "/run/a"), R | W);
	assert_int_equal(grants(&e, "/run/a.tmp"), R | W);
	assert_int_equal(grants(&e, "/run/b.tmp"), R | W);
	end(&e);
}

static void mount_is_a_suggestion_never_the_flag(void **state)
{
	struct env e;

	(void)state;
	start(&e, "r /etc/**\n");
	assert_int_equal(add(&e, FG_OP_MOUNT, 0, "/mnt", NULL), -1);
	assert_int_equal(add(&e, FG_OP_MOUNT, 0, NULL, NULL), -1);
	assert_int_equal(fg_learner_count(e.l), 0);
	finish(&e);
	assert_non_null(strstr(e.out, "# suggestion: the program mounted (2 operations, first: mount of /mnt by nginx"));
	assert_non_null(strstr(e.out, "; \"allow mount\" would permit it\n"));
	assert_int_equal(e.p.allow, 0);
	end(&e);

	start(&e, "allow mount\n");
	assert_int_equal(add(&e, FG_OP_MOUNT, 0, "/mnt", NULL), 0);
	end(&e);
}

static void directory_suggestion_needs_three_rules_of_equal_perms(void **state)
{
	static const char *const zones[] = { "/usr/share/zoneinfo/UTC",
		"/usr/share/zoneinfo/Europe", "/usr/share/zoneinfo/tzdata.zi",
		"/usr/share/zoneinfo/zone.tab", "/usr/share/zoneinfo/leapseconds" };
	struct env e;
	int i;

	(void)state;
	start(&e, "\n");
	add(&e, FG_OP_OPEN, R, zones[0], NULL);
	add(&e, FG_OP_OPEN, R, zones[1], NULL);
	add(&e, FG_OP_OPEN, R | W, zones[2], NULL);
	finish(&e);
	assert_null(strstr(e.out, "suggestion"));
	end(&e);

	start(&e, "\n");
	for (i = 0; i < 5; i++)
		add(&e, FG_OP_OPEN, R, zones[i], NULL);
	assert_int_equal(fg_learner_suggestions(e.l), 1);
	finish(&e);
	assert_non_null(strstr(e.out, "# suggestion: \"r /usr/share/zoneinfo/*\" would replace the 5 learned rules for files in /usr/share/zoneinfo\n"));
	/* a suggestion only: each file is still its own rule */
	assert_int_equal(grants(&e, "/usr/share/zoneinfo/other"), 0);
	end(&e);

	start(&e, "r /etc/a\nr /etc/b\nr /etc/sub/c\n");
	add(&e, FG_OP_OPEN, R, "/etc/c", NULL);
	finish(&e);
	assert_non_null(strstr(e.out, "# suggestion: \"r /etc/*\" would replace the 1 learned and 2 existing rules for files in /etc\n"));
	end(&e);
}

static void paths_a_rule_cannot_carry_are_refused(void **state)
{
	static const char *const bad[] = { "etc/passwd", "", "/tmp/a b",
		"/tmp/*", "/tmp/a\nr /etc/shadow", "/tmp/tab\there" };
	struct env e;
	size_t i;

	(void)state;
	start(&e, "\n");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(add(&e, FG_OP_OPEN, R, bad[i], NULL), -1);
		assert_non_null(fg_learner_why(e.l));
	}
	assert_int_equal(add(&e, FG_OP_OPEN, R, NULL, NULL), -1);
	assert_int_equal(add(&e, FG_OP_RENAME, 0, "/tmp/a", NULL), -1);
	assert_int_equal(add(&e, FG_OP_OPEN, 0, "/tmp/a", NULL), -1);
	assert_int_equal(add(&e, FG_OP_OTHER, R, "/tmp/a", NULL), -1);
	assert_int_equal(add(&e, (enum fg_op)99, R, "/tmp/a", NULL), -1);
	assert_int_equal(fg_learner_count(e.l), 0);
	/* ".." is resolved lexically, not refused */
	assert_int_equal(add(&e, FG_OP_OPEN, R, "/etc/x/../hosts", NULL), 1);
	finish(&e);
	assert_int_equal(grants(&e, "/etc/hosts"), R);
	assert_int_equal(e.p.nrules, 1);
	end(&e);
}

static void only_exact_rules_are_ever_written(void **state)
{
	struct env e;
	size_t i;
	char path[64];

	(void)state;
	start(&e, "r /usr/lib/**\n");
	for (i = 0; i < 200; i++) {
		snprintf(path, sizeof(path), "/data/%zu/f%zu", i % 7, i);
		add(&e, (enum fg_op)(i % FG_OP_MOUNT), (unsigned int)(i % 7) + 1,
		    path, i % 5 ? NULL : "/data/x");
	}
	finish(&e);
	for (i = 0; i < e.p.nrules; i++)
		if (strcmp(e.p.rules[i].path, "/usr/lib"))
			assert_int_equal(e.p.rules[i].kind, FGUARD_KIND_EXACT);
	end(&e);
}

static void output_does_not_depend_on_the_order_seen(void **state)
{
	static const char *const paths[] = { "/b", "/a/z", "/a/y", "/c/1", "/a/x" };
	struct env e1, e2;
	int i;

	(void)state;
	start(&e1, "r /etc/passwd\n");
	for (i = 0; i < 5; i++)
		add(&e1, FG_OP_OPEN, R, paths[i], NULL);
	finish(&e1);
	start(&e2, "r /etc/passwd\n");
	for (i = 4; i >= 0; i--)
		add(&e2, FG_OP_OPEN, R, paths[i], NULL);
	finish(&e2);
	assert_string_equal(e1.out, e2.out);
	assert_true(strstr(e1.out, "/a/x") < strstr(e1.out, "/a/y"));
	end(&e1);
	end(&e2);
}

static void suggestions_already_in_the_text_are_not_repeated(void **state)
{
	struct env e, again;

	(void)state;
	start(&e, "rw /tmp/**\n");
	assert_int_equal(add(&e, FG_OP_EXEC, X, "/tmp/prog", NULL), -1);
	assert_int_equal(add(&e, FG_OP_MOUNT, 0, "/mnt", NULL), -1);
	finish(&e);
	assert_non_null(strstr(e.out, "# suggestion: the program mounted"));
	/* the same accesses on the written policy: nothing to add */
	start(&again, e.out);
	assert_int_equal(add(&again, FG_OP_EXEC, X, "/tmp/prog", NULL), -1);
	assert_int_equal(add(&again, FG_OP_MOUNT, 0, "/mnt", NULL), -1);
	finish(&again);
	assert_string_equal(again.out, e.out);
	end(&again);
	end(&e);
}

static void a_binary_base_is_written_in_its_text_form(void **state)
{
	struct fg_policy text, bin;
	struct fg_learner *l;
	uint8_t *blob;
	size_t size, len = 0;
	char err[256], *out = NULL;
	struct fg_access a = { .op = FG_OP_OPEN, .perms = W, .path = "/etc/a" };
	const char *src = "image x\nr /etc/a  # config\nrx /usr/bin/*\n";
	FILE *f;

	(void)state;
	fg_policy_init(&text);
	fg_policy_init(&bin);
	assert_int_equal(fg_policy_parse(&text, src, strlen(src), "t", err, sizeof(err)), 0);
	assert_int_equal(fg_policy_to_bin(&text, &blob, &size, err, sizeof(err)), 0);
	assert_int_equal(fg_policy_from_bin(&bin, blob, size, "b", err, sizeof(err)), 0);
	l = fg_learner_new(&bin);
	assert_int_equal(fg_learner_add(l, &a), 1);
	f = open_memstream(&out, &len);
	assert_int_equal(fg_learner_write(l, NULL, 0, "test", f), 0);
	fclose(f);
	assert_non_null(strstr(out, "image x\n"));
	assert_non_null(strstr(out, "rw  /etc/a       # config; learned: open(w)\n"));
	fg_policy_free(&text);
	fg_policy_init(&text);
	assert_int_equal(fg_policy_parse(&text, out, len, "out", err, sizeof(err)), 0);
	assert_int_equal(fg_policy_find(&text, "/etc/a")->perms, R | W);
	/* a text that does not hold the widened rule is refused */
	free(out);
	out = NULL;
	f = open_memstream(&out, &len);
	assert_int_equal(fg_learner_write(l, "r /etc/b\n", 9, "test", f), -1);
	fclose(f);
	free(out);
	fg_learner_free(l);
	free(blob);
	fg_policy_free(&text);
	fg_policy_free(&bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(op_names_round_trip),
		cmocka_unit_test(learns_an_exact_rule_with_only_the_perms_wanted),
		cmocka_unit_test(an_access_the_base_allows_is_not_learned),
		cmocka_unit_test(a_second_access_to_a_learned_path_is_already_allowed),
		cmocka_unit_test(widening_an_existing_exact_rule_rewrites_it_in_place),
		cmocka_unit_test(exec_of_a_writable_path_is_a_write_exec_suggestion),
		cmocka_unit_test(with_allow_write_exec_the_exec_is_learned),
		cmocka_unit_test(a_write_to_a_path_seen_executed_is_refused),
		cmocka_unit_test(rename_old_name_gains_what_the_new_name_is_granted),
		cmocka_unit_test(a_rename_the_base_allows_is_not_learned),
		cmocka_unit_test(rename_subset_rule_is_checked_even_when_both_are_writable),
		cmocka_unit_test(exchange_makes_both_names_equal),
		cmocka_unit_test(a_later_grant_keeps_an_earlier_rename_allowed),
		cmocka_unit_test(mount_is_a_suggestion_never_the_flag),
		cmocka_unit_test(directory_suggestion_needs_three_rules_of_equal_perms),
		cmocka_unit_test(paths_a_rule_cannot_carry_are_refused),
		cmocka_unit_test(only_exact_rules_are_ever_written),
		cmocka_unit_test(output_does_not_depend_on_the_order_seen),
		cmocka_unit_test(suggestions_already_in_the_text_are_not_repeated),
		cmocka_unit_test(a_binary_base_is_written_in_its_text_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
