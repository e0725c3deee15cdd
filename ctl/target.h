/* SPDX-License-Identifier: GPL-2.0 OR MIT */
#ifndef FGUARD_CTL_TARGET_H
#define FGUARD_CTL_TARGET_H

#include <stdint.h>
#include <sys/types.h>

/*
 * A mount namespace named by --pid PID or by --ns PATH (a namespace file,
 * /proc/PID/ns/mnt or a bind mount of one). The kernel takes a PID, so for
 * --ns a helper process joins the namespace and stands for it until
 * fg_target_release().
 */
struct fg_target {
	uint32_t pid;
	pid_t helper;
};

/* Parse one --pid/--ns option at argv[*i]; 1 if consumed, 0 if not, -1 on error. */
int fg_target_option(int argc, char **argv, int *i, const char **pid_arg,
		     const char **ns_arg);
int fg_target_resolve(struct fg_target *t, const char *pid_arg,
		      const char *ns_arg);
void fg_target_release(struct fg_target *t);

#endif
