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
#include "diff.h"
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

static void header(FILE *out, const char *field, const char *a, const char *b,
		   bool porc)
{
	if (!a)
		a = "";
	if (!b)
		b = "";
	if (!strcmp(a, b))
		return;
	if (porc)
		fprintf(out, "header\t%s\t%s\t%s\n", field, a, b);
	else
		fprintf(out, "  %s: %s -> %s\n", field, *a ? a : "(none)",
			*b ? b : "(none)");
}

static void line(FILE *out, char sign, const struct ent *e, bool porc)
{
	char perms[4];

	if (porc)
		fprintf(out, "%c\t%s\t%s\t%s\n", sign, fg_perms_str(e->r->perms, perms),
			e->pat, e->r->reason ? e->r->reason : "");
	else if (e->r->reason)
		fprintf(out, "%c %-3s %s  # %s\n", sign, fg_perms_str(e->r->perms, perms),
			e->pat, e->r->reason);
	else
		fprintf(out, "%c %-3s %s\n", sign, fg_perms_str(e->r->perms, perms),
			e->pat);
}

static void free_sorted(struct ent *e, size_t n)
{
	size_t i;

	if (!e)
		return;
	for (i = 0; i < n; i++)
		free(e[i].pat);
	free(e);
}

int fg_policy_diff(const struct fg_policy *a, const struct fg_policy *b,
		   const char *name_a, const char *name_b, bool porc, FILE *out,
		   struct fg_diff_counts *n)
{
	struct ent *e[2] = { sorted(a), sorted(b) };
	size_t i = 0, j = 0;

	memset(n, 0, sizeof(*n));
	if (!e[0] || !e[1]) {
		free_sorted(e[0], a->nrules);
		free_sorted(e[1], b->nrules);
		return -1;
	}
	if (!porc)
		fprintf(out, "--- %s\n+++ %s\n", name_a, name_b);
	header(out, "image", a->image, b->image, porc);
	header(out, "digest", a->digest, b->digest, porc);
	header(out, "entrypoint", a->entrypoint, b->entrypoint, porc);
	header(out, "mode", a->mode ? "complain" : "enforce",
	       b->mode ? "complain" : "enforce", porc);
	while (i < a->nrules || j < b->nrules) {
		int c = i >= a->nrules ? 1 : j >= b->nrules ? -1 :
			strcmp(e[0][i].pat, e[1][j].pat);

		if (c < 0) {
			line(out, '-', &e[0][i++], porc);
			n->removed++;
		} else if (c > 0) {
			line(out, '+', &e[1][j++], porc);
			n->added++;
		} else {
			const struct fg_rule *ra = e[0][i].r, *rb = e[1][j].r;

			if (ra->perms != rb->perms) {
				char pa[4], pb[4];

				if (porc)
					fprintf(out, "~\t%s\t%s\t%s\t%s\n",
						fg_perms_str(ra->perms, pa),
						fg_perms_str(rb->perms, pb), e[1][j].pat,
						rb->reason ? rb->reason : "");
				else
					fprintf(out, "~ %s -> %s  %s%s%s\n",
						fg_perms_str(ra->perms, pa),
						fg_perms_str(rb->perms, pb), e[1][j].pat,
						rb->reason ? "  # " : "",
						rb->reason ? rb->reason : "");
				n->changed++;
				if (rb->perms & ~ra->perms)
					n->widened++;
			}
			i++;
			j++;
		}
	}
	if (!porc)
		fprintf(out, "%zu added, %zu removed, %zu changed\n", n->added,
			n->removed, n->changed);
	free_sorted(e[0], a->nrules);
	free_sorted(e[1], b->nrules);
	return 0;
}

int diff_main(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL };
	bool porc = false, exit_code = false, fail_grant = false;
	struct fg_diff_counts n;
	struct fg_policy p[2];
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
	if (fg_policy_diff(&p[0], &p[1], files[0], files[1], porc, stdout, &n)) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	ret = 0;
	if (exit_code && (n.added || n.removed || n.changed))
		ret = 1;
	if (fail_grant && (n.added || n.widened))
		ret = 1;
out:
	fg_policy_free(&p[0]);
	fg_policy_free(&p[1]);
	return ret;
}
