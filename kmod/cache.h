/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_CACHE_H
#define _FGUARD_CACHE_H

#include <linux/types.h>

struct path;
struct fguard_policy;

/*
 * A per-CPU cache of decisions: (policy, mount, dentry, inode, want) to
 * allowed or not, valid only while nothing that could give that dentry
 * another path has happened anywhere (see cache.c).
 */
struct fguard_cache_stamp {
	u64 tree_gen;
	unsigned int rename_seq;
	unsigned int mount_seq;
};

void fguard_cache_stamp(struct fguard_cache_stamp *s);
/* 1 allowed, 0 denied, -1 miss. Caller: preemption disabled. */
int fguard_cache_lookup(const struct fguard_policy *pol, const struct path *path,
			u8 want);
void fguard_cache_store(const struct fguard_policy *pol, const struct path *path,
			u8 want, bool ok, const struct fguard_cache_stamp *s);
/* Something may have changed a path: link, unlink, rmdir, rename. */
void fguard_cache_tree_changed(void);

extern bool fguard_cache_enabled;

int fguard_cache_init(void);
void fguard_cache_uninit(void);

#endif
