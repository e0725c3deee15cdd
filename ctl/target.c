// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Naming a mount namespace: --pid PID or --ns PATH. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "target.h"

int fg_target_option(int argc, char **argv, int *i, const char **pid_arg,
		     const char **ns_arg)
{
	const char *a = argv[*i];

	if (!strcmp(a, "--pid") || !strcmp(a, "--ns")) {
		if (*i + 1 >= argc) {
			fprintf(stderr, "Option `%s' needs an argument\n", a);
			return -1;
		}
		if (a[2] == 'p')
			*pid_arg = argv[++*i];
		else
			*ns_arg = argv[++*i];
		return 1;
	}
	if (!strncmp(a, "--pid=", 6)) {
		*pid_arg = a + 6;
		return 1;
	}
	if (!strncmp(a, "--ns=", 5)) {
		*ns_arg = a + 5;
		return 1;
	}
	return 0;
}

int fg_target_resolve(struct fg_target *t, const char *pid_arg,
		      const char *ns_arg)
{
	int fd, pipefd[2];
	char *end, c;
	long v;

	t->pid = 0;
	t->helper = 0;
	if (!!pid_arg == !!ns_arg) {
		fprintf(stderr, "Name the namespace with exactly one of --pid PID or --ns PATH\n");
		return -1;
	}
	if (pid_arg) {
		errno = 0;
		v = strtol(pid_arg, &end, 10);
		if (errno || *end || v <= 0 || v > 0x7fffffff) {
			fprintf(stderr, "Invalid pid: `%s'\n", pid_arg);
			return -1;
		}
		t->pid = (uint32_t)v;
		return 0;
	}
	fd = open(ns_arg, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", ns_arg, strerror(errno));
		return -1;
	}
	if (pipe2(pipefd, O_CLOEXEC)) {
		close(fd);
		return -1;
	}
	t->helper = fork();
	if (t->helper < 0) {
		perror("fork");
		close(fd);
		return -1;
	}
	if (!t->helper) {
		close(pipefd[0]);
		if (setns(fd, CLONE_NEWNS)) {
			fprintf(stderr, "%s: not a mount namespace, or cannot join it: %s\n",
				ns_arg, strerror(errno));
			_exit(1);
		}
		if (write(pipefd[1], "k", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fd);
	close(pipefd[1]);
	if (read(pipefd[0], &c, 1) != 1) {
		close(pipefd[0]);
		waitpid(t->helper, NULL, 0);
		t->helper = 0;
		return -1;
	}
	close(pipefd[0]);
	t->pid = (uint32_t)t->helper;
	return 0;
}

void fg_target_release(struct fg_target *t)
{
	if (t->helper > 0) {
		kill(t->helper, SIGKILL);
		waitpid(t->helper, NULL, 0);
		t->helper = 0;
	}
}
