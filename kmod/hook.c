// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: ftrace handlers on kernel functions, no kernel patch.
 *
 *  - security_file_open: every open, exec and library load. A denied call is
 *    redirected (IPMODIFY) to deny_open(), which returns -EACCES in place of
 *    the original function, before any LSM runs.
 *  - copy_mnt_ns: redirected to wrap_copy_mnt_ns(), which calls the original
 *    and registers the copy of a guarded namespace with the same guard, so
 *    unshare(CLONE_NEWNS) and clone(CLONE_NEWNS) cannot escape.
 *  - put_mnt_ns: observed only, to forget a namespace before it is freed.
 *
 * Every ops is PERMANENT (sysctl kernel.ftrace_enabled=0 fails instead of
 * switching the guard off) and IPMODIFY where it redirects (registration
 * fails with -EBUSY rather than stacking on another IPMODIFY user). Handlers
 * run with preemption disabled: no sleeping, per-CPU path buffers.
 */
#include <linux/delay.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/ftrace.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/sched.h>

#include "compat.h"
#include "hook.h"
#include "registry.h"
#include "symbols.h"

/* Room in front of the path for rewriting /proc/<pid> to /proc/self. */
#define HEADROOM 32
#define PATH_BUF (HEADROOM + PATH_MAX)

static char __percpu *path_bufs;
/* Calls of wrap_copy_mnt_ns() not yet returned; unload waits for zero. */
static atomic_t wrappers_in_flight = ATOMIC_INIT(0);

static int noinline notrace deny_open(struct file *file)
{
	return -EACCES;
}

/*
 * Decide an access to @path by the current task, whose namespace entry is
 * @e. Caller: RCU read side, preemption disabled. Returns 0 or -EACCES.
 */
static int decide_path(struct fguard_ns *e, const struct path *path, u8 want)
{
	const struct fg_mnt_namespace *mnt_ns = fg_mnt_ns_of(path->mnt);
	const struct mnt_namespace *own = current->nsproxy->mnt_ns;
	struct fguard_stats *stats = this_cpu_ptr(e->stats);
	const struct fguard_policy *pol;
	bool ok = false;

	stats->checked++;
	if (mnt_ns == FG_MNT_NS_INTERNAL) {
		/* pipes, sockets, memfd, overlayfs internals */
		ok = true;
	} else if ((const void *)mnt_ns == (const void *)own) {
		char *buf = this_cpu_ptr(path_bufs) + HEADROOM;
		char *p = fguard_sym.d_absolute_path(path, buf, PATH_MAX);

		/*
		 * A mount of another namespace (reached through /proc/PID/root)
		 * would give that namespace's path: refused above. Errors
		 * (unreachable, too long) are refused here.
		 */
		if (!IS_ERR(p)) {
			size_t len = strlen(p);
			struct fg_verdict v;

			p = fg_proc_self(p, &len, task_tgid_vnr(current),
					 task_pid_vnr(current));
			pol = rcu_dereference(e->guard->policy);
			v = fg_table_lookup(&pol->table, p, len, want);
			ok = (v.granted & want) == want;
		}
	}
	if (ok) {
		stats->allowed++;
		return 0;
	}
	if (READ_ONCE(e->guard->mode) == FGUARD_MODE_COMPLAIN) {
		stats->complained++;
		return 0;
	}
	stats->denied++;
	return -EACCES;
}

static u8 open_perms(const struct file *file)
{
	u8 want = 0;

	if (file->f_flags & __FMODE_EXEC)
		return FGUARD_PERM_EXEC;
	if (file->f_mode & FMODE_READ)
		want |= FGUARD_PERM_READ;
	if ((file->f_mode & FMODE_WRITE) || (file->f_flags & O_TRUNC))
		want |= FGUARD_PERM_WRITE;
	/* O_ACCMODE 3 (ioctl-only opens) needs at least read. */
	return want ? want : FGUARD_PERM_READ;
}

static void notrace hook_file_open(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *ops,
				   struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	const struct file *file = (const struct file *)regs->di;
	struct nsproxy *nsp = current->nsproxy;
	struct fguard_ns *e;
	int err = 0;

	if (!atomic_read(&fguard_registry_count) || !nsp)
		return;
	/* overlayfs opens the real file a second time: decide once */
	if (file->f_mode & FMODE_NOACCOUNT)
		return;
	rcu_read_lock();
	e = fguard_registry_find(nsp->mnt_ns);
	if (e)
		err = decide_path(e, &file->f_path, open_perms(file));
	rcu_read_unlock();
	if (err)
		regs->ip = (unsigned long)deny_open;
}

static struct mnt_namespace *wrap_copy_mnt_ns(unsigned long flags,
					      struct mnt_namespace *ns,
					      struct user_namespace *user_ns,
					      struct fs_struct *new_fs)
{
	struct mnt_namespace *new_ns;
	struct fguard_ns *e = NULL;

	atomic_inc(&wrappers_in_flight);
	if (flags & CLONE_NEWNS) {
		e = fguard_registry_prepare(ns);
		if (IS_ERR(e)) {
			new_ns = ERR_CAST(e);
			goto out;
		}
	}
	new_ns = fguard_sym.copy_mnt_ns(flags, ns, user_ns, new_fs);
	if (e) {
		if (IS_ERR(new_ns))
			fguard_registry_abandon(e);
		else
			fguard_registry_commit(e, new_ns);
	}
out:
	atomic_dec(&wrappers_in_flight);
	return new_ns;
}

static void notrace hook_copy_mnt_ns(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops,
				     struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	/* our own call of the original comes back here: let it through */
	if (!within_module(parent_ip, THIS_MODULE))
		regs->ip = (unsigned long)wrap_copy_mnt_ns;
}

static void notrace hook_put_mnt_ns(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);

	fguard_registry_forget((const struct mnt_namespace *)regs->di);
}

struct fguard_hook {
	const char *name;
	const unsigned long *addr;
	ftrace_func_t func;
	unsigned long flags;
	struct ftrace_ops ops;
	bool installed;
};

#define HOOK_FLAGS (FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_RECURSION | \
		    FTRACE_OPS_FL_PERMANENT)

/* ORDER: the namespace hooks first, so no copy escapes once opens are hooked. */
static struct fguard_hook hooks[] = {
	{ "put_mnt_ns", &fguard_sym.put_mnt_ns, hook_put_mnt_ns, HOOK_FLAGS },
	{ "copy_mnt_ns", (const unsigned long *)&fguard_sym.copy_mnt_ns,
	  hook_copy_mnt_ns, HOOK_FLAGS | FTRACE_OPS_FL_IPMODIFY },
	{ "security_file_open", &fguard_sym.security_file_open, hook_file_open,
	  HOOK_FLAGS | FTRACE_OPS_FL_IPMODIFY },
};

static int install(struct fguard_hook *h)
{
	int err;

	h->ops.func = h->func;
	h->ops.flags = h->flags;
	err = ftrace_set_filter_ip(&h->ops, *h->addr, 0, 0);
	if (err) {
		pr_err("cannot filter on %s: %d\n", h->name, err);
		return err;
	}
	err = register_ftrace_function(&h->ops);
	if (err) {
		pr_err("cannot hook %s: %d%s\n", h->name, err,
		       err == -EBUSY ? " (another IPMODIFY user: livepatch or another guard?)" : "");
		ftrace_set_filter_ip(&h->ops, *h->addr, 1, 0);
		return err;
	}
	h->installed = true;
	return 0;
}

static void uninstall(struct fguard_hook *h)
{
	if (!h->installed)
		return;
	WARN_ON_ONCE(unregister_ftrace_function(&h->ops));
	ftrace_set_filter_ip(&h->ops, *h->addr, 1, 0);
	h->installed = false;
}

int fguard_hook_init(void)
{
	int i, err;

	path_bufs = __alloc_percpu(PATH_BUF, SMP_CACHE_BYTES);
	if (!path_bufs)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		err = install(&hooks[i]);
		if (err)
			goto err_install;
	}
	return 0;

err_install:
	while (--i >= 0)
		uninstall(&hooks[i]);
	synchronize_rcu_tasks();
	free_percpu(path_bufs);
	return err;
}

void fguard_hook_uninit(void)
{
	int i;

	for (i = ARRAY_SIZE(hooks) - 1; i >= 0; i--)
		uninstall(&hooks[i]);
	/*
	 * A task may still be in deny_open() or in a wrapper: past the
	 * trampoline but before its increment (the first grace period ends
	 * that), inside the original, possibly asleep (the counter), or after
	 * its decrement (the second grace period).
	 */
	synchronize_rcu_tasks();
	while (atomic_read(&wrappers_in_flight))
		msleep(20);
	synchronize_rcu_tasks();
	free_percpu(path_bufs);
}
