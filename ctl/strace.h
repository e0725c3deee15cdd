/* SPDX-License-Identifier: GPL-2.0 OR MIT */
//
// An strace log reader: turns the file and exec system calls of an
// `strace -f' log into the accesses fguard decides (struct fg_access).
//
// Accepted: `strace -f [-o LOG]' lines ("PID  call(...) = ret", "[pid N]
// call(...)", or no pid at all), with -t/-tt/-ttt/-r timestamps and -T
// durations, "<unfinished ...>" / "<... NAME resumed>" pairs, and -y/-yy
// descriptor decorations ("3</etc/passwd>", "AT_FDCWD</srv>"). Only
// successful calls count: a call that failed never reached the guard.
//
// Paths are resolved as the kernel would see them where the log allows:
// the path a descriptor refers to (-y) when strace printed it, else the
// argument made absolute against the directory descriptor's decoration
// or the process's working directory. Working directories (chdir,
// fchdir), roots (chroot) and thread group ids are tracked per process
// and inherited by fork, vfork, clone and clone3 children (shared with
// CLONE_FS); a child whose first lines come before its parent's clone
// returned is adopted by the process with a clone still unfinished.
// "/proc/<own pid>/..." becomes "/proc/self/...", as the kernel rewrites
// it. A relative path against an unknown directory is skipped and counted.
//
// With a root (--root DIR), the trace ran on a host that had the
// container's root file system at DIR: paths under DIR lose that prefix,
// paths outside it are counted and dropped. With resolve, files that the
// log cannot resolve are looked up under the root as they are now:
// symlinks (openat2 RESOLVE_IN_ROOT), and the interpreter of an executed
// script ("#!") or ELF program (PT_INTERP), which the kernel also opens
// for execution without a system call of its own.
#ifndef FGUARD_CTL_STRACE_H
#define FGUARD_CTL_STRACE_H

#include <stdbool.h>
#include <stddef.h>

#include "learn.h"

/* Why a line gave no access; counted in struct fg_strace_stats. */
enum fg_strace_skip {
	FG_SKIP_MALFORMED,	/* not an strace line, or cut short */
	FG_SKIP_FAILED,		/* the call failed: nothing reached the guard */
	FG_SKIP_UNFINISHED,	/* "<unfinished ...>" never resumed, or no start */
	FG_SKIP_NO_CWD,		/* relative path, working directory unknown */
	FG_SKIP_DIRFD,		/* relative to a descriptor strace did not name */
	FG_SKIP_FD,		/* on a descriptor strace did not name (use -y) */
	FG_SKIP_OUTSIDE_ROOT,	/* a path outside --root */
	FG_SKIP_BAD_PATH,	/* too long, or not a string */
	__FG_SKIP_COUNT
};

struct fg_strace_stats {
	unsigned long lines;		/* lines read */
	unsigned long calls;		/* lines with a system call (any) */
	unsigned long file_calls;	/* of those, calls this reader handles */
	unsigned long accesses;		/* accesses emitted */
	unsigned long not_checked;	/* O_PATH opens, sockets, pipes... */
	unsigned long skipped[__FG_SKIP_COUNT];
};

/* A short description of a skip reason ("failed calls"). */
const char *fg_strace_skip_name(enum fg_strace_skip why);

struct fg_strace_opts {
	const char *root;	/* host path of the container root; NULL: "/" */
	const char *cwd;	/* working directory of the first processes; NULL: unknown */
	bool resolve;		/* look files up under the root (see above) */
};

/* Called for each access; a non-zero return stops fg_strace_line(). */
typedef int (*fg_strace_emit_fn)(void *ctx, const struct fg_access *a);

struct fg_strace;

/* NULL on allocation failure or if the root cannot be opened (errno). */
struct fg_strace *fg_strace_new(const struct fg_strace_opts *opts,
				fg_strace_emit_fn emit, void *ctx);
/*
 * fg_strace_line - feed one line (without or with its '\n'). Returns 0,
 * -ENOMEM, or what emit returned. Malformed input is counted, never an
 * error.
 */
int fg_strace_line(struct fg_strace *st, const char *line, size_t len);
/* End of log: counts calls left unfinished. */
void fg_strace_finish(struct fg_strace *st);
const struct fg_strace_stats *fg_strace_stats(const struct fg_strace *st);
void fg_strace_free(struct fg_strace *st);

#endif
