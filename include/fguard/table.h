/* SPDX-License-Identifier: GPL-2.0 OR MIT */
//
// fguard policy table: the binary policy format (policy.bin) and the one
// implementation of its validation and lookup, shared by fguard.ko and
// fguardctl (kmod/table.c is compiled into both).
//
// policy.bin layout, all integers little-endian:
//
//   struct fguard_pol_header           64 bytes at offset 0
//   struct fguard_pol_rule[count]      24 bytes each, at rules_off (8-aligned)
//   string pool                        strings_size bytes at strings_off
//
// Strings are (offset, length) references into the pool, not
// NUL-terminated; nothing after the pool. A rule is (path, kind, perms,
// reason): kind EXACT matches the path itself, CHILDREN the path's direct
// children (text form "DIR/*"), TREE the path and everything below it
// ("DIR/**"). Rules only grant; the perms granted for a path are the union
// of every rule that matches it. The reason is for people (dump, check,
// explain); the kernel validates but never reads it.
//
// The kernel never trusts a blob: fg_table_validate() checks every count,
// offset and string before fg_table_build() indexes it. The index is an
// open-addressing hash table keyed with a random siphash key chosen at
// build time, and every probe compares the full path, so neither a crafted
// policy nor a crafted path can make one path match another's rule.
#ifndef _FGUARD_TABLE_H
#define _FGUARD_TABLE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/siphash.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef struct {
	u64 key[2];
} siphash_key_t;
#endif

#define FGUARD_POL_MAGIC	0x4c504746u	/* "FGPL" read as little-endian */
#define FGUARD_POL_VERSION	1
#define FGUARD_POL_MAX_SIZE	(64u << 20)	/* bytes: 64 MiB */
#define FGUARD_POL_MAX_RULES	(1u << 20)
#define FGUARD_POL_PATH_MAX	4096		/* including the NUL in the kernel */
#define FGUARD_POL_REASON_MAX	1024

enum fguard_pol_kind {
	FGUARD_KIND_EXACT = 0,		/* PATH */
	FGUARD_KIND_CHILDREN = 1,	// PATH/*
	FGUARD_KIND_TREE = 2,		// PATH/**
	__FGUARD_KIND_COUNT
};

enum fguard_perm {
	FGUARD_PERM_READ = 1 << 0,
	FGUARD_PERM_WRITE = 1 << 1,
	FGUARD_PERM_EXEC = 1 << 2,
	__FGUARD_PERM_ALL = (1 << 3) - 1
};

/* Header flags: the default mode, and what the policy allows beyond rules. */
enum fguard_pol_flag {
	FGUARD_POL_F_COMPLAIN = 1 << 0,		/* default mode is complain */
	FGUARD_POL_F_ALLOW_MOUNT = 1 << 1,	/* mount, umount, pivot_root... */
	FGUARD_POL_F_ALLOW_MEMFD_EXEC = 1 << 2,	/* exec/map code from memfd, shm */
	FGUARD_POL_F_ALLOW_WRITE_EXEC = 1 << 3,	/* x on paths that are also w */
	__FGUARD_POL_F_ALL = (1 << 4) - 1
};

struct fguard_pol_str {
	__le32 off;
	__le32 len;
};

struct fguard_pol_header {
	__le32 magic;
	__le16 version;
	__le16 header_size;
	__le32 total_size;
	__le32 flags;
	__le32 rule_count;
	__le32 rules_off;
	__le32 strings_off;
	__le32 strings_size;
	struct fguard_pol_str image;
	struct fguard_pol_str digest;
	struct fguard_pol_str entrypoint;
	__le32 reserved[2];		/* must be zero */
};

struct fguard_pol_rule {
	struct fguard_pol_str path;
	struct fguard_pol_str reason;	/* len 0: none */
	__u8 kind;
	__u8 perms;
	__u8 reserved[6];		/* must be zero */
};

/* One index slot: the rules (index + 1, 0 for none) for one path. */
struct fg_slot {
	u32 hash;			/* low bits of the siphash, 0 = empty */
	u32 rule[__FGUARD_KIND_COUNT];
};

/* A directory that has rules strictly below it: (rule, prefix length). */
struct fg_bslot {
	u32 hash;			/* 0 = empty */
	u32 rule;			/* index + 1 of a rule below */
	u32 len;			/* the directory is that path's prefix */
	u32 reserved;
};

/**
 * struct fg_table - a validated policy blob and its index; immutable once
 * built, so readers need no lock.
 */
struct fg_table {
	const u8 *blob;			/* the policy.bin, owned by the caller */
	u32 size;
	u32 flags;
	u32 rule_count;
	const struct fguard_pol_rule *rules;
	const char *strings;
	u32 strings_size;
	struct fg_slot *slots;		/* fg_table_build() allocates */
	u32 mask;			/* slot count - 1 */
	struct fg_bslot *below;		/* directories with rules below them */
	u32 below_mask;
	bool below_overflow;		/* too many: every directory counts */
	u64 tree_depths;		/* bit d: a TREE rule at depth d (63: >= 63) */
	u64 child_depths;		/* bit d: a CHILDREN rule at depth d */
	siphash_key_t key;
};

/**
 * struct fg_verdict - result of fg_table_lookup()
 * @granted: union of the perms of every matching rule
 * @rule: the most specific matching rule granting part of what was asked,
 *	or failing that the most specific matching rule; -1 if none matched
 */
struct fg_verdict {
	u8 granted;
	int rule;
};

/*
 * fg_table_validate - check a blob; on failure returns -EINVAL (or
 * -E2BIG / -EPROTO) and points *why at a static message, and *where at the
 * byte offset of the problem (or the rule index when *where_is_rule).
 */
int fg_table_validate(const void *blob, size_t size, const char **why,
		      u32 *where, bool *where_is_rule);
/* Index a validated blob. Allocates slots; fg_table_free() releases them. */
int fg_table_build(struct fg_table *t, const void *blob, size_t size,
		   const siphash_key_t *key);
void fg_table_free(struct fg_table *t);
struct fg_verdict fg_table_lookup(const struct fg_table *t, const char *path,
				  size_t len, u8 want);
/*
 * fg_table_decide - whether @want is granted on @path, as the kernel
 * decides it: x needs, besides x, that no rule makes the path writable
 * (write-xor-execute) unless the header allows write-exec. *v gets the
 * lookup (for x, of every perm); refused with every perm of @want in
 * v->granted means refused by write-xor-execute.
 */
bool fg_table_decide(const struct fg_table *t, const char *path, size_t len,
		     u8 want, struct fg_verdict *v);
/*
 * For a directory DIR: the perms every path strictly below it gets from TREE
 * rules at DIR or above (*tree), from a CHILDREN rule at DIR (*children),
 * and whether any rule names a path strictly below DIR (return value; true
 * also when the index overflowed). Used to decide whether a directory may
 * move: its descendants must not gain anything.
 */
bool fg_table_dir_perms(const struct fg_table *t, const char *dir,
			size_t len, u8 *tree, u8 *children);

/* Rule accessors for printing. */
const char *fg_table_str(const struct fg_table *t,
			 const struct fguard_pol_str *s, u32 *len);

/*
 * fg_proc_self - rewrite "/proc/<tgid>/..." to "/proc/self/..." and
 * "/proc/<tgid>/task/<tid>/..." to "/proc/thread-self/..." in place. @path
 * points into a buffer with at least 16 bytes of headroom before it (as
 * d_absolute_path() leaves); returns the new start, or @path unchanged.
 */
char *fg_proc_self(char *path, size_t *len, u32 tgid, u32 tid);

/* Number of '/'-separated components: "/" 0, "/a" 1, "/a/b" 2. */
unsigned int fg_path_depth(const char *path, size_t len);

#endif /* _FGUARD_TABLE_H */
