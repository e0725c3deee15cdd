/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_REGISTRY_H
#define _FGUARD_REGISTRY_H

#include <linux/hash.h>
#include <linux/hashtable.h>
#include <linux/types.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <uapi/linux/fguard.h>

#include "policy.h"

struct mnt_namespace;
struct netlink_ext_ack;

/**
 * struct fguard_guard - a policy and a mode, shared by the namespace it was
 * loaded on and every namespace created from a guarded one.
 * @policy: RCU-published; replaced under registry_lock
 * @mode: enum fguard_mode, READ_ONCE/WRITE_ONCE
 * @origin_inum: inode number of the namespace the policy was loaded on
 */
struct fguard_guard {
	refcount_t ref;
	struct fguard_policy __rcu *policy;
	u32 mode;
	u32 origin_inum;
	u32 armed;		/* READ_ONCE; 0 until the first exec (ARM_ON_EXEC) */
	struct rcu_head rcu;
};

struct fguard_stats {
	u64 allowed;
	u64 denied;
	u64 complained;
	u64 events;		/* queued for listeners */
	u64 dropped;		/* lost: rate limit, full queue, no memory */
};

/**
 * struct fguard_ns - a guarded mount namespace.
 * @ns: identity only, never dereferenced after registration: the namespace
 *	may be gone and the address reused; @seq tells reuse apart
 * @seq: the namespace's sequence number, unique for the boot
 * @inum: its inode number, for people
 * @guard: set at creation, never changed (a reload swaps guard->policy)
 * @stats: per-CPU counters, summed for status
 */
struct fguard_ns {
	struct hlist_node node;
	const void *ns;
	u64 seq;
	u32 inum;
	struct fguard_guard *guard;
	struct fguard_stats __percpu *stats;
	atomic64_t ev_tat;	/* events token bucket (events.c) */
	struct rcu_head rcu;
};

/* Identity of a live namespace, read while it is pinned. */
struct fguard_ns_id {
	const void *ns;
	u64 seq;
	u32 inum;
};

void fguard_ns_id_of(const struct mnt_namespace *ns, struct fguard_ns_id *id);

/* Hot path: caller in an RCU read-side section. NULL if not guarded. */
struct fguard_ns *fguard_registry_find(const struct mnt_namespace *ns);
extern atomic_t fguard_registry_count;

#define FGUARD_NS_BITS 8
extern struct hlist_head fguard_ns_table[1 << FGUARD_NS_BITS];

/*
 * Hotter path: false if @ns is certainly not guarded (its bucket is empty),
 * without a lock; the answer may be stale, as any unlocked one would be.
 */
static __always_inline bool fguard_registry_may_hold(const struct mnt_namespace *ns)
{
	return !hlist_empty(&fguard_ns_table[hash_min((unsigned long)ns,
						      FGUARD_NS_BITS)]);
}

int fguard_registry_attach(const struct fguard_ns_id *id,
			   struct fguard_policy *pol, int mode, bool armed);
int fguard_registry_detach(const struct fguard_ns_id *id);
int fguard_registry_set_mode(const struct fguard_ns_id *id, u32 mode);
struct fguard_ns *fguard_registry_prepare(const struct mnt_namespace *parent);
void fguard_registry_commit(struct fguard_ns *e,
			    const struct mnt_namespace *child);
void fguard_registry_abandon(struct fguard_ns *e);
void fguard_registry_forget(const struct mnt_namespace *ns);

/* Status dump: fills the netlink message for the entry after *cursor. */
struct fguard_ns_snapshot {
	u32 inum, origin_inum, mode, rules, armed;
	u8 digest[32];
	time64_t loaded;
	struct fguard_stats stats;
};
bool fguard_registry_snapshot(unsigned long *cursor,
			      struct fguard_ns_snapshot *snap);

int fguard_registry_init(void);
void fguard_registry_uninit(void);

#endif
