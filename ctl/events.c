// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Denial events: names, human and JSON forms, the receive loop. */
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include <uapi/linux/fguard.h>

#include "events.h"
#include "policy.h"

static const char *const op_names[__FGUARD_OP_COUNT] = {
	[FGUARD_OP_OPEN] = "open",
	[FGUARD_OP_EXEC] = "exec",
	[FGUARD_OP_CREATE] = "create",
	[FGUARD_OP_MKDIR] = "mkdir",
	[FGUARD_OP_RMDIR] = "rmdir",
	[FGUARD_OP_UNLINK] = "unlink",
	[FGUARD_OP_SYMLINK] = "symlink",
	[FGUARD_OP_TRUNCATE] = "truncate",
	[FGUARD_OP_CHMOD] = "chmod",
	[FGUARD_OP_CHOWN] = "chown",
	[FGUARD_OP_UTIMES] = "utimes",
	[FGUARD_OP_LINK] = "link",
	[FGUARD_OP_RENAME] = "rename",
	[FGUARD_OP_SETXATTR] = "setxattr",
	[FGUARD_OP_REMOVEXATTR] = "removexattr",
	[FGUARD_OP_MMAP] = "mmap",
	[FGUARD_OP_MPROTECT] = "mprotect",
	[FGUARD_OP_MOUNT] = "mount",
	[FGUARD_OP_IOCTL] = "ioctl",
};

const char *fg_kop_name(uint32_t op, char buf[16])
{
	if (op < __FGUARD_OP_COUNT && op_names[op])
		return op_names[op];
	snprintf(buf, 16, "op%u", op);
	return buf;
}

const char *fg_decision_name(uint32_t decision)
{
	return decision == FGUARD_DECISION_COMPLAINED ? "complain" : "deny";
}

static void timestamp(uint64_t ns, char out[40])
{
	time_t t = (time_t)(ns / 1000000000ull);
	struct tm tm;
	size_t n;

	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", gmtime_r(&t, &tm));
	snprintf(out + n, 40 - n, ".%03uZ",
		 (unsigned int)(ns % 1000000000ull / 1000000));
}

static void hex(const uint8_t *d, char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

void fg_event_print(const struct fg_event *ev, FILE *out)
{
	char when[40], perms[4], op[16];

	timestamp(ev->time_ns, when);
	fprintf(out, "%s mnt:[%u] %s %s", when, ev->inum,
		fg_decision_name(ev->decision), fg_kop_name(ev->op, op));
	if (ev->perms)
		fprintf(out, "(%s)", fg_perms_str(ev->perms, perms));
	if (ev->path)
		fprintf(out, " %s", ev->path);
	if (ev->path2)
		fprintf(out, " -> %s", ev->path2);
	fprintf(out, " by %s[%u]", ev->comm, ev->pid);
	if (ev->ns_pid != ev->pid)
		fprintf(out, " ns pid %u", ev->ns_pid);
	fprintf(out, " uid %u", ev->uid);
	if (ev->exe)
		fprintf(out, " exe %s", ev->exe);
	if (ev->repeat > 1)
		fprintf(out, " (x%u)", ev->repeat);
	fputc('\n', out);
}

void fg_event_json(const struct fg_event *ev, FILE *out)
{
	char when[40], perms[4], op[16], digest[65];
	json_t *o;

	timestamp(ev->time_ns, when);
	hex(ev->digest, digest);
	o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:I}",
		      "time", when,
		      "time_ns", (json_int_t)ev->time_ns,
		      "mntns", (json_int_t)ev->inum,
		      "origin_mntns", (json_int_t)ev->origin_inum,
		      "digest", digest,
		      "pid", (json_int_t)ev->pid,
		      "tgid", (json_int_t)ev->tgid,
		      "ns_pid", (json_int_t)ev->ns_pid,
		      "ns_tgid", (json_int_t)ev->ns_tgid,
		      "uid", (json_int_t)ev->uid,
		      "comm", ev->comm,
		      "op", fg_kop_name(ev->op, op),
		      "perms", ev->perms ? fg_perms_str(ev->perms, perms) : "",
		      "decision", fg_decision_name(ev->decision),
		      "repeat", (json_int_t)ev->repeat);
	if (!o)
		return;
	json_object_set_new(o, "exe", ev->exe ? json_string(ev->exe) : json_null());
	json_object_set_new(o, "path", ev->path ? json_string(ev->path) : json_null());
	if (ev->path2)
		json_object_set_new(o, "path2", json_string(ev->path2));
	json_dumpf(o, out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(o);
}

bool fg_event_matches(const struct fg_event *ev, uint32_t inum)
{
	return !inum || ev->inum == inum || ev->origin_inum == inum;
}

long long fg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int fg_events_loop(struct fg_nl *nl, volatile sig_atomic_t *stop,
		   long long deadline_ms,
		   int (*fn)(const struct fg_event *ev, void *arg), void *arg,
		   unsigned int *lost)
{
	struct pollfd pfd = { .fd = fg_nl_fd(nl), .events = POLLIN };
	int err, timeout;

	while (!*stop) {
		timeout = -1;
		if (deadline_ms) {
			long long left = deadline_ms - fg_now_ms();

			if (left <= 0)
				return 0;
			timeout = left > 1000 ? 1000 : (int)left;
		}
		err = poll(&pfd, 1, timeout);
		if (err < 0 && errno == EINTR)
			continue;
		if (err < 0)
			return -errno;
		if (!err)
			continue;
		err = fg_nl_events(nl, fn, arg);
		if (err == -ENOBUFS) {
			(*lost)++;
			fprintf(stderr, "%s\n", fg_nl_error(nl));
			continue;
		}
		if (err > 0)
			return 0;
		if (err < 0)
			return err;
	}
	return 0;
}
