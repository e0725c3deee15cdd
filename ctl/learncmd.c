// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fguardctl learn POLICY --pid PID [--duration SECONDS] -o NEW_POLICY
 *
 * Switches the namespace to complain mode, collects its would-be denials
 * (events) while the operator exercises the application, restores the
 * previous mode, and writes POLICY plus one exact rule per access seen,
 * each with its reason (ctl/learn.c decides what a rule may be). Prints the
 * diff. The mode is restored on every way out, Ctrl-C included.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/linux/fguard.h>

#include "commands.h"
#include "events.h"
#include "learn.h"
#include "netlink.h"
#include "policy.h"
#include "target.h"

/* The kernel's operations in the learner's terms. */
static int learner_op(uint32_t op)
{
	switch (op) {
	case FGUARD_OP_OPEN: return FG_OP_OPEN;
	case FGUARD_OP_EXEC: return FG_OP_EXEC;
	case FGUARD_OP_CREATE:
	case FGUARD_OP_MKDIR:
	case FGUARD_OP_SYMLINK: return FG_OP_CREATE;
	case FGUARD_OP_RMDIR: return FG_OP_RMDIR;
	case FGUARD_OP_UNLINK: return FG_OP_UNLINK;
	case FGUARD_OP_TRUNCATE: return FG_OP_TRUNCATE;
	case FGUARD_OP_CHMOD:
	case FGUARD_OP_IOCTL: return FG_OP_CHMOD;	/* w on the path, too */
	case FGUARD_OP_CHOWN: return FG_OP_CHOWN;
	case FGUARD_OP_UTIMES: return FG_OP_UTIMES;
	case FGUARD_OP_LINK: return FG_OP_LINK;
	case FGUARD_OP_RENAME: return FG_OP_RENAME;
	case FGUARD_OP_SETXATTR:
	case FGUARD_OP_REMOVEXATTR: return FG_OP_XATTR;
	case FGUARD_OP_MMAP: return FG_OP_MMAP;
	case FGUARD_OP_MPROTECT: return FG_OP_MPROTECT;
	case FGUARD_OP_MOUNT: return FG_OP_MOUNT;
	default: return FG_OP_OTHER;
	}
}

struct session {
	uint32_t inum;
	struct fg_learner *learner;
	unsigned long events, occurrences, learned, allowed, refused;
};

static int on_event(const struct fg_event *ev, void *arg)
{
	struct session *s = arg;
	char origin[64];
	struct fg_access a = {
		.op = learner_op(ev->op),
		.perms = ev->perms,
		.path = ev->path,
		.path2 = ev->path2,
		.comm = ev->comm,
		.when = (long long)(ev->time_ns / 1000000000ull),
		.origin = origin,
	};
	int r;

	if (!fg_event_matches(ev, s->inum) ||
	    ev->decision != FGUARD_DECISION_COMPLAINED)
		return 0;
	s->events++;
	s->occurrences += ev->repeat;
	snprintf(origin, sizeof(origin), "event of pid %u", ev->pid);
	if (a.op != FG_OP_MOUNT && !a.path) {
		s->refused++;
		return 0;
	}
	r = fg_learner_add(s->learner, &a);
	if (r > 0)
		s->learned++;
	else if (!r)
		s->allowed++;
	else
		s->refused++;
	return 0;
}

struct ns_find {
	uint32_t inum;
	bool found;
	struct fg_ns_status st;
};

static int find_ns(const struct fg_ns_status *st, void *arg)
{
	struct ns_find *f = arg;

	if (st->inum == f->inum) {
		f->found = true;
		f->st = *st;
	}
	return 0;
}

static int ns_status(struct fg_nl *nl, uint32_t inum, struct fg_ns_status *st)
{
	struct ns_find f = { .inum = inum };
	int err = fg_nl_status(nl, find_ns, &f);

	if (err) {
		fprintf(stderr, "%s\n", fg_nl_error(nl));
		return -1;
	}
	if (!f.found) {
		fprintf(stderr, "Mount namespace %u is not guarded: load the policy first (fguardctl load)\n",
			inum);
		return -1;
	}
	*st = f.st;
	return 0;
}

/*
 * The policy's text: the file itself, or NULL (*len 0) for a policy.bin,
 * which has no text of its own: fg_learner_write() writes its text form.
 * Returns -1 if the file cannot be read.
 */
static int policy_text(const char *file, char **text, size_t *len)
{
	char err[512];
	uint32_t magic = 0;

	*text = fg_read_file(file, len, err, sizeof(err));
	if (!*text) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	if (*len >= sizeof(magic))
		memcpy(&magic, *text, sizeof(magic));
	if (le32toh(magic) == FGUARD_POL_MAGIC) {
		free(*text);
		*text = NULL;
		*len = 0;
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s learn POLICY (--pid PID | --ns PATH) [--duration SECONDS] -o NEW_POLICY\n"
		   "Run the namespace in complain mode while you exercise the application,\n"
		   "then write POLICY plus a rule for each access it would have denied.\n", prog);
}

int learn_main(int argc, char **argv)
{
	const char *pid_arg = NULL, *ns_arg = NULL, *in = NULL, *out = NULL;
	struct fg_nl *nl = NULL, *evnl = NULL;
	struct fg_ns_status before, after;
	struct session s = { 0 };
	struct fg_target target = { 0 };
	volatile sig_atomic_t *flag;
	struct fg_policy base;
	long duration = 0;
	bool switched = false;
	unsigned int lost = 0;
	char err[512], hexd[65], *text = NULL, *newtext = NULL, *end;
	size_t len = 0, newlen = 0;
	uint8_t *blob = NULL;
	size_t bsize;
	int i, r, ret = 1;
	FILE *f;

	fg_policy_init(&base);
	for (i = 1; i < argc; i++) {
		r = fg_target_option(argc, argv, &i, &pid_arg, &ns_arg);
		if (r < 0)
			return 1;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--duration") && i + 1 < argc) {
			duration = strtol(argv[++i], &end, 10);
			if (!*argv[i] || *end || duration <= 0 || duration > 86400) {
				fprintf(stderr, "Invalid duration: `%s' (1 to 86400 seconds)\n",
					argv[i]);
				return 1;
			}
		} else if (argv[i][0] != '-' && !in) {
			in = argv[i];
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (!in || !out || (!pid_arg && !ns_arg)) {
		usage(stderr);
		return 1;
	}
	if (fg_policy_load_any(&base, in, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (policy_text(in, &text, &len))
		goto out;
	s.inum = fg_ns_inode(pid_arg, ns_arg);
	if (!s.inum || fg_target_resolve(&target, pid_arg, ns_arg))
		goto out;
	s.learner = fg_learner_new(&base);
	if (!s.learner) {
		fprintf(stderr, "out of memory\n");
		goto out;
	}
	fg_catch_signals(&flag);
	/* subscribe before the mode changes: no would-be denial is missed */
	if (fg_nl_open(&nl) || fg_nl_open(&evnl) || fg_nl_subscribe(evnl)) {
		fprintf(stderr, "Cannot listen for events: %s\n",
			fg_nl_error(evnl ? evnl : nl));
		goto out;
	}
	if (ns_status(nl, s.inum, &before))
		goto out;
	if (!fg_policy_to_bin(&base, &blob, &bsize, err, sizeof(err))) {
		char loaded[65];
		int k;

		fg_sha256_hex(blob, bsize, hexd);
		for (k = 0; k < 32; k++)
			sprintf(loaded + 2 * k, "%02x", before.digest[k]);
		if (strcmp(hexd, loaded))
			fprintf(stderr, "warning: the namespace runs another policy (sha256 %.12s) than %s (%.12s):\n"
					"         what it would deny may differ from what %s denies\n",
				loaded, in, hexd, in);
	}
	if (before.mode != FGUARD_MODE_COMPLAIN) {
		if (fg_nl_set_mode(nl, target.pid, FGUARD_MODE_COMPLAIN)) {
			fprintf(stderr, "%s\n", fg_nl_error(nl));
			goto out;
		}
		switched = true;
	}
	if (duration)
		fprintf(stderr, "Learning from mnt:[%u] in complain mode for %ld s: exercise the application (Ctrl-C ends early)\n",
			s.inum, duration);
	else
		fprintf(stderr, "Learning from mnt:[%u] in complain mode: exercise the application, then press Ctrl-C\n",
			s.inum);
	r = fg_events_loop(evnl, flag, duration ? fg_now_ms() + duration * 1000 : 0,
			   on_event, &s, &lost);
	if (r)
		fprintf(stderr, "%s\n", fg_nl_error(evnl));
	/* the mode goes back before anything else can fail */
	if (switched && fg_nl_set_mode(nl, target.pid, FGUARD_MODE_ENFORCE)) {
		fprintf(stderr, "CANNOT RESTORE enforce mode: %s\nRun: %s mode --pid %u enforce\n",
			fg_nl_error(nl), prog, target.pid);
		goto out;
	}
	if (switched)
		fprintf(stderr, "Restored enforce mode\n");
	switched = false;
	/* what came in while switching back is still ours */
	*flag = 0;
	fg_events_loop(evnl, flag, fg_now_ms() + 300, on_event, &s, &lost);
	if (!ns_status(nl, s.inum, &after) && after.dropped > before.dropped)
		fprintf(stderr, "warning: %llu events were dropped by the rate limit (module parameters event_rate, event_burst): some accesses may be missing; run learn again\n",
			(unsigned long long)(after.dropped - before.dropped));
	if (lost)
		fprintf(stderr, "warning: the event socket overflowed %u times: some accesses may be missing\n",
			lost);
	if (r)
		goto out;
	f = open_memstream(&newtext, &newlen);
	if (!f || fg_learner_write(s.learner, text, len, "learn", f)) {
		if (f)
			fclose(f);
		fprintf(stderr, "cannot write the new policy\n");
		goto out;
	}
	fclose(f);
	if (fg_write_atomic(out, newtext, newlen, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	fprintf(stderr, "%lu events (%lu accesses): %lu learned into %zu rules, %lu already allowed, %lu not learnable as rules (see the suggestions in %s)\n",
		s.events, s.occurrences, s.learned,
		fg_learner_count(s.learner), s.allowed, s.refused, out);
	{
		char *dargv[] = { "diff", (char *)in, (char *)out, NULL };

		diff_main(3, dargv);
	}
	ret = 0;
out:
	if (switched && ret && fg_nl_set_mode(nl, target.pid, FGUARD_MODE_ENFORCE))
		fprintf(stderr, "CANNOT RESTORE enforce mode: run %s mode --pid %u enforce\n",
			prog, target.pid);
	fg_target_release(&target);
	fg_learner_free(s.learner);
	fg_nl_close(evnl);
	fg_nl_close(nl);
	fg_policy_free(&base);
	free(blob);
	free(text);
	free(newtext);
	return ret;
}
