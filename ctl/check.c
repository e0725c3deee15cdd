// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// fguardctl check POLICY PERMS PATH
// fguardctl check POLICY -
//
// Decide accesses exactly as the kernel does: same table, same lookup.
// With "-", reads "PERMS PATH" lines and prints, per line, tab-separated:
//   allow|deny  PERMS  PATH  RULE
// where RULE is the deciding rule ("rw /var/log/nginx/**  # reason") or
// "-" when no rule matched. Exit 0: all allowed; 1: some denied; 2: error.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s check POLICY PERMS PATH\n"
		   "       %s check POLICY -   (reads \"PERMS PATH\" lines)\n",
		prog, prog);
}

static void print_rule(const struct fg_table *t, int rule, FILE *out)
{
	const struct fguard_pol_rule *r;
	static const char *const suffix[] = { "", "/*", "/**" };
	const char *path, *reason;
	uint32_t plen, rlen;
	char perms[4];

	if (rule < 0) {
		fputs("-", out);
		return;
	}
	r = &t->rules[rule];
	path = fg_table_str(t, &r->path, &plen);
	reason = fg_table_str(t, &r->reason, &rlen);
	if (plen == 1 && r->kind != FGUARD_KIND_EXACT)
		plen = 0;	// the root prints as "/**", not "//**"
	fprintf(out, "%s %.*s%s", fg_perms_str(r->perms, perms), (int)plen,
		path, suffix[r->kind]);
	if (rlen)
		fprintf(out, "  # %.*s", (int)rlen, reason);
}

/* 1 allowed, 0 denied, -1 bad input (message printed). */
static int decide(const struct fg_table *t, const char *perms_s,
		  const char *path, bool table_out, FILE *out)
{
	char canon[FGUARD_POL_PATH_MAX + 32], *p = canon + 24;
	struct fg_verdict v;
	int want = fg_perms_parse(perms_s, strlen(perms_s));
	bool ok;
	char pb[4], gb[4];
	bool wx;

	if (want < 0) {
		fprintf(stderr, "Invalid permissions: `%s'\n", perms_s);
		return -1;
	}
	/* 24 bytes of headroom, as fg_proc_self() may need. */
	if (fg_path_canon(path, p, sizeof(canon) - 24)) {
		fprintf(stderr, "Invalid path: `%s' (absolute, under PATH_MAX)\n",
			path);
		return -1;
	}
	ok = fg_table_decide(t, p, strlen(p), (uint8_t)want, &v);
	wx = !ok && (v.granted & want) == want;
	if (table_out) {
		fprintf(out, "%s\t%s\t%s\t", ok ? "allow" : "deny",
			fg_perms_str((unsigned int)want, pb), path);
		print_rule(t, v.rule, out);
		if (wx)
			fputs("\twrite-xor-execute", out);
		fputc('\n', out);
	} else if (wx) {
		fprintf(out, "deny: %s %s\n  rule: ",
			fg_perms_str((unsigned int)want, pb), path);
		print_rule(t, v.rule, out);
		fprintf(out, "\n  write-xor-execute: the path is also writable (%s);"
			     " the policy header's \"allow write-exec\" would permit it\n",
			fg_perms_str(v.granted, gb));
	} else {
		fprintf(out, "%s: %s %s\n", ok ? "allow" : "deny",
			fg_perms_str((unsigned int)want, pb), path);
		if (v.rule >= 0) {
			fprintf(out, "  %s ", ok ? "by rule:" : "nearest rule:");
			print_rule(t, v.rule, out);
			fputc('\n', out);
			if (!ok)
				fprintf(out, "  granted: %s, missing: %s\n",
					v.granted ? fg_perms_str(v.granted, gb) : "-",
					fg_perms_str((unsigned int)want & ~v.granted,
						     pb));
		} else {
			fprintf(out, "  no rule matches\n");
		}
	}
	return ok;
}

int check_main(int argc, char **argv)
{
	struct fg_policy pol;
	struct fg_table t;
	uint8_t *blob = NULL;
	char err[512];
	int ret = 2;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 && argc != 4) {
		usage(stderr);
		return 2;
	}
	if (argc == 3 && strcmp(argv[2], "-")) {
		usage(stderr);
		return 2;
	}
	fg_policy_init(&pol);
	if (fg_policy_load_any(&pol, argv[1], err, sizeof(err)) ||
	    fg_policy_table(&pol, &t, &blob, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		fg_policy_free(&pol);
		return 2;
	}
	if (argc == 4) {
		int r = decide(&t, argv[2], argv[3], false, stdout);

		ret = r < 0 ? 2 : r ? 0 : 1;
	} else {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;
		unsigned long lineno = 0;
		bool denied = false, bad = false;

		while ((n = getline(&line, &cap, stdin)) > 0) {
			char *sp;

			lineno++;
			while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				line[--n] = '\0';
			if (!n || line[0] == '#')
				continue;
			sp = strchr(line, ' ');
			if (!sp) {
				fprintf(stderr, "stdin:%lu: expected \"PERMS PATH\"\n",
					lineno);
				bad = true;
				continue;
			}
			*sp = '\0';
			switch (decide(&t, line, sp + 1, true, stdout)) {
			case 0:
				denied = true;
				break;
			case -1:
				fprintf(stderr, "stdin:%lu: line skipped\n", lineno);
				bad = true;
				break;
			}
		}
		free(line);
		ret = bad ? 2 : denied ? 1 : 0;
	}
	fg_table_free(&t);
	free(blob);
	fg_policy_free(&pol);
	return ret;
}
