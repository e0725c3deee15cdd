// SPDX-License-Identifier: GPL-2.0
/*
 * fgbench: time N open+close calls of one file (static, runs in the guest).
 *
 *   fgbench open PATH N            prints nanoseconds per call
 *   fgbench landlock-open PATH N   the same under a Landlock ruleset that
 *                                  allows reading PATH's directory
 *   fgbench rename DIR N           rename DIR/a to DIR/b and back
 *   fgbench unlink DIR N           create and unlink DIR/u
 *   fgbench exec PROG N            fork, exec PROG (argv[1] "noop"), wait
 *   fgbench denied-open PATH N     N opens that the guard refuses (EACCES)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int landlock(const char *path)
{
	struct landlock_ruleset_attr ra = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE |
				     LANDLOCK_ACCESS_FS_READ_DIR |
				     LANDLOCK_ACCESS_FS_WRITE_FILE |
				     LANDLOCK_ACCESS_FS_EXECUTE,
	};
	struct landlock_path_beneath_attr pb = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE |
				  LANDLOCK_ACCESS_FS_READ_DIR,
	};
	char *dup = strdup(path);
	int rfd, err;

	rfd = (int)syscall(SYS_landlock_create_ruleset, &ra, sizeof(ra), 0);
	if (rfd < 0) {
		perror("landlock_create_ruleset");
		return -1;
	}
	pb.parent_fd = open(dirname(dup), O_PATH | O_CLOEXEC);
	if (pb.parent_fd < 0)
		return -1;
	err = (int)syscall(SYS_landlock_add_rule, rfd, LANDLOCK_RULE_PATH_BENEATH,
			   &pb, 0);
	if (err || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_landlock_restrict_self, rfd, 0)) {
		perror("landlock");
		return -1;
	}
	close(pb.parent_fd);
	close(rfd);
	free(dup);
	return 0;
}

static int loop_other(const char *mode, const char *arg, long n)
{
	char a[4096], b[4096];
	double t0, t1;
	long i;

	snprintf(a, sizeof(a), "%s/a", arg);
	snprintf(b, sizeof(b), "%s/%s", arg, strcmp(mode, "unlink") ? "b" : "u");
	if (!strcmp(mode, "rename"))
		close(open(a, O_WRONLY | O_CREAT, 0644));
	t0 = now();
	for (i = 0; i < n; i++) {
		if (!strcmp(mode, "rename")) {
			if (rename(i % 2 ? b : a, i % 2 ? a : b))
				goto fail;
		} else if (!strcmp(mode, "unlink")) {
			int fd = open(b, O_WRONLY | O_CREAT, 0644);

			if (fd < 0 || close(fd) || unlink(b))
				goto fail;
		} else {
			int status;
			pid_t pid = fork();

			if (!pid) {
				execl(arg, "fgprobe", "noop", (char *)NULL);
				_exit(127);
			}
			if (pid < 0 || waitpid(pid, &status, 0) < 0 ||
			    !WIFEXITED(status) || WEXITSTATUS(status))
				goto fail;
		}
	}
	t1 = now();
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
fail:
	perror(mode);
	return 1;
}

/* Opens the guard must refuse: anything but EACCES is an error. */
static int loop_denied(const char *path, long n)
{
	double t0, t1;
	long i;

	for (i = 0; i < 1000; i++)
		if (open(path, O_RDONLY) >= 0 || errno != EACCES)
			goto bad;
	t0 = now();
	for (i = 0; i < n; i++)
		if (open(path, O_RDONLY) >= 0 || errno != EACCES)
			goto bad;
	t1 = now();
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
bad:
	fprintf(stderr, "fgbench: %s: not refused with EACCES\n", path);
	return 1;
}

int main(int argc, char **argv)
{
	long n, i;
	double t0, t1;

	if (argc != 4)
		goto usage;
	n = atol(argv[3]);
	if (!strcmp(argv[1], "rename") || !strcmp(argv[1], "unlink") ||
	    !strcmp(argv[1], "exec"))
		return loop_other(argv[1], argv[2], n);
	if (!strcmp(argv[1], "denied-open"))
		return loop_denied(argv[2], n);
	if (!strcmp(argv[1], "landlock-open")) {
		if (landlock(argv[2]))
			return 1;
	} else if (strcmp(argv[1], "open")) {
		goto usage;
	}
	/* warm up the dentry cache */
	for (i = 0; i < 1000; i++)
		close(open(argv[2], O_RDONLY));
	t0 = now();
	for (i = 0; i < n; i++) {
		int fd = open(argv[2], O_RDONLY);

		if (fd < 0) {
			perror(argv[2]);
			return 1;
		}
		close(fd);
	}
	t1 = now();
	printf("%.1f\n", (t1 - t0) / n);
	return 0;
usage:
	fprintf(stderr, "usage: fgbench open|landlock-open|denied-open|rename|unlink|exec PATH N\n");
	return 2;
}
