// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fguardctl monitor [--pid PID | --ns NS] [--json] [--count N]
 *
 * Prints denial events (and would-be denials of complain mode) as they
 * happen, until interrupted or N events were printed. Human lines by
 * default; --json: one JSON object per line with the keys time, time_ns,
 * mntns, origin_mntns, digest, pid, tgid, uid, comm, op, perms, decision,
 * repeat, exe, path and (rename, link) path2. "Listening" goes to stderr
 * once the subscription is in place, so a script can wait for it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "events.h"
#include "netlink.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Catch SIGINT and SIGTERM without SA_RESTART: poll() returns EINTR. */
void fg_catch_signals(volatile sig_atomic_t **flag)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	*flag = &stop;
}

/*
 * The namespace inode of --pid PID or --ns NS (an inode number, or a
 * namespace file such as /proc/PID/ns/mnt). 0 and a message on error.
 */
uint32_t fg_ns_inode(const char *pid_arg, const char *ns_arg)
{
	char path[64], *end;
	const char *file = ns_arg;
	struct stat st;
	unsigned long v;

	if (pid_arg) {
		v = strtoul(pid_arg, &end, 10);
		if (!*pid_arg || *end || !v || v > 0x7fffffff) {
			fprintf(stderr, "Invalid pid: `%s'\n", pid_arg);
			return 0;
		}
		snprintf(path, sizeof(path), "/proc/%lu/ns/mnt", v);
		file = path;
	} else {
		v = strtoul(ns_arg, &end, 10);
		if (*ns_arg && !*end) {
			if (!v || v > UINT32_MAX) {
				fprintf(stderr, "Invalid namespace inode: `%s'\n", ns_arg);
				return 0;
			}
			return (uint32_t)v;
		}
	}
	if (stat(file, &st)) {
		fprintf(stderr, "%s: %s\n", file, strerror(errno));
		return 0;
	}
	return (uint32_t)st.st_ino;
}

struct monitor {
	uint32_t inum;
	bool json;
	unsigned long count, seen;
};

static int show(const struct fg_event *ev, void *arg)
{
	struct monitor *m = arg;

	if (!fg_event_matches(ev, m->inum))
		return 0;
	if (m->json)
		fg_event_json(ev, stdout);
	else
		fg_event_print(ev, stdout);
	fflush(stdout);
	return m->count && ++m->seen >= m->count ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s monitor [--pid PID | --ns NS] [--json] [--count N]\n"
		   "Print denial events as they happen (complain mode: would-be denials).\n"
		   "NS is a namespace inode number or file (/proc/PID/ns/mnt).\n", prog);
}

int monitor_main(int argc, char **argv)
{
	const char *pid_arg = NULL, *ns_arg = NULL;
	struct monitor m = { 0 };
	volatile sig_atomic_t *flag;
	struct fg_nl *nl = NULL;
	unsigned int lost = 0;
	char *end;
	int i, err;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--json")) {
			m.json = true;
		} else if (!strcmp(argv[i], "--pid") && i + 1 < argc && !ns_arg) {
			pid_arg = argv[++i];
		} else if (!strcmp(argv[i], "--ns") && i + 1 < argc && !pid_arg) {
			ns_arg = argv[++i];
		} else if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			m.count = strtoul(argv[++i], &end, 10);
			if (!*argv[i] || *end || !m.count) {
				fprintf(stderr, "Invalid count: `%s'\n", argv[i]);
				return 1;
			}
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (pid_arg || ns_arg) {
		m.inum = fg_ns_inode(pid_arg, ns_arg);
		if (!m.inum)
			return 1;
	}
	fg_catch_signals(&flag);
	err = fg_nl_open(&nl);
	if (!err)
		err = fg_nl_subscribe(nl);
	if (err) {
		fprintf(stderr, "Cannot listen for events: %s\n",
			nl ? fg_nl_error(nl) : "out of memory");
		fg_nl_close(nl);
		return 1;
	}
	fprintf(stderr, "Listening for events%s (Ctrl-C to stop)\n",
		m.inum ? " of one namespace" : "");
	err = fg_events_loop(nl, flag, 0, show, &m, &lost);
	if (err)
		fprintf(stderr, "%s\n", fg_nl_error(nl));
	fg_nl_close(nl);
	return err ? 1 : 0;
}
