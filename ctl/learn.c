// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Learning exact rules from observed accesses (see learn.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "learn.h"

#define R FGUARD_PERM_READ
#define W FGUARD_PERM_WRITE
#define X FGUARD_PERM_EXEC

static const char *const op_names[__FG_OP_COUNT] = {
	[FG_OP_OPEN] = "open",		[FG_OP_EXEC] = "exec",
	[FG_OP_CREATE] = "create",	[FG_OP_UNLINK] = "unlink",
	[FG_OP_RMDIR] = "rmdir",	[FG_OP_RENAME] = "rename",
	[FG_OP_LINK] = "link",		[FG_OP_TRUNCATE] = "truncate",
	[FG_OP_CHMOD] = "chmod",	[FG_OP_CHOWN] = "chown",
	[FG_OP_UTIMES] = "utimes",	[FG_OP_XATTR] = "xattr",
	[FG_OP_MMAP] = "mmap",		[FG_OP_MPROTECT] = "mprotect",
	[FG_OP_MOUNT] = "mount",	[FG_OP_OTHER] = "other",
};

const char *fg_op_name(enum fg_op op)
{
	return (unsigned int)op < __FG_OP_COUNT ? op_names[op] : NULL;
}

int fg_op_parse(const char *name)
{
	int i;

	for (i = 0; name && i < __FG_OP_COUNT; i++)
		if (!strcmp(name, op_names[i]))
			return i;
	return -1;
}

/*
 * One path the learner knows: a learned rule (perms != 0), a base exact
 * rule widened in place (base_exact), or just a path seen executed.
 */
struct entry {
	char *path;
	unsigned int perms;	/* learned: new rule perms, or added to base */
	bool base_exact;	/* the base has an exact rule for path */
	bool exec_seen;		/* x was wanted on path (write-xor-execute) */
	char *reason;
};

struct move {
	size_t old, new;	/* entries */
	bool exchange;
};

struct fg_learner {
	const struct fg_policy *base;
	struct fg_table t;
	uint8_t *blob;
	bool wx_allowed, mount_allowed;

	struct entry *e;
	size_t n, cap;
	size_t *idx, idx_cap;	/* entry index + 1, open addressing */

	struct move *moves;
	size_t nmoves, moves_cap;

	char **sugg;		/* suggestion comments, without "# " */
	size_t nsugg, sugg_cap;
	size_t mounts;		/* mount operations seen */
	char *mount_first;	/* details of the first */

	const char *why;
	unsigned long changes;	/* perms learned, ever: tells a call's effect */
};

static uint64_t fnv(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int reindex(struct fg_learner *l)
{
	size_t cap = l->idx_cap ? 2 * l->idx_cap : 64, i;
	size_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -ENOMEM;
	for (i = 0; i < l->n; i++) {
		size_t j = fnv(l->e[i].path) & (cap - 1);

		while (idx[j])
			j = (j + 1) & (cap - 1);
		idx[j] = i + 1;
	}
	free(l->idx);
	l->idx = idx;
	l->idx_cap = cap;
	return 0;
}

static struct entry *lookup(const struct fg_learner *l, const char *path)
{
	size_t j;

	if (!l->idx_cap)
		return NULL;
	for (j = fnv(path) & (l->idx_cap - 1); l->idx[j];
	     j = (j + 1) & (l->idx_cap - 1))
		if (!strcmp(l->e[l->idx[j] - 1].path, path))
			return &l->e[l->idx[j] - 1];
	return NULL;
}

/* The entry for @path, created empty if absent; NULL on ENOMEM. */
static struct entry *get(struct fg_learner *l, const char *path)
{
	struct entry *e = lookup(l, path);
	size_t j;

	if (e)
		return e;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct entry *ne = realloc(l->e, cap * sizeof(*ne));

		if (!ne)
			return NULL;
		l->e = ne;
		l->cap = cap;
	}
	if (2 * (l->n + 1) > l->idx_cap && reindex(l))
		return NULL;
	e = &l->e[l->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	{
		const struct fg_rule *r = fg_policy_find(l->base, path);

		e->base_exact = r && r->kind == FGUARD_KIND_EXACT;
	}
	j = fnv(path) & (l->idx_cap - 1);
	while (l->idx[j])
		j = (j + 1) & (l->idx_cap - 1);
	l->idx[j] = ++l->n;
	return e;
}

struct fg_learner *fg_learner_new(const struct fg_policy *base)
{
	struct fg_learner *l = calloc(1, sizeof(*l));
	char err[256];

	if (!l)
		return NULL;
	l->base = base;
	if (fg_policy_table(base, &l->t, &l->blob, err, sizeof(err))) {
		free(l);
		return NULL;
	}
	l->wx_allowed = base->allow & FGUARD_POL_F_ALLOW_WRITE_EXEC;
	l->mount_allowed = base->allow & FGUARD_POL_F_ALLOW_MOUNT;
	return l;
}

void fg_learner_free(struct fg_learner *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++) {
		free(l->e[i].path);
		free(l->e[i].reason);
	}
	for (i = 0; i < l->nsugg; i++)
		free(l->sugg[i]);
	free(l->sugg);
	free(l->e);
	free(l->idx);
	free(l->moves);
	free(l->mount_first);
	fg_table_free(&l->t);
	free(l->blob);
	free(l);
}

const char *fg_learner_why(const struct fg_learner *l)
{
	return l->why;
}

size_t fg_learner_count(const struct fg_learner *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->e[i].perms != 0;
	return n;
}

size_t fg_learner_widened(const struct fg_learner *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->e[i].perms && l->e[i].base_exact;
	return n;
}

static size_t dir_suggestions(const struct fg_learner *l, FILE *out);

size_t fg_learner_suggestions(const struct fg_learner *l)
{
	return l->nsugg + (l->mounts != 0) + dir_suggestions(l, NULL);
}

/* Every perm base + learned grant @path, as the kernel's lookup finds. */
static unsigned int granted(const struct fg_learner *l, const char *path)
{
	const struct entry *e = lookup(l, path);
	struct fg_verdict v = fg_table_lookup(&l->t, path, strlen(path),
					      __FGUARD_PERM_ALL);

	return v.granted | (e ? e->perms : 0);
}

/*
 * A path an exact rule can name: absolute, canonical (lexically), and
 * writable in the text form, where whitespace ends the pattern and '*'
 * means a directory rule.
 */
static int canon(const char *in, char *out, size_t outlen)
{
	const char *s;

	if (!in || in[0] != '/')
		return -1;
	for (s = in; *s; s++)
		if (isspace((unsigned char)*s) || iscntrl((unsigned char)*s) ||
		    *s == '*')
			return -1;
	return fg_path_canon(in, out, outlen) ? -1 : 0;
}

/* "open(r) by nginx at 2026-12-04T19:58:00Z (trace line 42)" */
static char *describe(const struct fg_access *a, unsigned int perms,
		      const char *peer_word, const char *peer)
{
	char buf[FGUARD_POL_PATH_MAX + 512], pb[4], ts[32] = "";
	size_t o = 0;
	char *s;

	if (a->when > 0) {
		time_t t = (time_t)a->when;
		struct tm tm;

		if (gmtime_r(&t, &tm))
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
#define ADD(...) \
	do { \
		int k = snprintf(buf + o, sizeof(buf) - o, __VA_ARGS__); \
		if (k > 0) \
			o = o + (size_t)k < sizeof(buf) ? o + (size_t)k : sizeof(buf) - 1; \
	} while (0)
	ADD("%s", fg_op_name(a->op) ? fg_op_name(a->op) : "?");
	if (perms)
		ADD("(%s)", fg_perms_str(perms, pb));
	if (peer)
		ADD(" %s %s", peer_word, peer);
	if (a->comm && *a->comm)
		ADD(" by %s", a->comm);
	if (*ts)
		ADD(" at %s", ts);
	if (a->origin && *a->origin)
		ADD(" (%s)", a->origin);
#undef ADD
	/* A reason is one line of text: nothing the parser would cut. */
	for (s = buf; *s; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
	return strdup(buf);
}

static int append_reason(struct entry *e, const char *what)
{
	size_t n = (e->reason ? strlen(e->reason) + 2 : 0) + strlen(what) + 10;
	char *r = malloc(n);

	if (!r)
		return -ENOMEM;
	if (e->reason)
		snprintf(r, n, "%s; learned: %s", e->reason, what);
	else
		snprintf(r, n, "learned: %s", what);
	free(e->reason);
	e->reason = r;
	return 0;
}

/* Grant @perms on @path as a learned exact rule, noting @what. */
static int learn(struct fg_learner *l, const char *path, unsigned int perms,
		 const char *what)
{
	struct entry *e = get(l, path);

	if (!e)
		return -ENOMEM;
	if (!(perms & ~e->perms))
		return 0;
	e->perms |= perms;
	l->changes++;
	return append_reason(e, what);
}

static int add_suggestion(struct fg_learner *l, const char *text)
{
	size_t i;

	for (i = 0; i < l->nsugg; i++)
		if (!strcmp(l->sugg[i], text))
			return 0;
	if (l->nsugg == l->sugg_cap) {
		size_t cap = l->sugg_cap ? 2 * l->sugg_cap : 8;
		char **n = realloc(l->sugg, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		l->sugg = n;
		l->sugg_cap = cap;
	}
	l->sugg[l->nsugg] = strdup(text);
	if (!l->sugg[l->nsugg])
		return -ENOMEM;
	l->nsugg++;
	return 0;
}

static int suggest_write_exec(struct fg_learner *l, const char *path,
			      const struct fg_access *a, unsigned int want)
{
	char *what = describe(a, want, NULL, NULL);
	size_t n = strlen(path) + (what ? strlen(what) : 0) + 128;
	char *s = malloc(n);
	int err;

	if (!what || !s) {
		free(what);
		free(s);
		return -ENOMEM;
	}
	snprintf(s, n, "%s is both written and executed (%s); \"allow write-exec\" would permit it",
		 path, what);
	err = add_suggestion(l, s);
	free(what);
	free(s);
	return err;
}

/*
 * Keep every move seen allowed: the new name may not be granted more than
 * the old (both ways for an exchange). Widening one name can break an
 * earlier move, so repeat until nothing changes; perms only grow, so this
 * ends.
 */
static int settle_moves(struct fg_learner *l)
{
	bool changed = true;
	size_t i;
	int err;

	while (changed) {
		changed = false;
		for (i = 0; i < l->nmoves; i++) {
			const struct move *m = &l->moves[i];
			const char *po = l->e[m->old].path, *pn = l->e[m->new].path;
			unsigned int go = granted(l, po), gn = granted(l, pn);
			char pb[4], buf[FGUARD_POL_PATH_MAX + 128];

			if (gn & ~go) {
				snprintf(buf, sizeof(buf),
					 "%s to %s: the new name may not be granted more (+%s)",
					 m->exchange ? "exchange" : "move", pn,
					 fg_perms_str(gn & ~go, pb));
				err = learn(l, po, gn & ~go, buf);
				if (err)
					return err;
				changed = true;
			}
			if (m->exchange && (go & ~gn)) {
				snprintf(buf, sizeof(buf),
					 "exchange with %s: both names must be granted the same (+%s)",
					 po, fg_perms_str(go & ~gn, pb));
				err = learn(l, pn, go & ~gn, buf);
				if (err)
					return err;
				changed = true;
			}
		}
	}
	return 0;
}

static int record_move(struct fg_learner *l, const char *old, const char *new,
		       bool exchange)
{
	struct entry *eo = get(l, old), *en;
	size_t io, in, i;

	if (!eo)
		return -ENOMEM;
	io = (size_t)(eo - l->e);
	en = get(l, new);	/* may move l->e */
	if (!en)
		return -ENOMEM;
	in = (size_t)(en - l->e);
	for (i = 0; i < l->nmoves; i++)
		if (l->moves[i].old == io && l->moves[i].new == in &&
		    l->moves[i].exchange == exchange)
			return 0;
	if (l->nmoves == l->moves_cap) {
		size_t cap = l->moves_cap ? 2 * l->moves_cap : 16;
		struct move *m = realloc(l->moves, cap * sizeof(*m));

		if (!m)
			return -ENOMEM;
		l->moves = m;
		l->moves_cap = cap;
	}
	l->moves[l->nmoves++] = (struct move){ io, in, exchange };
	return 0;
}

/* Not learnable under write-xor-execute: say so in a suggestion. */
static int wx_refuse(struct fg_learner *l, const char *path,
		     const struct fg_access *a, unsigned int want)
{
	if (suggest_write_exec(l, path, a, want))
		l->why = "out of memory";
	return -1;
}

static unsigned int default_perms(enum fg_op op)
{
	switch (op) {
	case FG_OP_OPEN:
	case FG_OP_MOUNT:
	case FG_OP_OTHER:
	case __FG_OP_COUNT:
		return 0;
	case FG_OP_EXEC:
	case FG_OP_MMAP:
	case FG_OP_MPROTECT:
		return X;
	default:
		return W;
	}
}

static int add_mount(struct fg_learner *l, const struct fg_access *a)
{
	if (l->mount_allowed)
		return 0;
	if (!l->mounts++) {
		l->mount_first = describe(a, 0, a->path ? "of" : NULL, a->path);
		if (!l->mount_first) {
			l->why = "out of memory";
			return -1;
		}
	}
	l->why = "a mount operation needs \"allow mount\" (suggested)";
	return -1;
}

int fg_learner_add(struct fg_learner *l, const struct fg_access *a)
{
	char p1[FGUARD_POL_PATH_MAX], p2[FGUARD_POL_PATH_MAX];
	bool move = a->op == FG_OP_RENAME || a->op == FG_OP_LINK;
	bool exchange = a->op == FG_OP_RENAME && (a->flags & FG_ACCESS_EXCHANGE);
	unsigned int want = a->perms & __FGUARD_PERM_ALL, m1, m2 = 0;
	char *what = NULL;
	unsigned long changes;
	int err = 0;

	l->why = NULL;
	if ((unsigned int)a->op >= __FG_OP_COUNT || a->op == FG_OP_OTHER) {
		l->why = "not an operation fguard decides";
		return -1;
	}
	if (a->op == FG_OP_MOUNT)
		return add_mount(l, a);
	if (move)
		want = W;
	else if (!want)
		want = default_perms(a->op);
	if (!want) {
		l->why = "no permissions wanted";
		return -1;
	}
	if (canon(a->path, p1, sizeof(p1)) ||
	    (move && canon(a->path2, p2, sizeof(p2)))) {
		l->why = "the path cannot be a rule (not absolute, or has whitespace, '*' or control characters)";
		return -1;
	}

	/* Write-xor-execute, as kmod/hook.c decides it. */
	if (!l->wx_allowed) {
		const struct entry *e = lookup(l, p1);
		unsigned int g = granted(l, p1);

		if ((want & X) && ((g | want) & W)) {
			l->why = "exec of a writable path needs \"allow write-exec\" (suggested)";
			return wx_refuse(l, p1, a, want);
		}
		if ((want & W) && !(g & W) && e && e->exec_seen) {
			l->why = "write of a path seen executed needs \"allow write-exec\" (suggested)";
			return wx_refuse(l, p1, a, want);
		}
		if (move) {
			e = lookup(l, p2);
			if (!(granted(l, p2) & W) && e && e->exec_seen) {
				l->why = "write of a path seen executed needs \"allow write-exec\" (suggested)";
				return wx_refuse(l, p2, a, W);
			}
		}
	}

	m1 = want & ~granted(l, p1);
	if (move) {
		m2 = W & ~granted(l, p2);
		err = record_move(l, p1, p2, exchange);
		if (err)
			goto nomem;
	}
	if (want & X) {
		struct entry *e = get(l, p1);

		if (!e)
			goto nomem;
		e->exec_seen = true;
	}
	changes = l->changes;
	if (m1) {
		what = describe(a, m1, move ? "to" : NULL, move ? p2 : NULL);
		if (!what || learn(l, p1, m1, what))
			goto nomem;
		free(what);
	}
	if (m2) {
		what = describe(a, m2, "from", p1);
		if (!what || learn(l, p2, m2, what))
			goto nomem;
		free(what);
	}
	/* a grant just learned may break a move seen earlier, or this one */
	if ((move || l->changes != changes) && settle_moves(l))
		goto nomem;
	return l->changes != changes;
nomem:
	free(what);
	l->why = "out of memory";
	return -1;
}

/* ---- writing ---- */

struct dirent_ {
	const char *path;
	size_t dirlen;
	unsigned int perms;
	bool learned;
};

static int dirent_cmp(const void *a, const void *b)
{
	const struct dirent_ *x = a, *y = b;
	size_t n = x->dirlen < y->dirlen ? x->dirlen : y->dirlen;
	int c = memcmp(x->path, y->path, n);

	if (c)
		return c;
	if (x->dirlen != y->dirlen)
		return x->dirlen < y->dirlen ? -1 : 1;
	if (x->perms != y->perms)
		return x->perms < y->perms ? -1 : 1;
	return strcmp(x->path, y->path);
}

static size_t dir_len(const char *path)
{
	const char *s = strrchr(path, '/');

	return s == path ? 1 : (size_t)(s - path);
}

/*
 * "r DIR/\*" for every (directory, perms) that 3 or more exact rules share,
 * one of them learned: the operator may prefer one rule to many.
 */
static size_t dir_suggestions(const struct fg_learner *l, FILE *out)
{
	size_t n = 0, i, j, count = 0;
	struct dirent_ *d = calloc(l->n + l->base->nrules + 1, sizeof(*d));

	if (!d)
		return 0;
	for (i = 0; i < l->base->nrules; i++) {
		const struct fg_rule *r = &l->base->rules[i];
		const struct entry *e;

		if (r->kind != FGUARD_KIND_EXACT || !strcmp(r->path, "/"))
			continue;
		e = lookup(l, r->path);
		d[n++] = (struct dirent_){ r->path, dir_len(r->path),
					   r->perms | (e ? e->perms : 0),
					   e && e->perms };
	}
	for (i = 0; i < l->n; i++)
		if (l->e[i].perms && !l->e[i].base_exact && strcmp(l->e[i].path, "/"))
			d[n++] = (struct dirent_){ l->e[i].path, dir_len(l->e[i].path),
						   l->e[i].perms, true };
	qsort(d, n, sizeof(*d), dirent_cmp);
	for (i = 0; i < n; i = j) {
		size_t learned = 0;
		char pb[4];

		for (j = i; j < n && d[j].dirlen == d[i].dirlen &&
		     !memcmp(d[j].path, d[i].path, d[i].dirlen) &&
		     d[j].perms == d[i].perms; j++)
			learned += d[j].learned;
		if (j - i < 3 || !learned)
			continue;
		count++;
		if (!out)
			continue;
		fprintf(out, "# suggestion: \"%s %.*s/*\" would replace the ",
			fg_perms_str(d[i].perms, pb),
			d[i].dirlen == 1 ? 0 : (int)d[i].dirlen, d[i].path);
		if (learned == j - i)
			fprintf(out, "%zu learned rules", learned);
		else
			fprintf(out, "%zu learned and %zu existing rules", learned,
				j - i - learned);
		fprintf(out, " for files in %.*s\n", (int)d[i].dirlen, d[i].path);
	}
	free(d);
	return count;
}

static int entry_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct entry *const *)a)->path,
		      (*(const struct entry *const *)b)->path);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rewrite one base rule line: merged perms, reason appended. */
static void rewrite_line(const char *s, size_t n, unsigned int perms,
			 const char *reason, FILE *out)
{
	size_t b = 0, c, d, end = n, q, hash = n;
	char pb[4];
	size_t plen, spaces;

	while (end && isspace((unsigned char)s[end - 1]))
		end--;
	while (b < end && isspace((unsigned char)s[b]))
		b++;
	for (c = b; c < end && !isspace((unsigned char)s[c]); c++)
		;
	for (d = c; d < end && isspace((unsigned char)s[d]); d++)
		;
	for (q = b + 1; q < end; q++)
		if (s[q] == '#' && isspace((unsigned char)s[q - 1])) {
			hash = q;
			break;
		}
	fg_perms_str(perms, pb);
	plen = strlen(pb);
	/* keep the pattern in its column when the perms grow */
	spaces = d - c;
	if (plen > c - b)
		spaces = spaces > plen - (c - b) ? spaces - (plen - (c - b)) : 1;
	else
		spaces += (c - b) - plen;
	fprintf(out, "%.*s%s%*s%.*s", (int)b, s, pb, (int)spaces, "",
		(int)(end - d), s + d);
	if (hash < end) {
		/* the operator's reason stays; what was learned follows it */
		fprintf(out, "%s%s\n", end - hash > 1 ? "; " : " ", reason);
	} else {
		fprintf(out, "  # %s\n", reason);
	}
}

static bool in_text(const char *text, size_t len, const char *line)
{
	size_t n = strlen(line);
	const char *s = text, *end = text + len;

	/* at the start of a line */
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));

		if ((size_t)(end - s) >= n && !memcmp(s, line, n))
			return true;
		if (!nl)
			break;
		s = nl + 1;
	}
	return false;
}

static void timestamp(char *buf, size_t len)
{
	const char *sde = getenv("SOURCE_DATE_EPOCH");
	time_t t = time(NULL);
	struct tm tm;

	if (sde && *sde) {
		char *end;
		long long v = strtoll(sde, &end, 10);

		if (!*end && v >= 0)
			t = (time_t)v;
	}
	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "unknown date");
}

int fg_learner_write(const struct fg_learner *l, const char *orig_text,
		     size_t orig_len, const char *how, FILE *out)
{
	struct fg_policy orig;
	struct entry **sorted = NULL, **widen = NULL;
	unsigned int *widen_line = NULL;
	char *gen = NULL, err[512], date[32], **sugg = NULL, *mount_line = NULL;
	char *dirtext = NULL;
	size_t genlen = 0, nnew = 0, nwiden = 0, i, width = 0, nsugg = 0, dirlen = 0;
	FILE *dirs;
	const char *s, *end;
	unsigned int lineno = 0;
	int ret = -1;

	fg_policy_init(&orig);
	if (!orig_text) {
		FILE *m = open_memstream(&gen, &genlen);

		if (!m)
			return -1;
		fg_policy_write(l->base, m);
		if (fclose(m))
			goto out;
		orig_text = gen;
		orig_len = genlen;
	}
	if (fg_policy_parse(&orig, orig_text, orig_len, "original", err,
			    sizeof(err)))
		goto out;
	sorted = calloc(l->n + 1, sizeof(*sorted));
	widen = calloc(l->n + 1, sizeof(*widen));
	widen_line = calloc(l->n + 1, sizeof(*widen_line));
	if (!sorted || !widen || !widen_line)
		goto out;
	for (i = 0; i < l->n; i++) {
		struct entry *e = &l->e[i];

		if (!e->perms)
			continue;
		if (e->base_exact) {
			const struct fg_rule *r = fg_policy_find(&orig, e->path);

			/* the text must be the one the base came from */
			if (!r || r->kind != FGUARD_KIND_EXACT || !r->line)
				goto out;
			widen_line[nwiden] = r->line;
			widen[nwiden++] = e;
		} else {
			sorted[nnew++] = e;
			if (strlen(e->path) > width && strlen(e->path) <= 60)
				width = strlen(e->path);
		}
	}
	qsort(sorted, nnew, sizeof(*sorted), entry_cmp);

	for (s = orig_text, end = orig_text + orig_len; s < end;) {
		const char *eol = memchr(s, '\n', (size_t)(end - s));
		size_t n = eol ? (size_t)(eol - s) : (size_t)(end - s);

		lineno++;
		for (i = 0; i < nwiden; i++)
			if (widen_line[i] == lineno)
				break;
		if (i < nwiden) {
			const struct fg_rule *r = fg_policy_find(&orig, widen[i]->path);

			rewrite_line(s, n, r->perms | widen[i]->perms,
				     widen[i]->reason, out);
		} else {
			fwrite(s, 1, n, out);
			fputc('\n', out);
		}
		s += n + 1;
	}

	/*
	 * Suggestions the text already makes are not repeated: importing the
	 * same trace twice gives the same file.
	 */
	if (l->mounts) {
		if (asprintf(&mount_line, "# suggestion: the program mounted (%zu operation%s, first: %s); \"allow mount\" would permit it\n",
			     l->mounts, l->mounts == 1 ? "" : "s",
			     l->mount_first ? l->mount_first : "?") < 0) {
			mount_line = NULL;
			goto out;
		}
		if (in_text(orig_text, orig_len, mount_line)) {
			free(mount_line);
			mount_line = NULL;
		}
	}
	sugg = calloc(l->nsugg + 1, sizeof(*sugg));
	if (!sugg)
		goto out;
	for (i = 0; i < l->nsugg; i++) {
		if (asprintf(&sugg[nsugg], "# suggestion: %s\n", l->sugg[i]) < 0) {
			sugg[nsugg] = NULL;
			goto out;
		}
		if (in_text(orig_text, orig_len, sugg[nsugg])) {
			free(sugg[nsugg]);
			sugg[nsugg] = NULL;
		} else {
			nsugg++;
		}
	}
	qsort(sugg, nsugg, sizeof(*sugg), str_cmp);
	dirs = open_memstream(&dirtext, &dirlen);
	if (!dirs)
		goto out;
	dir_suggestions(l, dirs);
	if (fclose(dirs))
		goto out;

	if (nnew || nwiden || mount_line || nsugg || dirlen) {
		timestamp(date, sizeof(date));
		fprintf(out, "\n# --- learned by fguardctl %s on %s ---\n",
			how ? how : "learn", date);
		if (nwiden)
			fprintf(out, "# %zu existing rule%s widened in place (\"; learned:\" in the reason)\n",
				nwiden, nwiden == 1 ? "" : "s");
		for (i = 0; i < nnew; i++) {
			char pb[4];

			fprintf(out, "%-3s %-*s  # %s\n",
				fg_perms_str(sorted[i]->perms, pb), (int)width,
				sorted[i]->path, sorted[i]->reason);
		}
		if (mount_line || nsugg || dirlen)
			fputc('\n', out);
		if (mount_line)
			fputs(mount_line, out);
		for (i = 0; i < nsugg; i++)
			fputs(sugg[i], out);
		/* a directory suggestion needs a learned rule: always new */
		fwrite(dirtext, 1, dirlen, out);
	}
	ret = ferror(out) ? -1 : 0;
out:
	if (sugg)
		for (i = 0; sugg[i]; i++)
			free(sugg[i]);
	free(sugg);
	free(mount_line);
	free(dirtext);
	free(sorted);
	free(widen);
	free(widen_line);
	free(gen);
	fg_policy_free(&orig);
	return ret;
}
