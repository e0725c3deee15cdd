// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// fguardctl diff OLD NEW [--porcelain] [--exit-code | --fail-on-grant]
//
// The rules added, removed and changed between two policies (text or .bin):
// a review aid and a CI gate for image updates.
//
// Human output (may change):
//   + rw  /var/lib/app/**  # reason
//   - r   /etc/old.conf  # reason
//   ~ r -> rw  /run/app.pid  # reason
// Machine output (--porcelain, stable; tab-separated, one line each):
//   header  FIELD  OLD  NEW
//   +  PERMS  PATTERN  REASON
//   -  PERMS  PATTERN  REASON
//   ~  OLDPERMS  NEWPERMS  PATTERN  REASON
//
// Exit status: 0; with --exit-code, 1 if the rules differ; with
// --fail-on-grant, 1 if NEW grants anything OLD did not (a rule added or
// widened). Errors also give 1.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s diff OLD NEW [--porcelain] [--exit-code | --fail-on-grant]\n"
		   "\n"
		   "Show the rules added (+), removed (-) and changed (~) from policy OLD\n"
		   "to policy NEW (text or .bin).\n"
		   "  --porcelain      stable tab-separated output for scripts\n"
		   "  --exit-code      exit 1 if the rules differ\n"
		   "  --fail-on-grant  exit 1 if NEW grants anything that OLD does not\n",
		prog);
}

struct ent {
	const struct fg_rule *r;
	char *pat;
};

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->pat, ((const struct ent *)b)->pat);
}

static struct ent *sorted(const struct fg_policy *p)
{
	struct ent *e = calloc(p->nrules + 1, sizeof(*e));
	size_t i;

	if (!e)
		return NULL;
	for (i = 0; i < p->nrules; i++) {
		e[i].r = &p->rules[i];
		e[i].pat = fg_rule_pattern(&p->rules[i]);
		if (!e[i].pat)
			e[i].pat = strdup("");
	}
	qsort(e, p->nrules, sizeof(*e), ent_cmp);
	return e;
}

static void header(const char *field, const char *a, const char *b, bool porc)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	if (!strcmp(a, b))
		return;
	if (porc)
		printf("header\t%s\t%s\t%s\n", field, a, b);
	else
		printf("  %s: %s -> %s\n", field, *a ? a : "(none)", *b ? b : "(none)");
}

static void line(char sign, const struct ent *e, bool porc)
{
	char perms[4];

	if (porc)
		printf("%c\t%s\t%s\t%s\n", sign, fg_perms_str(e->r->perms, perms),
		       e->pat, e->r->reason ? e->r->reason : "");
	else if (e->r->reason)
		printf("%c %-3s %s  # %s\n", sign, fg_perms_str(e->r->perms, perms),
		       e->pat, e->r->reason);
	else
		printf("%c %-3s %s\n", sign, fg_perms_str(e->r->perms, perms), e->pat);
}

int diff_main(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL };
	bool porc = false, exit_code = false, fail_grant = false;
	struct fg_policy p[2];
	struct ent *e[2] = { NULL, NULL };
	size_t i = 0, j = 0, added = 0, removed = 0, changed = 0, widened = 0;
	char err[512];
	int k, nf = 0, ret = 1;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[k], "--porcelain")) {
			porc = true;
		} else if (!strcmp(argv[k], "--exit-code")) {
			exit_code = true;
		} else if (!strcmp(argv[k], "--fail-on-grant")) {
			fail_grant = true;
		} else if (argv[k][0] == '-' && argv[k][1]) {
			fprintf(stderr, "Invalid option: `%s'\n", argv[k]);
			usage(stderr);
			return 1;
		} else if (nf < 2) {
			files[nf++] = argv[k];
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (nf != 2) {
		usage(stderr);
		return 1;
	}
	fg_policy_init(&p[0]);
	fg_policy_init(&p[1]);
	for (k = 0; k < 2; k++)
		if (fg_policy_load_any(&p[k], files[k], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
	e[0] = sorted(&p[0]);
	e[1] = sorted(&p[1]);
	if (!e[0] || !e[1]) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	if (!porc)
		printf("--- %s\n+++ %s\n", files[0], files[1]);
	header("image", p[0].image, p[1].image, porc);
	header("digest", p[0].digest, p[1].digest, porc);
	header("entrypoint", p[0].entrypoint, p[1].entrypoint, porc);
	header("mode", p[0].mode ? "complain" : "enforce",
	       p[1].mode ? "complain" : "enforce", porc);
	while (i < p[0].nrules || j < p[1].nrules) {
		int c = i >= p[0].nrules ? 1 : j >= p[1].nrules ? -1 :
			strcmp(e[0][i].pat, e[1][j].pat);

		if (c < 0) {
			line('-', &e[0][i++], porc);
			removed++;
		} else if (c > 0) {
			line('+', &e[1][j++], porc);
			added++;
		} else {
			const struct fg_rule *a = e[0][i].r, *b = e[1][j].r;

			if (a->perms != b->perms) {
				char pa[4], pb[4];

				if (porc)
					printf("~\t%s\t%s\t%s\t%s\n", fg_perms_str(a->perms, pa),
					       fg_perms_str(b->perms, pb), e[1][j].pat,
					       b->reason ? b->reason : "");
				else
					printf("~ %s -> %s  %s%s%s\n", fg_perms_str(a->perms, pa),
					       fg_perms_str(b->perms, pb), e[1][j].pat,
					       b->reason ? "  # " : "", b->reason ? b->reason : "");
				changed++;
				if (b->perms & ~a->perms)
					widened++;
			}
			i++;
			j++;
		}
	}
	if (!porc)
		printf("%zu added, %zu removed, %zu changed\n", added, removed, changed);
	ret = 0;
	if (exit_code && (added || removed || changed))
		ret = 1;
	if (fail_grant && (added || widened))
		ret = 1;
out:
	for (k = 0; k < 2; k++) {
		if (e[k])
			for (size_t x = 0; x < p[k].nrules; x++)
				free(e[k][x].pat);
		free(e[k]);
		fg_policy_free(&p[k]);
	}
	return ret;
}
