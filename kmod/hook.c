// SPDX-License-Identifier: GPL-2.0
/*
 * The hooks: ftrace handlers on kernel functions, no kernel patch.
 *
 * Every way a guarded process reaches a file passes one of these:
 *
 *  - security_file_open: opens, exec (and a script's interpreter), library
 *    opens, /proc/self/fd re-opens, open_by_handle_at, io_uring opens;
 *  - security_path_{mknod,mkdir,rmdir,unlink,symlink,truncate,chmod,chown}:
 *    changes to the tree, O_CREAT (no file is left behind: the create is
 *    refused before it happens), mkfifo, unix socket bind, truncate(2);
 *  - security_path_{link,rename}: new names for old files, which may never
 *    grant more than the old name did;
 *  - vfs_utimes, security_inode_{setxattr,removexattr}: metadata;
 *  - security_file_ioctl{,_compat}: the ioctls that change a file's flags;
 *  - security_mmap_file, security_file_mprotect: mapping file code;
 *  - security_sb_{mount,umount,pivotroot}, security_move_mount and the
 *    new mount API syscalls: the mount topology;
 *  - copy_mnt_ns: redirected to wrap_copy_mnt_ns(), which calls the original
 *    and registers the copy of a guarded namespace with the same guard, so
 *    unshare(CLONE_NEWNS) and clone(CLONE_NEWNS) cannot escape;
 *  - put_mnt_ns: observed only, to forget a namespace before it is freed;
 *  - d_delete: observed only, for the decision cache (cache.c).
 *
 * A denied call is redirected (IPMODIFY) to a stub returning the error in
 * place of the original function, before any LSM runs. security_file_open,
 * on every open of every process, has a direct-call trampoline instead
 * (entry.S): no register frame to save, the same decision. Every ops is
 * PERMANENT (sysctl kernel.ftrace_enabled=0 fails instead of switching the
 * guard off); registration fails with -EBUSY rather than stacking on
 * another IPMODIFY user. Handlers take ftrace's recursion lock themselves
 * and run with preemption disabled: no sleeping, per-CPU path buffers.
 */
#include <linux/cred.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/fscrypt.h>
#include <linux/fsverity.h>
#include <linux/ftrace.h>
#include <linux/mman.h>
#include <linux/mm_types.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/personality.h>
#include <linux/sched.h>

#include "cache.h"
#include "compat.h"
#include "events.h"
#include "hook.h"
#include "registry.h"
#include "symbols.h"

/* Room in front of a path for rewriting /proc/<pid> to /proc/self. */
#define HEADROOM 32
#define PATH_BUF (HEADROOM + PATH_MAX)
/*
 * Three buffers per CPU: link and rename decide on two paths at once, and
 * an event names the executable too.
 */
#define NR_BUFS 3

static char __percpu *path_bufs;
/* Calls of wrap_copy_mnt_ns() not yet returned; unload waits for zero. */
static atomic_t wrappers_in_flight = ATOMIC_INIT(0);

static int noinline notrace deny_eacces(void)
{
	return -EACCES;
}

static int noinline notrace deny_eperm(void)
{
	return -EPERM;
}

static long noinline notrace deny_syscall(const struct pt_regs *regs)
{
	return -EPERM;
}

/*
 * The guard of the current task, or NULL (also while a guard loaded with
 * FGUARD_LOAD_F_ARM_ON_EXEC waits for its first exec). Caller: RCU read
 * side.
 */
static struct fguard_ns *current_guard(void)
{
	struct nsproxy *nsp = current->nsproxy;
	struct fguard_ns *e;

	if (!atomic_read(&fguard_registry_count) || !nsp)
		return NULL;
	e = fguard_registry_find(nsp->mnt_ns);
	return e && READ_ONCE(e->guard->armed) ? e : NULL;
}

/* An exec in a namespace whose guard waits for one: enforce from now on. */
static void arm_on_exec(void)
{
	struct nsproxy *nsp = current->nsproxy;
	struct fguard_ns *e;

	if (!atomic_read(&fguard_registry_count) || !nsp)
		return;
	rcu_read_lock();
	e = fguard_registry_find(nsp->mnt_ns);
	if (e && !READ_ONCE(e->guard->armed))
		WRITE_ONCE(e->guard->armed, 1);
	rcu_read_unlock();
}

/* What was asked: the operation, the perms, the path(s); for events. */
struct access {
	u8 op;				/* enum fguard_op */
	u8 want;			/* enum fguard_perm bits */
	const struct path *path;	/* NULL for the mount operations */
	const struct path *path2;	/* link, rename: the new name */
};

static void report(struct fguard_ns *e, const struct access *a, u8 decision);

/* Count a decision and apply the mode: 0 (allowed) or @err. */
static int finish(struct fguard_ns *e, bool ok, int err,
		  const struct access *a)
{
	struct fguard_stats *stats = this_cpu_ptr(e->stats);

	if (ok) {
		stats->allowed++;
		return 0;
	}
	if (READ_ONCE(e->guard->mode) == FGUARD_MODE_COMPLAIN) {
		stats->complained++;
		report(e, a, FGUARD_DECISION_COMPLAINED);
		return 0;
	}
	stats->denied++;
	report(e, a, FGUARD_DECISION_DENIED);
	return err;
}

enum where { OWN, INTERNAL, FOREIGN };

/*
 * Whose is @path's mount? A mount of another namespace (reached through
 * /proc/PID/root, or detached) would give a path of that namespace:
 * FOREIGN, refused.
 */
static enum where where_of(const struct path *path)
{
	const struct fg_mnt_namespace *mnt_ns = fg_mnt_ns_of(path->mnt);

	if (mnt_ns == FG_MNT_NS_INTERNAL)
		return INTERNAL;	/* pipes, sockets, memfd, shm */
	if ((const void *)mnt_ns != (const void *)current->nsproxy->mnt_ns)
		return FOREIGN;
	return OWN;
}

/*
 * The container path of @path, in per-CPU buffer @slot; false if it cannot
 * be resolved or is longer than PATH_MAX. *rewritten: /proc/<own pid> was
 * turned into /proc/self, so the result depends on the caller.
 */
static bool build_path(const struct path *path, int slot, char **p,
		       size_t *len, bool *rewritten)
{
	char *buf = this_cpu_ptr(path_bufs) + slot * PATH_BUF + HEADROOM;
	char *r = fguard_sym.d_absolute_path(path, buf, PATH_MAX);

	if (IS_ERR(r))
		return false;
	*len = buf + PATH_MAX - 1 - r;
	*p = fg_proc_self(r, len, task_tgid_vnr(current), task_pid_vnr(current));
	*rewritten = *p != r;
	return true;
}

static enum where resolve(const struct path *path, int slot, char **p,
			  size_t *len)
{
	enum where w = where_of(path);
	bool rewritten;

	if (w == OWN && !build_path(path, slot, p, len, &rewritten))
		return FOREIGN;
	return w;
}

/*
 * An event's name for @path, in buffer @slot: the container path, or
 * "internal:NAME" (memfd, shm), or "foreign:PATH" (a mount of another
 * namespace, PATH as that namespace sees it). False if it has no name.
 */
static bool event_path(const struct path *path, int slot, const char **out,
		       u16 *out_len)
{
	char *buf = this_cpu_ptr(path_bufs) + slot * PATH_BUF;
	size_t len;
	char *p;
	int n;

	switch (resolve(path, slot, &p, &len)) {
	case OWN:
		break;
	case INTERNAL:
		n = snprintf(buf, PATH_BUF, "internal:%pd", path->dentry);
		p = buf;
		len = min_t(size_t, n, PATH_BUF - 1);
		break;
	case FOREIGN:
		p = fguard_sym.d_absolute_path(path, buf + HEADROOM, PATH_MAX);
		if (IS_ERR(p))
			return false;
		p -= sizeof("foreign:") - 1;
		memcpy(p, "foreign:", sizeof("foreign:") - 1);
		len = buf + HEADROOM + PATH_MAX - 1 - p;
		break;
	}
	*out = p;
	*out_len = len;
	return true;
}

/*
 * The executable of the current task, named like an event's path: a
 * process that entered the namespace from outside (nsenter, docker exec)
 * runs a "foreign:" one.
 */
static bool event_exe(int slot, const char **out, u16 *out_len)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;
	bool ok;

	if (!mm)
		return false;
	exe = rcu_dereference(mm->exe_file);
	if (!exe || !get_file_rcu(exe))
		return false;
	ok = event_path(&exe->f_path, slot, out, out_len);
	fput(exe);
	return ok;
}

/*
 * An event for a denial (or a would-be denial): only while someone
 * listens, and only with a token from the namespace's bucket. The path
 * buffers are free again: the decision is taken. Caller: RCU read side.
 */
static void report(struct fguard_ns *e, const struct access *a, u8 decision)
{
	struct fguard_event_info info = {
		.op = a->op,
		.perms = a->want,
		.decision = decision,
	};

	if (!fguard_events_wanted() || !fguard_events_admit(e))
		return;
	if (a->path && !event_path(a->path, 0, &info.path, &info.path_len))
		info.path = NULL;
	if (a->path2 && !event_path(a->path2, 1, &info.path2, &info.path2_len))
		info.path2 = NULL;
	if (!event_exe(2, &info.exe, &info.exe_len))
		info.exe = NULL;
	fguard_events_queue(e, rcu_dereference(e->guard->policy), &info);
}

static u32 policy_flags(const struct fguard_policy *pol)
{
	return pol->table.flags;
}

/*
 * Whether @want is granted on @path. Execute needs x, and (write-xor-
 * execute) no w on the same path unless the policy allows write-exec;
 * kernel-internal files (memfd, shm) may be executed or mapped as code only
 * if the policy allows memfd-exec. Decisions on own paths are cached.
 */
static bool path_ok(const struct fguard_ns *e, const struct fguard_policy *pol,
		    const struct path *path, u8 want, int slot)
{
	struct fguard_cache_stamp stamp;
	struct fg_verdict v;
	bool ok, rewritten;
	size_t len;
	char *p;
	int hit;

	switch (where_of(path)) {
	case INTERNAL:
		return !(want & FGUARD_PERM_EXEC) ||
		       (policy_flags(pol) & FGUARD_POL_F_ALLOW_MEMFD_EXEC);
	case FOREIGN:
		return false;
	case OWN:
		break;
	}
	hit = fguard_cache_lookup(e, path, want);
	if (hit >= 0)
		return hit;
	fguard_cache_stamp(&stamp);
	if (!build_path(path, slot, &p, &len, &rewritten))
		return false;
	ok = fg_table_decide(&pol->table, p, len, want, &v);
	if (!rewritten)
		fguard_cache_store(e, pol, path, want, ok, &stamp);
	return ok;
}

/* Every perm the policy grants @path (0 for foreign paths). */
static u8 path_granted(const struct fguard_policy *pol, const struct path *path,
		       int slot, bool *own)
{
	size_t len;
	char *p;

	*own = resolve(path, slot, &p, &len) == OWN;
	if (!*own)
		return 0;
	return fg_table_lookup(&pol->table, p, len, __FGUARD_PERM_ALL).granted;
}

/* One path, one want: the common decision. */
static int check_path(const struct path *path, u8 want, u8 op)
{
	struct access a = { .op = op, .want = want, .path = path };
	struct fguard_ns *e;
	int err = 0;

	rcu_read_lock();
	e = current_guard();
	if (e)
		err = finish(e, path_ok(e, rcu_dereference(e->guard->policy),
					path, want, 0), -EACCES, &a);
	rcu_read_unlock();
	return err;
}

static int check_dentry(const struct path *dir, struct dentry *dentry, u8 want,
			u8 op)
{
	struct path path = { .mnt = dir->mnt, .dentry = dentry };

	return check_path(&path, want, op);
}

#define ARG(regs, n) regs_get_kernel_argument(regs, n)

/*
 * A handler: decide from the registers, return 0 or the error to return.
 * @op: the hook's enum fguard_op, for events.
 */
typedef int (*decide_fn)(struct pt_regs *regs, u8 op);

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

static int decide_open(const struct file *file, u8 op)
{
	/* the entry point's exec is the first decision of an armed guard */
	if (file->f_flags & __FMODE_EXEC) {
		arm_on_exec();
		op = FGUARD_OP_EXEC;
	}
	return check_path(&file->f_path, open_perms(file), op);
}

/*
 * security_file_open(file), through the direct trampoline of entry.S, which
 * calls here only while some namespace is guarded: 0, or the error
 * security_file_open() returns instead of running.
 *
 * Every open of every process comes here, so the two common cases take no
 * lock and call nothing: a caller whose namespace is certainly not guarded
 * (its registry bucket is empty) returns at once; a guarded one whose
 * decision is cached counts it and returns. Preemption disabled is the RCU
 * read side the cached entry needs (see cache.c). Anything else takes the
 * full path under rcu_read_lock().
 */
int notrace fguard_file_open_direct(const struct file *file);
int notrace fguard_file_open_direct(const struct file *file)
{
	const struct nsproxy *nsp = current->nsproxy;
	const struct fguard_cache_entry *c;
	const struct fg_mnt_namespace *ns;
	int err;

	if (unlikely(!nsp) || !fguard_registry_may_hold(nsp->mnt_ns))
		return 0;
	/* overlayfs opens the real file a second time: decide once */
	if (file->f_mode & FMODE_NOACCOUNT)
		return 0;
	ns = (const struct fg_mnt_namespace *)nsp->mnt_ns;
	/* the per-CPU cache and path buffers, as in an ftrace handler */
	preempt_disable_notrace();
	if (!(file->f_flags & __FMODE_EXEC)) {
		c = fguard_cache_find(ns, READ_ONCE(ns->seq), &file->f_path,
				      open_perms(file));
		if (c && c->ok) {
			c->stats->allowed++;
			preempt_enable_notrace();
			return 0;
		}
	}
	err = decide_open(file, FGUARD_OP_OPEN);
	preempt_enable_notrace();
	return err;
}

void fguard_file_open_tramp(void);

/* security_path_{mknod,mkdir,rmdir,unlink,symlink}(dir, dentry, ...) */
static int decide_dir_entry(struct pt_regs *regs, u8 op)
{
	return check_dentry((const struct path *)ARG(regs, 0),
			    (struct dentry *)ARG(regs, 1), FGUARD_PERM_WRITE, op);
}

/*
 * security_path_mknod(dir, dentry, mode, dev): a device node would open a
 * disk or kernel memory under a name of the attacker's choosing, in any
 * directory the policy lets it write; no path rule can judge that. Refused
 * in a guarded namespace: a runtime makes /dev before the entry point runs.
 */
static int decide_mknod(struct pt_regs *regs, u8 op)
{
	const struct path *dir = (const struct path *)ARG(regs, 0);
	struct path path = { .mnt = dir->mnt, .dentry = (struct dentry *)ARG(regs, 1) };
	struct access a = { .op = op, .want = FGUARD_PERM_WRITE, .path = &path };
	umode_t mode = (umode_t)ARG(regs, 2);
	struct fguard_ns *e;
	int err = 0;

	if (!S_ISCHR(mode) && !S_ISBLK(mode))
		return decide_dir_entry(regs, op);
	rcu_read_lock();
	e = current_guard();
	if (e)
		err = finish(e, false, -EACCES, &a);
	rcu_read_unlock();
	return err;
}

/* security_path_{truncate,chmod,chown}(path, ...), vfs_utimes(path, ...) */
static int decide_path_write(struct pt_regs *regs, u8 op)
{
	return check_path((const struct path *)ARG(regs, 0), FGUARD_PERM_WRITE,
			  op);
}

/* A new name may not grant what the old one did not. */
static bool subset(u8 new, u8 old)
{
	return !(new & ~old);
}

/*
 * Moving @from (a directory) to @to: the directory itself must not gain,
 * no rule may name anything below either end (the index cannot follow a
 * subtree), and what the tree and children rules give the descendants at
 * @to must be within what they had at @from.
 */
static bool dir_move_ok(const struct fguard_policy *pol,
			const struct path *from, const struct path *to)
{
	u8 tf, cf, tt, ct;
	size_t lf, lt;
	char *pf, *pt;

	if (resolve(from, 0, &pf, &lf) != OWN || resolve(to, 1, &pt, &lt) != OWN)
		return false;
	if (!subset(fg_table_lookup(&pol->table, pt, lt, __FGUARD_PERM_ALL).granted,
		    fg_table_lookup(&pol->table, pf, lf, __FGUARD_PERM_ALL).granted))
		return false;
	if (fg_table_dir_perms(&pol->table, pf, lf, &tf, &cf) ||
	    fg_table_dir_perms(&pol->table, pt, lt, &tt, &ct))
		return false;
	return subset(tt | ct, tf | cf) && subset(tt, tf);
}

/* A file (not a directory) at @from gets the name @to. */
static bool file_move_ok(const struct fguard_policy *pol,
			 const struct path *from, const struct path *to)
{
	bool own_from, own_to;
	u8 gf = path_granted(pol, from, 0, &own_from);
	u8 gt = path_granted(pol, to, 1, &own_to);

	return own_from && own_to && subset(gt, gf);
}

static bool move_ok(const struct fguard_ns *e, const struct fguard_policy *pol,
		    const struct path *from, const struct path *to)
{
	if (!path_ok(e, pol, from, FGUARD_PERM_WRITE, 0) ||
	    !path_ok(e, pol, to, FGUARD_PERM_WRITE, 1))
		return false;
	if (d_is_dir(from->dentry))
		return dir_move_ok(pol, from, to);
	return file_move_ok(pol, from, to);
}

/* security_path_link(old_dentry, new_dir, new_dentry) */
static int decide_link(struct pt_regs *regs, u8 op)
{
	const struct path *dir = (const struct path *)ARG(regs, 1);
	struct path old = { .mnt = dir->mnt, .dentry = (struct dentry *)ARG(regs, 0) };
	struct path new = { .mnt = dir->mnt, .dentry = (struct dentry *)ARG(regs, 2) };
	struct access a = { .op = op, .want = FGUARD_PERM_WRITE, .path = &old,
			    .path2 = &new };
	struct fguard_ns *e;
	int err = 0;

	rcu_read_lock();
	e = current_guard();
	if (e)
		err = finish(e, move_ok(e, rcu_dereference(e->guard->policy), &old,
					&new), -EACCES, &a);
	rcu_read_unlock();
	return err;
}

/* security_path_rename(old_dir, old_dentry, new_dir, new_dentry, flags) */
static int decide_rename(struct pt_regs *regs, u8 op)
{
	const struct path *odir = (const struct path *)ARG(regs, 0);
	const struct path *ndir = (const struct path *)ARG(regs, 2);
	struct path old = { .mnt = odir->mnt, .dentry = (struct dentry *)ARG(regs, 1) };
	struct path new = { .mnt = ndir->mnt, .dentry = (struct dentry *)ARG(regs, 3) };
	unsigned int flags = (unsigned int)ARG(regs, 4);
	struct access a = { .op = op, .want = FGUARD_PERM_WRITE, .path = &old,
			    .path2 = &new };
	const struct fguard_policy *pol;
	struct fguard_ns *e;
	bool ok;
	int err = 0;

	rcu_read_lock();
	e = current_guard();
	if (e) {
		pol = rcu_dereference(e->guard->policy);
		ok = move_ok(e, pol, &old, &new);
		/* an exchange moves the other file the other way too */
		if (ok && (flags & RENAME_EXCHANGE))
			ok = move_ok(e, pol, &new, &old);
		err = finish(e, ok, -EACCES, &a);
	}
	rcu_read_unlock();
	return err;
}

/*
 * security_inode_{setxattr,removexattr}(mnt_userns, dentry, ...) see no
 * mount. The path is taken through the caller's root mount; a dentry of
 * another filesystem (a volume) has no path there and is refused. Kernel
 * work on the caller's behalf under overridden credentials (overlayfs
 * copy-up) is not the caller's request and is let through.
 */
static int decide_xattr(struct pt_regs *regs, u8 op)
{
	struct dentry *dentry = (struct dentry *)ARG(regs, 1);
	struct fs_struct *fs = current->fs;
	struct path path;
	struct access a = { .op = op, .want = FGUARD_PERM_WRITE, .path = &path };
	struct fguard_ns *e;
	unsigned int seq;
	int err = 0;

	if (current->cred != current->real_cred || !fs)
		return 0;
	rcu_read_lock();
	e = current_guard();
	if (e) {
		do {
			seq = read_seqcount_begin(&fs->seq);
			path.mnt = fs->root.mnt;
		} while (read_seqcount_retry(&fs->seq, seq));
		path.dentry = dentry;
		err = finish(e, dentry->d_sb == path.mnt->mnt_sb &&
				path_ok(e, rcu_dereference(e->guard->policy), &path,
					FGUARD_PERM_WRITE, 0), -EACCES, &a);
	}
	rcu_read_unlock();
	return err;
}

/*
 * security_file_ioctl{,_compat}(file, cmd, arg): the ioctls that change a
 * file through a descriptor that may be open for reading only: inode flags
 * (immutable, append-only: chattr), the fsxattr flags and project, the
 * inode generation, fs-verity, an encryption policy. They need w on the
 * file's path like chmod does. Every other ioctl is the driver's business.
 */
static int decide_ioctl(struct pt_regs *regs, u8 op)
{
	const struct file *file = (const struct file *)ARG(regs, 0);

	switch ((unsigned int)ARG(regs, 1)) {
	case FS_IOC_SETFLAGS:
	case FS_IOC32_SETFLAGS:
	case FS_IOC_FSSETXATTR:
	case FS_IOC_SETVERSION:
	case FS_IOC32_SETVERSION:
	case FS_IOC_ENABLE_VERITY:
	case FS_IOC_SET_ENCRYPTION_POLICY:
		return check_path(&file->f_path, FGUARD_PERM_WRITE, op);
	default:
		return 0;
	}
}

/* security_mmap_file(file, prot, flags): mapping a file as code needs x. */
static int decide_mmap(struct pt_regs *regs, u8 op)
{
	const struct file *file = (const struct file *)ARG(regs, 0);
	unsigned long prot = ARG(regs, 1);

	if ((prot & PROT_READ) && (current->personality & READ_IMPLIES_EXEC))
		prot |= PROT_EXEC;	/* as do_mmap() will */
	if (!file || !(prot & PROT_EXEC))
		return 0;
	return check_path(&file->f_path, FGUARD_PERM_EXEC, op);
}

/* security_file_mprotect(vma, reqprot, prot) */
static int decide_mprotect(struct pt_regs *regs, u8 op)
{
	const struct vm_area_struct *vma = (const void *)ARG(regs, 0);
	unsigned long prot = ARG(regs, 2);

	if (!vma->vm_file || !(prot & PROT_EXEC) || (vma->vm_flags & VM_EXEC))
		return 0;
	return check_path(&vma->vm_file->f_path, FGUARD_PERM_EXEC, op);
}

/*
 * The mount topology: mount(2) in all its forms, umount, pivot_root,
 * move_mount and the new mount API. Refused in a guarded namespace unless
 * the policy allows mount: a bind mount of /etc under a writable directory
 * would otherwise bypass every rule.
 */
static int decide_mount(struct pt_regs *regs, u8 op)
{
	struct access a = { .op = op };
	struct fguard_ns *e;
	int err = 0;

	rcu_read_lock();
	e = current_guard();
	if (e)
		err = finish(e, policy_flags(rcu_dereference(e->guard->policy)) &
				FGUARD_POL_F_ALLOW_MOUNT, -EPERM, &a);
	rcu_read_unlock();
	return err;
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

struct fguard_hook {
	const char *name;
	u8 op;				/* enum fguard_op, for events */
	bool optional;			/* absent on some builds (ia32) */
	bool tree_change;		/* may give existing dentries new paths */
	decide_fn decide;		/* NULL: see func */
	void *deny;			/* the stub a denied call runs */
	ftrace_func_t func;		/* for the two namespace hooks */
	unsigned long addr;
	struct ftrace_ops ops;
	void (*direct)(void);		/* a direct trampoline instead */
	bool installed;
};

static void notrace hook_decide(unsigned long ip, unsigned long parent_ip,
				struct ftrace_ops *ops,
				struct ftrace_regs *fregs)
{
	struct fguard_hook *h = container_of(ops, struct fguard_hook, ops);
	struct pt_regs *regs = ftrace_get_regs(fregs);
	int bit, err;

	if (h->tree_change)
		fguard_cache_invalidate();
	if (!atomic_read(&fguard_registry_count))
		return;
	bit = ftrace_test_recursion_trylock(ip, parent_ip);
	if (bit < 0)
		return;
	err = h->decide(regs, h->op);
	if (err)
		regs->ip = (unsigned long)h->deny;
	ftrace_test_recursion_unlock(bit);
}

static void notrace hook_copy_mnt_ns(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops,
				     struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	/* our own call of the original comes back here: let it through */
	if (!within_module(parent_ip, THIS_MODULE))
		regs->ip = (unsigned long)wrap_copy_mnt_ns;
	ftrace_test_recursion_unlock(bit);
}

/*
 * d_delete: an unlink or rmdir has completed. The decision cache's tree
 * generation moves at the start (the security_path_* hooks) and here at
 * the end, so no decision stored in between outlives the change.
 */
static void notrace hook_d_delete(unsigned long ip, unsigned long parent_ip,
				  struct ftrace_ops *ops,
				  struct ftrace_regs *fregs)
{
	fguard_cache_invalidate();
}

static void notrace hook_put_mnt_ns(unsigned long ip, unsigned long parent_ip,
				    struct ftrace_ops *ops,
				    struct ftrace_regs *fregs)
{
	struct pt_regs *regs = ftrace_get_regs(fregs);
	int bit = ftrace_test_recursion_trylock(ip, parent_ip);

	if (bit < 0)
		return;
	fguard_registry_forget((const struct mnt_namespace *)ARG(regs, 0));
	ftrace_test_recursion_unlock(bit);
}

#define DECIDE(n, o, fn, stub) { .name = n, .op = FGUARD_OP_##o, \
				 .decide = fn, .deny = stub }
#define CHANGE(n, o, fn) { .name = n, .op = FGUARD_OP_##o, .decide = fn, \
			   .deny = deny_eacces, .tree_change = true }
#define SYSCALL(n, opt) { .name = n, .op = FGUARD_OP_MOUNT, .optional = opt, \
			  .decide = decide_mount, .deny = deny_syscall }

/*
 * ORDER: the namespace hooks first, so no copy escapes once accesses are
 * decided; then everything that decides.
 */
static struct fguard_hook hooks[] = {
	{ .name = "put_mnt_ns", .func = hook_put_mnt_ns },
	{ .name = "copy_mnt_ns", .func = hook_copy_mnt_ns },
	{ .name = "d_delete", .func = hook_d_delete },
	{ .name = "security_file_open", .op = FGUARD_OP_OPEN,
	  .direct = fguard_file_open_tramp },
	DECIDE("security_path_mknod", CREATE, decide_mknod, deny_eacces),
	DECIDE("security_path_mkdir", MKDIR, decide_dir_entry, deny_eacces),
	CHANGE("security_path_rmdir", RMDIR, decide_dir_entry),
	CHANGE("security_path_unlink", UNLINK, decide_dir_entry),
	DECIDE("security_path_symlink", SYMLINK, decide_dir_entry, deny_eacces),
	DECIDE("security_path_truncate", TRUNCATE, decide_path_write, deny_eacces),
	DECIDE("security_path_chmod", CHMOD, decide_path_write, deny_eacces),
	DECIDE("security_path_chown", CHOWN, decide_path_write, deny_eacces),
	DECIDE("vfs_utimes", UTIMES, decide_path_write, deny_eacces),
	CHANGE("security_path_link", LINK, decide_link),
	CHANGE("security_path_rename", RENAME, decide_rename),
	DECIDE("security_inode_setxattr", SETXATTR, decide_xattr, deny_eacces),
	DECIDE("security_inode_removexattr", REMOVEXATTR, decide_xattr, deny_eacces),
	DECIDE("security_file_ioctl", IOCTL, decide_ioctl, deny_eacces),
	{ .name = "security_file_ioctl_compat", .op = FGUARD_OP_IOCTL,
	  .optional = true, .decide = decide_ioctl, .deny = deny_eacces },
	DECIDE("security_mmap_file", MMAP, decide_mmap, deny_eacces),
	DECIDE("security_file_mprotect", MPROTECT, decide_mprotect, deny_eacces),
	DECIDE("security_sb_mount", MOUNT, decide_mount, deny_eperm),
	DECIDE("security_sb_umount", MOUNT, decide_mount, deny_eperm),
	DECIDE("security_sb_pivotroot", MOUNT, decide_mount, deny_eperm),
	DECIDE("security_move_mount", MOUNT, decide_mount, deny_eperm),
	SYSCALL("__x64_sys_open_tree", false),
	SYSCALL("__x64_sys_fsopen", false),
	SYSCALL("__x64_sys_fspick", false),
	SYSCALL("__x64_sys_fsmount", false),
	SYSCALL("__x64_sys_mount_setattr", false),
	SYSCALL("__ia32_sys_open_tree", true),
	SYSCALL("__ia32_sys_fsopen", true),
	SYSCALL("__ia32_sys_fspick", true),
	SYSCALL("__ia32_sys_fsmount", true),
	SYSCALL("__ia32_sys_mount_setattr", true),
};

static int install(struct fguard_hook *h)
{
	int err;

	h->addr = fguard_symbols_lookup(h->name);
	if (!h->addr) {
		if (h->optional)
			return 0;
		pr_err("kernel function %s not found; unsupported kernel\n",
		       h->name);
		return -ENOENT;
	}
	if (h->direct) {
		/*
		 * The ops API, not register_ftrace_direct(): that one walks an
		 * RCU list outside a reader section (a PROVE_RCU_LIST splat).
		 */
		err = ftrace_set_filter_ip(&h->ops, h->addr, 0, 0);
		if (!err)
			err = register_ftrace_direct_multi(&h->ops,
							   (unsigned long)h->direct);
		if (err) {
			pr_err("cannot hook %s directly: %d%s\n", h->name, err,
			       err == -EBUSY ? " (another direct or IPMODIFY user: livepatch or another guard?)" : "");
			ftrace_set_filter_ip(&h->ops, h->addr, 1, 0);
			return err;
		}
		h->installed = true;
		return 0;
	}
	h->ops.func = h->func ? h->func : hook_decide;
	/*
	 * No FTRACE_OPS_FL_RECURSION: the handlers take the recursion lock
	 * themselves (which also disables preemption), so the trampoline
	 * calls them directly instead of through ftrace_ops_assist_func(),
	 * one indirect call less on every hooked call, guarded or not.
	 */
	h->ops.flags = FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_PERMANENT;
	/* put_mnt_ns and d_delete are only observed */
	if (h->func != hook_put_mnt_ns && h->func != hook_d_delete)
		h->ops.flags |= FTRACE_OPS_FL_IPMODIFY;
	err = ftrace_set_filter_ip(&h->ops, h->addr, 0, 0);
	if (err) {
		pr_err("cannot filter on %s: %d\n", h->name, err);
		return err;
	}
	err = register_ftrace_function(&h->ops);
	if (err) {
		pr_err("cannot hook %s: %d%s\n", h->name, err,
		       err == -EBUSY ? " (sysctl kernel.ftrace_enabled=0, or another IPMODIFY user: livepatch or another guard?)" : "");
		ftrace_set_filter_ip(&h->ops, h->addr, 1, 0);
		return err;
	}
	h->installed = true;
	return 0;
}

static void uninstall(struct fguard_hook *h)
{
	if (!h->installed)
		return;
	h->installed = false;
	if (h->direct)
		WARN_ON_ONCE(unregister_ftrace_direct_multi(&h->ops,
						(unsigned long)h->direct));
	else
		WARN_ON_ONCE(unregister_ftrace_function(&h->ops));
	ftrace_set_filter_ip(&h->ops, h->addr, 1, 0);
}

static void uninstall_all(void)
{
	int i;

	for (i = ARRAY_SIZE(hooks) - 1; i >= 0; i--)
		uninstall(&hooks[i]);
	/*
	 * A task may still be in a stub or in a wrapper: past the trampoline
	 * but before its increment (the first grace period ends that), inside
	 * the original, possibly asleep (the counter), or after its decrement
	 * (the second grace period).
	 */
	synchronize_rcu_tasks();
	while (atomic_read(&wrappers_in_flight))
		msleep(20);
	synchronize_rcu_tasks();
}

int fguard_hook_init(void)
{
	const int *ftrace_on = (const int *)fguard_symbols_lookup("ftrace_enabled");
	int i, err;

	/*
	 * A PERMANENT ops cannot be registered while function tracing is off;
	 * say so instead of failing on the first hook with a bare EBUSY.
	 */
	if (ftrace_on && !READ_ONCE(*ftrace_on)) {
		pr_err("function tracing is off (sysctl kernel.ftrace_enabled=0): cannot hook the kernel; refusing to load\n");
		return -EBUSY;
	}
	path_bufs = __alloc_percpu(NR_BUFS * PATH_BUF, SMP_CACHE_BYTES);
	if (!path_bufs)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(hooks); i++) {
		err = install(&hooks[i]);
		if (err) {
			uninstall_all();
			free_percpu(path_bufs);
			return err;
		}
	}
	return 0;
}

void fguard_hook_uninit(void)
{
	uninstall_all();
	free_percpu(path_bufs);
}
