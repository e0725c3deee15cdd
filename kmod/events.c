// SPDX-License-Identifier: GPL-2.0
/*
 * Denial events: one multicast message per denied (or, in complain mode,
 * would-be denied) access, for fguardctl monitor and learn.
 *
 * The hook runs with preemption disabled and may hold filesystem locks, so
 * it only queues: a GFP_ATOMIC allocation, a spinlock, schedule_work().
 * The worker builds and multicasts the netlink messages. Three limits keep
 * a flood of denials from slowing the host or filling memory:
 *
 *  - nothing is built while nobody listens;
 *  - each namespace has a token bucket (GCRA: one atomic "theoretical
 *    arrival time"), event_rate events per second with bursts of
 *    event_burst; an event without a token is dropped and counted;
 *  - the queue holds at most MAX_QUEUED events; beyond that, dropped and
 *    counted.
 *
 * An event identical to the one at the tail of the queue (same namespace,
 * task, operation, permissions, decision and paths) is not queued again;
 * the queued one's repeat count goes up. While a listener is subscribed,
 * every denial of a namespace is counted once, as an event (queued or
 * merged) or as dropped.
 */
#include <linux/cred.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "events.h"
#include "netlink.h"
#include "registry.h"

#define MAX_QUEUED 1024

static unsigned int event_rate = 200;
module_param(event_rate, uint, 0644);
MODULE_PARM_DESC(event_rate, "events per second per namespace (0: none)");
static unsigned int event_burst = 1000;
module_param(event_burst, uint, 0644);
MODULE_PARM_DESC(event_burst, "events a namespace may send at once");

static DEFINE_SPINLOCK(queue_lock);
static LIST_HEAD(queue);		/* under queue_lock */
static unsigned int queued;		/* under queue_lock */
static bool live;			/* under queue_lock; READ_ONCE outside */

static void send_events(struct work_struct *work);
static DECLARE_WORK(send_work, send_events);

bool fguard_events_wanted(void)
{
	return READ_ONCE(live) && fguard_nl_listening();
}

/* Count a lost event on the namespace. */
static void drop(struct fguard_ns *e)
{
	this_cpu_inc(e->stats->dropped);
}

bool fguard_events_admit(struct fguard_ns *e)
{
	u64 rate = READ_ONCE(event_rate), burst = READ_ONCE(event_burst);
	u64 now = ktime_get_mono_fast_ns(), interval, next;
	s64 old;

	if (!rate || !burst) {
		drop(e);
		return false;
	}
	interval = div64_u64(NSEC_PER_SEC, rate) ?: 1;
	old = atomic64_read(&e->ev_tat);
	do {
		next = max_t(u64, old, now) + interval;
		if (next - now > burst * interval) {
			drop(e);
			return false;
		}
	} while (!atomic64_try_cmpxchg(&e->ev_tat, &old, next));
	return true;
}

static bool same_str(const char *s, u16 len, bool has, const char *q, u16 qlen)
{
	if (!q)
		return !has;
	return has && len == qlen && !memcmp(s, q, len);
}

/* Whether @ev (queued) is @info again, from the same task. */
static bool same_event(const struct fguard_event *ev, u32 ns_inum, u32 pid,
		       const struct fguard_event_info *info)
{
	return ev->ns_inum == ns_inum && ev->pid == pid &&
	       ev->op == info->op && ev->perms == info->perms &&
	       ev->decision == info->decision &&
	       same_str(fguard_event_path(ev), ev->path_len, ev->has_path,
			info->path, info->path_len) &&
	       same_str(fguard_event_path2(ev), ev->path2_len, ev->has_path2,
			info->path2, info->path2_len);
}

static char *put_str(char *p, const char *s, u16 len)
{
	if (s)
		memcpy(p, s, len);
	p[s ? len : 0] = '\0';
	return p + (s ? len : 0) + 1;
}

void fguard_events_queue(struct fguard_ns *e, const struct fguard_policy *pol,
			 const struct fguard_event_info *info)
{
	u16 exe_len = info->exe ? info->exe_len : 0;
	u16 path_len = info->path ? info->path_len : 0;
	u16 path2_len = info->path2 ? info->path2_len : 0;
	u32 pid = task_pid_nr(current);
	struct fguard_event *ev, *tail;
	char *p;

	ev = kmalloc(struct_size(ev, data, exe_len + path_len + path2_len + 3),
		     GFP_ATOMIC | __GFP_NOWARN);
	if (!ev) {
		drop(e);
		return;
	}
	ev->time = ktime_get_real_ns();
	ev->ns_inum = e->inum;
	ev->origin_inum = e->guard->origin_inum;
	ev->pid = pid;
	ev->tgid = task_tgid_nr(current);
	ev->ns_pid = task_pid_vnr(current);
	ev->ns_tgid = task_tgid_vnr(current);
	ev->uid = from_kuid_munged(&init_user_ns, current_uid());
	ev->repeat = 1;
	ev->op = info->op;
	ev->perms = info->perms;
	ev->decision = info->decision;
	memcpy(ev->digest, pol->digest, sizeof(ev->digest));
	get_task_comm(ev->comm, current);
	ev->exe_len = exe_len;
	ev->path_len = path_len;
	ev->path2_len = path2_len;
	ev->has_exe = !!info->exe;
	ev->has_path = !!info->path;
	ev->has_path2 = !!info->path2;
	p = put_str(ev->data, info->exe, exe_len);
	p = put_str(p, info->path, path_len);
	put_str(p, info->path2, path2_len);

	spin_lock(&queue_lock);
	if (!live) {
		spin_unlock(&queue_lock);
		kfree(ev);
		return;
	}
	tail = list_empty(&queue) ? NULL :
		list_last_entry(&queue, struct fguard_event, list);
	if (tail && same_event(tail, e->inum, pid, info)) {
		tail->repeat++;
		spin_unlock(&queue_lock);
		kfree(ev);
		this_cpu_inc(e->stats->events);
		return;
	}
	if (queued >= MAX_QUEUED) {
		spin_unlock(&queue_lock);
		kfree(ev);
		drop(e);
		return;
	}
	list_add_tail(&ev->list, &queue);
	queued++;
	/* under the lock: fguard_events_stop() cancels what this schedules */
	schedule_work(&send_work);
	spin_unlock(&queue_lock);
	this_cpu_inc(e->stats->events);
}

static void send_events(struct work_struct *work)
{
	struct fguard_event *ev, *tmp;
	LIST_HEAD(batch);

	spin_lock(&queue_lock);
	list_splice_init(&queue, &batch);
	queued = 0;
	spin_unlock(&queue_lock);
	list_for_each_entry_safe(ev, tmp, &batch, list) {
		fguard_nl_send_event(ev);
		list_del(&ev->list);
		kfree(ev);
		cond_resched();
	}
}

void fguard_events_start(void)
{
	spin_lock(&queue_lock);
	live = true;
	spin_unlock(&queue_lock);
}

/* No event is queued after this returns, and none is left. */
void fguard_events_stop(void)
{
	struct fguard_event *ev, *tmp;

	spin_lock(&queue_lock);
	live = false;
	spin_unlock(&queue_lock);
	cancel_work_sync(&send_work);
	list_for_each_entry_safe(ev, tmp, &queue, list) {
		list_del(&ev->list);
		kfree(ev);
	}
	queued = 0;
}
