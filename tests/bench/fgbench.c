// SPDX-License-Identifier: GPL-2.0
/*
 * fgbench: time N open+close calls of one file (static, runs in the guest).
 *
 *   fgbench open PATH N            prints nanoseconds per call
 *   fgbench landlock-open PATH N   the same under a Landlock ruleset that
 *                                  allows reading PATH's directory
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <libgen.h>
#include <linux/landlock.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
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

int main(int argc, char **argv)
{
	long n, i;
	double t0, t1;

	if (argc != 4)
		goto usage;
	n = atol(argv[3]);
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
	fprintf(stderr, "usage: fgbench open|landlock-open PATH N\n");
	return 2;
}
