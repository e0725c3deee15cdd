/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_EVENTS_H
#define _FGUARD_EVENTS_H

#include <linux/list.h>
#include <linux/sched.h>
#include <linux/types.h>

struct fguard_ns;
struct fguard_policy;

/* What a hook saw; strings need not be NUL-terminated, NULL if absent. */
struct fguard_event_info {
	u8 op;			/* enum fguard_op */
	u8 perms;		/* enum fguard_perm bits asked for */
	u8 decision;		/* enum fguard_decision */
	const char *path, *path2, *exe;
	u16 path_len, path2_len, exe_len;
};

/**
 * struct fguard_event - a queued event, sent by the worker.
 * @data: exe, path and path2, each NUL-terminated, in this order
 */
struct fguard_event {
	struct list_head list;
	u64 time;
	u32 ns_inum, origin_inum;
	u32 pid, tgid, ns_pid, ns_tgid, uid, repeat;
	u8 op, perms, decision;
	u8 digest[32];
	char comm[TASK_COMM_LEN];
	u16 exe_len, path_len, path2_len;
	u8 has_path, has_path2, has_exe;
	char data[];
};

static inline const char *fguard_event_exe(const struct fguard_event *ev)
{
	return ev->data;
}

static inline const char *fguard_event_path(const struct fguard_event *ev)
{
	return ev->data + ev->exe_len + 1;
}

static inline const char *fguard_event_path2(const struct fguard_event *ev)
{
	return ev->data + ev->exe_len + 1 + ev->path_len + 1;
}

/*
 * Hot path, in order: fguard_events_wanted() (is anyone listening?),
 * fguard_events_admit() (a token from the namespace's bucket; false counts
 * a dropped event), then build the strings and fguard_events_queue().
 * None of them sleeps.
 */
bool fguard_events_wanted(void);
bool fguard_events_admit(struct fguard_ns *e);
void fguard_events_queue(struct fguard_ns *e, const struct fguard_policy *pol,
			 const struct fguard_event_info *info);

/* After the family is registered, and before it is unregistered. */
void fguard_events_start(void);
void fguard_events_stop(void);

#endif
