/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_CACHE_H
#define _FGUARD_CACHE_H

#include <linux/atomic.h>
#include <linux/dcache.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "symbols.h"

struct fguard_ns;
struct fguard_policy;
struct fguard_stats;

/*
 * A per-CPU cache of decisions: (namespace, mount, dentry, inode, want) to
 * allowed or not, valid only while nothing that could give that dentry
 * another path, or the namespace another policy, has happened anywhere
 * (see cache.c).
 */
struct fguard_cache_stamp {
	u64 gen;
	unsigned int rename_seq;
	unsigned int mount_seq;
};

/**
 * struct fguard_cache_entry - one decision, touched only by its own CPU
 * @ns: the guarded namespace's address and @ns_seq its sequence number
 * @stats: that namespace's counters on this CPU (the entry is per CPU too)
 * @gen: fguard_cache_gen when the decision was taken
 */
struct fguard_cache_entry {
	const void *dentry;
	const void *mnt;
	const void *ns;
	const void *inode;
	struct fguard_stats *stats;
	u64 ns_seq;
	u64 gen;
	u32 i_generation;
	unsigned int rename_seq;
	unsigned int mount_seq;
	u8 want;
	u8 ok;
	u8 dir;
};

#define FGUARD_CACHE_BITS 8

extern struct fguard_cache_entry __percpu *fguard_cache;
extern atomic64_t fguard_cache_gen;

static __always_inline struct fguard_cache_entry *
fguard_cache_slot(const struct path *path)
{
	unsigned long k = (unsigned long)path->dentry ^
			  ((unsigned long)path->mnt >> 4);

	return this_cpu_ptr(fguard_cache) + hash_long(k, FGUARD_CACHE_BITS);
}

/*
 * The decision stored for @path and @want in the namespace (@ns, @ns_seq),
 * if it is still valid; NULL otherwise. Caller: preemption disabled.
 * Everything the store checked once and only a tree change can alter is
 * not checked again here: the generation covers it. What the kernel may
 * change without our hooks seeing it is: the dentry's inode, its link
 * count (links made by nfsd or overlayfs), renames and mounts.
 */
static __always_inline const struct fguard_cache_entry *
fguard_cache_find(const void *ns, u64 ns_seq, const struct path *path, u8 want)
{
	const struct fguard_cache_entry *c = fguard_cache_slot(path);
	const struct inode *inode;

	if (c->dentry != path->dentry || c->mnt != path->mnt || c->ns != ns ||
	    c->want != want || c->ns_seq != ns_seq)
		return NULL;
	inode = READ_ONCE(path->dentry->d_inode);
	if (c->inode != inode || c->i_generation != inode->i_generation ||
	    (!c->dir && READ_ONCE(inode->i_nlink) != 1))
		return NULL;
	/* stored sequences are even: equal means no writer is inside */
	if (c->gen != atomic64_read(&fguard_cache_gen) ||
	    c->rename_seq != raw_read_seqcount(&rename_lock.seqcount) ||
	    c->mount_seq != raw_read_seqcount(&fguard_sym.mount_lock->seqcount))
		return NULL;
	return c;
}

void fguard_cache_stamp(struct fguard_cache_stamp *s);
/* 1 allowed, 0 denied, -1 miss. Caller: preemption disabled. */
int fguard_cache_lookup(const struct fguard_ns *e, const struct path *path,
			u8 want);
void fguard_cache_store(const struct fguard_ns *e,
			const struct fguard_policy *pol, const struct path *path,
			u8 want, bool ok, const struct fguard_cache_stamp *s);
/*
 * Every stored decision is void: a tree change (link, unlink, rmdir,
 * rename anywhere), a namespace's guard removed, a policy replaced.
 */
void fguard_cache_invalidate(void);

int fguard_cache_init(void);
void fguard_cache_uninit(void);

#endif
