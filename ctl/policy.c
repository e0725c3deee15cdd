// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The policy model and its text and binary forms (see policy.h). */
#include <ctype.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"

/* The program name for messages; main() sets it from argv[0]. */
const char *prog = "fguardctl";

static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void fg_policy_init(struct fg_policy *p)
{
	memset(p, 0, sizeof(*p));
}

void fg_policy_free(struct fg_policy *p)
{
	size_t i;

	for (i = 0; i < p->nrules; i++) {
		free(p->rules[i].path);
		free(p->rules[i].reason);
	}
	free(p->rules);
	free(p->idx);
	free(p->image);
	free(p->digest);
	free(p->entrypoint);
	fg_policy_init(p);
}

const char *fg_perms_str(unsigned int perms, char *buf)
{
	char *b = buf;

	if (perms & FGUARD_PERM_READ)
		*b++ = 'r';
	if (perms & FGUARD_PERM_WRITE)
		*b++ = 'w';
	if (perms & FGUARD_PERM_EXEC)
		*b++ = 'x';
	*b = '\0';
	return buf;
}

int fg_perms_parse(const char *s, size_t len)
{
	int perms = 0, bit;
	size_t i;

	if (!len)
		return -1;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case 'r':
			bit = FGUARD_PERM_READ;
			break;
		case 'w':
			bit = FGUARD_PERM_WRITE;
			break;
		case 'x':
			bit = FGUARD_PERM_EXEC;
			break;
		default:
			return -1;
		}
		if (perms & bit)
			return -1;
		perms |= bit;
	}
	return perms;
}

//
// Canonicalise an absolute pattern into (path, kind). Collapses "//" and
// "/./"; refuses "..", relative paths, NUL and newline, and any '*' other
// than a final "/*" or "/**".
static int split_pattern(const char *pattern, char **path, uint8_t *kind,
			 const char **why)
{
	size_t len = strlen(pattern), o = 0, i, start;
	char *out;

	*kind = FGUARD_KIND_EXACT;
	if (!len || pattern[0] != '/') {
		*why = "pattern is not an absolute path";
		return -EINVAL;
	}
	if (len >= 3 && !strcmp(pattern + len - 3, "/**")) {
		*kind = FGUARD_KIND_TREE;
		len -= 3;
	} else if (len >= 2 && !strcmp(pattern + len - 2, "/*")) {
		*kind = FGUARD_KIND_CHILDREN;
		len -= 2;
	}
	if (len >= FGUARD_POL_PATH_MAX) {
		*why = "path longer than PATH_MAX";
		return -EINVAL;
	}
	out = malloc(len + 2);
	if (!out)
		return -ENOMEM;
	out[o++] = '/';
	for (i = 0; i < len;) {
		while (i < len && pattern[i] == '/')
			i++;
		start = i;
		while (i < len && pattern[i] != '/')
			i++;
		if (i == start)
			break;
		if (i - start == 1 && pattern[start] == '.')
			continue;
		if (i - start == 2 && pattern[start] == '.' &&
		    pattern[start + 1] == '.') {
			free(out);
			*why = "'..' is not allowed in a pattern";
			return -EINVAL;
		}
		if (memchr(pattern + start, '*', i - start)) {
			free(out);
			*why = "'*' is only allowed as a final \"/*\" or \"/**\"";
			return -EINVAL;
		}
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, pattern + start, i - start);
		o += i - start;
	}
	out[o] = '\0';
	if (strpbrk(out, "\n\r")) {
		free(out);
		*why = "control character in pattern";
		return -EINVAL;
	}
	*path = out;
	return 0;
}

//
// Pattern index: open addressing over rule positions + 1, FNV-1a of
// (kind, path). Userspace only; the kernel's table uses a keyed hash.
static uint64_t fnv(const char *s, uint8_t kind)
{
	uint64_t h = 1469598103934665603ull ^ kind;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int reindex(struct fg_policy *p)
{
	size_t cap = p->idx_cap ? p->idx_cap : 256, i;

	while (cap < 2 * (p->nrules + 1))
		cap *= 2;
	free(p->idx);
	p->idx = calloc(cap, sizeof(*p->idx));
	if (!p->idx) {
		p->idx_cap = 0;
		return -ENOMEM;
	}
	p->idx_cap = cap;
	for (i = 0; i < p->nrules; i++) {
		size_t j = fnv(p->rules[i].path, p->rules[i].kind) & (cap - 1);

		while (p->idx[j])
			j = (j + 1) & (cap - 1);
		p->idx[j] = i + 1;
	}
	return 0;
}

static struct fg_rule *find(const struct fg_policy *p, const char *path,
			    uint8_t kind)
{
	size_t j;

	if (!p->idx_cap)
		return NULL;
	for (j = fnv(path, kind) & (p->idx_cap - 1); p->idx[j];
	     j = (j + 1) & (p->idx_cap - 1)) {
		struct fg_rule *r = &p->rules[p->idx[j] - 1];

		if (r->kind == kind && !strcmp(r->path, path))
			return r;
	}
	return NULL;
}

struct fg_rule *fg_policy_find(const struct fg_policy *p, const char *pattern)
{
	struct fg_rule *r;
	const char *why;
	uint8_t kind;
	char *path;

	if (split_pattern(pattern, &path, &kind, &why))
		return NULL;
	r = find(p, path, kind);
	free(path);
	return r;
}

static int add(struct fg_policy *p, const char *pattern, unsigned int perms,
	       const char *reason, unsigned int line, bool merge,
	       const char **why, unsigned int *dupline)
{
	struct fg_rule *r;
	uint8_t kind;
	char *path;
	int err;

	if (!perms || (perms & ~__FGUARD_PERM_ALL)) {
		*why = "bad permissions";
		return -EINVAL;
	}
	err = split_pattern(pattern, &path, &kind, why);
	if (err)
		return err;
	r = find(p, path, kind);
	if (r) {
		if (!merge) {
			*dupline = r->line;
			*why = "duplicate pattern";
			free(path);
			return -EEXIST;
		}
		r->perms |= perms;
		if (!r->reason && reason)
			r->reason = strdup(reason);
		free(path);
		return 0;
	}
	if (p->nrules == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 64;
		struct fg_rule *n = realloc(p->rules, cap * sizeof(*n));

		if (!n) {
			free(path);
			return -ENOMEM;
		}
		p->rules = n;
		p->cap = cap;
	}
	if (2 * (p->nrules + 1) > p->idx_cap && reindex(p)) {
		free(path);
		return -ENOMEM;
	}
	r = &p->rules[p->nrules++];
	{
		size_t j = fnv(path, kind) & (p->idx_cap - 1);

		while (p->idx[j])
			j = (j + 1) & (p->idx_cap - 1);
		p->idx[j] = p->nrules;
	}
	r->path = path;
	r->kind = kind;
	r->perms = perms;
	r->reason = reason && *reason ? strdup(reason) : NULL;
	r->line = line;
	return 0;
}

int fg_policy_add(struct fg_policy *p, const char *pattern, unsigned int perms,
		  const char *reason)
{
	unsigned int dup;
	const char *why;

	return add(p, pattern, perms, reason, 0, true, &why, &dup);
}

char *fg_rule_pattern(const struct fg_rule *r)
{
	static const char *const suffix[] = { "", "/*", "/**" };
	const char *base = strcmp(r->path, "/") ? r->path : "";
	size_t n = strlen(base) + 4;
	char *s = malloc(n);

	if (!s)
		return NULL;
	if (r->kind == FGUARD_KIND_EXACT)
		snprintf(s, n, "%s", r->path);
	else
		snprintf(s, n, "%s%s", base, suffix[r->kind]);
	return s;
}

static char *strndup_trim(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strndup(s, n);
}

static int set_meta(char **field, const char *val, size_t n)
{
	free(*field);
	*field = strndup_trim(val, n);
	return *field ? 0 : -ENOMEM;
}

static const struct {
	const char *name;
	unsigned int flag;
} allow_names[] = {
	{ "mount", FGUARD_POL_F_ALLOW_MOUNT },
	{ "memfd-exec", FGUARD_POL_F_ALLOW_MEMFD_EXEC },
	{ "write-exec", FGUARD_POL_F_ALLOW_WRITE_EXEC },
};

int fg_policy_parse(struct fg_policy *p, const char *text, size_t len,
		    const char *name, char *err, size_t errlen)
{
	const char *line = text, *end = text + len;
	unsigned int lineno = 0;

	if (memchr(text, '\0', len)) {
		seterr(err, errlen, "%s: contains a NUL byte (binary file?)",
		       name);
		return -1;
	}
	while (line < end) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		const char *p0, *q, *hash = NULL, *word_end;
		size_t n;
		if (!eol)
			eol = end;
		lineno++;
		p0 = line;
		line = eol + 1;
		while (p0 < eol && isspace((unsigned char)*p0))
			p0++;
		n = (size_t)(eol - p0);
		if (!n || *p0 == '#')
			continue;
		// Reason: from a '#' preceded by whitespace.
		for (q = p0 + 1; q < eol; q++)
			if (*q == '#' && isspace((unsigned char)q[-1])) {
				hash = q;
				break;
			}
		if (!hash)
			hash = eol;
		for (word_end = p0; word_end < hash &&
		     !isspace((unsigned char)*word_end); word_end++)
			;
		n = (size_t)(word_end - p0);

#define META(kw, field) \
		if (n == sizeof(kw) - 1 && !memcmp(p0, kw, n)) { \
			if (set_meta(&p->field, word_end, (size_t)(hash - word_end))) \
				goto nomem; \
			continue; \
		}
		META("image", image)
		META("digest", digest)
		META("entrypoint", entrypoint)
#undef META
		if (n == 5 && !memcmp(p0, "allow", 5)) {
			char *a = strndup_trim(word_end, (size_t)(hash - word_end));
			size_t k;

			if (!a)
				goto nomem;
			for (k = 0; k < sizeof(allow_names) / sizeof(allow_names[0]); k++)
				if (!strcmp(a, allow_names[k].name))
					break;
			if (k == sizeof(allow_names) / sizeof(allow_names[0])) {
				seterr(err, errlen,
				       "%s:%u: Invalid allow: `%s' (mount, memfd-exec or write-exec)",
				       name, lineno, a);
				free(a);
				return -1;
			}
			p->allow |= allow_names[k].flag;
			free(a);
			continue;
		}
		if (n == 4 && !memcmp(p0, "mode", 4)) {
			char *m = strndup_trim(word_end, (size_t)(hash - word_end));

			if (!m)
				goto nomem;
			if (!strcmp(m, "enforce"))
				p->mode = FG_MODE_ENFORCE;
			else if (!strcmp(m, "complain"))
				p->mode = FG_MODE_COMPLAIN;
			else {
				seterr(err, errlen,
				       "%s:%u: Invalid mode: `%s' (enforce or complain)",
				       name, lineno, m);
				free(m);
				return -1;
			}
			free(m);
			continue;
		}
		{
			int perms = fg_perms_parse(p0, n);
			const char *pat = word_end, *pat_end;
			char *pattern, *reason = NULL;
			unsigned int dup = 0;
			const char *why = NULL;
			int e;

			if (perms < 0) {
				seterr(err, errlen,
				       "%s:%u: Invalid permissions: `%.*s' (a set of r, w, x; or a header keyword: image, digest, entrypoint, mode)",
				       name, lineno, (int)n, p0);
				return -1;
			}
			while (pat < hash && isspace((unsigned char)*pat))
				pat++;
			for (pat_end = pat; pat_end < hash &&
			     !isspace((unsigned char)*pat_end); pat_end++)
				;
			if (pat == pat_end) {
				seterr(err, errlen, "%s:%u: missing path after `%.*s'",
				       name, lineno, (int)n, p0);
				return -1;
			}
			for (q = pat_end; q < hash; q++)
				if (!isspace((unsigned char)*q)) {
					seterr(err, errlen,
					       "%s:%u: unexpected text after the path: `%.*s' (reasons start with ' #')",
					       name, lineno, (int)(hash - q), q);
					return -1;
				}
			pattern = strndup(pat, (size_t)(pat_end - pat));
			if (hash < eol)
				reason = strndup_trim(hash + 1,
						      (size_t)(eol - hash - 1));
			if (!pattern)
				goto nomem;
			e = add(p, pattern, (unsigned int)perms, reason, lineno,
				false, &why, &dup);
			if (e) {
				if (e == -EEXIST)
					seterr(err, errlen,
					       "%s:%u: duplicate pattern `%s' (first at line %u)",
					       name, lineno, pattern, dup);
				else if (e == -ENOMEM)
					seterr(err, errlen, "out of memory");
				else
					seterr(err, errlen, "%s:%u: Invalid path `%s': %s",
					       name, lineno, pattern, why);
				free(pattern);
				free(reason);
				return -1;
			}
			free(pattern);
			free(reason);
		}
	}
	return 0;
nomem:
	seterr(err, errlen, "out of memory");
	return -1;
}

char *fg_read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	size_t cap = 65536, n = 0;
	char *buf = NULL, *nb;
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	ssize_t r;

	if (fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (!buf || n + 1 >= cap) {
			if (buf)
				cap *= 2;
			if (cap > (size_t)FGUARD_POL_MAX_SIZE * 4) {
				seterr(err, errlen, "%s: file too large", path);
				goto fail;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				seterr(err, errlen, "%s: out of memory", path);
				goto fail;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		if (!r)
			break;
		n += (size_t)r;
	}
	if (fd)
		close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	if (fd)
		close(fd);
	free(buf);
	return NULL;
}

int fg_policy_read_file(struct fg_policy *p, const char *path, char *err,
			size_t errlen)
{
	size_t len;
	char *buf = fg_read_file(path, &len, err, errlen);
	int ret;

	if (!buf)
		return -1;
	ret = fg_policy_parse(p, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

int fg_policy_load_any(struct fg_policy *p, const char *path, char *err,
		       size_t errlen)
{
	size_t len;
	char *buf = fg_read_file(path, &len, err, errlen);
	int ret;

	if (!buf)
		return -1;
	if (len >= 4 && le32toh(*(uint32_t *)buf) == FGUARD_POL_MAGIC)
		ret = fg_policy_from_bin(p, buf, len, path, err, errlen);
	else
		ret = fg_policy_parse(p, buf, len, path, err, errlen);
	free(buf);
	return ret;
}

void fg_policy_write(const struct fg_policy *p, FILE *out)
{
	size_t i, width = 0;
	char perms[4];

	if (p->image)
		fprintf(out, "image %s\n", p->image);
	if (p->digest)
		fprintf(out, "digest %s\n", p->digest);
	if (p->entrypoint)
		fprintf(out, "entrypoint %s\n", p->entrypoint);
	fprintf(out, "mode %s\n",
		p->mode == FG_MODE_COMPLAIN ? "complain" : "enforce");
	for (i = 0; i < sizeof(allow_names) / sizeof(allow_names[0]); i++)
		if (p->allow & allow_names[i].flag)
			fprintf(out, "allow %s\n", allow_names[i].name);
	fprintf(out, "\n");
	for (i = 0; i < p->nrules; i++) {
		size_t w = strlen(p->rules[i].path) + 3;

		if (w > width && w <= 60)
			width = w;
	}
	for (i = 0; i < p->nrules; i++) {
		const struct fg_rule *r = &p->rules[i];
		char *pat = fg_rule_pattern(r);

		if (!pat)
			continue;
		if (r->reason)
			fprintf(out, "%-3s %-*s  # %s\n", fg_perms_str(r->perms, perms),
				(int)width, pat, r->reason);
		else
			fprintf(out, "%-3s %s\n", fg_perms_str(r->perms, perms), pat);
		free(pat);
	}
}

int fg_policy_write_file(const struct fg_policy *p, const char *path,
			 char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;

	if (!f) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	fg_policy_write(p, f);
	if (f != stdout ? fclose(f) : fflush(f)) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- binary form ---- */

struct pool {
	char *buf;
	size_t len, cap;
};

static int pool_add(struct pool *sp, const char *s, struct fguard_pol_str *out)
{
	size_t n = s ? strlen(s) : 0;

	if (!n) {
		out->off = 0;
		out->len = 0;
		return 0;
	}
	if (sp->len + n > sp->cap) {
		size_t cap = sp->cap ? sp->cap : 4096;
		char *nb;

		while (cap < sp->len + n)
			cap *= 2;
		nb = realloc(sp->buf, cap);
		if (!nb)
			return -ENOMEM;
		sp->buf = nb;
		sp->cap = cap;
	}
	memcpy(sp->buf + sp->len, s, n);
	out->off = htole32((uint32_t)sp->len);
	out->len = htole32((uint32_t)n);
	sp->len += n;
	return 0;
}

int fg_policy_to_bin(const struct fg_policy *p, uint8_t **blob, size_t *size,
		     char *err, size_t errlen)
{
	struct fguard_pol_header h = { 0 };
	struct fguard_pol_rule *rules;
	struct pool sp = { 0 };
	size_t i, total;
	uint8_t *b;

	if (p->nrules > FGUARD_POL_MAX_RULES) {
		seterr(err, errlen, "too many rules: %zu (at most %u)",
		       p->nrules, FGUARD_POL_MAX_RULES);
		return -1;
	}
	rules = calloc(p->nrules ? p->nrules : 1, sizeof(*rules));
	if (!rules)
		goto nomem;
	if (pool_add(&sp, p->image, &h.image) ||
	    pool_add(&sp, p->digest, &h.digest) ||
	    pool_add(&sp, p->entrypoint, &h.entrypoint))
		goto nomem;
	for (i = 0; i < p->nrules; i++) {
		const struct fg_rule *r = &p->rules[i];
		const char *reason = r->reason;
		char cut[FGUARD_POL_REASON_MAX + 1];

		/* Reasons past the limit are cut, never refused. */

		if (reason && strlen(reason) > FGUARD_POL_REASON_MAX) {
			memcpy(cut, reason, FGUARD_POL_REASON_MAX);
			cut[FGUARD_POL_REASON_MAX] = '\0';
			reason = cut;
		}
		if (pool_add(&sp, r->path, &rules[i].path) ||
		    pool_add(&sp, reason, &rules[i].reason))
			goto nomem;
		rules[i].kind = r->kind;
		rules[i].perms = r->perms;
	}
	total = sizeof(h) + p->nrules * sizeof(*rules) + sp.len;
	if (total > FGUARD_POL_MAX_SIZE) {
		seterr(err, errlen, "policy too large: %zu bytes (at most %u)",
		       total, FGUARD_POL_MAX_SIZE);
		free(rules);
		free(sp.buf);
		return -1;
	}
	h.magic = htole32(FGUARD_POL_MAGIC);
	h.version = htole16(FGUARD_POL_VERSION);
	h.header_size = htole16(sizeof(h));
	h.total_size = htole32((uint32_t)total);
	h.flags = htole32((p->mode == FG_MODE_COMPLAIN ? FGUARD_POL_F_COMPLAIN : 0) |
			  p->allow);
	h.rule_count = htole32((uint32_t)p->nrules);
	h.rules_off = htole32(sizeof(h));
	h.strings_off = htole32((uint32_t)(sizeof(h) + p->nrules * sizeof(*rules)));
	h.strings_size = htole32((uint32_t)sp.len);
	b = malloc(total);
	if (!b)
		goto nomem;
	memcpy(b, &h, sizeof(h));
	memcpy(b + sizeof(h), rules, p->nrules * sizeof(*rules));
	if (sp.len)
		memcpy(b + sizeof(h) + p->nrules * sizeof(*rules), sp.buf, sp.len);
	free(rules);
	free(sp.buf);
	*blob = b;
	*size = total;
	return 0;
nomem:
	free(rules);
	free(sp.buf);
	seterr(err, errlen, "out of memory");
	return -1;
}

static char *pool_dup(const struct fg_table *t, const struct fguard_pol_str *s)
{
	uint32_t len;
	const char *str = fg_table_str(t, s, &len);

	return len ? strndup(str, len) : NULL;
}

int fg_policy_from_bin(struct fg_policy *p, const void *blob, size_t size,
		       const char *name, char *err, size_t errlen)
{
	const struct fguard_pol_header *h = blob;
	struct fg_table t;
	const char *why;
	bool is_rule;
	uint32_t where, i;
	siphash_key_t key;

	if (fg_table_validate(blob, size, &why, &where, &is_rule)) {
		if (is_rule)
			seterr(err, errlen, "%s: rule %u: %s", name, where, why);
		else
			seterr(err, errlen, "%s: offset %u: %s", name, where, why);
		return -1;
	}
	fg_random_key(&key);
	if (fg_table_build(&t, blob, size, &key)) {
		seterr(err, errlen, "%s: duplicate rule in table", name);
		return -1;
	}
	p->image = pool_dup(&t, &h->image);
	p->digest = pool_dup(&t, &h->digest);
	p->entrypoint = pool_dup(&t, &h->entrypoint);
	p->mode = t.flags & FGUARD_POL_F_COMPLAIN ? FG_MODE_COMPLAIN :
						    FG_MODE_ENFORCE;
	p->allow = t.flags & ~(uint32_t)FGUARD_POL_F_COMPLAIN;
	for (i = 0; i < t.rule_count; i++) {
		const struct fguard_pol_rule *r = &t.rules[i];
		struct fg_rule tmp = { .kind = r->kind };
		char *path = pool_dup(&t, &r->path), *pat, *reason;
		int e;

		if (!path)
			goto nomem;
		tmp.path = path;
		pat = fg_rule_pattern(&tmp);
		free(path);
		reason = pool_dup(&t, &r->reason);
		e = pat ? fg_policy_add(p, pat, r->perms, reason) : -ENOMEM;
		free(pat);
		free(reason);
		if (e)
			goto nomem;
	}
	fg_table_free(&t);
	return 0;
nomem:
	fg_table_free(&t);
	seterr(err, errlen, "out of memory");
	return -1;
}

int fg_policy_table(const struct fg_policy *p, struct fg_table *t,
		    uint8_t **blob, char *err, size_t errlen)
{
	siphash_key_t key;
	const char *why;
	bool is_rule;
	uint32_t where;
	size_t size;

	if (fg_policy_to_bin(p, blob, &size, err, errlen))
		return -1;
	if (fg_table_validate(*blob, size, &why, &where, &is_rule)) {
		seterr(err, errlen, "%s %u: %s", is_rule ? "rule" : "offset",
		       where, why);
		goto fail;
	}
	fg_random_key(&key);
	if (fg_table_build(t, *blob, size, &key)) {
		seterr(err, errlen, "cannot index the policy");
		goto fail;
	}
	return 0;
fail:
	free(*blob);
	*blob = NULL;
	return -1;
}

int fg_path_canon(const char *in, char *out, size_t outlen)
{
	size_t o = 0, i = 0, len = strlen(in), start;

	if (!len || in[0] != '/' || outlen < 2)
		return -EINVAL;
	out[o++] = '/';
	while (i < len) {
		while (i < len && in[i] == '/')
			i++;
		start = i;
		while (i < len && in[i] != '/')
			i++;
		if (i == start || (i - start == 1 && in[start] == '.'))
			continue;
		if (i - start == 2 && in[start] == '.' && in[start + 1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
			continue;
		}
		if (o + (i - start) + 2 > outlen)
			return -ENAMETOOLONG;
		if (o > 1)
			out[o++] = '/';
		memcpy(out + o, in + start, i - start);
		o += i - start;
	}
	out[o] = '\0';
	return 0;
}
