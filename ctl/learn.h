/* SPDX-License-Identifier: GPL-2.0 OR MIT */
//
// Learning: extend a policy with exactly the accesses a program was seen
// to make (from a trace, or from the kernel's complain-mode events).
//
// Each access is decided as the kernel decides it: the base policy's
// compiled table (kmod/table.c) plus the exact rules learned so far,
// write-xor-execute, and the rename/link rule that a new name is never
// granted more than the old one. What the policy does not already allow
// becomes an exact-path rule with exactly the missing perms: never a
// directory or tree rule, never more than was wanted. Three cases are not
// learned as rules:
//   - a path that is not absolute, or that the policy text cannot carry
//     (whitespace, control characters, '*', longer than PATH_MAX);
//   - an exec (or code mapping) of a path the policy also lets be written,
//     or a write of a path seen executed: write-xor-execute forbids one of
//     them unless the policy says "allow write-exec";
//   - mount operations, which need "allow mount".
// The last two become suggestion comments in the output; the operator
// decides. Directory rules are suggested too, never written: where three
// or more exact rules with the same perms (at least one learned) name
// files of one directory.
//
// The learned policy keeps every access seen allowed: after each rule is
// learned, every rename and link seen is checked again, and the old name
// of a move gains whatever its new name is granted beyond it.
//
// Output (fg_learner_write): the operator's text verbatim, except that a
// rule of the base for exactly a learned path is widened in place (its
// perms merged, "; learned: ..." appended to its reason), so the result
// never repeats a pattern; then a section
//
//   # --- learned by fguardctl HOW on 2026-12-04T19:58:00Z ---
//   r   /etc/localtime   # learned: open(r) by nginx at 2026-12-04T19:58:00Z (trace line 42)
//
// with the new rules sorted by path (so that the same accesses give the
// same text in any order), then the suggestions, sorted. The date is
// the current time, or $SOURCE_DATE_EPOCH when set (reproducible output).
#ifndef FGUARD_CTL_LEARN_H
#define FGUARD_CTL_LEARN_H

#include <stddef.h>
#include <stdio.h>

#include "policy.h"

enum fg_op {
	FG_OP_OPEN,
	FG_OP_EXEC,
	FG_OP_CREATE,
	FG_OP_UNLINK,
	FG_OP_RMDIR,
	FG_OP_RENAME,
	FG_OP_LINK,
	FG_OP_TRUNCATE,
	FG_OP_CHMOD,
	FG_OP_CHOWN,
	FG_OP_UTIMES,
	FG_OP_XATTR,
	FG_OP_MMAP,
	FG_OP_MPROTECT,
	FG_OP_MOUNT,
	FG_OP_OTHER,
	__FG_OP_COUNT
};

/* "open", "exec", ...; "mount" for FG_OP_MOUNT; NULL if out of range. */
const char *fg_op_name(enum fg_op op);
/* The inverse of fg_op_name(); -1 if unknown. */
int fg_op_parse(const char *name);

/* struct fg_access.flags */
enum fg_access_flag {
	FG_ACCESS_EXCHANGE = 1 << 0,	/* rename with RENAME_EXCHANGE */
};

/**
 * struct fg_access - one access a program made
 * @op: what it did
 * @perms: FGUARD_PERM_* the access wanted on @path; 0 means the default
 *	for @op: x for exec, mmap and mprotect, w for the others (open has
 *	no default). Rename and link always want w on both names.
 * @path: absolute, as the container sees it; canonicalised lexically
 * @path2: rename/link: the new name; else NULL
 * @comm: program, may be NULL
 * @when: unix seconds, 0 if unknown
 * @origin: e.g. "trace line 42", may be NULL
 * @flags: enum fg_access_flag bits (appended to the original shape:
 *	designated initialisers that leave it out get 0)
 */
struct fg_access {
	enum fg_op op;
	unsigned int perms;
	const char *path;
	const char *path2;
	const char *comm;
	long long when;
	const char *origin;
	unsigned int flags;
};

struct fg_learner;

/*
 * fg_learner_new - start learning on top of @base (read-only; the caller
 * keeps it alive until fg_learner_free()). Compiles @base once. Returns
 * NULL on allocation failure or if @base does not compile.
 */
struct fg_learner *fg_learner_new(const struct fg_policy *base);
/*
 * fg_learner_add - decide @a against base + learned rules.
 * Returns 1: learned (a new rule, or a rule widened); 0: already allowed;
 * -1: cannot be learned as a rule (fg_learner_why() says why; for
 * mount and write-exec a suggestion comment is recorded).
 */
int fg_learner_add(struct fg_learner *l, const struct fg_access *a);
/* Why the last fg_learner_add() returned -1 (a static string), or NULL. */
const char *fg_learner_why(const struct fg_learner *l);
/* Rule lines learned: new exact rules plus base rules widened in place. */
size_t fg_learner_count(const struct fg_learner *l);
/* Of those, the base rules widened in place. */
size_t fg_learner_widened(const struct fg_learner *l);
/* Suggestion comments fg_learner_write() would write now. */
size_t fg_learner_suggestions(const struct fg_learner *l);
/*
 * fg_learner_write - write the new policy to @out: @orig_text (the text
 * @base was parsed from) with widened rules rewritten in place, then the
 * learned section (see above). @how names the source ("import-trace",
 * "learn"). With @orig_text NULL, the base is written with
 * fg_policy_write() first (a policy.bin has no text of its own).
 * Returns 0, or -1 if @orig_text does not parse or does not hold a rule
 * of the base that was widened.
 */
int fg_learner_write(const struct fg_learner *l, const char *orig_text,
		     size_t orig_len, const char *how, FILE *out);
void fg_learner_free(struct fg_learner *l);

#endif
