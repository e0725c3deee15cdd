/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _FGUARD_SYMBOLS_H
#define _FGUARD_SYMBOLS_H

#include <linux/seqlock.h>
#include <linux/types.h>

struct path;
struct mnt_namespace;
struct user_namespace;
struct fs_struct;

/**
 * struct fguard_symbols - kernel functions fguard needs that are not
 * exported; resolved once at load, read-only afterwards.
 */
struct fguard_symbols {
	char *(*d_absolute_path)(const struct path *path, char *buf, int len);
	struct mnt_namespace *(*copy_mnt_ns)(unsigned long flags,
					     struct mnt_namespace *ns,
					     struct user_namespace *user_ns,
					     struct fs_struct *new_fs);
	unsigned long put_mnt_ns;
	const void *mntns_operations;
	seqlock_t *mount_lock;
};

extern struct fguard_symbols fguard_sym;

unsigned long fguard_symbols_lookup(const char *name);
int fguard_symbols_init(void);

#endif
