/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences, in one place. fguard needs two private structures of
 * fs/mount.h (absent from linux-headers): where a vfsmount's namespace
 * pointer lives, and a mount namespace's sequence number. Their layout is
 * reproduced here for the kernels fguard supports, with the same config
 * conditions as the original, and checked against the running kernel at
 * load (fguard_symbols_init()); an unknown kernel is refused at build time.
 */
#ifndef _FGUARD_COMPAT_H
#define _FGUARD_COMPAT_H

#include <linux/version.h>
#include <linux/mount.h>
#include <linux/ns_common.h>
#include <linux/wait.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "fguard: unsupported kernel version: fguard supports Linux 6.1.x only (the layout of the private struct mount and struct mnt_namespace, fs/mount.h, is known for 6.1 and not guessed for others)"
#endif
#ifndef CONFIG_RANDSTRUCT_NONE
#ifdef CONFIG_RANDSTRUCT
#error "fguard: structure layout randomisation hides struct mount; unsupported"
#endif
#endif
/* Kbuild checks these first; this is for builds that bypass it. */
#if !defined(CONFIG_FTRACE) || !defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS) || \
	!defined(CONFIG_KPROBES) || !defined(CONFIG_KALLSYMS) || \
	!defined(CONFIG_SECURITY_PATH)
#error "fguard: unsupported kernel: needs CONFIG_FTRACE, CONFIG_DYNAMIC_FTRACE_WITH_REGS, CONFIG_KPROBES, CONFIG_KALLSYMS and CONFIG_SECURITY_PATH"
#endif

/* fs/mount.h, v6.1: the head of struct mnt_namespace. */
struct fg_mnt_namespace {
	struct ns_common ns;
	void *root;
	struct list_head list;
	spinlock_t ns_lock;
	struct user_namespace *user_ns;
	struct ucounts *ucounts;
	u64 seq;
};

/* fs/mount.h, v6.1: struct mount up to mnt_ns. */
struct fg_mount {
	struct hlist_node mnt_hash;
	struct fg_mount *mnt_parent;
	struct dentry *mnt_mountpoint;
	struct vfsmount mnt;
	union {
		struct rcu_head mnt_rcu;
		struct llist_node mnt_llist;
	};
#ifdef CONFIG_SMP
	void __percpu *mnt_pcp;
#else
	int mnt_count;
	int mnt_writers;
#endif
	struct list_head mnt_mounts;
	struct list_head mnt_child;
	struct list_head mnt_instance;
	const char *mnt_devname;
	struct list_head mnt_list;
	struct list_head mnt_expire;
	struct list_head mnt_share;
	struct list_head mnt_slave_list;
	struct list_head mnt_slave;
	struct fg_mount *mnt_master;
	struct fg_mnt_namespace *mnt_ns;
};

/* fs/mount.h: kernel-internal mounts (pipes, sockets, shm) */
#define FG_MNT_NS_INTERNAL ERR_PTR(-EINVAL)

static inline struct fg_mnt_namespace *fg_mnt_ns_of(const struct vfsmount *mnt)
{
	return READ_ONCE(container_of(mnt, struct fg_mount, mnt)->mnt_ns);
}

static inline struct fg_mount *fg_real_mount(const struct vfsmount *mnt)
{
	return container_of(mnt, struct fg_mount, mnt);
}

#endif /* _FGUARD_COMPAT_H */
