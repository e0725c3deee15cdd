// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Image archives: read docker-save and OCI archives into the union of their
 * layers (see image.h). The only file that includes libarchive.
 *
 * One pass over the archive: members are classified by content, JSON kept
 * whole, layers parsed as they stream by (through a decompressing reader
 * when compressed) into per-layer entry lists, and every member hashed on
 * the way (raw, and uncompressed for layers). Only then, with the manifest
 * known, are digests checked and the layers applied in order. Nothing is
 * written anywhere: the union lives in memory.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <jansson.h>
#include <openssl/evp.h>

#include "image.h"

#define BUFSZ		(256 * 1024)
#define PEEKSZ		512
#define MAX_HOPS	40
#define MAX_PATH	4096
#define MAX_INDEX_DEPTH	4

/* ------------------------------------------------------------ arena */

struct chunk {
	struct chunk *next;
	size_t used, size;
	uint8_t mem[];
};

struct arena {
	struct chunk *head;	/* current small-allocation chunk */
	struct chunk *big;	/* single large allocations */
};

static void *arena_alloc(struct arena *a, size_t n)
{
	struct chunk *c;

	n = (n + 7) & ~(size_t)7;
	if (n > 64 * 1024) {
		c = malloc(sizeof(*c) + n);
		if (!c)
			return NULL;
		c->used = c->size = n;
		c->next = a->big;
		a->big = c;
		return c->mem;
	}
	c = a->head;
	if (!c || c->size - c->used < n) {
		size_t sz = 1024 * 1024;

		c = malloc(sizeof(*c) + sz);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = sz;
		c->next = a->head;
		a->head = c;
	}
	c->used += n;
	return c->mem + c->used - n;
}

static char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *d = arena_alloc(a, n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

static void arena_free(struct arena *a)
{
	struct chunk *c, *n;

	for (c = a->head; c; c = n) {
		n = c->next;
		free(c);
	}
	for (c = a->big; c; c = n) {
		n = c->next;
		free(c);
	}
	a->head = a->big = NULL;
}

/* ------------------------------------------------------------ state */

enum { WH_NONE, WH_FILE, WH_OPQ };

struct lentry {
	char *path;		/* normalised, relative, never "" */
	char *link;		/* symlink target or hard link path */
	const uint8_t *data;
	uint64_t size;
	uint32_t mode, uid, gid;
	uint8_t type;		/* enum img_type; 0 for a hard link */
	uint8_t wh;
};

struct layer {
	struct lentry *e;
	size_t n, cap;
	char diff[65];		/* sha256 of the uncompressed tar */
	bool compressed;
	char *err;		/* parse error, NULL if fine */
};

enum mkind { M_DATA, M_LAYER, M_ALIAS };

struct member {
	char *name;
	enum mkind kind;
	uint8_t *data;		/* M_DATA: whole content (NUL-terminated) */
	size_t len;		/* bytes of the member */
	char raw[65];		/* sha256 of the raw member */
	bool hashed;		/* raw is valid (member fully read) */
	bool too_big;		/* M_DATA not kept: larger than max_meta */
	struct layer *layer;	/* M_LAYER */
	char *target;		/* M_ALIAS: normalised member name */
};

struct priv {
	struct arena arena;
	struct img_limits lim;
	struct img_node **ht;	/* (parent, name) -> node */
	size_t htmask;
	uint64_t seed;
	uint64_t content;	/* bytes of content kept */
	uint64_t entries;	/* layer entries read */
	struct member *m;
	size_t nm, capm;
	char *err;
	size_t errlen;
	bool failed;
	uint8_t *buf, *buf2;
};

static int fail(struct priv *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct priv *p, const char *fmt, ...)
{
	va_list ap;

	if (p->failed)
		return -1;
	p->failed = true;
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

void img_limits_default(struct img_limits *l)
{
	l->max_entries = 4000000;
	l->max_layers = 256;
	l->max_content = 4ull << 30;
	l->keep_small = 1u << 20;
	l->keep_exec = 512u << 20;
	l->max_meta = 16u << 20;
}

/* ------------------------------------------------------------ names */

/*
 * Normalise an archive path into @out: drop a leading "./", empty and "."
 * components and a trailing '/'. Returns 0, or a static message for a name
 * that leaves its root ("..", absolute) or is too long. "" is the root.
 */
static const char *norm_name(const char *in, char *out, size_t outlen,
			     bool allow_abs)
{
	size_t o = 0, i = 0, len = strlen(in), start;

	if (len >= MAX_PATH)
		return "name too long";
	if (in[0] == '/' && !allow_abs)
		return "absolute name";
	while (i < len) {
		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		if (i == start || (i - start == 1 && in[start] == '.'))
			continue;
		if (i - start == 2 && in[start] == '.' && in[start + 1] == '.')
			return "name with \"..\"";
		if (o + (i - start) + 2 > outlen)
			return "name too long";
		if (o)
			out[o++] = '/';
		memcpy(out + o, in + start, i - start);
		o += i - start;
	}
	out[o] = '\0';
	return NULL;
}

/* Quote a hostile name for a message: printable ASCII only, bounded. */
static const char *q(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f) {
			buf[o++] = (char)c;
		} else {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		}
	}
	if (*s && o + 4 < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

/* ------------------------------------------------------------ hashing */

static void hex(const unsigned char *md, unsigned int n, char *out)
{
	static const char x[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n; i++) {
		out[2 * i] = x[md[i] >> 4];
		out[2 * i + 1] = x[md[i] & 15];
	}
	out[2 * n] = '\0';
}

static void md_final(EVP_MD_CTX *md, char out[65])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(md, d, &n);
	hex(d, n, out);
}

/* ------------------------------------------------------------ union */

static uint64_t name_hash(const struct priv *p, const struct img_node *parent,
			  const char *name, size_t len)
{
	uint64_t h = p->seed ^ (uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)name[i];
		h *= 0x100000001b3ull;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

static int ht_grow(struct image *img)
{
	struct priv *p = img->priv;
	size_t n = (p->htmask + 1) * 2, i;
	struct img_node **nt = calloc(n, sizeof(*nt));

	if (!nt)
		return -1;
	for (i = 0; i <= p->htmask; i++) {
		struct img_node *e = p->ht[i], *nx;

		for (; e; e = nx) {
			uint64_t h = name_hash(p, e->parent, e->name, e->namelen);

			nx = e->hnext;
			e->hnext = nt[h & (n - 1)];
			nt[h & (n - 1)] = e;
		}
	}
	free(p->ht);
	p->ht = nt;
	p->htmask = n - 1;
	return 0;
}

struct img_node *img_child(const struct image *img, const struct img_node *dir,
			   const char *name, size_t len)
{
	const struct priv *p = img->priv;
	struct img_node *e;

	e = p->ht[name_hash(p, dir, name, len) & p->htmask];
	for (; e; e = e->hnext)
		if (e->parent == dir && e->namelen == len &&
		    !memcmp(e->name, name, len))
			return e;
	return NULL;
}

static void unlink_node(struct image *img, struct img_node *n)
{
	struct priv *p = img->priv;
	struct img_node **pp;

	while (n->child)
		unlink_node(img, n->child);
	pp = &p->ht[name_hash(p, n->parent, n->name, n->namelen) & p->htmask];
	while (*pp != n)
		pp = &(*pp)->hnext;
	*pp = n->hnext;
	if (n->prev)
		n->prev->next = n->next;
	else
		n->parent->child = n->next;
	if (n->next)
		n->next->prev = n->prev;
	img->nodes--;
}

static struct img_node *new_node(struct image *img, struct img_node *dir,
				 const char *name, size_t len)
{
	struct priv *p = img->priv;
	struct img_node *n;
	uint64_t h;

	if (img->nodes >= p->lim.max_entries) {
		fail(p, "more than %llu files in the image",
		     (unsigned long long)p->lim.max_entries);
		return NULL;
	}
	if (img->nodes > 2 * (p->htmask + 1) && ht_grow(img)) {
		fail(p, "out of memory");
		return NULL;
	}
	n = arena_alloc(&p->arena, sizeof(*n));
	if (!n) {
		fail(p, "out of memory");
		return NULL;
	}
	memset(n, 0, sizeof(*n));
	n->name = arena_strndup(&p->arena, name, len);
	if (!n->name) {
		fail(p, "out of memory");
		return NULL;
	}
	n->namelen = (uint32_t)len;
	n->parent = dir;
	n->next = dir->child;
	if (dir->child)
		dir->child->prev = n;
	dir->child = n;
	h = name_hash(p, dir, name, len);
	n->hnext = p->ht[h & p->htmask];
	p->ht[h & p->htmask] = n;
	img->nodes++;
	return n;
}

/*
 * Walk the directories of a layer path literally (layers never follow
 * symlinks), creating what is missing; a non-directory in the way is
 * replaced by a directory, as overlayfs shows an upper directory over a
 * lower file. Returns the parent directory; *base is the last component.
 */
static struct img_node *walk_parents(struct image *img, const char *path,
				     const char **base, uint8_t layer, bool create)
{
	struct img_node *dir = img->root, *c;
	const char *s = path, *slash;

	while ((slash = strchr(s, '/'))) {
		c = img_child(img, dir, s, (size_t)(slash - s));
		if (c && c->type != IMG_DIR) {
			if (!create)
				return NULL;
			unlink_node(img, c);
			c = NULL;
		}
		if (!c) {
			if (!create)
				return NULL;
			c = new_node(img, dir, s, (size_t)(slash - s));
			if (!c)
				return NULL;
			c->type = IMG_DIR;
			c->mode = 0755;
			c->layer = layer;
		}
		dir = c;
		s = slash + 1;
	}
	*base = s;
	return dir;
}

static struct img_node *lookup_literal(struct image *img, const char *path)
{
	const char *base;
	struct img_node *dir = walk_parents(img, path, &base, 0, false);

	return dir ? img_child(img, dir, base, strlen(base)) : NULL;
}

static int apply_layer(struct image *img, const struct layer *l, uint8_t idx,
		       const char *lname)
{
	struct priv *p = img->priv;
	char qb[160];
	size_t i;

	/* Whiteouts only hide what the layers below brought. */
	for (i = 0; i < l->n; i++) {
		const struct lentry *e = &l->e[i];
		struct img_node *n;

		if (e->wh == WH_FILE) {
			n = lookup_literal(img, e->path);
			if (n)
				unlink_node(img, n);
		} else if (e->wh == WH_OPQ) {
			n = *e->path ? lookup_literal(img, e->path) : img->root;
			if (n && n->type == IMG_DIR)
				while (n->child)
					unlink_node(img, n->child);
		}
	}
	for (i = 0; i < l->n; i++) {
		const struct lentry *e = &l->e[i];
		struct img_node *dir, *n, *t = NULL;
		const char *base;

		if (e->wh != WH_NONE)
			continue;
		if (!e->type) {
			t = lookup_literal(img, e->link);
			if (!t || t->type == IMG_DIR)
				return fail(p, "layer %s: hard link `%s' to %s `%s'",
					    lname, q(e->path, qb, 80),
					    t ? "a directory" : "missing file",
					    e->link);
		}
		dir = walk_parents(img, e->path, &base, idx, true);
		if (!dir)
			return -1;
		n = img_child(img, dir, base, strlen(base));
		if (n && t == n)
			continue;	/* a hard link to itself */
		if (n && !(n->type == IMG_DIR && e->type == IMG_DIR)) {
			unlink_node(img, n);
			n = NULL;
		}
		if (!n) {
			n = new_node(img, dir, base, strlen(base));
			if (!n)
				return -1;
		}
		n->layer = idx;
		if (t) {
			n->type = t->type;
			n->mode = t->mode;
			n->uid = t->uid;
			n->gid = t->gid;
			n->size = t->size;
			n->data = t->data;
			n->link = t->link;
			continue;
		}
		n->type = e->type;
		n->mode = e->mode;
		n->uid = e->uid;
		n->gid = e->gid;
		n->size = e->size;
		n->data = e->data;
		n->link = e->type == IMG_LNK ? e->link : NULL;
	}
	return 0;
}

/* ------------------------------------------------------------ streams */

/*
 * A libarchive read callback over another archive's current entry, with
 * bytes already read (the peek) delivered first, and a digest of all that
 * passes.
 */
struct src {
	struct archive *from;
	const uint8_t *push;
	size_t pushlen;
	uint8_t *buf;
	EVP_MD_CTX *md;
	uint64_t total;
};

static la_ssize_t src_read(struct archive *a, void *ud, const void **out)
{
	struct src *s = ud;
	la_ssize_t n;

	if (s->pushlen) {
		*out = s->push;
		n = (la_ssize_t)s->pushlen;
		s->pushlen = 0;
	} else {
		n = archive_read_data(s->from, s->buf, BUFSZ);
		if (n < 0) {
			if (a)
				archive_set_error(a, EIO, "%s",
						  archive_error_string(s->from));
			return -1;
		}
		*out = s->buf;
	}
	if (n > 0 && s->md)
		EVP_DigestUpdate(s->md, *out, (size_t)n);
	s->total += (uint64_t)n;
	return n;
}

static int src_drain(struct src *s)
{
	const void *x;
	la_ssize_t n;

	while ((n = src_read(NULL, s, &x)) > 0)
		;
	return n < 0 ? -1 : 0;
}

/* Filters whose library libarchive has: never an external program. */
static bool filter_ok[4];

static void filters_probe(void)
{
	static bool done;
	int (*fn[4])(struct archive *) = {
		archive_read_support_filter_gzip,
		archive_read_support_filter_zstd,
		archive_read_support_filter_xz,
		archive_read_support_filter_bzip2,
	};
	int i;

	if (done)
		return;
	for (i = 0; i < 4; i++) {
		struct archive *a = archive_read_new();

		filter_ok[i] = a && fn[i](a) == ARCHIVE_OK;
		archive_read_free(a);
	}
	done = true;
}

static void add_filters(struct archive *a)
{
	filters_probe();
	if (filter_ok[0])
		archive_read_support_filter_gzip(a);
	if (filter_ok[1])
		archive_read_support_filter_zstd(a);
	if (filter_ok[2])
		archive_read_support_filter_xz(a);
	if (filter_ok[3])
		archive_read_support_filter_bzip2(a);
}

static bool tar_checksum_ok(const uint8_t *h)
{
	unsigned long want = 0, sum = 0;
	int i;

	for (i = 148; i < 156 && (h[i] == ' ' || h[i] == 0); i++)
		;
	for (; i < 156 && h[i] >= '0' && h[i] <= '7'; i++)
		want = want * 8 + (unsigned long)(h[i] - '0');
	for (i = 0; i < 512; i++)
		sum += (i >= 148 && i < 156) ? ' ' : h[i];
	return sum == want;
}

enum peek { P_OTHER, P_JSON, P_TAR, P_COMPRESSED };

static enum peek classify(const uint8_t *b, size_t n)
{
	size_t i;

	if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b)
		return P_COMPRESSED;
	if (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4))
		return P_COMPRESSED;
	if (n >= 6 && !memcmp(b, "\xfd\x37\x7a\x58\x5a\x00", 6))
		return P_COMPRESSED;
	if (n >= 3 && !memcmp(b, "BZh", 3))
		return P_COMPRESSED;
	if (n == 512) {
		for (i = 0; i < 512 && !b[i]; i++)
			;
		if (i == 512 || !memcmp(b + 257, "ustar", 5) ||
		    tar_checksum_ok(b))
			return P_TAR;
	}
	for (i = 0; i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' ||
			      b[i] == '\r'); i++)
		;
	if (i < n && (b[i] == '{' || b[i] == '['))
		return P_JSON;
	return P_OTHER;
}

/* ------------------------------------------------------------ layers */

static int layer_push(struct priv *p, struct layer *l, const struct lentry *e)
{
	if (++p->entries > p->lim.max_entries)
		return fail(p, "more than %llu entries in the layers",
			    (unsigned long long)p->lim.max_entries);
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		struct lentry *ne = realloc(l->e, cap * sizeof(*ne));

		if (!ne)
			return fail(p, "out of memory");
		l->e = ne;
		l->cap = cap;
	}
	l->e[l->n++] = *e;
	return 0;
}

static bool is_exec_magic(const uint8_t *b, size_t n)
{
	return (n >= 4 && !memcmp(b, "\177ELF", 4)) ||
	       (n >= 2 && b[0] == '#' && b[1] == '!');
}

/*
 * Read a regular file's content into the arena when it is worth keeping:
 * small files, and ELF or #! files up to keep_exec, while the budget lasts.
 * Returns 0 (e->data set or NULL) or -1 with *why set.
 */
static int read_content(struct priv *p, struct archive *a, struct lentry *e,
			const char **why)
{
	uint8_t head[64];
	uint64_t size = e->size, got = 0;
	la_ssize_t n;
	uint8_t *d;

	if (size == 0) {
		e->data = (const uint8_t *)"";
		return 0;
	}
	if (size > p->lim.keep_small) {
		size_t h = 0;

		while (h < sizeof(head)) {
			n = archive_read_data(a, head + h, sizeof(head) - h);
			if (n < 0)
				goto bad;
			if (n == 0)
				break;
			h += (size_t)n;
		}
		if (!is_exec_magic(head, h) || size > p->lim.keep_exec ||
		    p->content + size > p->lim.max_content)
			goto drop;
		d = arena_alloc(&p->arena, size);
		if (!d)
			goto drop;
		memcpy(d, head, h);
		got = h;
	} else {
		if (p->content + size > p->lim.max_content)
			goto drop;
		d = arena_alloc(&p->arena, size);
		if (!d)
			goto drop;
	}
	while (got < size) {
		n = archive_read_data(a, d + got, size - got);
		if (n < 0)
			goto bad;
		if (n == 0)
			break;
		got += (uint64_t)n;
	}
	if (got != size) {
		*why = "file shorter than its header says";
		return -1;
	}
	p->content += size;
	e->data = d;
	return 0;
drop:
	e->data = NULL;
	return 0;
bad:
	*why = archive_error_string(a);
	if (!*why)
		*why = "read error";
	return -1;
}

/*
 * Parse one layer tar (reader @a, already open) into @l. Errors go into
 * l->err (and are reported only if the manifest uses this member).
 */
static void parse_layer(struct priv *p, struct archive *a, struct layer *l,
			const char *mname)
{
	struct archive_entry *ae;
	char norm[MAX_PATH], lnorm[MAX_PATH], qb[160], msg[600];
	int r;

	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ae), *why, *base;
		const char *hl = archive_entry_hardlink(ae);
		struct lentry e = { 0 };
		mode_t ft = archive_entry_filetype(ae);

		if (!name) {
			snprintf(msg, sizeof(msg), "entry without a name");
			goto err;
		}
		why = norm_name(name, norm, sizeof(norm), false);
		if (why) {
			snprintf(msg, sizeof(msg), "entry `%s': %s (escapes the image root)",
				 q(name, qb, 120), why);
			goto err;
		}
		if (!*norm)
			continue;	/* the root itself */
		base = strrchr(norm, '/');
		base = base ? base + 1 : norm;
		e.mode = archive_entry_perm(ae) & 07777;
		e.uid = (uint32_t)archive_entry_uid(ae);
		e.gid = (uint32_t)archive_entry_gid(ae);
		if (!strncmp(base, ".wh.", 4)) {
			size_t dl = (size_t)(base - norm);

			if (!strcmp(base, ".wh..wh..opq")) {
				e.wh = WH_OPQ;
				e.path = arena_strndup(&p->arena, norm, dl ? dl - 1 : 0);
			} else if (!strncmp(base, ".wh..wh.", 8)) {
				continue;	/* aufs metadata */
			} else {
				const char *t = base + 4;

				if (!*t || !strcmp(t, ".") || !strcmp(t, "..")) {
					snprintf(msg, sizeof(msg),
						 "bad whiteout `%s'", q(name, qb, 120));
					goto err;
				}
				e.wh = WH_FILE;
				e.path = arena_alloc(&p->arena, dl + strlen(t) + 1);
				if (e.path) {
					memcpy(e.path, norm, dl);
					strcpy(e.path + dl, t);
				}
			}
			if (!e.path)
				goto nomem;
			if (layer_push(p, l, &e))
				return;
			archive_read_data_skip(a);
			continue;
		}
		e.path = arena_strndup(&p->arena, norm, strlen(norm));
		if (!e.path)
			goto nomem;
		if (hl) {
			why = norm_name(hl, lnorm, sizeof(lnorm), false);
			if (why || !*lnorm) {
				snprintf(msg, sizeof(msg),
					 "hard link `%s' to `%s': %s", q(name, qb, 80),
					 q(hl, qb + 80, 80), why ? why : "the root");
				goto err;
			}
			e.link = arena_strndup(&p->arena, lnorm, strlen(lnorm));
			if (!e.link)
				goto nomem;
			e.type = 0;
		} else {
			switch (ft) {
			case AE_IFREG:
				e.type = IMG_REG;
				e.size = (uint64_t)archive_entry_size(ae);
				if (read_content(p, a, &e, &why)) {
					snprintf(msg, sizeof(msg), "`%s': %s",
						 q(name, qb, 120), why);
					goto err;
				}
				break;
			case AE_IFDIR:
				e.type = IMG_DIR;
				break;
			case AE_IFLNK: {
				const char *t = archive_entry_symlink(ae);

				if (!t || !*t || strlen(t) >= MAX_PATH) {
					snprintf(msg, sizeof(msg),
						 "symlink `%s' with a bad target",
						 q(name, qb, 120));
					goto err;
				}
				e.type = IMG_LNK;
				e.link = arena_strndup(&p->arena, t, strlen(t));
				if (!e.link)
					goto nomem;
				break;
			}
			case AE_IFCHR:
				e.type = IMG_CHR;
				break;
			case AE_IFBLK:
				e.type = IMG_BLK;
				break;
			case AE_IFIFO:
				e.type = IMG_FIFO;
				break;
			case AE_IFSOCK:
				e.type = IMG_SOCK;
				break;
			default:
				snprintf(msg, sizeof(msg), "`%s': unknown file type",
					 q(name, qb, 120));
				goto err;
			}
		}
		if (e.type != IMG_REG)
			archive_read_data_skip(a);
		if (layer_push(p, l, &e))
			return;
	}
	if (r == ARCHIVE_EOF)
		return;
	snprintf(msg, sizeof(msg), "%s", archive_error_string(a) ?
		 archive_error_string(a) : "corrupt tar");
err:
	if (!l->err) {
		char full[800];

		snprintf(full, sizeof(full), "layer %s: %s", mname, msg);
		l->err = strdup(full);
	}
	return;
nomem:
	fail(p, "out of memory");
}

/* Open a tar reader over @s; @s->from must be positioned on the data. */
static struct archive *open_reader(struct src *s, bool tar_only)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	if (tar_only) {
		archive_read_support_format_tar(a);
		archive_read_support_format_gnutar(a);
	} else {
		archive_read_support_format_raw(a);
		add_filters(a);
	}
	if (archive_read_open(a, s, NULL, src_read, NULL) != ARCHIVE_OK)
		return a;	/* the caller reads the error from it */
	return a;
}

/*
 * Stream the current member of @outer (with @peek already read) as a layer.
 * Fills m->layer and m->raw.
 */
static void stream_layer(struct priv *p, struct archive *outer,
			 struct member *m, const uint8_t *peek, size_t npeek,
			 bool compressed)
{
	struct src s1 = { .from = outer, .push = peek, .pushlen = npeek,
			  .buf = p->buf };
	struct src s2 = { .buf = p->buf2 };
	struct archive *raw = NULL, *tar = NULL;
	struct archive_entry *ae;
	struct layer *l;
	char *e = NULL;

	l = calloc(1, sizeof(*l));
	if (!l) {
		fail(p, "out of memory");
		return;
	}
	m->kind = M_LAYER;
	m->layer = l;
	l->compressed = compressed;
	s1.md = EVP_MD_CTX_new();
	s2.md = EVP_MD_CTX_new();
	if (!s1.md || !s2.md) {
		fail(p, "out of memory");
		goto out;
	}
	EVP_DigestInit_ex(s1.md, EVP_sha256(), NULL);
	EVP_DigestInit_ex(s2.md, EVP_sha256(), NULL);
	if (compressed) {
		raw = open_reader(&s1, false);
		if (!raw || archive_read_next_header(raw, &ae) != ARCHIVE_OK) {
			asprintf(&e, "layer %s: cannot decompress: %s", m->name,
				 raw && archive_error_string(raw) ?
				 archive_error_string(raw) : "unknown error");
			goto out;
		}
		s2.from = raw;
		tar = open_reader(&s2, true);
	} else {
		tar = open_reader(&s1, true);
	}
	if (!tar) {
		fail(p, "out of memory");
		goto out;
	}
	parse_layer(p, tar, l, m->name);
	if (l->err || p->failed)
		goto out;
	if (compressed) {
		if (src_drain(&s2)) {
			asprintf(&e, "layer %s: %s", m->name,
				 archive_error_string(raw) ? archive_error_string(raw)
				 : "corrupt compressed data");
			goto out;
		}
		md_final(s2.md, l->diff);
	}
	if (src_drain(&s1)) {
		asprintf(&e, "layer %s: %s", m->name,
			 archive_error_string(outer) ? archive_error_string(outer)
			 : "truncated archive");
		goto out;
	}
	md_final(s1.md, m->raw);
	if (!compressed)
		memcpy(l->diff, m->raw, sizeof(l->diff));
	m->hashed = true;
	m->len = s1.total;
out:
	if (e && !l->err)
		l->err = e;
	else
		free(e);
	if (tar)
		archive_read_free(tar);
	if (raw)
		archive_read_free(raw);
	EVP_MD_CTX_free(s1.md);
	EVP_MD_CTX_free(s2.md);
}

/* Read the rest of a member into memory (or only hash it when too big). */
static int slurp(struct priv *p, struct archive *a, struct member *m,
		 const uint8_t *peek, size_t npeek)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	size_t cap = npeek + 1, len = npeek;
	uint8_t *d = malloc(cap);
	la_ssize_t n;

	if (!md || !d) {
		EVP_MD_CTX_free(md);
		free(d);
		return fail(p, "out of memory");
	}
	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	EVP_DigestUpdate(md, peek, npeek);
	memcpy(d, peek, npeek);
	for (;;) {
		n = archive_read_data(a, p->buf, BUFSZ);
		if (n < 0) {
			char qb[160];

			EVP_MD_CTX_free(md);
			free(d);
			return fail(p, "archive member `%s': %s", q(m->name, qb, 120),
				    archive_error_string(a));
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, p->buf, (size_t)n);
		if (!m->too_big && len + (size_t)n > p->lim.max_meta) {
			m->too_big = true;
			free(d);
			d = NULL;
		}
		if (!m->too_big) {
			if (len + (size_t)n + 1 > cap) {
				uint8_t *nd;

				cap = 2 * (len + (size_t)n + 1);
				nd = realloc(d, cap);
				if (!nd) {
					EVP_MD_CTX_free(md);
					free(d);
					return fail(p, "out of memory");
				}
				d = nd;
			}
			memcpy(d + len, p->buf, (size_t)n);
		}
		len += (size_t)n;
	}
	md_final(md, m->raw);
	EVP_MD_CTX_free(md);
	m->hashed = true;
	m->len = len;
	if (d)
		d[len] = '\0';
	m->data = d;
	return 0;
}

static struct member *find_member(struct priv *p, const char *name)
{
	size_t i, hops;

	for (hops = 0; hops < 8; hops++) {
		struct member *m = NULL;

		for (i = 0; i < p->nm; i++)
			if (!strcmp(p->m[i].name, name)) {
				m = &p->m[i];
				break;
			}
		if (!m || m->kind != M_ALIAS)
			return m;
		name = m->target;
	}
	return NULL;
}

static int read_members(struct priv *p, struct archive *a)
{
	struct archive_entry *ae;
	uint8_t peek[PEEKSZ];
	char norm[MAX_PATH], qb[160];
	int r;

	while ((r = archive_read_next_header(a, &ae)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(ae), *why;
		mode_t ft = archive_entry_filetype(ae);
		struct member *m;
		size_t npeek = 0;
		la_ssize_t n;

		if (!name)
			return fail(p, "archive member without a name");
		why = norm_name(name, norm, sizeof(norm), false);
		if (why)
			return fail(p, "archive member `%s': %s", q(name, qb, 120), why);
		if (ft == AE_IFDIR || !*norm)
			continue;
		if (p->nm >= p->lim.max_entries)
			return fail(p, "too many archive members");
		if (p->nm == p->capm) {
			size_t cap = p->capm ? 2 * p->capm : 32;
			struct member *nm = realloc(p->m, cap * sizeof(*nm));

			if (!nm)
				return fail(p, "out of memory");
			p->m = nm;
			p->capm = cap;
		}
		m = &p->m[p->nm];
		memset(m, 0, sizeof(*m));
		m->name = strdup(norm);
		if (!m->name)
			return fail(p, "out of memory");
		p->nm++;
		if (ft == AE_IFLNK || archive_entry_hardlink(ae)) {
			const char *t = archive_entry_hardlink(ae);
			char joined[2 * MAX_PATH + 2];

			if (t) {
				snprintf(joined, sizeof(joined), "%s", t);
			} else {
				const char *slash = strrchr(norm, '/');

				t = archive_entry_symlink(ae);
				if (!t)
					return fail(p, "archive member `%s': bad link", m->name);
				snprintf(joined, sizeof(joined), "%.*s%s%s",
					 slash ? (int)(slash - norm) : 0, norm,
					 slash ? "/" : "", t);
			}
			/* Resolve ".." inside the archive, never above it. */
			{
				char out[MAX_PATH], *parts[1024];
				size_t np = 0, o = 0, k;
				char *tok, *save = NULL;

				if (joined[0] == '/')
					return fail(p, "archive member `%s': link leaves the archive",
						    m->name);
				for (tok = strtok_r(joined, "/", &save); tok;
				     tok = strtok_r(NULL, "/", &save)) {
					if (!strcmp(tok, "."))
						continue;
					if (!strcmp(tok, "..")) {
						if (!np)
							return fail(p, "archive member `%s': link leaves the archive",
								    m->name);
						np--;
						continue;
					}
					if (np == 1024)
						return fail(p, "archive member `%s': bad link", m->name);
					parts[np++] = tok;
				}
				out[0] = '\0';
				for (k = 0; k < np; k++) {
					size_t l = strlen(parts[k]);

					if (o + l + 2 > sizeof(out))
						return fail(p, "archive member `%s': bad link", m->name);
					if (o)
						out[o++] = '/';
					memcpy(out + o, parts[k], l);
					o += l;
					out[o] = '\0';
				}
				m->kind = M_ALIAS;
				m->target = strdup(out);
				if (!m->target)
					return fail(p, "out of memory");
			}
			continue;
		}
		if (ft != AE_IFREG) {
			m->kind = M_DATA;
			continue;
		}
		while (npeek < PEEKSZ) {
			n = archive_read_data(a, peek + npeek, PEEKSZ - npeek);
			if (n < 0)
				return fail(p, "archive member `%s': %s", m->name,
					    archive_error_string(a));
			if (n == 0)
				break;
			npeek += (size_t)n;
		}
		switch (classify(peek, npeek)) {
		case P_TAR:
			stream_layer(p, a, m, peek, npeek, false);
			break;
		case P_COMPRESSED:
			stream_layer(p, a, m, peek, npeek, true);
			break;
		default:
			m->kind = M_DATA;
			if (slurp(p, a, m, peek, npeek))
				return -1;
		}
		if (p->failed)
			return -1;
	}
	if (r != ARCHIVE_EOF)
		return fail(p, "archive is truncated or corrupt: %s",
			    archive_error_string(a) ? archive_error_string(a) :
			    "unknown error");
	return 0;
}

/* ------------------------------------------------------------ manifests */

static json_t *member_json(struct priv *p, struct member *m, const char *what)
{
	json_error_t je;
	json_t *j;

	if (m->kind != M_DATA || m->too_big || !m->data)
		return fail(p, "%s `%s' is not a JSON document%s", what, m->name,
			    m->too_big ? " (too large)" : ""), NULL;
	j = json_loadb((const char *)m->data, m->len, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		fail(p, "%s `%s': bad JSON at line %d column %d: %s", what,
		     m->name, je.line, je.column, je.text);
	return j;
}

/* "sha256:<64 hex>" -> member "blobs/sha256/<hex>". */
static struct member *blob_member(struct priv *p, const char *digest,
				   const char *what)
{
	char name[128];
	const char *h;
	size_t i;

	if (!digest || strncmp(digest, "sha256:", 7))
		return fail(p, "%s: unsupported or missing digest `%s'", what,
			    digest ? digest : "(none)"), NULL;
	h = digest + 7;
	for (i = 0; h[i]; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f')))
			break;
	if (i != 64 || h[i])
		return fail(p, "%s: malformed digest `%.80s'", what, digest), NULL;
	snprintf(name, sizeof(name), "blobs/sha256/%s", h);
	return find_member(p, name);
}

/* A member named "<hex>.json" or "blobs/sha256/<hex>" must hash to <hex>. */
static int check_named_digest(struct priv *p, const struct member *m,
			      const char *what)
{
	const char *base = strrchr(m->name, '/');
	char want[65];
	size_t i;

	base = base ? base + 1 : m->name;
	for (i = 0; i < 64 && ((base[i] >= '0' && base[i] <= '9') ||
			       (base[i] >= 'a' && base[i] <= 'f')); i++)
		;
	if (i != 64 || (base[64] && strcmp(base + 64, ".json")))
		return 0;
	memcpy(want, base, 64);
	want[64] = '\0';
	if (!m->hashed)
		return fail(p, "%s `%s' could not be read whole", what, m->name);
	if (strcmp(want, m->raw))
		return fail(p, "digest mismatch: %s `%s' hashes to sha256:%s",
			    what, m->name, m->raw);
	return 0;
}

/*
 * The member manifest.json names as @what ("config", "layer"), present and,
 * where its name is a digest, hashing to it (@digest_what in the message).
 */
static struct member *manifest_member(struct priv *p, const char *norm,
				      const char *what, const char *digest_what)
{
	struct member *m = find_member(p, norm);

	if (!m) {
		fail(p, "manifest.json names %s `%s' which is not in the archive",
		     what, norm);
		return NULL;
	}
	return check_named_digest(p, m, digest_what) ? NULL : m;
}

static char **json_strv(struct priv *p, json_t *v, const char *field, bool *bad)
{
	size_t i, n;
	char **out;

	*bad = false;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_array(v) || json_array_size(v) > 100000) {
		*bad = true;
		fail(p, "image config: %s is not an array of strings", field);
		return NULL;
	}
	n = json_array_size(v);
	out = calloc(n + 1, sizeof(*out));
	if (!out) {
		*bad = true;
		fail(p, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		json_t *s = json_array_get(v, i);

		if (!json_is_string(s)) {
			*bad = true;
			fail(p, "image config: %s[%zu] is not a string", field, i);
			break;
		}
		out[i] = strdup(json_string_value(s));
	}
	return out;
}

static char **json_keys(struct priv *p, json_t *v, const char *field, bool *bad)
{
	const char *k;
	json_t *x;
	size_t i = 0;
	char **out;

	*bad = false;
	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_object(v) || json_object_size(v) > 100000) {
		*bad = true;
		fail(p, "image config: %s is not an object", field);
		return NULL;
	}
	out = calloc(json_object_size(v) + 1, sizeof(*out));
	if (!out) {
		*bad = true;
		fail(p, "out of memory");
		return NULL;
	}
	json_object_foreach(v, k, x)
		out[i++] = strdup(k);
	return out;
}

static char *json_str(struct priv *p, json_t *o, const char *key, bool *bad)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return NULL;
	if (!json_is_string(v)) {
		*bad = true;
		fail(p, "image config: %s is not a string", key);
		return NULL;
	}
	return *json_string_value(v) ? strdup(json_string_value(v)) : NULL;
}

static int parse_config(struct image *img, struct member *cm,
			json_t **diff_ids)
{
	struct priv *p = img->priv;
	struct img_config *c = &img->cfg;
	json_t *j = member_json(p, cm, "image config"), *cfg, *rootfs;
	bool bad = false, b2;

	if (!j)
		return -1;
	if (!json_is_object(j)) {
		json_decref(j);
		return fail(p, "image config `%s' is not a JSON object", cm->name);
	}
	cfg = json_object_get(j, "config");
	if (cfg && !json_is_null(cfg)) {
		if (!json_is_object(cfg)) {
			json_decref(j);
			return fail(p, "image config: \"config\" is not an object");
		}
		c->entrypoint = json_strv(p, json_object_get(cfg, "Entrypoint"),
					  "Entrypoint", &b2);
		bad |= b2;
		c->cmd = json_strv(p, json_object_get(cfg, "Cmd"), "Cmd", &b2);
		bad |= b2;
		c->env = json_strv(p, json_object_get(cfg, "Env"), "Env", &b2);
		bad |= b2;
		c->volumes = json_keys(p, json_object_get(cfg, "Volumes"),
				       "Volumes", &b2);
		bad |= b2;
		c->ports = json_keys(p, json_object_get(cfg, "ExposedPorts"),
				     "ExposedPorts", &b2);
		bad |= b2;
		c->workdir = json_str(p, cfg, "WorkingDir", &bad);
		c->user = json_str(p, cfg, "User", &bad);
		c->stopsignal = json_str(p, cfg, "StopSignal", &bad);
	}
	if (bad) {
		json_decref(j);
		return -1;
	}
	rootfs = json_object_get(j, "rootfs");
	*diff_ids = rootfs ? json_object_get(rootfs, "diff_ids") : NULL;
	if (!*diff_ids || !json_is_array(*diff_ids)) {
		json_decref(j);
		return fail(p, "image config `%s' has no rootfs.diff_ids", cm->name);
	}
	json_incref(*diff_ids);
	json_decref(j);
	return 0;
}

static int layer_apply_checked(struct image *img, struct member *lm,
			       const char *lname, json_t *diff_ids, size_t i,
			       const char *want_digest)
{
	struct priv *p = img->priv;
	json_t *d = json_array_get(diff_ids, i);
	static struct layer empty;
	const struct layer *l;
	const char *ds;

	if (lm->kind == M_DATA && lm->len == 0 && lm->hashed) {
		l = &empty;	/* a zero-length member: an empty layer */
		strcpy(empty.diff,
		       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	} else if (lm->kind != M_LAYER) {
		return fail(p, "layer `%s' is not a tar archive%s", lname,
			    lm->too_big ? "" : " (nor a compressed one)");
	} else {
		l = lm->layer;
	}
	if (l->err)
		return fail(p, "%s", l->err);
	if (!lm->hashed)
		return fail(p, "layer `%s' could not be read whole", lname);
	if (want_digest && (strncmp(want_digest, "sha256:", 7) ||
			    strcmp(want_digest + 7, lm->raw)))
		return fail(p, "digest mismatch: layer `%s' hashes to sha256:%s, "
			    "the manifest says %s", lname, lm->raw, want_digest);
	ds = json_string_value(d);
	if (!ds)
		return fail(p, "image config: rootfs.diff_ids[%zu] is not a string", i);
	if (strncmp(ds, "sha256:", 7) || strcmp(ds + 7, l->diff))
		return fail(p, "digest mismatch: layer %zu (`%s') unpacks to "
			    "sha256:%s, the config's diff_ids[%zu] says %.80s",
			    i, lname, l->diff, i, ds);
	if (apply_layer(img, l, (uint8_t)(i > 255 ? 255 : i), lname))
		return -1;
	img->nlayers++;
	return 0;
}

static bool tag_matches(const char *have, const char *want)
{
	size_t wl = strlen(want);

	if (!strcmp(have, want))
		return true;
	/* "name" means "name:latest"; "docker.io/library/x" is "x". */
	if (!strchr(want + (strrchr(want, '/') ? strrchr(want, '/') - want : 0), ':') &&
	    !strncmp(have, want, wl) && !strcmp(have + wl, ":latest"))
		return true;
	if (!strncmp(have, "docker.io/library/", 18))
		return tag_matches(have + 18, want);
	return false;
}

static int load_docker(struct image *img, struct member *mm, const char *want)
{
	struct priv *p = img->priv;
	json_t *j = member_json(p, mm, "manifest"), *e = NULL, *layers, *diff_ids = NULL;
	struct member *cm;
	size_t i, k;
	int ret = -1;

	if (!j)
		return -1;
	if (!json_is_array(j) || !json_array_size(j)) {
		fail(p, "manifest.json is not a non-empty array");
		goto out;
	}
	for (i = 0; i < json_array_size(j); i++) {
		json_t *x = json_array_get(j, i), *tags = json_object_get(x, "RepoTags");

		if (!want) {
			e = x;
			break;
		}
		for (k = 0; json_is_array(tags) && k < json_array_size(tags); k++) {
			const char *t = json_string_value(json_array_get(tags, k));

			if (t && tag_matches(t, want)) {
				e = x;
				img->name = strdup(t);
				break;
			}
		}
		if (e)
			break;
	}
	if (!want && json_array_size(j) > 1) {
		char list[512] = "";

		for (i = 0; i < json_array_size(j); i++) {
			json_t *tags = json_object_get(json_array_get(j, i), "RepoTags");
			const char *t = json_string_value(json_array_get(tags, 0));

			snprintf(list + strlen(list), sizeof(list) - strlen(list),
				 "%s%s", i ? ", " : "", t ? t : "(untagged)");
		}
		fail(p, "the archive holds %zu images (%s): choose one with --image",
		     json_array_size(j), list);
		goto out;
	}
	if (!e) {
		fail(p, "no image tagged `%s' in manifest.json", want);
		goto out;
	}
	if (!json_is_object(e)) {
		fail(p, "manifest.json: entry is not an object");
		goto out;
	}
	if (!img->name) {
		json_t *tags = json_object_get(e, "RepoTags");
		const char *t = json_string_value(json_array_get(tags, 0));

		if (t)
			img->name = strdup(t);
	}
	{
		const char *cn = json_string_value(json_object_get(e, "Config"));
		char norm[MAX_PATH];

		if (!cn || norm_name(cn, norm, sizeof(norm), false)) {
			fail(p, "manifest.json: missing or bad Config");
			goto out;
		}
		cm = manifest_member(p, norm, "config", "image config");
		if (!cm)
			goto out;
		if (parse_config(img, cm, &diff_ids))
			goto out;
		if (!cm->hashed) {
			fail(p, "image config unreadable");
			goto out;
		}
		if (asprintf(&img->digest, "sha256:%s", cm->raw) < 0)
			img->digest = NULL;
	}
	layers = json_object_get(e, "Layers");
	if (!json_is_array(layers)) {
		fail(p, "manifest.json: Layers is not an array");
		goto out;
	}
	if (json_array_size(layers) > p->lim.max_layers) {
		fail(p, "manifest.json: %zu layers, more than %llu",
		     json_array_size(layers), (unsigned long long)p->lim.max_layers);
		goto out;
	}
	if (json_array_size(layers) != json_array_size(diff_ids)) {
		fail(p, "manifest.json lists %zu layers but the config %zu diff_ids",
		     json_array_size(layers), json_array_size(diff_ids));
		goto out;
	}
	for (i = 0; i < json_array_size(layers); i++) {
		const char *ln = json_string_value(json_array_get(layers, i));
		char norm[MAX_PATH];
		struct member *lm;

		if (!ln || norm_name(ln, norm, sizeof(norm), false)) {
			fail(p, "manifest.json: bad layer name at index %zu", i);
			goto out;
		}
		lm = manifest_member(p, norm, "layer", "layer");
		if (!lm)
			goto out;
		if (layer_apply_checked(img, lm, norm, diff_ids, i, NULL))
			goto out;
	}
	ret = 0;
out:
	json_decref(diff_ids);
	json_decref(j);
	return ret;
}

static const char *host_arch(void)
{
	struct utsname u;
	static char buf[80];

	if (uname(&u))
		return "amd64";
	if (!strcmp(u.machine, "x86_64"))
		return "amd64";
	if (!strcmp(u.machine, "aarch64"))
		return "arm64";
	snprintf(buf, sizeof(buf), "%s", u.machine);
	return buf;
}

static bool is_index_type(const char *mt)
{
	return mt && (!strcmp(mt, "application/vnd.oci.image.index.v1+json") ||
		      !strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json"));
}

static int check_desc(struct priv *p, json_t *d, struct member *m,
		      const char *what)
{
	json_t *sz = json_object_get(d, "size");

	if (check_named_digest(p, m, what))
		return -1;
	if (json_is_integer(sz) && m->hashed &&
	    (uint64_t)json_integer_value(sz) != m->len)
		return fail(p, "%s `%s' is %zu bytes, its descriptor says %lld",
			    what, m->name, m->len, (long long)json_integer_value(sz));
	return 0;
}

static int load_oci_manifest(struct image *img, json_t *desc)
{
	struct priv *p = img->priv;
	const char *dg = json_string_value(json_object_get(desc, "digest"));
	struct member *mm = blob_member(p, dg, "manifest"), *cm;
	json_t *j, *cd, *layers, *diff_ids = NULL;
	size_t i;
	int ret = -1;

	if (!mm)
		return p->failed ? -1 :
		       fail(p, "manifest blob %s is not in the archive", dg);
	if (check_desc(p, desc, mm, "manifest"))
		return -1;
	j = member_json(p, mm, "manifest");
	if (!j)
		return -1;
	cd = json_object_get(j, "config");
	if (!json_is_object(cd)) {
		fail(p, "manifest %s has no config descriptor", dg);
		goto out;
	}
	cm = blob_member(p, json_string_value(json_object_get(cd, "digest")),
			 "image config");
	if (!cm) {
		if (!p->failed)
			fail(p, "image config blob %s is not in the archive",
			     json_string_value(json_object_get(cd, "digest")));
		goto out;
	}
	if (check_desc(p, cd, cm, "image config") ||
	    parse_config(img, cm, &diff_ids))
		goto out;
	if (asprintf(&img->digest, "sha256:%s", cm->raw) < 0)
		img->digest = NULL;
	layers = json_object_get(j, "layers");
	if (!json_is_array(layers)) {
		fail(p, "manifest %s: layers is not an array", dg);
		goto out;
	}
	if (json_array_size(layers) > p->lim.max_layers) {
		fail(p, "manifest %s: %zu layers, more than %llu", dg,
		     json_array_size(layers), (unsigned long long)p->lim.max_layers);
		goto out;
	}
	if (json_array_size(layers) != json_array_size(diff_ids)) {
		fail(p, "manifest lists %zu layers but the config %zu diff_ids",
		     json_array_size(layers), json_array_size(diff_ids));
		goto out;
	}
	for (i = 0; i < json_array_size(layers); i++) {
		json_t *ld = json_array_get(layers, i);
		const char *ldg = json_string_value(json_object_get(ld, "digest"));
		struct member *lm = blob_member(p, ldg, "layer");

		if (!lm) {
			if (!p->failed)
				fail(p, "layer blob %s is not in the archive%s", ldg,
				     strstr(json_string_value(json_object_get(ld, "mediaType")) ?: "",
					    "nondistributable") ? " (non-distributable layer)" : "");
			goto out;
		}
		if (check_desc(p, ld, lm, "layer") ||
		    layer_apply_checked(img, lm, lm->name, diff_ids, i, ldg))
			goto out;
	}
	ret = 0;
out:
	json_decref(diff_ids);
	json_decref(j);
	return ret;
}

static const char *desc_name(json_t *d)
{
	json_t *a = json_object_get(d, "annotations");
	const char *n = json_string_value(json_object_get(a, "io.containerd.image.name"));

	return n ? n : json_string_value(json_object_get(a, "org.opencontainers.image.ref.name"));
}

static int load_oci_index(struct image *img, json_t *idx, const char *want,
			  int depth)
{
	struct priv *p = img->priv;
	json_t *ms = json_object_get(idx, "manifests"), *pick = NULL;
	const char *arch = host_arch();
	size_t i, n;

	if (depth > MAX_INDEX_DEPTH)
		return fail(p, "image indexes nested too deep");
	if (!json_is_array(ms) || !(n = json_array_size(ms)))
		return fail(p, "image index has no manifests");
	for (i = 0; i < n; i++) {
		json_t *d = json_array_get(ms, i), *plat = json_object_get(d, "platform");
		const char *nm = desc_name(d);
		const char *a = json_string_value(json_object_get(plat, "architecture"));
		const char *os = json_string_value(json_object_get(plat, "os"));

		if (depth == 0 && want) {
			const char *ref = json_string_value(json_object_get(
				json_object_get(d, "annotations"),
				"org.opencontainers.image.ref.name"));
			const char *colon = strrchr(want, ':');

			if ((nm && tag_matches(nm, want)) ||
			    (ref && colon && !strcmp(ref, colon + 1))) {
				pick = d;
				break;
			}
			continue;
		}
		if (plat && ((a && strcmp(a, arch)) || (os && strcmp(os, "linux"))))
			continue;
		if (pick && depth == 0)
			return fail(p, "the archive holds several images: choose one with --image");
		if (!pick)
			pick = d;
	}
	if (!pick)
		return want && depth == 0 ?
			fail(p, "no image named `%s' in index.json", want) :
			fail(p, "no manifest for linux/%s in the image index", arch);
	if (depth == 0 && !img->name && desc_name(pick))
		img->name = strdup(desc_name(pick));
	if (is_index_type(json_string_value(json_object_get(pick, "mediaType")))) {
		const char *dg = json_string_value(json_object_get(pick, "digest"));
		struct member *m = blob_member(p, dg, "image index");
		json_t *j;
		int ret;

		if (!m)
			return p->failed ? -1 :
			       fail(p, "image index blob %s is not in the archive", dg);
		if (check_desc(p, pick, m, "image index"))
			return -1;
		j = member_json(p, m, "image index");
		if (!j)
			return -1;
		ret = load_oci_index(img, j, want, depth + 1);
		json_decref(j);
		return ret;
	}
	return load_oci_manifest(img, pick);
}

/* ------------------------------------------------------------ open */

static void cfg_free(struct img_config *c)
{
	char ***v[] = { &c->entrypoint, &c->cmd, &c->env, &c->volumes, &c->ports };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char **s = *v[i];

		for (; s && *s; s++)
			free(*s);
		free(*v[i]);
	}
	free(c->workdir);
	free(c->user);
	free(c->stopsignal);
}

static void members_free(struct priv *p)
{
	size_t i;

	for (i = 0; i < p->nm; i++) {
		struct member *m = &p->m[i];

		free(m->name);
		free(m->data);
		free(m->target);
		if (m->layer) {
			free(m->layer->e);
			free(m->layer->err);
			free(m->layer);
		}
	}
	free(p->m);
	p->m = NULL;
	p->nm = p->capm = 0;
}

void img_free(struct image *img)
{
	struct priv *p;

	if (!img)
		return;
	p = img->priv;
	cfg_free(&img->cfg);
	free(img->name);
	free(img->digest);
	if (p) {
		members_free(p);
		free(p->ht);
		free(p->buf);
		free(p->buf2);
		arena_free(&p->arena);
		free(p);
	}
	free(img);
}

static struct image *do_open(struct archive *a, bool opened, const char *want,
			     const struct img_limits *lim, char *err,
			     size_t errlen)
{
	struct image *img = calloc(1, sizeof(*img));
	struct priv *p = calloc(1, sizeof(*p));
	struct member *mm;
	struct timespec ts;

	if (!img || !p || !(p->buf = malloc(BUFSZ)) || !(p->buf2 = malloc(BUFSZ))) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	img->priv = p;
	p->err = err;
	p->errlen = errlen;
	if (lim)
		p->lim = *lim;
	else
		img_limits_default(&p->lim);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	p->seed = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	p->htmask = 1023;
	p->ht = calloc(p->htmask + 1, sizeof(*p->ht));
	img->root = arena_alloc(&p->arena, sizeof(*img->root));
	if (!p->ht || !img->root) {
		snprintf(err, errlen, "out of memory");
		goto bad;
	}
	memset(img->root, 0, sizeof(*img->root));
	img->root->parent = img->root;
	img->root->name = "";
	img->root->type = IMG_DIR;
	img->root->mode = 0755;
	img->nodes = 1;
	if (!opened) {
		fail(p, "cannot open the archive: %s", archive_error_string(a) ?
		     archive_error_string(a) : "unknown error");
		goto bad;
	}
	if (read_members(p, a))
		goto bad;
	archive_read_free(a);
	a = NULL;

	mm = find_member(p, "manifest.json");
	if (mm) {
		img->format = find_member(p, "index.json") ?
			"docker save (OCI layout)" : "docker save";
		if (load_docker(img, mm, want))
			goto bad;
	} else if ((mm = find_member(p, "index.json"))) {
		json_t *j = member_json(p, mm, "index");
		int r;

		img->format = "OCI image layout";
		if (!j)
			goto bad;
		r = json_is_object(j) ? load_oci_index(img, j, want, 0) :
			fail(p, "index.json is not a JSON object");
		json_decref(j);
		if (r)
			goto bad;
	} else {
		fail(p, "not an image archive: neither manifest.json nor index.json "
		     "(%zu members)", p->nm);
		goto bad;
	}
	img->dropped = 0;
	members_free(p);
	{
		/* Count files whose content was not kept. */
		struct img_node *n = img->root;

		while (n) {
			if (n->type == IMG_REG && !n->data)
				img->dropped++;
			if (n->child) {
				n = n->child;
				continue;
			}
			while (n != img->root && !n->next)
				n = n->parent;
			n = n == img->root ? NULL : n->next;
		}
	}
	return img;
bad:
	if (a)
		archive_read_free(a);
	img_free(img);
	return NULL;
}

static struct archive *outer_reader(void)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	add_filters(a);
	return a;
}

struct image *img_open(const char *path, const char *want,
		       const struct img_limits *limits, char *err, size_t errlen)
{
	struct archive *a = outer_reader();
	int r;

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!strcmp(path, "-"))
		r = archive_read_open_fd(a, 0, BUFSZ);
	else
		r = archive_read_open_filename(a, path, BUFSZ);
	return do_open(a, r == ARCHIVE_OK, want, limits, err, errlen);
}

struct image *img_open_memory(const void *buf, size_t len, const char *want,
			      const struct img_limits *limits, char *err,
			      size_t errlen)
{
	struct archive *a = outer_reader();
	int r;

	if (!a) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r = archive_read_open_memory(a, buf, len);
	return do_open(a, r == ARCHIVE_OK, want, limits, err, errlen);
}

/* ------------------------------------------------------------ queries */

const char *img_getenv(const struct image *img, const char *name)
{
	size_t n = strlen(name);
	char **e;

	for (e = img->cfg.env; e && *e; e++)
		if (!strncmp(*e, name, n) && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

struct img_node *img_resolve(const struct image *img, const struct img_node *cwd,
			     const char *path, unsigned int flags,
			     struct img_res *res)
{
	char buf[2][2 * MAX_PATH + 2];
	int cur_buf = 0;
	const char *s;
	struct img_node *cur;
	unsigned int hops = 0;

	memset(res, 0, sizeof(*res));
	if (strlen(path) >= MAX_PATH) {
		res->err = ENAMETOOLONG;
		return NULL;
	}
	strcpy(buf[0], path);
	s = buf[0];
	cur = (path[0] == '/' || !cwd) ? img->root : (struct img_node *)cwd;
	for (;;) {
		const char *c, *end;
		struct img_node *ch;
		size_t len;
		bool last;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		c = s;
		end = strchr(c, '/');
		if (!end)
			end = c + strlen(c);
		len = (size_t)(end - c);
		s = end;
		while (*s == '/')
			s++;
		last = !*s;
		if (len == 1 && c[0] == '.')
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			cur = cur->parent;
			continue;
		}
		if (cur->type != IMG_DIR) {
			res->err = ENOTDIR;
			return NULL;
		}
		ch = img_child(img, cur, c, len);
		if (!ch) {
			res->err = ENOENT;
			if (last && len < sizeof(res->last)) {
				res->parent = cur;
				memcpy(res->last, c, len);
				res->last[len] = '\0';
			}
			return NULL;
		}
		if (ch->type == IMG_LNK && (!last || !(flags & IMG_NOFOLLOW))) {
			size_t tl = strlen(ch->link), rl = strlen(s);
			char *nb = buf[!cur_buf];

			if (++hops > MAX_HOPS) {
				res->err = ELOOP;
				return NULL;
			}
			if (tl + rl + 2 > sizeof(buf[0])) {
				res->err = ENAMETOOLONG;
				return NULL;
			}
			memcpy(nb, ch->link, tl);
			nb[tl] = '/';
			memcpy(nb + tl + 1, s, rl + 1);
			cur_buf = !cur_buf;
			s = nb;
			if (ch->link[0] == '/')
				cur = img->root;
			continue;
		}
		cur = ch;
		if (!last && cur->type != IMG_DIR && cur->type != IMG_LNK) {
			res->err = ENOTDIR;
			return NULL;
		}
	}
	res->node = cur;
	return cur;
}

char *img_path(const struct img_node *n, char *buf, size_t len)
{
	size_t o = len - 1;

	buf[o] = '\0';
	if (n->parent == n) {
		if (len >= 2) {
			buf[0] = '/';
			buf[1] = '\0';
		}
		return buf;
	}
	for (; n->parent != n; n = n->parent) {
		if (o < n->namelen + 1) {
			buf[0] = '\0';
			return buf;
		}
		o -= n->namelen;
		memcpy(buf + o, n->name, n->namelen);
		buf[--o] = '/';
	}
	memmove(buf, buf + o, len - o);
	return buf;
}

uint64_t img_count_files(const struct img_node *top)
{
	const struct img_node *n = top;
	uint64_t c = 0;

	while (n) {
		if (n->type != IMG_DIR)
			c++;
		if (n->type == IMG_DIR && n->child) {
			n = n->child;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
	return c;
}

int img_walk(struct img_node *top, int (*fn)(struct img_node *, void *),
	     void *arg)
{
	struct img_node *n = top;
	int r;

	while (n) {
		r = fn(n, arg);
		if (r)
			return r;
		if (n->type == IMG_DIR && n->child) {
			n = n->child;
			continue;
		}
		while (n != top && !n->next)
			n = n->parent;
		n = n == top ? NULL : n->next;
	}
	return 0;
}
