// SPDX-License-Identifier: GPL-2.0
/*
 * The decision cache. Building a path and looking it up costs most of a
 * guarded open; most opens repeat. A decision may be reused for the same
 * (namespace, mount, dentry, inode, want) as long as that dentry cannot
 * have another path and the namespace has the same guard and policy, which
 * holds while none of these moved since it was stored:
 *
 *  - rename_lock's sequence (every d_move in the kernel),
 *  - mount_lock's sequence (every mount change),
 *  - fguard_cache_gen, bumped by our hooks on every link, unlink, rmdir and
 *    rename anywhere (a freed dentry can come back at the same address with
 *    a different path only after one of those), and by the registry when a
 *    namespace loses its guard or a guard gets a new policy;
 *
 * and the inode is the same object (address, i_generation) with one link
 * (a second name for it would share the dentry's verdict otherwise).
 * Directories, which cannot be hard linked, count as one link. procfs is
 * never cached: /proc/<pid> means another file for every process.
 *
 * An entry also holds the namespace's per-CPU counters, so that a cached
 * open needs neither the registry nor RCU's read lock beyond the disabled
 * preemption it runs under: the entry is valid only while the generation
 * has not moved, so the namespace's entry has not been unlinked, and is
 * freed only after a grace period, which waits for us.
 *
 * The cache is per CPU and direct-mapped; handlers run with preemption
 * disabled, so an entry is only ever touched by its own CPU.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <linux/moduleparam.h>
#include <linux/path.h>
#include <linux/percpu.h>

#include "cache.h"
#include "registry.h"

struct fguard_cache_entry __percpu *fguard_cache;
atomic64_t fguard_cache_gen = ATOMIC64_INIT(1);

static bool cache_enabled = true;

static int set_enabled(const char *val, const struct kernel_param *kp)
{
	int err = param_set_bool(val, kp);

	/* entries stored while it was on are not to be used while it is off */
	fguard_cache_invalidate();
	return err;
}

static const struct kernel_param_ops enabled_ops = {
	.set = set_enabled,
	.get = param_get_bool,
};
module_param_cb(decision_cache, &enabled_ops, &cache_enabled, 0644);
MODULE_PARM_DESC(decision_cache, "Reuse decisions for unchanged paths (default: on)");

void fguard_cache_invalidate(void)
{
	/* what made the change is visible before the new generation is */
	smp_mb__before_atomic();
	atomic64_inc(&fguard_cache_gen);
}

void fguard_cache_stamp(struct fguard_cache_stamp *s)
{
	s->gen = atomic64_read(&fguard_cache_gen);
	s->rename_seq = raw_read_seqcount(&rename_lock.seqcount);
	s->mount_seq = raw_read_seqcount(&fguard_sym.mount_lock->seqcount);
	/* the stamp is taken before the decision it will guard */
	smp_rmb();
}

int fguard_cache_lookup(const struct fguard_ns *e, const struct path *path,
			u8 want)
{
	const struct fguard_cache_entry *c;

	c = fguard_cache_find(e->ns, e->seq, path, want);
	return c ? c->ok : -1;
}

void fguard_cache_store(const struct fguard_ns *e,
			const struct fguard_policy *pol, const struct path *path,
			u8 want, bool ok, const struct fguard_cache_stamp *s)
{
	const struct dentry *d = path->dentry;
	const struct inode *inode = d_backing_inode(d);
	struct fguard_cache_entry *c;

	if (!READ_ONCE(cache_enabled) || !inode ||
	    d->d_sb->s_magic == PROC_SUPER_MAGIC ||
	    (!d_is_dir(d) && READ_ONCE(inode->i_nlink) != 1) ||
	    (s->rename_seq & 1) || (s->mount_seq & 1))
		return;
	/*
	 * Decided with a guard or a policy that has since gone? Then the
	 * generation moved after the stamp (the registry changes first and
	 * bumps it next); otherwise it moves later and voids this entry.
	 */
	if (hlist_unhashed_lockless(&e->node) ||
	    rcu_access_pointer(e->guard->policy) != pol)
		return;
	c = fguard_cache_slot(path);
	c->dentry = d;
	c->mnt = path->mnt;
	c->ns = e->ns;
	c->ns_seq = e->seq;
	c->stats = this_cpu_ptr(e->stats);
	c->inode = inode;
	c->i_generation = inode->i_generation;
	c->dir = d_is_dir(d);
	c->want = want;
	c->ok = ok;
	c->gen = s->gen;
	c->rename_seq = s->rename_seq;
	c->mount_seq = s->mount_seq;
}

int fguard_cache_init(void)
{
	fguard_cache = __alloc_percpu(sizeof(struct fguard_cache_entry) <<
				      FGUARD_CACHE_BITS,
				      __alignof__(struct fguard_cache_entry));
	return fguard_cache ? 0 : -ENOMEM;
}

void fguard_cache_uninit(void)
{
	free_percpu(fguard_cache);
}
