// SPDX-License-Identifier: GPL-2.0
/*
 * fgprobe: the guest tests' hands. A static program that performs one
 * access and compares the outcome with the exact expected result, starts
 * containers, and drives loops. Every subcommand exits 0 on the expected
 * outcome and 1 otherwise, printing what happened.
 *
 *   fgprobe expect RESULT OP ARGS...   RESULT: OK or an errno name (EACCES)
 *     open PATH r|w|rw|dir|trunc|creat|append
 *     exec PATH                     execve PATH (argv[0] "true"), wait
 *     chroot-open DIR PATH          chroot(DIR), then open PATH for reading
 *     unshare-open PATH             unshare(CLONE_NEWNS), then open PATH
 *     clone-open PATH               clone(CLONE_NEWNS) child opens PATH
 *   fgprobe loop-open PATH N        N opens; prints ok=, eacces=, other=;
 *                                   fails if any other error
 *   fgprobe count OKPATH N DENIEDPATH M   N allowed opens, M denied ones
 *   fgprobe container ROOTFS [--overlay WORKDIR] -- CMD...
 *                                   new mount/pid/net/uts/ipc namespaces,
 *                                   pivot_root into ROOTFS (or an overlay with
 *                                   ROOTFS as lower layer); prints the host pid
 *                                   of the container's init and returns
 *   fgprobe as-user UID CMD...      drop to UID/GID and exec CMD
 *   fgprobe pause                   sleep until killed
 *   fgprobe noop                    exit 0 (a target for exec)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
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

static int do_exec(const char *path)
{
	int pfd[2], status, err = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC))
		return errno;
	pid = fork();
	if (pid < 0)
		return errno;
	if (!pid) {
		char *argv[] = { "true", "noop", NULL };
		char *envp[] = { NULL };

		close(pfd[0]);
		execve(path, argv, envp);
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
		goto usage;
	}
	if (got < 0) {
		printf("%s %s: unexpected failure (want %s)\n", op, argv[4], want);
		return 1;
	}
	if (strcmp(errname(got), want)) {
		printf("%s %s: got %s, want %s\n", op, argv[4], errname(got), want);
		return 1;
	}
	return 0;
usage:
	fprintf(stderr, "fgprobe: bad expect arguments\n");
	return 2;
}

static int loop_open(const char *path, long n)
{
	long ok = 0, eacces = 0, other = 0, i;
	int last = 0;

	for (i = 0; i < n; i++) {
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

static int container(int argc, char **argv)
{
	const char *rootfs, *overlay = NULL;
	char **cmd = NULL;
	int i, pfd[2];
	pid_t pid;
	char c;

	if (argc < 5)
		goto usage;
	rootfs = argv[2];
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--overlay") && i + 1 < argc)
			overlay = argv[++i];
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
	if (unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS |
		    CLONE_NEWIPC)) {
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

		close(pfd[0]);
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
	printf("%d\n", pid);
	return 0;
usage:
	fprintf(stderr, "fgprobe: container ROOTFS [--overlay DIR] -- CMD...\n");
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
	if (argc == 4 && !strcmp(argv[1], "loop-open"))
		return loop_open(argv[2], atol(argv[3]));
	if (argc == 6 && !strcmp(argv[1], "count"))
		return count(argv[2], atol(argv[3]), argv[4], atol(argv[5]));
	if (argc >= 2 && !strcmp(argv[1], "container"))
		return container(argc, argv);
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
