// SPDX-License-Identifier: GPL-2.0
/*
 * fgprobe: the guest tests' hands. A static program that performs one
 * access and compares the outcome with the exact expected result, starts
 * containers, and drives loops. Every subcommand exits 0 on the expected
 * outcome and 1 otherwise, printing what happened.
 *
 *   fgprobe expect RESULT OP ARGS...   RESULT: OK, an errno name (EACCES), or
 *                                   ANY (only make the call)
 *     open PATH r|w|rw|dir|trunc|creat|append
 *     exec PATH                     execve PATH (argv[0] "true"), wait
 *     chroot-open DIR PATH          chroot(DIR), then open PATH for reading
 *     unshare-open PATH             unshare(CLONE_NEWNS), then open PATH
 *     clone-open PATH               clone(CLONE_NEWNS) child opens PATH
 *   fgprobe loop-open PATH N        N opens; prints ok=, eacces=, other=;
 *                                   fails if any other error
 *   fgprobe loop-until STOPFILE PATH  the same until STOPFILE exists
 *   fgprobe count OKPATH N DENIEDPATH M   N allowed opens, M denied ones
 *   fgprobe container ROOTFS [--overlay WORKDIR] [--log FILE]
 *                    [--status FILE] -- CMD...
 *                                   new mount/pid/net/uts/ipc namespaces,
 *                                   pivot_root into ROOTFS (or an overlay with
 *                                   ROOTFS as lower layer); prints the host pid
 *                                   of the container's init and returns; with
 *                                   --status, a process left behind waits for
 *                                   the init and writes "exit=N" or "signal=N"
 *                                   to FILE, as a runtime's shim does
 *   fgprobe as-user UID CMD...      drop to UID/GID and exec CMD
 *   fgprobe docker-caps CMD...      keep only Docker's default capabilities
 *   fgprobe expect RESULT ATTACK ARGS...  the attack operations of
 *                                   attack() below (creat, link, rename,
 *                                   mmap-exec, memfd-exec, uring-open, ...)
 *   fgprobe after FILE expect ...   wait for FILE to exist (stat is not
 *                                   mediated), then expect ...: an attacker
 *                                   already inside when the policy arrives
 *   fgprobe pause                   sleep until killed
 *   fgprobe noop                    exit 0 (a target for exec)
 */
#define _GNU_SOURCE
#include <linux/capability.h>
#include <linux/io_uring.h>
#include <linux/mount.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct {
	int err;
	const char *name;
} errnames[] = {
#define E(x) { x, #x }
	E(EACCES), E(EPERM), E(ENOENT), E(EEXIST), E(EINVAL), E(ENOTDIR),
	E(EISDIR), E(EBUSY), E(EXDEV), E(ENAMETOOLONG), E(ELOOP), E(EROFS),
	E(ENOEXEC), E(ESRCH), E(ENOTEMPTY), E(EBADF), E(ENOSYS), E(EOPNOTSUPP),
#undef E
};

static const char *errname(int err)
{
	static char buf[32];
	size_t i;

	if (!err)
		return "OK";
	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	snprintf(buf, sizeof(buf), "errno%d", err);
	return buf;
}

static int open_flags(const char *mode)
{
	if (!strcmp(mode, "r"))
		return O_RDONLY;
	if (!strcmp(mode, "w"))
		return O_WRONLY;
	if (!strcmp(mode, "rw"))
		return O_RDWR;
	if (!strcmp(mode, "dir"))
		return O_RDONLY | O_DIRECTORY;
	if (!strcmp(mode, "trunc"))
		return O_WRONLY | O_TRUNC;
	if (!strcmp(mode, "creat"))
		return O_WRONLY | O_CREAT | O_EXCL;
	if (!strcmp(mode, "append"))
		return O_WRONLY | O_APPEND;
	fprintf(stderr, "fgprobe: unknown open mode %s\n", mode);
	exit(2);
}

static int do_open(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/*
 * Fork, execveat(dirfd, path, flags) with argv[0] argv0 and argv[1]
 * "noop" (fgprobe exits at once, busybox runs its applet argv0), wait.
 * Returns the exec's errno, 0 on a clean exit, -1 if the program failed.
 */
static int exec_at(int dirfd, const char *path, int flags, char *argv0)
{
	int pfd[2], status, err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (!pid) {
		char *argv[] = { argv0, "noop", NULL };
		char *envp[] = { NULL };

		close(pfd[0]);
		syscall(SYS_execveat, dirfd, path, argv, envp, flags);
		err = errno;
		if (write(pfd[1], &err, sizeof(err)) != sizeof(err))
			_exit(3);
		_exit(127);
	}
	close(pfd[1]);
	if (read(pfd[0], &err, sizeof(err)) != sizeof(err))
		err = 0;
	close(pfd[0]);
	waitpid(pid, &status, 0);
	if (!err && (!WIFEXITED(status) || WEXITSTATUS(status)))
		return -1;
	return err;
}

static int do_exec(const char *path)
{
	return exec_at(AT_FDCWD, path, 0, "true");
}

static int clone_child(void *arg)
{
	_exit(do_open(arg, O_RDONLY));
}

static int do_clone_open(const char *path)
{
	static char stack[64 * 1024];
	int status;
	pid_t pid = clone(clone_child, stack + sizeof(stack),
			  CLONE_NEWNS | SIGCHLD, (void *)path);

	if (pid < 0)
		return errno;
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}


/* ---- attack operations: each returns 0 or an errno ---- */

static int ret(long r)
{
	return r < 0 ? errno : 0;
}

/* <linux/fs.h> clashes with <sys/mount.h>: its inode-flag ioctls */
#define FG_IOC_GETFLAGS _IOR('f', 1, long)
#define FG_IOC_SETFLAGS _IOW('f', 2, long)
#define FG_IMMUTABLE_FL 0x10
#define FG_APPEND_FL 0x20
#define FG_NOATIME_FL 0x80

/*
 * chattr through a read-only descriptor: "immutable" (+i +a: needs
 * CAP_LINUX_IMMUTABLE as well) or "noatime"; the flags are put back.
 */
static int op_setflags(const char *path, const char *which)
{
	int fd = open(path, O_RDONLY), flags = 0, want, err = 0;

	if (fd < 0)
		return errno;
	if (ioctl(fd, FG_IOC_GETFLAGS, &flags)) {
		err = errno;
		goto out;
	}
	want = flags | (strcmp(which, "immutable") ? FG_NOATIME_FL :
			FG_IMMUTABLE_FL | FG_APPEND_FL);
	if (ioctl(fd, FG_IOC_SETFLAGS, &want))
		err = errno;
	else
		ioctl(fd, FG_IOC_SETFLAGS, &flags);
out:
	close(fd);
	return err;
}

/* fchmod, fchown, futimens, fsetxattr through a read-only descriptor */
static int op_fd_change(const char *what, const char *path)
{
	struct timespec ts[2] = { { 1, 0 }, { 1, 0 } };
	int fd = open(path, O_RDONLY), r;

	if (fd < 0)
		return errno;
	if (!strcmp(what, "fchmod"))
		r = fchmod(fd, 0777);
	else if (!strcmp(what, "fchown"))
		r = fchown(fd, 1234, 1234);
	else if (!strcmp(what, "futimens"))
		r = futimens(fd, ts);
	else
		r = fsetxattr(fd, "trusted.fguard", "v", 1, 0);
	r = r ? errno : 0;
	close(fd);
	return r;
}

static int op_creat(const char *path)
{
	struct stat st;
	int err = do_open(path, O_WRONLY | O_CREAT | O_EXCL);

	/* a refused create must leave nothing behind */
	if (err && !lstat(path, &st)) {
		printf("refused create of %s left a file behind\n", path);
		return -1;
	}
	return err;
}

static int op_bind(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0), err;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	err = ret(bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	return err;
}

static int op_utimes(const char *path)
{
	struct timespec ts[2] = { { 1000000, 0 }, { 1000000, 0 } };

	return ret(utimensat(AT_FDCWD, path, ts, 0));
}

static int op_mmap_exec(const char *path, bool via_mprotect)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	void *p;

	if (fd < 0)
		return errno;
	p = mmap(NULL, 4096, via_mprotect ? PROT_READ : PROT_READ | PROT_EXEC,
		 MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		err = errno;
	else {
		if (via_mprotect && mprotect(p, 4096, PROT_READ | PROT_EXEC))
			err = errno;
		munmap(p, 4096);
	}
	close(fd);
	return err;
}

/* copy a program into a memfd and execute it from there */
static int op_memfd_exec(const char *src)
{
	int in = open(src, O_RDONLY), fd, err;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return errno;
	fd = (int)syscall(SYS_memfd_create, "payload", 0);
	if (fd < 0)
		return errno;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return EIO;
	close(in);
	err = exec_at(fd, "", AT_EMPTY_PATH, "fgprobe");
	close(fd);
	return err;
}

static int opath(const char *path)
{
	return open(path, O_PATH | O_CLOEXEC);
}

/*
 * Open PATH with FLAGS (O_PATH, or a plain read), then open it again
 * through /proc/self/fd/N with MODE: the re-open must be decided anew.
 */
static int reopen_via_proc(const char *path, int flags, const char *mode)
{
	char proc[64];
	int fd = open(path, flags | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	err = do_open(proc, open_flags(mode));
	close(fd);
	return err;
}

static int op_opath_exec(const char *path)
{
	int fd = opath(path), err;

	if (fd < 0)
		return errno;
	err = exec_at(fd, "", AT_EMPTY_PATH, "true");
	close(fd);
	return err;
}

static int op_opath_link(const char *path, const char *newpath)
{
	int fd = opath(path), err;

	if (fd < 0)
		return errno;
	err = ret(linkat(fd, "", AT_FDCWD, newpath, AT_EMPTY_PATH));
	close(fd);
	return err;
}

static int op_handle_open(const char *path)
{
	struct {
		struct file_handle fh;
		unsigned char buf[MAX_HANDLE_SZ];
	} h;
	int mount_id, mfd, fd;

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, path, &h.fh, &mount_id, 0))
		return errno;
	mfd = open("/", O_RDONLY | O_DIRECTORY);
	if (mfd < 0)
		return errno;
	fd = open_by_handle_at(mfd, &h.fh, O_RDONLY);
	close(mfd);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_cwd_open(const char *dir, const char *name)
{
	char p[4200];

	if (chdir(dir))
		return errno;
	snprintf(p, sizeof(p), "/proc/self/cwd/%s", name);
	return do_open(p, O_RDONLY);
}

/*
 * Build a directory chain under BASE whose full path exceeds PATH_MAX (each
 * step relative to the last, so no single call sees a long path), then
 * create and open a file at the bottom.
 */
static int op_deep_open(const char *base)
{
	static const char comp[] = "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";
	int dfd = open(base, O_RDONLY | O_DIRECTORY), i, fd, err;

	if (dfd < 0)
		return errno;
	for (i = 0; i < 45; i++) {
		int nfd;

		if (mkdirat(dfd, comp, 0755) && errno != EEXIST)
			return errno;
		nfd = openat(dfd, comp, O_RDONLY | O_DIRECTORY);
		if (nfd < 0) {
			err = errno;
			close(dfd);
			return err;
		}
		close(dfd);
		dfd = nfd;
	}
	fd = openat(dfd, "deep.txt", O_RDWR | O_CREAT, 0644);
	err = fd < 0 ? errno : 0;
	if (fd >= 0)
		close(fd);
	close(dfd);
	return err;
}

static int op_exchange(const char *a, const char *b)
{
	return ret(syscall(SYS_renameat2, AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE));
}

static int op_open_tree(const char *path)
{
	int fd = (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_fsopen(void)
{
	int fd = (int)syscall(SYS_fsopen, "tmpfs", 0);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int op_pivot_root(const char *newroot)
{
	if (unshare(CLONE_NEWNS))
		return errno;
	if (mount(newroot, newroot, NULL, MS_BIND, NULL))
		return errno;
	return ret(syscall(SYS_pivot_root, newroot, newroot));
}

static int op_userns_open(const char *path)
{
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
		return errno;
	return do_open(path, O_RDONLY);
}

/* IORING_OP_OPENAT through a minimal io_uring (no liburing) */
static int op_uring_open(const char *path)
{
	struct io_uring_params p = { 0 };
	struct io_uring_sqe *sqes;
	struct io_uring_cqe *cqes;
	unsigned int *sq_tail, *sq_array, *cq_head, *cq_tail;
	void *sq, *cq;
	int fd, res;

	fd = (int)syscall(SYS_io_uring_setup, 4, &p);
	if (fd < 0)
		return errno;
	sq = mmap(NULL, p.sq_off.array + p.sq_entries * sizeof(unsigned int),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_SQ_RING);
	cq = mmap(NULL, p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe),
		  PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		  IORING_OFF_CQ_RING);
	sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe),
		    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd,
		    IORING_OFF_SQES);
	if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED)
		return errno;
	sq_tail = (unsigned int *)((char *)sq + p.sq_off.tail);
	sq_array = (unsigned int *)((char *)sq + p.sq_off.array);
	cq_head = (unsigned int *)((char *)cq + p.cq_off.head);
	cq_tail = (unsigned int *)((char *)cq + p.cq_off.tail);
	cqes = (struct io_uring_cqe *)((char *)cq + p.cq_off.cqes);
	memset(&sqes[0], 0, sizeof(sqes[0]));
	sqes[0].opcode = IORING_OP_OPENAT;
	sqes[0].fd = AT_FDCWD;
	sqes[0].addr = (unsigned long)path;
	sqes[0].open_flags = O_RDONLY;
	sq_array[0] = 0;
	__atomic_store_n(sq_tail, 1, __ATOMIC_RELEASE);
	if (syscall(SYS_io_uring_enter, fd, 1, 1, IORING_ENTER_GETEVENTS, NULL, 0) < 0)
		return errno;
	if (__atomic_load_n(cq_tail, __ATOMIC_ACQUIRE) == *cq_head)
		return EIO;
	res = cqes[*cq_head & (p.cq_entries - 1)].res;
	close(fd);
	if (res >= 0) {
		close(res);
		return 0;
	}
	return -res;
}

static int attack(const char *op, int argc, char **argv)
{
#define A(name, n) (!strcmp(op, name) && argc == (n))
	if (A("creat", 1))
		return op_creat(argv[0]);
	if (A("setflags", 2))
		return op_setflags(argv[0], argv[1]);
	if (A("mkfifo", 1))
		return ret(mkfifo(argv[0], 0644));
	if (A("mknod", 1))
		return ret(mknod(argv[0], S_IFREG | 0644, 0));
	/* a device node of the guest's first disk, then reading it */
	if (A("mknod-blk", 1))
		return ret(mknod(argv[0], S_IFBLK | 0600, makedev(254, 0)));
	if (A("mknod-chr", 1))
		return ret(mknod(argv[0], S_IFCHR | 0600, makedev(1, 1)));
	if (A("bind", 1))
		return op_bind(argv[0]);
	if (A("mkdir", 1))
		return ret(mkdir(argv[0], 0755));
	if (A("rmdir", 1))
		return ret(rmdir(argv[0]));
	if (A("unlink", 1))
		return ret(unlink(argv[0]));
	if (A("symlink", 2))
		return ret(symlink(argv[0], argv[1]));
	if (A("truncate", 1))
		return ret(truncate(argv[0], 0));
	if (A("chmod", 1))
		return ret(chmod(argv[0], 0777));
	if ((A("fchmod", 1)) || A("fchown", 1) || A("futimens", 1) ||
	    A("fsetxattr", 1))
		return op_fd_change(op, argv[0]);
	if (A("chown", 1))
		return ret(chown(argv[0], 1234, 1234));
	if (A("setxattr", 2))
		return ret(setxattr(argv[0], argv[1], "v", 1, 0));
	if (A("removexattr", 2))
		return ret(removexattr(argv[0], argv[1]));
	if (A("utimes", 1))
		return op_utimes(argv[0]);
	if (A("link", 2))
		return ret(link(argv[0], argv[1]));
	if (A("rename", 2))
		return ret(rename(argv[0], argv[1]));
	if (A("exchange", 2))
		return op_exchange(argv[0], argv[1]);
	if (A("mmap-exec", 1))
		return op_mmap_exec(argv[0], false);
	if (A("mprotect-exec", 1))
		return op_mmap_exec(argv[0], true);
	if (A("memfd-exec", 1))
		return op_memfd_exec(argv[0]);
	if (A("opath-reopen", 2))
		return reopen_via_proc(argv[0], O_PATH, argv[1]);
	if (A("opath-exec", 1))
		return op_opath_exec(argv[0]);
	if (A("opath-link", 2))
		return op_opath_link(argv[0], argv[1]);
	if (A("fd-upgrade", 2))
		return reopen_via_proc(argv[0], O_RDONLY, argv[1]);
	if (A("handle-open", 1))
		return op_handle_open(argv[0]);
	if (A("cwd-open", 2))
		return op_cwd_open(argv[0], argv[1]);
	if (A("deep-open", 1))
		return op_deep_open(argv[0]);
	if (A("mount-tmpfs", 1))
		return ret(mount("tmpfs", argv[0], "tmpfs", 0, NULL));
	if (A("bind-mount", 2))
		return ret(mount(argv[0], argv[1], NULL, MS_BIND, NULL));
	if (A("umount", 1))
		return ret(umount2(argv[0], MNT_DETACH));
	if (A("pivot-root", 1))
		return op_pivot_root(argv[0]);
	if (A("open-tree", 1))
		return op_open_tree(argv[0]);
	if (A("fsopen", 0))
		return op_fsopen();
	if (A("userns-open", 1))
		return op_userns_open(argv[0]);
	if (A("uring-open", 1))
		return op_uring_open(argv[0]);
#undef A
	fprintf(stderr, "fgprobe: unknown operation %s/%d\n", op, argc);
	exit(2);
}

/*
 * Docker's default capability set: everything else leaves the bounding,
 * effective, permitted and inheritable sets before CMD runs.
 */
static int docker_caps(char **cmd)
{
	static const int keep[] = {
		CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID, CAP_FOWNER, CAP_MKNOD,
		CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
		CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE,
	};
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0 } };
	unsigned int c, i;

	for (c = 0; c <= CAP_LAST_CAP; c++) {
		bool k = false;

		for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
			k |= (int)c == keep[i];
		if (!k && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) && errno != EINVAL) {
			perror("fgprobe: PR_CAPBSET_DROP");
			return 2;
		}
		if (k) {
			data[c / 32].effective |= 1u << (c % 32);
			data[c / 32].permitted |= 1u << (c % 32);
			data[c / 32].inheritable |= 1u << (c % 32);
		}
	}
	if (syscall(SYS_capset, &hdr, data)) {
		perror("fgprobe: capset");
		return 2;
	}
	for (i = 0; i < sizeof(keep) / sizeof(keep[0]); i++)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, keep[i], 0, 0);
	execv(cmd[0], cmd);
	perror("fgprobe: exec");
	return 2;
}

static int expect(int argc, char **argv)
{
	const char *want, *op;
	int got;

	if (argc < 4)
		goto usage;
	want = argv[2];
	op = argv[3];
	if (!strcmp(op, "open") && argc == 6) {
		got = do_open(argv[4], open_flags(argv[5]));
	} else if (!strcmp(op, "exec") && argc == 5) {
		got = do_exec(argv[4]);
	} else if (!strcmp(op, "chroot-open") && argc == 6) {
		if (chroot(argv[4]) || chdir("/")) {
			fprintf(stderr, "fgprobe: chroot %s: %s\n", argv[4],
				strerror(errno));
			return 2;
		}
		got = do_open(argv[5], O_RDONLY);
	} else if (!strcmp(op, "unshare-open") && argc == 5) {
		if (unshare(CLONE_NEWNS)) {
			fprintf(stderr, "fgprobe: unshare: %s\n", strerror(errno));
			return 2;
		}
		got = do_open(argv[4], O_RDONLY);
	} else if (!strcmp(op, "clone-open") && argc == 5) {
		got = do_clone_open(argv[4]);
	} else {
		got = attack(op, argc - 4, argv + 4);
	}
	if (got < 0) {
		printf("%s %s: unexpected failure (want %s)\n", op,
		       argc > 4 ? argv[4] : "", want);
		return 1;
	}
	/* ANY: the outcome does not matter, only that the call was made */
	if (strcmp(want, "ANY") && strcmp(errname(got), want)) {
		printf("%s %s: got %s, want %s\n", op, argc > 4 ? argv[4] : "",
		       errname(got), want);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "fgprobe: bad expect arguments\n");
	return 2;
}

/* n opens, or (stop != NULL) until the file stop exists */
static int loop_open(const char *path, long n, const char *stop)
{
	long ok = 0, eacces = 0, other = 0, i;
	struct stat st;
	int last = 0;

	for (i = 0; stop || i < n; i++) {
		if (stop && !(i % 64) && !stat(stop, &st))
			break;
		int err = do_open(path, O_RDONLY);

		if (!err)
			ok++;
		else if (err == EACCES)
			eacces++;
		else {
			other++;
			last = err;
		}
	}
	printf("ok=%ld eacces=%ld other=%ld%s%s\n", ok, eacces, other,
	       other ? " last=" : "", other ? errname(last) : "");
	return other ? 1 : 0;
}

static int count(const char *okpath, long n, const char *deniedpath, long m)
{
	long i, bad = 0;

	for (i = 0; i < n; i++)
		bad += do_open(okpath, O_RDONLY) != 0;
	for (i = 0; i < m; i++)
		bad += do_open(deniedpath, O_RDONLY) != EACCES;
	if (bad)
		printf("count: %ld unexpected results\n", bad);
	return bad ? 1 : 0;
}

/*
 * /dev as container runtimes make it: a tmpfs with the usual device nodes,
 * the std{in,out,err} and fd links into /proc/self, pts and shm.
 */
static int setup_dev(const char *root)
{
	static const char *const nodes[] = {
		"null", "zero", "full", "random", "urandom", "tty",
	};
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" }, { "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" }, { "stderr", "/proc/self/fd/2" },
	};
	char dev[4200], p[4300], host[64];
	struct stat st;
	size_t i;

	snprintf(dev, sizeof(dev), "%s/dev", root);
	mkdir(dev, 0755);
	if (mount("tmpfs", dev, "tmpfs", MS_NOSUID, "mode=755"))
		return -1;
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		snprintf(host, sizeof(host), "/dev/%s", nodes[i]);
		snprintf(p, sizeof(p), "%s/%s", dev, nodes[i]);
		if (stat(host, &st) || mknod(p, S_IFCHR | 0666, st.st_rdev))
			return -1;
		chmod(p, 0666);
	}
	for (i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", dev, links[i][0]);
		if (symlink(links[i][1], p))
			return -1;
	}
	snprintf(p, sizeof(p), "%s/pts", dev);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/shm", dev);
	mkdir(p, 01777);
	return 0;
}

/*
 * The parent left behind by `container --status': hand the init's pid to the
 * caller, let go of the caller's stdout (its $(...) ends), wait for the init
 * and write how it ended.
 */
static int container_wait(pid_t pid, int pidfd, const char *status)
{
	int fd, st;
	FILE *f;

	fd = open("/dev/null", O_WRONLY);
	if (fd < 0 || dup2(fd, 1) < 0)
		_exit(2);
	close(fd);
	if (write(pidfd, &pid, sizeof(pid)) != sizeof(pid))
		_exit(2);
	close(pidfd);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			_exit(2);
	f = fopen(status, "w");
	if (!f)
		_exit(2);
	if (WIFEXITED(st))
		fprintf(f, "exit=%d\n", WEXITSTATUS(st));
	else
		fprintf(f, "signal=%d\n", WTERMSIG(st));
	_exit(fclose(f) ? 2 : 0);
}

static int container(int argc, char **argv)
{
	const char *rootfs, *overlay = NULL, *log = NULL, *status = NULL;
	char **cmd = NULL;
	int i, pfd[2], spfd[2];
	pid_t pid;
	char c;

	if (argc < 5)
		goto usage;
	rootfs = argv[2];
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--overlay") && i + 1 < argc)
			overlay = argv[++i];
		else if (!strcmp(argv[i], "--log") && i + 1 < argc)
			log = argv[++i];
		else if (!strcmp(argv[i], "--status") && i + 1 < argc)
			status = argv[++i];
		else if (!strcmp(argv[i], "--")) {
			cmd = argv + i + 1;
			break;
		} else
			goto usage;
	}
	if (!cmd || !*cmd)
		goto usage;
	if (pipe2(pfd, O_CLOEXEC))
		return 2;
	if (status) {
		/*
		 * The caller gets the pid and returns; the init's parent must
		 * stay to learn how it ended: fork that parent off first.
		 */
		if (pipe2(spfd, O_CLOEXEC))
			return 2;
		pid = fork();
		if (pid < 0)
			return 2;
		if (pid) {
			close(spfd[1]);
			if (read(spfd[0], &pid, sizeof(pid)) != sizeof(pid)) {
				fprintf(stderr, "fgprobe: container failed to start\n");
				return 1;
			}
			printf("%d\n", pid);
			return 0;
		}
		close(spfd[0]);
	}
	/* the parent stays in the host's namespaces but the pid one */
	if (unshare(CLONE_NEWPID)) {
		perror("fgprobe: unshare");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		char root[4096], old[4200];
		/* the new root may have no /dev: take /dev/null along */
		int fd = open("/dev/null", O_RDWR);
		/* and the log, a file of the host */
		int lfd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644) : -1;

		close(pfd[0]);
		if (unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC))
			goto fail;
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			goto fail;
		if (overlay) {
			char opts[16384], up[4200], work[4200];

			snprintf(up, sizeof(up), "%s/upper", overlay);
			snprintf(work, sizeof(work), "%s/work", overlay);
			snprintf(root, sizeof(root), "%s/merged", overlay);
			mkdir(up, 0755);
			mkdir(work, 0755);
			mkdir(root, 0755);
			snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s",
				 rootfs, up, work);
			if (mount("overlay", root, "overlay", 0, opts))
				goto fail;
		} else {
			snprintf(root, sizeof(root), "%s", rootfs);
			if (mount(root, root, NULL, MS_BIND | MS_REC, NULL))
				goto fail;
		}
		if (setup_dev(root))
			goto fail;
		snprintf(old, sizeof(old), "%s/proc", root);
		mkdir(old, 0555);
		if (mount("proc", old, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL))
			goto fail;
		snprintf(old, sizeof(old), "%s/.oldroot", root);
		mkdir(old, 0700);
		if (syscall(SYS_pivot_root, root, old) || chdir("/"))
			goto fail;
		if (umount2("/.oldroot", MNT_DETACH))
			goto fail;
		rmdir("/.oldroot");
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			if (fd > 2)
				close(fd);
		}
		if (log) {
			/*
			 * stdout and stderr become a pipe, as container
			 * runtimes give them: re-opening /dev/stdout then
			 * reaches pipefs, not a file of the host.
			 */
			int p[2];

			if (lfd < 0 || pipe(p))
				goto fail;
			if (!fork()) {
				char buf[4096];
				ssize_t n;

				close(p[1]);
				while ((n = read(p[0], buf, sizeof(buf))) > 0)
					if (write(lfd, buf, (size_t)n) < 0)
						break;
				_exit(0);
			}
			close(lfd);
			dup2(p[1], 1);
			dup2(p[1], 2);
			close(p[0]);
			close(p[1]);
		}
		if (write(pfd[1], "k", 1) != 1)
			_exit(2);
		execv(cmd[0], cmd);
fail:
		fprintf(stderr, "fgprobe container: %s\n", strerror(errno));
		_exit(2);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		fprintf(stderr, "fgprobe: container failed to start\n");
		return 1;
	}
	if (status)
		return container_wait(pid, spfd[1], status);
	printf("%d\n", pid);
	return 0;
usage:
	fprintf(stderr, "fgprobe: container ROOTFS [--overlay DIR] [--log FILE] [--status FILE] -- CMD...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "noop"))
		return 0;
	if (argc >= 2 && !strcmp(argv[1], "pause")) {
		for (;;)
			pause();
	}
	if (argc >= 2 && !strcmp(argv[1], "expect"))
		return expect(argc, argv);
	if (argc >= 5 && !strcmp(argv[1], "after") && !strcmp(argv[3], "expect")) {
		/* a process started before the policy: wait, then attack */
		struct stat st;
		int i;

		for (i = 0; i < 1200 && stat(argv[2], &st); i++)
			usleep(50000);
		return expect(argc - 2, argv + 2);
	}
	if (argc == 4 && !strcmp(argv[1], "loop-open"))
		return loop_open(argv[2], atol(argv[3]), NULL);
	if (argc == 4 && !strcmp(argv[1], "loop-until"))
		return loop_open(argv[3], 0, argv[2]);
	if (argc == 6 && !strcmp(argv[1], "count"))
		return count(argv[2], atol(argv[3]), argv[4], atol(argv[5]));
	if (argc >= 2 && !strcmp(argv[1], "container"))
		return container(argc, argv);
	if (argc >= 3 && !strcmp(argv[1], "docker-caps"))
		return docker_caps(argv + 2);
	if (argc >= 4 && !strcmp(argv[1], "as-user")) {
		uid_t uid = (uid_t)atoi(argv[2]);

		if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
			perror("fgprobe: as-user");
			return 2;
		}
		execv(argv[3], argv + 3);
		perror("fgprobe: exec");
		return 2;
	}
	fprintf(stderr, "usage: see the top of tests/guest/fgprobe.c\n");
	return 2;
}
