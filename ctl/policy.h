/* SPDX-License-Identifier: GPL-2.0 OR MIT */
//
// The in-memory policy model of fguardctl, and its text and binary forms.
//
// Text form (one rule per line, DESIGN §2):
//
//   # comment
//   image nginx:bookworm
//   digest sha256:...
//   entrypoint /usr/sbin/nginx -g daemon off;
//   mode enforce
//   allow mount            (also: memfd-exec, write-exec; see README)
//   r   /etc/nginx/nginx.conf          # read by the entry point
//   rx  /usr/lib/x86_64-linux-gnu/*    # library directory
//   rw  /var/log/nginx/**              # log directory
//
// PERMS is a non-empty set of r, w, x in any order ("-" is not allowed).
// PATTERN is absolute and canonical; "DIR/*" means DIR's direct children
// and "DIR/**" DIR itself and everything below it. Everything after '#'
// (preceded by whitespace) is the rule's reason.
#ifndef FGUARD_CTL_POLICY_H
#define FGUARD_CTL_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../include/fguard/table.h"

enum fg_mode { FG_MODE_ENFORCE = 0, FG_MODE_COMPLAIN = 1 };

struct fg_rule {
	char *path;		// canonical, without the "/*" or "/**" suffix
	uint8_t kind;		/* enum fguard_pol_kind */
	uint8_t perms;		/* enum fguard_perm bits */
	char *reason;		/* may be NULL */
	unsigned int line;	/* source line, 0 if not from text */
};

struct fg_policy {
	char *image;		/* header metadata, each may be NULL */
	char *digest;
	char *entrypoint;
	enum fg_mode mode;
	unsigned int allow;	/* FGUARD_POL_F_ALLOW_* from "allow" lines */
	struct fg_rule *rules;
	size_t nrules, cap;
	size_t *idx, idx_cap;	/* private: pattern index */
};

void fg_policy_init(struct fg_policy *p);
void fg_policy_free(struct fg_policy *p);

//
// fg_policy_add - add (or merge into an existing rule for the same pattern:
// perms are OR-ed, the first reason is kept) a rule. @pattern is an
// absolute path optionally ending in "/*" or "/**"; it is canonicalised
// (duplicate slashes, "." removed; ".." refused). Returns 0, or -EINVAL
// for a bad pattern or perms.
int fg_policy_add(struct fg_policy *p, const char *pattern, unsigned int perms,
		  const char *reason);
/* Find a rule by exact pattern; NULL if absent. */
struct fg_rule *fg_policy_find(const struct fg_policy *p, const char *pattern);

/*
 * Parse policy text. On error returns -1 and writes "NAME:LINE: problem"
 * into err. Duplicate patterns are an error naming both lines.
 */
int fg_policy_parse(struct fg_policy *p, const char *text, size_t len,
		    const char *name, char *err, size_t errlen);
int fg_policy_read_file(struct fg_policy *p, const char *path, char *err,
			size_t errlen);
/* Load a policy from .txt or .bin (decided by content: the magic). */
int fg_policy_load_any(struct fg_policy *p, const char *path, char *err,
		       size_t errlen);

/* Write text form: header lines, then rules in model order, aligned. */
void fg_policy_write(const struct fg_policy *p, FILE *out);
int fg_policy_write_file(const struct fg_policy *p, const char *path,
			 char *err, size_t errlen);

/* Binary form. fg_policy_to_bin returns a malloc'd blob. */
int fg_policy_to_bin(const struct fg_policy *p, uint8_t **blob, size_t *size,
		     char *err, size_t errlen);
int fg_policy_from_bin(struct fg_policy *p, const void *blob, size_t size,
		       const char *name, char *err, size_t errlen);

/*
 * Compile a model into a validated, indexed table (as the kernel would);
 * *blob backs the table: free it after fg_table_free().
 */
int fg_policy_table(const struct fg_policy *p, struct fg_table *t,
		    uint8_t **blob, char *err, size_t errlen);
/* Lexically canonicalise an absolute path ("//", ".", ".."). */
int fg_path_canon(const char *in, char *out, size_t outlen);
/* Write a file atomically (temp file + rename). */
int fg_write_atomic(const char *path, const void *data, size_t len, char *err,
		    size_t errlen);
/* Compile a model and write policy.bin atomically. */
int fg_compile_to(const struct fg_policy *p, const char *out, char *err,
		  size_t errlen);

/* "r", "rw", "rwx"... into buf (at least 4 bytes). */
const char *fg_perms_str(unsigned int perms, char *buf);
/* Parse "rwx" letters; returns perms or -1. */
int fg_perms_parse(const char *s, size_t len);
// Pattern text of a rule ("/a/**") into a malloc'd string.
char *fg_rule_pattern(const struct fg_rule *r);

/* Read a whole file; returns malloc'd buffer (NUL-terminated) or NULL. */
char *fg_read_file(const char *path, size_t *len, char *err, size_t errlen);

/* Load policy.bin into the kernel for pid (ctl/load.c); prints errors. */
int fg_load_policy_file(const char *file, uint32_t pid, int mode,
			uint32_t flags, bool quiet);

/* Hashing (ctl/hash.c, OpenSSL). */
u64 fg_hash(const void *data, size_t len, const siphash_key_t *key);
void fg_sha256_hex(const void *data, size_t len, char out[65]);
void fg_random_key(siphash_key_t *key);

#endif
