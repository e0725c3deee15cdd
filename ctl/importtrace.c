// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// fguardctl import-trace POLICY TRACE -o NEW_POLICY [--root DIR] [--cwd DIR]
//                        [--no-resolve]
//
// Extend POLICY with exactly what an `strace -f' log (TRACE, "-" for
// standard input) shows the program doing (ctl/strace.c reads the log,
// ctl/learn.c decides and learns). NEW_POLICY is written atomically: the
// policy's own text with a learned section appended (for a policy.bin,
// its text form). A summary goes to standard error, the difference
// between POLICY and NEW_POLICY (as `fguardctl diff' prints it) to
// standard output. Exit 0 when NEW_POLICY was written, 2 on any error
// (also a trace without a single strace system call line).
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "diff.h"
#include "learn.h"
#include "policy.h"
#include "strace.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s import-trace POLICY TRACE -o NEW_POLICY [--root DIR] [--cwd DIR] [--no-resolve]\n"
		   "\n"
		   "Add to POLICY (text or .bin) exact rules for what the `strace -f' log TRACE\n"
		   "(\"-\": standard input) shows the program doing that POLICY does not allow.\n"
		   "Best with `strace -f -yy -ttt -o TRACE': -yy names the files descriptors\n"
		   "refer to, -ttt dates the reasons.\n"
		   "  -o NEW_POLICY   where to write the extended policy (text)\n"
		   "  --root DIR      the trace ran on a host with the container's root at DIR:\n"
		   "                  strip that prefix, ignore paths outside it\n"
		   "  --cwd DIR       working directory of the traced command (host path)\n"
		   "  --no-resolve    do not read files under the root to resolve symlinks and\n"
		   "                  find the interpreters of executed programs (use when the\n"
		   "                  trace comes from another machine)\n",
		prog);
}

#define MAX_WHYS 16

struct tally {
	struct fg_learner *l;
	unsigned long allowed, learned, refused;
	struct {
		const char *why;
		unsigned long n;
	} whys[MAX_WHYS];
	int err;
};

static int on_access(void *ctx, const struct fg_access *a)
{
	struct tally *t = ctx;
	const char *why;
	int i;

	switch (fg_learner_add(t->l, a)) {
	case 1:
		t->learned++;
		return 0;
	case 0:
		t->allowed++;
		return 0;
	}
	why = fg_learner_why(t->l);
	if (why && !strcmp(why, "out of memory"))
		return -ENOMEM;
	t->refused++;
	for (i = 0; i < MAX_WHYS && t->whys[i].why; i++)
		if (!strcmp(t->whys[i].why, why ? why : "?"))
			break;
	if (i < MAX_WHYS) {
		t->whys[i].why = why ? why : "?";
		t->whys[i].n++;
	}
	return 0;
}

static int read_trace(struct fg_strace *st, const char *name, FILE *f)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int err = 0;

	errno = 0;
	while ((n = getline(&line, &cap, f)) > 0) {
		err = fg_strace_line(st, line, (size_t)n);
		if (err)
			break;
	}
	if (!err && ferror(f)) {
		fprintf(stderr, "%s: %s\n", name, strerror(errno ? errno : EIO));
		err = -EIO;
	} else if (err) {
		fprintf(stderr, "%s: %s\n", name, strerror(-err));
	}
	free(line);
	fg_strace_finish(st);
	return err;
}

static void summary(const struct fg_strace_stats *s, const struct tally *t,
		    const struct fg_learner *l, const char *out)
{
	unsigned long skipped = 0;
	int i;

	for (i = 0; i < __FG_SKIP_COUNT; i++)
		skipped += s->skipped[i];
	fprintf(stderr, "%lu lines, %lu system calls, %lu on files this reader follows\n",
		s->lines, s->calls, s->file_calls);
	fprintf(stderr, "%lu accesses read: %lu already allowed, %lu learned, %lu not learnable\n",
		s->accesses, t->allowed, t->learned, t->refused);
	fprintf(stderr, "%zu rules learned (%zu new, %zu existing widened in place), %zu suggestions\n",
		fg_learner_count(l), fg_learner_count(l) - fg_learner_widened(l),
		fg_learner_widened(l), fg_learner_suggestions(l));
	for (i = 0; i < MAX_WHYS && t->whys[i].why; i++)
		fprintf(stderr, "  not learnable: %lu: %s\n", t->whys[i].n, t->whys[i].why);
	fprintf(stderr, "%lu skipped", skipped);
	if (s->not_checked)
		fprintf(stderr, " (and %lu not decided by fguard: O_PATH, sockets, pipes)",
			s->not_checked);
	fprintf(stderr, "%s\n", skipped ? ":" : "");
	for (i = 0; i < __FG_SKIP_COUNT; i++)
		if (s->skipped[i])
			fprintf(stderr, "  skipped: %lu %s\n", s->skipped[i],
				fg_strace_skip_name(i));
	fprintf(stderr, "wrote %s\n", out);
}

int importtrace_main(int argc, char **argv)
{
	const char *files[2] = { NULL, NULL }, *out = NULL;
	struct fg_strace_opts o = { .resolve = true };
	struct tally t = { 0 };
	struct fg_policy base, updated;
	struct fg_strace *st = NULL;
	struct fg_diff_counts dc;
	char err[512], *text = NULL, *newtext = NULL;
	size_t len = 0, newlen = 0;
	FILE *f = NULL, *mem;
	int k, nf = 0, ret = 2;

	for (k = 1; k < argc; k++) {
		if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[k], "-o") || !strcmp(argv[k], "--root") ||
			   !strcmp(argv[k], "--cwd")) {
			if (k + 1 >= argc) {
				fprintf(stderr, "Option `%s' needs a value\n", argv[k]);
				usage(stderr);
				return 2;
			}
			if (!strcmp(argv[k], "-o"))
				out = argv[++k];
			else if (!strcmp(argv[k], "--root"))
				o.root = argv[++k];
			else
				o.cwd = argv[++k];
		} else if (!strcmp(argv[k], "--no-resolve")) {
			o.resolve = false;
		} else if (argv[k][0] == '-' && argv[k][1]) {
			fprintf(stderr, "Invalid option: `%s'\n", argv[k]);
			usage(stderr);
			return 2;
		} else if (nf < 2) {
			files[nf++] = argv[k];
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (nf != 2 || !out) {
		usage(stderr);
		return 2;
	}
	if ((o.root && o.root[0] != '/') || (o.cwd && o.cwd[0] != '/')) {
		fprintf(stderr, "Invalid directory: `%s' (an absolute path)\n",
			o.root && o.root[0] != '/' ? o.root : o.cwd);
		return 2;
	}
	fg_policy_init(&base);
	fg_policy_init(&updated);
	text = fg_read_file(files[0], &len, err, sizeof(err));
	if (!text) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (len >= 4 && le32toh(*(uint32_t *)text) == FGUARD_POL_MAGIC) {
		/* a policy.bin has no text: its text form stands in */
		if (fg_policy_from_bin(&base, text, len, files[0], err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			goto out;
		}
		free(text);
		text = NULL;
	} else if (fg_policy_parse(&base, text, len, files[0], err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	t.l = fg_learner_new(&base);
	if (!t.l) {
		fprintf(stderr, "%s: cannot compile the policy\n", files[0]);
		goto out;
	}
	st = fg_strace_new(&o, on_access, &t);
	if (!st) {
		fprintf(stderr, "%s: %s\n", o.root ? o.root : "/", strerror(errno));
		goto out;
	}
	f = strcmp(files[1], "-") ? fopen(files[1], "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: %s\n", files[1], strerror(errno));
		goto out;
	}
	if (read_trace(st, files[1], f))
		goto out;
	if (!fg_strace_stats(st)->calls) {
		fprintf(stderr, "%s: no strace system call lines (expected the output of `strace -f -o %s COMMAND')\n",
			files[1], files[1]);
		goto out;
	}
	mem = open_memstream(&newtext, &newlen);
	if (!mem) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	if (fg_learner_write(t.l, text, len, "import-trace", mem) | fclose(mem)) {
		fprintf(stderr, "%s: cannot write the learned policy\n", out);
		goto out;
	}
	/* what is written must load: check before replacing anything */
	if (fg_policy_parse(&updated, newtext, newlen, out, err, sizeof(err))) {
		fprintf(stderr, "internal error: the learned policy does not parse: %s\n", err);
		goto out;
	}
	if (fg_write_atomic(out, newtext, newlen, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	summary(fg_strace_stats(st), &t, t.l, out);
	if (fg_policy_diff(&base, &updated, files[0], out, false, stdout, &dc)) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	ret = 0;
out:
	if (f && f != stdin)
		fclose(f);
	fg_strace_free(st);
	fg_learner_free(t.l);
	fg_policy_free(&base);
	fg_policy_free(&updated);
	free(text);
	free(newtext);
	return ret;
}
