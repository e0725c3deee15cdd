// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// fguardctl explain POLICY PATH [PERMS]
//
// Say why PATH is or is not allowed: the decision the kernel would take
// (the same table and lookup), every rule that matches PATH with its line
// and reason, and when nothing (or not enough) matches, the rules nearest
// to PATH. Exit 0 when PERMS (default: r) are granted, 1 otherwise.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s explain POLICY PATH [PERMS]\n"
		   "\n"
		   "Say which rules of POLICY (text or .bin) allow PATH and why, or why\n"
		   "none does and which rules are nearest. PERMS (r, w, x or a mix;\n"
		   "default r) is the access to decide on. Exit status 0 if PERMS are\n"
		   "granted, 1 if not.\n", prog);
}

/* Does rule @r match canonical @path? */
static bool matches(const struct fg_rule *r, const char *path)
{
	size_t n = strlen(r->path);
	const char *rest;

	if (!strcmp(r->path, "/")) {
		if (r->kind == FGUARD_KIND_EXACT)
			return !strcmp(path, "/");
		if (r->kind == FGUARD_KIND_TREE)
			return true;
		return path[1] && !strchr(path + 1, '/');
	}
	if (strncmp(path, r->path, n))
		return false;
	rest = path + n;
	switch (r->kind) {
	case FGUARD_KIND_EXACT:
		return !*rest;
	case FGUARD_KIND_CHILDREN:
		return rest[0] == '/' && rest[1] && !strchr(rest + 1, '/');
	default:
		return !*rest || *rest == '/';
	}
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t i = 0, last = 0;

	while (a[i] && a[i] == b[i]) {
		i++;
		if (a[i] == '/' || !a[i])
			last = i;
	}
	return last;
}

static void show_rule(const struct fg_rule *r, const char *lead)
{
	char perms[4], *pat = fg_rule_pattern(r);

	printf("%s%-3s %s", lead, fg_perms_str(r->perms, perms), pat ? pat : r->path);
	if (r->line)
		printf("  (line %u)", r->line);
	if (r->reason)
		printf("\n%s    because: %s", lead, r->reason);
	putchar('\n');
	free(pat);
}

int explain_main(int argc, char **argv)
{
	char err[512], canon[FGUARD_POL_PATH_MAX + 32], *p = canon + 24;
	struct fg_policy pol;
	struct fg_table t;
	struct fg_verdict v;
	uint8_t *blob = NULL;
	char pb[4], gb[4];
	int want = FGUARD_PERM_READ;
	size_t i, nmatch = 0;
	bool ok;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 && argc != 4) {
		usage(stderr);
		return 1;
	}
	if (argc == 4) {
		want = fg_perms_parse(argv[3], strlen(argv[3]));
		if (want <= 0) {
			fprintf(stderr, "Invalid permissions: `%s' (a mix of r, w, x)\n",
				argv[3]);
			return 1;
		}
	}
	if (fg_path_canon(argv[2], p, sizeof(canon) - 24)) {
		fprintf(stderr, "Invalid path: `%s' (must be absolute, under %d bytes)\n",
			argv[2], FGUARD_POL_PATH_MAX);
		return 1;
	}
	fg_policy_init(&pol);
	if (fg_policy_load_any(&pol, argv[1], err, sizeof(err)) ||
	    fg_policy_table(&pol, &t, &blob, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		fg_policy_free(&pol);
		return 1;
	}
	v = fg_table_lookup(&t, p, strlen(p), (uint8_t)want);
	ok = (v.granted & want) == want;
	printf("%s: %s %s\n", ok ? "allowed" : "denied",
	       fg_perms_str((unsigned int)want, pb), p);
	if (!ok && v.granted)
		printf("  granted only %s, missing %s\n", fg_perms_str(v.granted, gb),
		       fg_perms_str((unsigned int)want & ~v.granted, pb));
	for (i = 0; i < pol.nrules; i++)
		if (matches(&pol.rules[i], p)) {
			if (!nmatch++)
				printf("matching rules:\n");
			show_rule(&pol.rules[i], "  ");
		}
	if (!nmatch)
		printf("no rule matches this path\n");
	if (!ok) {
		/* The nearest rules: longest shared directory prefix. */
		size_t best = 0, shown = 0;

		for (i = 0; i < pol.nrules; i++) {
			size_t c = common_prefix(pol.rules[i].path, p);

			if (!matches(&pol.rules[i], p) && c > best)
				best = c;
		}
		if (best > 1) {
			printf("nearest rules:\n");
			for (i = 0; i < pol.nrules && shown < 8; i++) {
				if (matches(&pol.rules[i], p) ||
				    common_prefix(pol.rules[i].path, p) != best)
					continue;
				show_rule(&pol.rules[i], "  ");
				shown++;
			}
		}
		if (!strncmp(p, "/proc/", 6) && p[6] >= '1' && p[6] <= '9')
			printf("note: the kernel decides on /proc/<pid>/ of the caller "
			       "itself as /proc/self/\n");
	}
	fg_table_free(&t);
	free(blob);
	fg_policy_free(&pol);
	return ok ? 0 : 1;
}
