// SPDX-License-Identifier: GPL-2.0
/*
 * The decision cache. Building a path and looking it up costs most of a
 * guarded open; most opens repeat. A decision may be reused for the same
 * (policy, mount, dentry, inode, want) as long as that dentry cannot have
 * another path, which holds while none of these moved since it was stored:
 *
 *  - rename_lock's sequence (every d_move in the kernel),
 *  - mount_lock's sequence (every mount change),
 *  - tree_gen, bumped by our hooks on every link, unlink, rmdir and rename
 *    anywhere: a freed dentry can come back at the same address with a
 *    different path only after one of those;
 *
 * and the inode is the same object (address, i_generation) with one link
 * (a second name for it would share the dentry's verdict otherwise).
 * Directories, which cannot be hard linked, count as one link. procfs is
 * never cached: /proc/<pid> means another file for every process.
 *
 * The cache is per CPU and direct-mapped; handlers run with preemption
 * disabled, so an entry is only ever touched by its own CPU.
 */
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/magic.h>
#include <linux/moduleparam.h>
#include <linux/path.h>
#include <linux/percpu.h>

#include "cache.h"
#include "policy.h"
#include "symbols.h"

#define CACHE_BITS 8

struct entry {
	const void *dentry;
	const void *mnt;
	const void *inode;
	u64 pol_gen;
	u64 tree_gen;
	u32 i_generation;
	unsigned int rename_seq;
	unsigned int mount_seq;
	u8 want;
	u8 ok;
};

static struct entry __percpu *cache;
static atomic64_t tree_gen = ATOMIC64_INIT(1);

bool fguard_cache_enabled = true;
module_param_named(decision_cache, fguard_cache_enabled, bool, 0644);
MODULE_PARM_DESC(decision_cache, "Reuse decisions for unchanged paths (default: on)");

void fguard_cache_tree_changed(void)
{
	atomic64_inc(&tree_gen);
}

void fguard_cache_stamp(struct fguard_cache_stamp *s)
{
	s->tree_gen = atomic64_read(&tree_gen);
	s->rename_seq = raw_read_seqcount(&rename_lock.seqcount);
	s->mount_seq = raw_read_seqcount(&fguard_sym.mount_lock->seqcount);
	/* the stamp is taken before the decision it will guard */
	smp_rmb();
}

static bool cacheable(const struct path *path, const struct inode **inode)
{
	const struct dentry *d = path->dentry;

	*inode = d_backing_inode(d);
	if (!*inode || d->d_sb->s_magic == PROC_SUPER_MAGIC)
		return false;
	return d_is_dir(d) || READ_ONCE((*inode)->i_nlink) == 1;
}

static struct entry *slot(const struct path *path)
{
	unsigned long k = (unsigned long)path->dentry ^
			  ((unsigned long)path->mnt >> 4);

	return this_cpu_ptr(cache) + hash_long(k, CACHE_BITS);
}

int fguard_cache_lookup(const struct fguard_policy *pol, const struct path *path,
			u8 want)
{
	const struct inode *inode;
	struct fguard_cache_stamp s;
	const struct entry *e;

	if (!READ_ONCE(fguard_cache_enabled) || !cacheable(path, &inode))
		return -1;
	e = slot(path);
	if (e->dentry != path->dentry || e->mnt != path->mnt ||
	    e->inode != inode || e->want != want || e->pol_gen != pol->gen ||
	    e->i_generation != inode->i_generation)
		return -1;
	fguard_cache_stamp(&s);
	if (e->tree_gen != s.tree_gen || e->rename_seq != s.rename_seq ||
	    e->mount_seq != s.mount_seq || (s.rename_seq & 1) ||
	    (s.mount_seq & 1))
		return -1;
	return e->ok;
}

void fguard_cache_store(const struct fguard_policy *pol, const struct path *path,
			u8 want, bool ok, const struct fguard_cache_stamp *s)
{
	const struct inode *inode;
	struct entry *e;

	if (!READ_ONCE(fguard_cache_enabled) || !cacheable(path, &inode) ||
	    (s->rename_seq & 1) || (s->mount_seq & 1))
		return;
	e = slot(path);
	e->dentry = path->dentry;
	e->mnt = path->mnt;
	e->inode = inode;
	e->i_generation = inode->i_generation;
	e->want = want;
	e->ok = ok;
	e->pol_gen = pol->gen;
	e->tree_gen = s->tree_gen;
	e->rename_seq = s->rename_seq;
	e->mount_seq = s->mount_seq;
}

int fguard_cache_init(void)
{
	cache = __alloc_percpu(sizeof(struct entry) << CACHE_BITS,
			       __alignof__(struct entry));
	return cache ? 0 : -ENOMEM;
}

void fguard_cache_uninit(void)
{
	free_percpu(cache);
}
