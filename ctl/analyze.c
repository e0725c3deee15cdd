// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The analysis: a work list over the image's files, starting at the entry
 * point. Each item is a file reached in one role (program run, ELF object
 * loaded, text read, shell script, python module); handling it grants the
 * rules the role needs and queues what the file reaches in turn. Evidence
 * for a path (a string in a binary, a token in a config, an argument) goes
 * through az_path(), which decides by the evidence's strength and the path's
 * place in the image what, if anything, to grant (see analyze.h).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

#define R FGUARD_PERM_READ
#define W FGUARD_PERM_WRITE
#define X FGUARD_PERM_EXEC

#define MAX_ITEMS	200000	/* work items: bounds a hostile image */
#define MAX_TEXT	(2u << 20)	/* text files scanned up to this size */
#define MAX_TREE_SHARE	20	/* % of the image a recursive rule may cover */

enum wk { W_EXEC, W_LIB, W_TEXT };

struct item {
	enum wk kind;
	enum az_ev ev;
	struct img_node *n;
	char *why;
	char *rpath;		/* W_LIB: RPATH inherited from the loaders */
};

struct grant {
	char *pat;
	unsigned int perms;
	char *why;
	uint32_t next;		/* hash chain, index + 1 */
};

struct az {
	const struct image *img;
	const struct az_opts *opts;
	struct az_stats *st;
	FILE *notes;
	char *notes_buf;
	size_t notes_len;

	struct grant *g;
	size_t ng, capg;
	uint32_t *gh;
	size_t ghmask;

	struct item *q;
	size_t qhead, qn, qcap;
	uint64_t items;

	char **path;		/* PATH of the config's Env */
	char **libdirs;		/* ld.so.conf directories, then defaults */
	char **ldlp;		/* LD_LIBRARY_PATH */
	char **writable;	/* writable areas */
	char **prefixes;	/* directories named by programs */
	size_t nprefixes;
	struct img_node *workdir;
	struct img_node **libs;	/* ELF objects reached */
	size_t nlibs, caplibs;
	const struct img_node *text_from;	/* text being scanned */
	const struct img_node *text_root;	/* first config of a chain */
	unsigned int text_depth;
	unsigned int exec_depth;	/* az_exec() calls in progress */
	uint64_t image_files;
};

static const char *const default_path[] = {
	"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin",
	"/bin", NULL
};

/* Where a container's program may write, if it names the place. */
static const char *const writable_areas[] = {
	"/run", "/var/run", "/var/log", "/var/cache", "/var/lib", "/tmp",
	"/var/tmp", "/dev/shm", NULL
};

/* Never writable, whatever names them. */
static const char *const never_writable[] = {
	"/etc", "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
	"/boot", "/proc", "/sys", "/dev", NULL
};

/* Files a string in a binary is not enough to grant. */
static const char *const sensitive[] = {
	"/etc/shadow", "/etc/gshadow", "/etc/shadow-", "/etc/gshadow-",
	"/etc/sudoers", "/etc/security/opasswd", "/root", "/etc/ssh",
	"/proc/kcore", "/proc/kallsyms", "/proc/sysrq-trigger", "/dev/mem",
	"/dev/kmem", "/dev/port", NULL
};

/* Directories never granted recursively (DESIGN: not system-wide). */
static const char *const system_dirs[] = {
	"/", "/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib32",
	"/lib64", "/libx32", "/media", "/mnt", "/opt", "/proc", "/root", "/run",
	"/sbin", "/srv", "/sys", "/tmp", "/usr", "/var", "/usr/bin", "/usr/sbin",
	"/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec",
	"/usr/include", "/usr/local", "/usr/local/bin", "/usr/local/sbin",
	"/usr/local/lib", "/usr/local/share", "/usr/local/etc", "/usr/share",
	"/usr/share/doc", "/usr/share/man", "/usr/share/info",
	"/usr/share/locale", "/usr/share/i18n", "/usr/src", "/var/lib",
	"/var/log", "/var/cache", "/var/run", "/var/tmp", "/var/spool",
	"/var/mail", "/var/opt", "/var/backups", "/var/local", "/etc/default",
	"/etc/init.d", "/etc/systemd", "/usr/lib/systemd", "/etc/alternatives",
	"/var/lib/dpkg", "/var/lib/apt", "/var/cache/apt", "/usr/share/zoneinfo",
	NULL
};

/* ------------------------------------------------------------ helpers */

static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, n) && (path[n] == '/' || !path[n]);
}

static bool under_any(const char *path, const char *const *dirs)
{
	for (; dirs && *dirs; dirs++)
		if (under(path, *dirs))
			return true;
	return false;
}

static bool is_any(const char *path, const char *const *dirs)
{
	for (; dirs && *dirs; dirs++)
		if (!strcmp(path, *dirs))
			return true;
	return false;
}

static const char *multiarch(int machine)
{
	switch (machine) {
	case EM_X86_64: return "x86_64-linux-gnu";
	case EM_AARCH64: return "aarch64-linux-gnu";
	case EM_386: return "i386-linux-gnu";
	case EM_ARM: return "arm-linux-gnueabihf";
	case EM_PPC64: return "powerpc64le-linux-gnu";
	case EM_S390: return "s390x-linux-gnu";
	case EM_RISCV: return "riscv64-linux-gnu";
	default: return NULL;
	}
}

bool az_system_dir(const char *path)
{
	const char *ma[] = { "/usr/lib/", "/lib/", NULL };
	int i;

	if (is_any(path, system_dirs))
		return true;
	/* Multiarch library directories, and interpreters' library roots. */
	for (i = 0; ma[i]; i++) {
		size_t n = strlen(ma[i]);

		if (!strncmp(path, ma[i], n) && !strchr(path + n, '/') &&
		    strstr(path + n, "-linux-"))
			return true;
	}
	return false;
}

static char **strv_add(char **v, const char *s)
{
	size_t n = 0;
	char **nv;

	while (v && v[n])
		n++;
	nv = realloc(v, (n + 2) * sizeof(*nv));
	if (!nv)
		return v;
	nv[n] = strdup(s);
	nv[n + 1] = NULL;
	if (!nv[n])
		nv[n] = NULL;
	return nv;
}

static bool strv_has(char *const *v, const char *s)
{
	for (; v && *v; v++)
		if (!strcmp(*v, s))
			return true;
	return false;
}

static void strv_free(char **v)
{
	char **s;

	for (s = v; s && *s; s++)
		free(*s);
	free(v);
}

static char *vfmt(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		return NULL;
	/* Reasons are one line and bounded (FGUARD_POL_REASON_MAX). */
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t' || *p == '#')
			*p = ' ';
	if (strlen(s) > 200)
		strcpy(s + 197, "...");
	return s;
}

char *az_pathof(const struct img_node *n)
{
	static char buf[4][8192];
	static int i;

	i = (i + 1) & 3;
	return img_path(n, buf[i], sizeof(buf[i]));
}

const struct image *az_image(const struct az *az)
{
	return az->img;
}

struct az_stats *az_stats_of(struct az *az)
{
	return az->st;
}

struct img_node *az_workdir(const struct az *az)
{
	return az->workdir;
}

bool az_is_text(const struct img_node *n)
{
	size_t i, lim;

	if (n->type != IMG_REG || !n->data || n->size > MAX_TEXT)
		return false;
	lim = n->size < 8192 ? n->size : 8192;
	for (i = 0; i < lim; i++)
		if (!n->data[i])
			return false;
	return true;
}

void az_note(struct az *az, const char *fmt, ...)
{
	va_list ap;

	if (!az->notes)
		return;
	va_start(ap, fmt);
	vfprintf(az->notes, fmt, ap);
	va_end(ap);
	fputc('\n', az->notes);
}

/* ------------------------------------------------------------ grants */

static uint32_t ghash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void add_grant(struct az *az, char *pat, unsigned int perms, char *why)
{
	uint32_t h = ghash(pat), i;
	struct grant *g;

	for (i = az->gh[h & az->ghmask]; i; i = az->g[i - 1].next) {
		g = &az->g[i - 1];
		if (!strcmp(g->pat, pat)) {
			if ((g->perms | perms) != g->perms && why) {
				/* The reason of the widest grant reads best. */
				if (!(g->perms & W) && (perms & W)) {
					free(g->why);
					g->why = why;
					why = NULL;
				}
			}
			g->perms |= perms;
			free(pat);
			free(why);
			return;
		}
	}
	if (az->ng == az->capg) {
		size_t cap = az->capg ? 2 * az->capg : 256;
		struct grant *ng = realloc(az->g, cap * sizeof(*ng));

		if (!ng) {
			free(pat);
			free(why);
			return;
		}
		az->g = ng;
		az->capg = cap;
	}
	if (az->ng + 1 > az->ghmask) {
		size_t n = (az->ghmask + 1) * 4, k;
		uint32_t *nh = calloc(n, sizeof(*nh));

		if (nh) {
			free(az->gh);
			az->gh = nh;
			az->ghmask = n - 1;
			for (k = 0; k < az->ng; k++) {
				uint32_t hh = ghash(az->g[k].pat) & az->ghmask;

				az->g[k].next = az->gh[hh];
				az->gh[hh] = (uint32_t)k + 1;
			}
		}
	}
	g = &az->g[az->ng];
	g->pat = pat;
	g->perms = perms;
	g->why = why;
	g->next = az->gh[h & az->ghmask];
	az->gh[h & az->ghmask] = (uint32_t)++az->ng;
}

static void grant_v(struct az *az, const char *path, int kind,
		    unsigned int perms, const char *fmt, va_list ap)
{
	static const char *const sfx[] = { "", "/*", "/**" };
	char *pat = NULL;

	if (path[0] != '/')
		return;
	if (asprintf(&pat, "%s%s", strcmp(path, "/") || !kind ? path : "",
		     sfx[kind]) < 0)
		return;
	add_grant(az, pat, perms, fmt ? vfmt(fmt, ap) : NULL);
}

struct tree_ctx {
	struct az *az;
	struct img_node *top;
	const char *top_path;
	unsigned int perms;
};

static bool tree_ok(struct az *az, struct img_node *dir, const char *path);

/*
 * The kernel decides on the target of a symlink: a link in a granted tree
 * that points out of it needs its target granted too.
 */
static int tree_link(struct img_node *n, void *arg)
{
	struct tree_ctx *c = arg;
	struct img_res res;
	struct img_node *t;
	char top[8192], *p;

	if (n->type != IMG_LNK)
		return 0;
	t = img_resolve(c->az->img, n->parent, n->name, 0, &res);
	if (!t)
		return 0;
	snprintf(top, sizeof(top), "%s", c->top_path);
	p = az_pathof(t);
	if (under(p, top) || under(p, "/proc") || under(p, "/dev"))
		return 0;
	if (t->type == IMG_DIR) {
		if (tree_ok(c->az, t, p))
			az_grant_node(c->az, t, c->perms & ~(unsigned int)FGUARD_PERM_WRITE,
				      FGUARD_KIND_TREE, "target of %s", az_pathof(n));
		return 0;
	}
	az_grant_node(c->az, t, c->perms & ~(unsigned int)FGUARD_PERM_WRITE,
		      FGUARD_KIND_EXACT, "target of %s", az_pathof(n));
	return 0;
}

void az_grant_node(struct az *az, struct img_node *n, unsigned int perms,
		   int kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	grant_v(az, az_pathof(n), kind, perms, fmt, ap);
	va_end(ap);
	if (kind == FGUARD_KIND_TREE && n->type == IMG_DIR && !(n->mark & MK_TREE)) {
		char top[8192];
		struct tree_ctx c = { az, n, top, perms };

		n->mark |= MK_TREE;
		snprintf(top, sizeof(top), "%s", az_pathof(n));
		img_walk(n, tree_link, &c);
	}
}

void az_grant_path(struct az *az, const char *pattern, unsigned int perms,
		   const char *fmt, ...)
{
	size_t n = strlen(pattern);
	char *path = strndup(pattern, n);
	int kind = FGUARD_KIND_EXACT;
	va_list ap;

	if (!path)
		return;
	if (n >= 3 && !strcmp(path + n - 3, "/**")) {
		kind = FGUARD_KIND_TREE;
		path[n - 3] = '\0';
	} else if (n >= 2 && !strcmp(path + n - 2, "/*")) {
		kind = FGUARD_KIND_CHILDREN;
		path[n - 2] = '\0';
	}
	if (!*path)
		strcpy(path, "/");
	va_start(ap, fmt);
	grant_v(az, path, kind, perms, fmt, ap);
	va_end(ap);
	free(path);
}

/* ------------------------------------------------------------ work list */

static void push(struct az *az, enum wk kind, struct img_node *n, enum az_ev ev,
		 char *why, const char *rpath)
{
	struct item *it;

	if (++az->items > MAX_ITEMS) {
		if (az->items == MAX_ITEMS + 1)
			az_note(az, "analysis stopped following files after %u items",
				MAX_ITEMS);
		free(why);
		return;
	}
	if (az->qn == az->qcap) {
		size_t cap = az->qcap ? 2 * az->qcap : 256;
		struct item *nq = realloc(az->q, cap * sizeof(*nq));

		if (!nq) {
			free(why);
			return;
		}
		az->q = nq;
		az->qcap = cap;
	}
	it = &az->q[az->qn++];
	it->kind = kind;
	it->n = n;
	it->ev = ev;
	it->why = why;
	it->rpath = rpath ? strdup(rpath) : NULL;
}

/* ------------------------------------------------------------ resolution */

static struct img_node *resolve(struct az *az, const char *path,
				struct img_res *res)
{
	return img_resolve(az->img, az->workdir, path, 0, res);
}

struct img_node *az_which(struct az *az, const char *name, size_t len,
			  const char *const *extra_path)
{
	char buf[4096];
	struct img_res res;
	struct img_node *n;
	char *const *d;
	int pass;

	if (!len || len > 255 || memchr(name, '/', len))
		return NULL;
	for (pass = 0; pass < 2; pass++) {
		char *const *dirs = pass ? az->path : (char *const *)extra_path;

		for (d = dirs; d && *d; d++) {
			snprintf(buf, sizeof(buf), "%s/%.*s", *d, (int)len, name);
			n = resolve(az, buf, &res);
			if (n && n->type == IMG_REG && (n->mode & 0111))
				return n;
		}
	}
	return NULL;
}

static void glob_rec(struct az *az, struct img_node *dir, const char *pat,
		     void (*fn)(struct az *, struct img_node *, void *),
		     void *arg, int depth, bool list)
{
	const char *slash, *comp;
	char cbuf[256];
	struct img_node *c;
	size_t clen;

	while (*pat == '/')
		pat++;
	if (!*pat) {
		fn(az, dir, arg);
		return;
	}
	if (depth > 64 || dir->type != IMG_DIR)
		return;
	slash = strchr(pat, '/');
	comp = pat;
	clen = slash ? (size_t)(slash - pat) : strlen(pat);
	if (clen >= sizeof(cbuf))
		return;
	memcpy(cbuf, comp, clen);
	cbuf[clen] = '\0';
	if (!strpbrk(cbuf, "*?[")) {
		struct img_res res;
		struct img_node *n;

		if (!strcmp(cbuf, "..")) {
			glob_rec(az, dir->parent, slash ? slash : "", fn, arg, depth + 1, list);
			return;
		}
		c = img_child(az->img, dir, cbuf, clen);
		if (!c)
			return;
		n = c->type == IMG_LNK ?
			img_resolve(az->img, dir, cbuf, 0, &res) : c;
		if (n)
			glob_rec(az, n, slash ? slash : "", fn, arg, depth + 1, list);
		return;
	}
	/* Listing the directory: glob(3) opens it. */
	if (list)
		az_grant_node(az, dir, R, FGUARD_KIND_EXACT, "listed for `%s'",
			      pat);
	for (c = dir->child; c; c = c->next) {
		struct img_res res;
		struct img_node *n;

		if (c->name[0] == '.' && cbuf[0] != '.')
			continue;
		if (fnmatch(cbuf, c->name, FNM_PERIOD))
			continue;
		n = c->type == IMG_LNK ? img_resolve(az->img, dir, c->name, 0, &res) : c;
		if (n)
			glob_rec(az, n, slash ? slash : "", fn, arg, depth + 1, list);
	}
}

void az_glob(struct az *az, const char *pattern,
	     void (*fn)(struct az *, struct img_node *, void *), void *arg)
{
	glob_rec(az, pattern[0] == '/' ? az->img->root : az->workdir, pattern,
		 fn, arg, 0, true);
}

/* Expand without granting the listings (for the analysis' own reading). */
static void glob_quiet(struct az *az, const char *pattern,
		       void (*fn)(struct az *, struct img_node *, void *),
		       void *arg)
{
	glob_rec(az, az->img->root, pattern, fn, arg, 0, false);
}

/* ------------------------------------------------------------ evidence */

static bool writable_place(struct az *az, const char *path)
{
	if (under_any(path, never_writable) && !under(path, "/dev/shm"))
		return false;
	return under_any(path, (const char *const *)az->writable);
}

/* "/var/log" itself is an area root: not granted wholesale ("/tmp" is). */
static bool is_area_root(struct az *az, const char *path)
{
	(void)az;
	return is_any(path, writable_areas) && strcmp(path, "/tmp") &&
	       strcmp(path, "/var/tmp") && strcmp(path, "/dev/shm");
}

static const char *ev_name(enum az_ev ev)
{
	switch (ev) {
	case EV_LIB: return "string in library";
	case EV_PROG: return "string in";
	case EV_SCRIPT: return "named in";
	default: return "named in";
	}
}

static char *src_desc(struct az *az, enum az_ev ev, const struct img_node *from,
		      unsigned int line)
{
	char *s = NULL;

	(void)az;
	if (!from)
		return strdup("named on the command line");
	if (line)
		asprintf(&s, "%s %s:%u", ev_name(ev), az_pathof(from), line);
	else
		asprintf(&s, "%s %s", ev_name(ev), az_pathof(from));
	return s;
}

static bool looks_like_file(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot && dot != name && dot[1] && strlen(dot) <= 6;
}

/* The directory of a tree rule: not too big a share of the image. */
static bool tree_ok(struct az *az, struct img_node *dir, const char *path)
{
	uint64_t n;

	if (az_system_dir(path))
		return false;
	n = img_count_files(dir);
	return n * 100 <= az->image_files * MAX_TREE_SHARE || n < 64;
}

/*
 * System databases: read, never scanned for paths (a home directory in
 * /etc/passwd is not something the program reads).
 */
static bool is_database(const struct img_node *n)
{
	static const char *const db[] = {
		"passwd", "group", "shadow", "gshadow", "services", "protocols",
		"networks", "hosts", "ethers", "rpc", "netgroup", "mime.types",
		"magic", "ld.so.cache", "localtime", "timezone", "nsswitch.conf",
		"host.conf", "resolv.conf", "gai.conf", "fstab", "mtab",
		"inittab", "shells", "login.defs", "os-release", "issue",
		"issue.net", "motd", "hostname", "subuid", "subgid", "securetty",
		"environment", "adduser.conf", "deluser.conf", "mailcap",
		"mime.types", "locale.alias", "ld.so.conf", "debian_version",
		"bash.bashrc", "profile", "inputrc", "ucf.conf", NULL
	};
	char *p = az_pathof(n);

	return (under(p, "/etc") && is_any(n->name, db)) ||
	       under(p, "/usr/share/zoneinfo") || under(p, "/usr/share/doc") ||
	       under(p, "/usr/share/man") || under(p, "/usr/share/locale") ||
	       under(p, "/var/lib/dpkg");
}

static void text_or_lib(struct az *az, struct img_node *n, enum az_ev ev,
			const char *why)
{
	if (n->data && n->size >= 4 && !memcmp(n->data, "\177ELF", 4)) {
		struct elf_info ei;
		bool exe = false;

		if (!elf_scan(n->data, n->size, &ei)) {
			exe = ei.is_exec && (n->mode & 0111);
			elf_info_free(&ei);
		}
		if (exe) {
			/*
			 * A program it runs (a helper). A library's string
			 * naming a program is too weak a sign to grant that.
			 */
			if (ev >= EV_PROG)
				az_exec(az, n, NULL, "run by %s", why);
			return;
		}
		az_lib(az, n, "loaded: %s", why);
		return;
	}
	if (ev >= EV_PROG && n->data && n->size > 2 && n->data[0] == '#' &&
	    n->data[1] == '!' && (n->mode & 0111) && ev >= EV_SCRIPT) {
		az_exec(az, n, NULL, "run: %s", why);
		return;
	}
	if (az_is_text(n) && !is_database(n)) {
		az_text(az, n, ev >= EV_PROG ? EV_CONFIG : EV_LIB, "%s", why);
		return;
	}
	az_grant_node(az, n, R, FGUARD_KIND_EXACT, "%s", why);
}

static void path_resolved(struct az *az, struct img_node *n, const char *lex,
			  enum az_ev ev, const char *why)
{
	char *p = az_pathof(n);

	if (writable_place(az, p) && ev >= EV_PROG) {
		if (n->type == IMG_DIR) {
			if (is_area_root(az, p)) {
				az_grant_node(az, n, R, FGUARD_KIND_EXACT, "%s", why);
				return;
			}
			az_grant_node(az, n, R | W, FGUARD_KIND_TREE,
				      "writable: %s", why);
		} else if (n->type == IMG_REG) {
			az_grant_node(az, n, R | W, FGUARD_KIND_EXACT,
				      "writable: %s", why);
		}
		return;
	}
	(void)lex;
	switch (n->type) {
	case IMG_REG:
		text_or_lib(az, n, ev, why);
		break;
	case IMG_DIR:
		/* A program's own directories: its relative names start there. */
		if (ev == EV_PROG && !az_system_dir(p) && az->nprefixes < 64) {
			size_t k;

			for (k = 0; k < az->nprefixes; k++)
				if (!strcmp(az->prefixes[k], p))
					break;
			if (k == az->nprefixes) {
				char **np = realloc(az->prefixes,
						    (az->nprefixes + 1) * sizeof(*np));

				if (np) {
					az->prefixes = np;
					az->prefixes[az->nprefixes++] = strdup(p);
				}
			}
		}
		if (ev >= EV_SCRIPT && tree_ok(az, n, p)) {
			az_grant_node(az, n, R, FGUARD_KIND_TREE, "%s", why);
			/* Files below that are configs, scripts or libraries. */
		} else {
			az_grant_node(az, n, R, FGUARD_KIND_EXACT, "%s", why);
			if (ev >= EV_SCRIPT && !az_system_dir(p))
				az_note(az, "%s: a directory too large to grant "
					"recursively (%s); only listing it", p, why);
		}
		break;
	case IMG_CHR:
	case IMG_BLK:
	case IMG_FIFO:
	case IMG_SOCK:
		if (ev >= EV_SCRIPT)
			az_grant_node(az, n, R | W, FGUARD_KIND_EXACT, "%s", why);
		break;
	}
}

/* Runtime paths: not in the image, provided by the kernel. */
static void runtime_path(struct az *az, const char *p, enum az_ev ev,
			 const char *why)
{
	if (under(p, "/proc/self") || under(p, "/proc/thread-self") ||
	    under(p, "/proc/sys") || under(p, "/sys")) {
		if (strlen(p) > 6)
			az_grant_path(az, p, R, "%s", why);
		return;
	}
	if (under(p, "/proc") && !strchr(p + 6, '/') && strlen(p) > 6 &&
	    !isdigit((unsigned char)p[6]))
		az_grant_path(az, p, R, "%s", why);
	(void)ev;
}

void az_path(struct az *az, const char *path, size_t len, enum az_ev ev,
	     const struct img_node *from, unsigned int line)
{
	char lex[4096], *why = NULL;
	struct img_res res;
	struct img_node *n;
	size_t o = 0, i = 0;

	if (!len || len >= sizeof(lex) - 1 || path[0] != '/')
		return;
	/* Lexical clean-up: "//", "/./", a trailing '/'. */
	while (i < len) {
		size_t s;

		while (i < len && path[i] == '/')
			i++;
		s = i;
		while (i < len && path[i] != '/')
			i++;
		if (i == s || (i - s == 1 && path[s] == '.'))
			continue;
		lex[o++] = '/';
		memcpy(lex + o, path + s, i - s);
		o += i - s;
	}
	if (!o)
		lex[o++] = '/';
	lex[o] = '\0';
	if (strpbrk(lex, "*?["))
		return;	/* globs are expanded by the text scanner */
	if (ev < EV_CONFIG && under_any(lex, sensitive)) {
		why = src_desc(az, ev, from, line);
		if (resolve(az, lex, &res))
			az_note(az, "%s: sensitive, not granted on a string alone (%s)",
				lex, why);
		free(why);
		return;
	}
	if (under(lex, "/proc") || under(lex, "/sys")) {
		why = src_desc(az, ev, from, line);
		runtime_path(az, lex, ev, why);
		free(why);
		return;
	}
	if (under(lex, "/dev"))
		return;	/* devices: the base profile decides */
	n = resolve(az, lex, &res);
	why = src_desc(az, ev, from, line);
	if (n) {
		char *p = az_pathof(n);

		if (under(p, "/proc") || under(p, "/dev")) {
			free(why);
			return;
		}
		if (ev < EV_CONFIG && under_any(p, sensitive)) {
			az_note(az, "%s: sensitive, not granted on a string alone (%s)",
				p, why);
			free(why);
			return;
		}
		path_resolved(az, n, lex, ev, why);
		free(why);
		return;
	}
	/* Absent: a file the program creates, if its directory exists. */
	if (res.err == ENOENT && res.parent && ev >= EV_PROG) {
		char full[8192];
		const char *dir = az_pathof(res.parent);

		snprintf(full, sizeof(full), "%s%s%s", dir,
			 strcmp(dir, "/") ? "/" : "", res.last);
		if (writable_place(az, full) && !is_area_root(az, full)) {
			if (looks_like_file(res.last))
				az_grant_path(az, full, R | W, "created: %s", why);
			else {
				char t[8200];

				snprintf(t, sizeof(t), "%s/**", full);
				az_grant_path(az, t, R | W, "created: %s", why);
			}
		}
	}
	free(why);
}

static bool path_char(unsigned char c, bool text)
{
	return isalnum(c) || c == '/' || c == '.' || c == '_' || c == '-' ||
	       c == '+' || c == '@' || c == '~' || c == ',' ||
	       (text && (c == '*' || c == '?' || c == '[' || c == ']'));
}

static bool is_shell_name(const char *b);

static bool is_shell_script(const struct img_node *n)
{
	const char *s, *e, *b;
	size_t lim;

	if (!az_is_text(n))
		return false;
	if (n->namelen > 3 && !strcmp(n->name + n->namelen - 3, ".sh"))
		return true;
	if (n->size < 3 || n->data[0] != '#' || n->data[1] != '!')
		return false;
	lim = n->size < 128 ? n->size : 128;
	s = (const char *)n->data + 2;
	e = memchr(s, '\n', lim - 2);
	if (!e)
		e = (const char *)n->data + lim;
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	for (b = s; s < e && *s != ' ' && *s != '\t' && *s != '\r'; s++)
		if (*s == '/')
			b = s + 1;
	{
		char name[32];

		snprintf(name, sizeof(name), "%.*s", (int)(s - b), b);
		if (!strcmp(name, "env")) {
			while (s < e && (*s == ' ' || *s == '\t'))
				s++;
			snprintf(name, sizeof(name), "%.*s", (int)strcspn(s, " \t\r\n"), s);
		}
		return is_shell_name(name);
	}
}

struct glob_ctx {
	enum az_ev ev;
	const struct img_node *from;
	unsigned int line;
	const char *pat;
};

static void glob_hit(struct az *az, struct img_node *n, void *arg)
{
	struct glob_ctx *g = arg;
	char *why = NULL;

	if (!g->from)
		asprintf(&why, "matches `%s' on the command line", g->pat);
	else if (g->line)
		asprintf(&why, "matches `%s' in %s:%u", g->pat,
			 az_pathof(g->from), g->line);
	else
		asprintf(&why, "matches `%s' in %s", g->pat, az_pathof(g->from));
	if (!why)
		return;
	if (n->type == IMG_REG && is_shell_script(n)) {
		/* A script run or sourced: its commands run too. */
		az_grant_node(az, n, (n->mode & 0111) ? R | X : R,
			      FGUARD_KIND_EXACT, "%s", why);
		if (!(n->mark & MK_SHELL)) {
			n->mark |= MK_SHELL;
			az->st->scripts++;
			az_shell(az, n, (const char *)n->data, n->size, NULL, why);
		}
	} else if (n->type == IMG_REG && n->data && n->size > 2 &&
		   n->data[0] == '#' && n->data[1] == '!') {
		az_grant_node(az, n, (n->mode & 0111) ? R | X : R,
			      FGUARD_KIND_EXACT, "%s", why);
		az_text(az, n, EV_CONFIG, "%s", why);
	} else {
		path_resolved(az, n, NULL, g->ev, why);
	}
	free(why);
}

static void scan_one(struct az *az, const char *p, size_t n, bool text,
		     enum az_ev ev, const struct img_node *from,
		     unsigned int line)
{
	/* Trailing punctuation of prose and configs. */
	while (n > 1 && (p[n - 1] == '.' || p[n - 1] == ',' || p[n - 1] == ']'))
		n--;
	if (n < 2)
		return;
	if (text && memchr(p, '*', n)) {
		char pat[4096];
		struct glob_ctx g = { ev, from, line, pat };

		if (n >= sizeof(pat) || ev < EV_SCRIPT)
			return;
		memcpy(pat, p, n);
		pat[n] = '\0';
		az_glob(az, pat, glob_hit, &g);
		return;
	}
	if (text && (memchr(p, '?', n) || memchr(p, '[', n)))
		return;
	az_path(az, p, n, ev, from, line);
}

void az_scan_paths(struct az *az, const uint8_t *buf, size_t len, bool text,
		   enum az_ev ev, const struct img_node *from)
{
	const uint8_t *p = buf, *end = buf + len;
	unsigned int line = 1;
	const uint8_t *lp = buf;

	while (p < end) {
		const uint8_t *s = memchr(p, '/', (size_t)(end - p));
		const uint8_t *e;

		if (!s)
			break;
		if (text)
			for (; lp < s; lp++)
				line += *lp == '\n';
		if (s > buf && path_char(s[-1], text) && s[-1] != ',') {
			p = s + 1;
			continue;
		}
		for (e = s; e < end && path_char(*e, text); e++)
			;
		if (e - s >= 2 && e - s < 4096) {
			bool alnum = false;
			const uint8_t *k;

			for (k = s; k < e; k++)
				if (isalnum(*k)) {
					alnum = true;
					break;
				}
			if (alnum)
				scan_one(az, (const char *)s, (size_t)(e - s), text,
					 ev, from, text ? line : 0);
		}
		p = e > s ? e : s + 1;
	}
}

void az_scan_code(struct az *az, const uint8_t *buf, size_t len,
		  enum az_ev ev, const struct img_node *from)
{
	uint8_t *copy = malloc(len ? len : 1);
	size_t i = 0;

	if (!copy)
		return;
	memcpy(copy, buf, len);
	/* Comment lines ("#!" included) say nothing about what runs. */
	while (i < len) {
		size_t j = i;

		while (j < len && (copy[j] == ' ' || copy[j] == '\t'))
			j++;
		if (j < len && copy[j] == '#')
			while (j < len && copy[j] != '\n')
				copy[j++] = ' ';
		while (j < len && copy[j] != '\n')
			j++;
		i = j + 1;
	}
	az_scan_paths(az, copy, len, true, ev, from);
	free(copy);
}

/* ------------------------------------------------------------ programs */

static bool is_glibc(const char *base)
{
	static const char *const pats[] = {
		"libc.so*", "ld-linux*", "ld64.so*", "ld-musl-*", "libc.musl-*",
		"libm.so*", "libmvec.so*", "libpthread.so*", "libdl.so*",
		"librt.so*", "libresolv.so*", "libnss_*", "libutil.so*",
		"libanl.so*", "libBrokenLocale.so*", "libc_malloc_debug.so*",
		"libthread_db.so*", "libnsl.so*", NULL
	};
	int i;

	for (i = 0; pats[i]; i++)
		if (!fnmatch(pats[i], base, 0))
			return true;
	return false;
}

static void region_cb(const uint8_t *d, size_t n, void *arg)
{
	void **a = arg;

	az_scan_paths(a[0], d, n, false, *(enum az_ev *)a[1], a[2]);
}


static void lib_add(struct az *az, struct img_node *n)
{
	if (az->nlibs == az->caplibs) {
		size_t cap = az->caplibs ? 2 * az->caplibs : 64;
		struct img_node **nl = realloc(az->libs, cap * sizeof(*nl));

		if (!nl)
			return;
		az->libs = nl;
		az->caplibs = cap;
	}
	az->libs[az->nlibs++] = n;
}

bool az_reached_lib(struct az *az, const char *glob)
{
	size_t i;

	for (i = 0; i < az->nlibs; i++)
		if (!fnmatch(glob, az->libs[i]->name, 0))
			return true;
	return false;
}

/* Expand $ORIGIN, $LIB, $PLATFORM in one search directory. */
static void expand_dst(const char *in, const char *origin, char *out,
		       size_t len, const char *lib)
{
	size_t o = 0;

	while (*in && o + 1 < len) {
		const char *rep = NULL;
		size_t skip = 0;

		if (!strncmp(in, "$ORIGIN", 7) || !strncmp(in, "${ORIGIN}", 9)) {
			rep = origin;
			skip = in[1] == '{' ? 9 : 7;
		} else if (!strncmp(in, "$LIB", 4) || !strncmp(in, "${LIB}", 6)) {
			rep = lib;
			skip = in[1] == '{' ? 6 : 4;
		} else if (!strncmp(in, "$PLATFORM", 9) || !strncmp(in, "${PLATFORM}", 11)) {
			rep = "x86_64";
			skip = in[1] == '{' ? 11 : 9;
		}
		if (rep) {
			o += (size_t)snprintf(out + o, len - o, "%s", rep);
			if (o >= len)
				o = len - 1;
			in += skip;
		} else {
			out[o++] = *in++;
		}
	}
	out[o] = '\0';
}

static struct img_node *try_lib(struct az *az, const char *dir, const char *name,
				const struct elf_info *want)
{
	static const char *const hw[] = { "x86-64-v4", "x86-64-v3", "x86-64-v2",
					  "power10", "power9", "z16", "z15", NULL };
	char buf[8192];
	struct img_res res;
	struct img_node *n, *found = NULL;
	int i;

	if (dir[0] != '/')
		return NULL;
	/* glibc-hwcaps subdirectories come first; which one depends on the CPU. */
	for (i = 0; hw[i]; i++) {
		snprintf(buf, sizeof(buf), "%s/glibc-hwcaps/%s/%s", dir, hw[i], name);
		n = resolve(az, buf, &res);
		if (n && n->type == IMG_REG) {
			az_lib(az, n, "library %s (CPU-dependent variant)", name);
			found = n;
		}
	}
	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	n = resolve(az, buf, &res);
	if (n && n->type == IMG_REG) {
		struct elf_info ei;

		if (n->data && !elf_scan(n->data, n->size, &ei)) {
			bool match = ei.elfclass == want->elfclass &&
				     ei.machine == want->machine;

			elf_info_free(&ei);
			if (!match)
				return found;
		}
		return n;
	}
	return found;
}

static void search_split(struct az *az, const char *list, const char *origin,
			 const char *name, const struct elf_info *req,
			 struct img_node **out)
{
	char *copy = strdup(list), *tok, *save = NULL;
	const char *lib = multiarch(req->machine);
	char libbuf[64], dir[4096];

	snprintf(libbuf, sizeof(libbuf), "lib%s%s", lib ? "/" : "", lib ? lib : "");
	for (tok = copy ? strtok_r(copy, ":;", &save) : NULL; tok && !*out;
	     tok = strtok_r(NULL, ":;", &save)) {
		expand_dst(tok, origin, dir, sizeof(dir), libbuf);
		*out = try_lib(az, dir, name, req);
	}
	free(copy);
}

static struct img_node *find_lib(struct az *az, const char *name,
				 const struct elf_info *req,
				 struct img_node *reqnode, const char *inh_rpath)
{
	struct img_node *out = NULL;
	char origin[8192], *slash;
	char **d;
	const char *ma = multiarch(req->machine);
	char buf[256];

	snprintf(origin, sizeof(origin), "%s", az_pathof(reqnode->parent));
	if (strchr(name, '/')) {
		struct img_res res;
		char exp[4096];

		expand_dst(name, origin, exp, sizeof(exp), "lib");
		return resolve(az, exp, &res);
	}
	slash = NULL;
	(void)slash;
	if (!req->runpath) {
		if (req->rpath)
			search_split(az, req->rpath, origin, name, req, &out);
		if (!out && inh_rpath)
			search_split(az, inh_rpath, origin, name, req, &out);
	}
	for (d = az->ldlp; !out && d && *d; d++)
		search_split(az, *d, origin, name, req, &out);
	if (!out && req->runpath)
		search_split(az, req->runpath, origin, name, req, &out);
	for (d = az->libdirs; !out && d && *d; d++)
		out = try_lib(az, *d, name, req);
	if (!out && ma) {
		const char *fmt[] = { "/lib/%s", "/usr/lib/%s", NULL };
		int i;

		for (i = 0; fmt[i] && !out; i++) {
			snprintf(buf, sizeof(buf), fmt[i], ma);
			out = try_lib(az, buf, name, req);
		}
	}
	if (!out) {
		/* glibc's defaults; musl also searches /usr/local/lib. */
		const char *const d64[] = { "/lib64", "/usr/lib64", "/lib", "/usr/lib",
					    "/usr/local/lib", NULL };
		const char *const d32[] = { "/lib32", "/usr/lib32", "/lib", "/usr/lib",
					    "/usr/local/lib", NULL };
		const char *const *dd = req->elfclass == ELFCLASS64 ? d64 : d32;

		for (; *dd && !out; dd++)
			out = try_lib(az, *dd, name, req);
	}
	return out;
}

/* busybox, toybox: one binary, every tool's strings. */
static bool multicall(const struct img_node *n)
{
	static const char *const sig[] = { "BusyBox v", "toybox ", NULL };
	int i;

	if (!strcmp(n->name, "busybox") || !strcmp(n->name, "toybox"))
		return true;
	for (i = 0; sig[i]; i++)
		if (n->data && memmem(n->data, n->size, sig[i], strlen(sig[i])))
			return true;
	return false;
}

static void do_elf(struct az *az, struct img_node *n, bool exec,
		   const char *inh_rpath)
{
	struct elf_info ei;
	char **s;
	enum az_ev ev = exec ? EV_PROG : EV_LIB;
	char *rp = NULL;

	if (!n->data || elf_scan(n->data, n->size, &ei)) {
		if (!n->data)
			az_note(az, "%s: content not kept (too large), not analysed",
				az_pathof(n));
		return;
	}
	if (exec && ei.interp) {
		struct img_res res;
		struct img_node *ld = resolve(az, ei.interp, &res);

		if (ld && ld->type == IMG_REG) {
			az_grant_node(az, ld, R | X, FGUARD_KIND_EXACT,
				      "ELF interpreter of %s", az_pathof(n));
			if (!(ld->mark & MK_LIB)) {
				ld->mark |= MK_LIB | MK_GLIBC;
				lib_add(az, ld);
			}
		} else {
			az_note(az, "%s: ELF interpreter %s not in the image",
				az_pathof(n), ei.interp);
		}
	}
	/* RPATH of the executable applies to every library it loads. */
	if (exec && ei.rpath && !ei.runpath) {
		char origin[8192], exp[8192];

		snprintf(origin, sizeof(origin), "%s", az_pathof(n->parent));
		expand_dst(ei.rpath, origin, exp, sizeof(exp), "lib");
		rp = strdup(exp);
	} else if (inh_rpath) {
		rp = strdup(inh_rpath);
	}
	for (s = ei.needed; s && *s; s++) {
		struct img_node *l = find_lib(az, *s, &ei, n, rp);

		if (l)
			az_lib(az, l, "library %s needed by %s", *s, az_pathof(n));
		else
			az_note(az, "%s: needed library %s not found in the image",
				az_pathof(n), *s);
	}
	if (exec && multicall(n)) {
		/* Its strings are every applet's: library evidence only. */
		az_note(az, "%s: a multi-call binary; its strings count as "
			"library evidence", az_pathof(n));
		ev = EV_LIB;
	}
	if (!(n->mark & MK_GLIBC) && !is_glibc(n->name)) {
		void *a[3] = { az, &ev, n };

		elf_data_regions(n->data, n->size, region_cb, a);
	} else {
		n->mark |= MK_GLIBC;
	}
	if (exec)
		az->st->programs++;
	else
		az->st->libraries++;
	free(rp);
	elf_info_free(&ei);
}

void az_lib(struct az *az, struct img_node *n, const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = vfmt(fmt, ap);
	va_end(ap);
	az_grant_node(az, n, R | X, FGUARD_KIND_EXACT, "%s", why ? why : "library");
	if (n->mark & MK_LIB) {
		free(why);
		return;
	}
	n->mark |= MK_LIB;
	lib_add(az, n);
	push(az, W_LIB, n, EV_LIB, why, NULL);
}

void az_text(struct az *az, struct img_node *n, enum az_ev ev,
	     const char *fmt, ...)
{
	va_list ap;
	char *why;
	unsigned int m = ev >= EV_CONFIG ? MK_TEXT_DEEP : MK_TEXT;

	va_start(ap, fmt);
	why = vfmt(fmt, ap);
	va_end(ap);
	az_grant_node(az, n, R, FGUARD_KIND_EXACT, "%s", why ? why : "read");
	if ((n->mark & m) || !az_is_text(n)) {
		free(why);
		return;
	}
	n->mark |= m | MK_TEXT;
	/* An included file's relative names may start at the first config. */
	if (az->text_root && !n->aux)
		n->aux = (void *)az->text_root;
	push(az, W_TEXT, n, ev, why, NULL);
}

static bool is_shell_name(const char *b)
{
	static const char *const sh[] = { "sh", "bash", "dash", "ash", "ksh",
					  "mksh", "zsh", "rbash", "posh", NULL };

	return is_any(b, sh);
}

static bool is_wrapper_name(const char *b)
{
	static const char *const w[] = {
		"env", "nice", "nohup", "timeout", "tini", "tini-static",
		"dumb-init", "gosu", "su-exec", "setpriv", "setsid", "stdbuf",
		"ionice", "taskset", "chpst", "runuser", "catatonit", "s6-setuidgid",
		"xargs", "exec", "time", "chroot", "unshare", "flock", "sudo",
		"su", "doas", "caddy-exec", NULL
	};

	return is_any(b, w);
}

/* The script of a #! line: interpreter node and its optional argument. */
static struct img_node *shebang(struct az *az, struct img_node *n, char *arg,
				size_t arglen, char *ipath, size_t iplen)
{
	const char *s = (const char *)n->data + 2, *end, *e;
	struct img_res res;
	size_t lim = n->size - 2 < 255 ? n->size - 2 : 255;

	end = memchr(s, '\n', lim);
	if (!end)
		end = s + lim;
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	for (e = s; e < end && *e != ' ' && *e != '\t' && *e != '\r'; e++)
		;
	snprintf(ipath, iplen, "%.*s", (int)(e - s), s);
	while (e < end && (*e == ' ' || *e == '\t'))
		e++;
	for (s = e; e < end && *e != '\r'; e++)
		;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	snprintf(arg, arglen, "%.*s", (int)(e - s), s);
	return ipath[0] == '/' ? resolve(az, ipath, &res) : NULL;
}

static char **argv_join(const char *a0, const char *a1, char **rest)
{
	char **v = NULL, **s;

	if (a0)
		v = strv_add(v, a0);
	if (a1)
		v = strv_add(v, a1);
	for (s = rest; s && *s; s++)
		v = strv_add(v, *s);
	if (!v)
		v = calloc(1, sizeof(*v));
	return v;
}

static void exec_args(struct az *az, struct img_node *prog, char **args,
		      const char *why);

/*
 * A program installed in a directory of its own (/opt/app/bin/server,
 * /usr/lib/jvm/java-17/bin/java, /usr/lib/postgresql/15/bin/postgres)
 * reads its installation: modules, data, libraries it loads by path.
 */
static void program_home(struct az *az, struct img_node *n)
{
	struct img_node *home = n->parent;
	char *p;

	if (!strcmp(home->name, "bin") || !strcmp(home->name, "sbin") ||
	    !strcmp(home->name, "libexec"))
		home = home->parent;
	p = az_pathof(home);
	if (home == az->img->root || az_system_dir(p) ||
	    under_any(p, (const char *const *)az->writable) ||
	    img_count_files(home) * 2 > az->image_files)
		return;
	az_grant_node(az, home, R, FGUARD_KIND_TREE,
		      "installation directory of %s", az_pathof(n));
}

/* Interpreters and runtimes whose first argument is the program. */
static bool is_interpreter_name(const char *b)
{
	static const char *const pats[] = {
		"node", "nodejs", "perl*", "ruby*", "php*", "lua*", "luajit*",
		"deno", "bun", "java", "Rscript", "tclsh*", "wish*", "guile*",
		"gawk", "awk", "mawk", "dotnet", "erl", "elixir", "escript", NULL
	};
	int i;

	for (i = 0; pats[i]; i++)
		if (!fnmatch(pats[i], b, 0))
			return true;
	return false;
}

/*
 * Programs that run programs: a script's interpreter, a program named in
 * another's arguments. The kernel stops a chain of interpreters at 5; a
 * chain through arguments can loop (a script naming itself as its own
 * interpreter). Deeper than this, a run is granted but not followed.
 */
#define EXEC_DEPTH_MAX 16

static void exec_node(struct az *az, struct img_node *n, char **args,
		      char *why);

void az_exec(struct az *az, struct img_node *n, char **args,
	     const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = vfmt(fmt, ap);
	va_end(ap);
	if (!why)
		return;
	if (n->type != IMG_REG) {
		free(why);
		return;
	}
	if (az->exec_depth >= EXEC_DEPTH_MAX) {
		az_grant_node(az, n, R | X, FGUARD_KIND_EXACT, "%s", why);
		az_note(az, "%s: not followed further: programs run programs more than %d deep (a loop?)",
			az_pathof(n), EXEC_DEPTH_MAX);
		free(why);
		return;
	}
	az->exec_depth++;
	exec_node(az, n, args, why);
	az->exec_depth--;
}

/* az_exec() of a regular file, @why its reason; frees @why. */
static void exec_node(struct az *az, struct img_node *n, char **args,
		      char *why)
{
	if (under_any(az_pathof(n), (const char *const *)az->writable) &&
	    !under_any(az_pathof(n), never_writable))
		az_note(az, "%s: executed from a writable area", az_pathof(n));
	az_grant_node(az, n, R | X, FGUARD_KIND_EXACT, "%s", why);
	if (n->data && n->size >= 2 && n->data[0] == '#' && n->data[1] == '!') {
		char arg[256], ipath[256];
		struct img_node *in = shebang(az, n, arg, sizeof(arg), ipath,
					      sizeof(ipath));
		char **nargs;

		if (!in) {
			az_note(az, "%s: interpreter %s not in the image",
				az_pathof(n), ipath);
			free(why);
			return;
		}
		/* The kernel runs "interp [arg] script args...". */
		nargs = argv_join(arg[0] ? arg : NULL, az_pathof(n), args);
		az_exec(az, in, nargs, "interpreter of %s", az_pathof(n));
		strv_free(nargs);
		free(why);
		return;
	}
	if (!(n->mark & MK_EXEC)) {
		n->mark |= MK_EXEC;
		program_home(az, n);
		if (n->data && n->size >= 4 && !memcmp(n->data, "\177ELF", 4))
			push(az, W_EXEC, n, EV_PROG, strdup(why), NULL);
		else if (az_is_text(n)) {
			/* No #!: execve fails with ENOEXEC, the shell runs it. */
			az->st->scripts++;
			az_shell(az, n, (const char *)n->data, n->size, args, why);
		}
	}
	exec_args(az, n, args, why);
	free(why);
}

/* What the arguments of a run of @prog reach. */
static void exec_args(struct az *az, struct img_node *prog, char **args,
		      const char *why)
{
	const char *b = prog->name;
	char **a;
	bool shell = is_shell_name(b);

	if (!args)
		return;
	/* busybox APPLET ...: the applet decides. */
	if (!strcmp(b, "busybox") && args[0]) {
		if (is_shell_name(args[0])) {
			shell = true;
			args++;
		} else if (is_wrapper_name(args[0])) {
			b = args[0];
			args++;
		}
	}
	if (az_is_python(prog)) {
		az_python(az, prog, args, why);
		return;
	}
	if (shell) {
		for (a = args; *a; a++) {
			if (!strcmp(*a, "-c") && a[1]) {
				az->st->scripts++;
				az_shell(az, NULL, a[1], strlen(a[1]), a + 2, why);
				return;
			}
			if ((*a)[0] == '-' || (*a)[0] == '+')
				continue;
			break;
		}
		if (*a) {
			struct img_res res;
			struct img_node *s = resolve(az, *a, &res);

			if (s && s->type == IMG_REG) {
				az_grant_node(az, s, R, FGUARD_KIND_EXACT,
					      "script run by %s", az_pathof(prog));
				if (!(s->mark & MK_SHELL) && az_is_text(s)) {
					s->mark |= MK_SHELL;
					az->st->scripts++;
					az_shell(az, s, (const char *)s->data, s->size,
						 a + 1, why);
				}
			}
		}
		return;
	}
	for (a = args; *a; a++) {
		const char *v = *a, *eq;

		/* --opt=/path and NAME=/path */
		eq = v[0] != '/' ? strchr(v, '=') : NULL;
		if (eq)
			v = eq + 1;
		if (v[0] == '/') {
			az_scan_paths(az, (const uint8_t *)v, strlen(v), true,
				      EV_CONFIG, NULL);
		} else if ((strchr(v, '/') || strchr(v, '.')) && az->workdir &&
			   v[0] != '-') {
			struct img_res res;
			struct img_node *n = img_resolve(az->img, az->workdir, v, 0, &res);

			if (n && n->type == IMG_REG)
				path_resolved(az, n, NULL, EV_CONFIG,
					      "named on the command line");
		}
	}
	if (is_interpreter_name(b)) {
		/* The program it runs, and the files beside it. */
		for (a = args; *a; a++) {
			struct img_res res;
			struct img_node *n;

			if (!strcmp(*a, "-jar") || !strcmp(*a, "-cp") ||
			    !strcmp(*a, "-classpath"))
				continue;
			if ((*a)[0] == '-')
				continue;
			n = img_resolve(az->img, az->workdir, *a, 0, &res);
			if (!n || n->type != IMG_REG)
				break;
			az_grant_node(az, n, R, FGUARD_KIND_EXACT,
				      "program run by %s", az_pathof(prog));
			if (!az_system_dir(az_pathof(n->parent)) &&
			    n->parent != az->img->root)
				az_grant_node(az, n->parent, R, FGUARD_KIND_TREE,
					      "the files of %s, run by %s",
					      az_pathof(n), az_pathof(prog));
			break;
		}
	}
	if (is_wrapper_name(b)) {
		/* The first argument that is a program is run with the rest. */
		for (a = args; *a; a++) {
			struct img_res res;
			struct img_node *n = NULL;

			if ((*a)[0] == '-' || strchr(*a, '='))
				continue;
			if ((*a)[0] == '/')
				n = resolve(az, *a, &res);
			else
				n = az_which(az, *a, strlen(*a), NULL);
			if (n && n->type == IMG_REG && (n->mode & 0111)) {
				az_exec(az, n, a + 1, "run by %s (%s)", b, why);
				break;
			}
		}
	}
}

/* ------------------------------------------------------------ text */

/* Relative names in a config: against its directory and the programs'. */
static void text_relative(struct az *az, const char *tok, size_t len,
			  const struct img_node *from, unsigned int line)
{
	const struct img_node *bases[3];
	size_t i, nb = 0;
	char buf[8192];

	if (len >= 1024 || tok[0] == '-' || tok[0] == '$')
		return;
	bases[nb++] = from->parent;
	if (az->text_root && az->text_root->parent != from->parent)
		bases[nb++] = az->text_root->parent;
	for (i = 0; i < nb; i++) {
		const char *d = az_pathof(bases[i]);

		if (az_system_dir(d))
			continue;
		snprintf(buf, sizeof(buf), "%s/%.*s", d, (int)len, tok);
		if (memchr(tok, '*', len)) {
			struct glob_ctx g = { EV_CONFIG, from, line, buf };

			az_glob(az, buf, glob_hit, &g);
		} else {
			struct img_res res;
			struct img_node *n = resolve(az, buf, &res);

			if (n && n->type != IMG_DIR) {
				char *why = NULL;

				asprintf(&why, "named in %s:%u", az_pathof(from), line);
				if (why)
					path_resolved(az, n, NULL, EV_CONFIG, why);
				free(why);
			}
		}
	}
	for (i = 0; i < az->nprefixes; i++) {
		struct img_res res;
		struct img_node *n;

		snprintf(buf, sizeof(buf), "%s/%.*s", az->prefixes[i], (int)len, tok);
		n = resolve(az, buf, &res);
		if (n && n->type != IMG_LNK) {
			char *why = NULL;

			asprintf(&why, "named in %s:%u (under %s)", az_pathof(from),
				 line, az->prefixes[i]);
			if (why)
				path_resolved(az, n, NULL, EV_CONFIG, why);
			free(why);
		}
	}
}

static void do_text(struct az *az, struct img_node *n, enum az_ev ev)
{
	const char *s = (const char *)n->data, *end = s + n->size;
	unsigned int line = 0;
	const struct img_node *saved_root = az->text_root;

	az->text_root = n->aux ? n->aux : n;
	az->st->configs++;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *t;
		char buf[4096];
		size_t l;

		line++;
		/* Comments: '#' or ';' at the start, "#" after blank, "//". */
		t = s;
		while (t < e && (*t == ' ' || *t == '\t'))
			t++;
		if (t < e && (*t == '#' || *t == ';' ||
			      (*t == '/' && t + 1 < e && t[1] == '/'))) {
			s = e + 1;
			continue;
		}
		for (t = s; t < e; t++)
			if (*t == '#' && (t == s || t[-1] == ' ' || t[-1] == '\t'))
				break;
		l = (size_t)(t - s);
		if (l >= sizeof(buf))
			l = sizeof(buf) - 1;
		memcpy(buf, s, l);
		buf[l] = '\0';
		{
			const uint8_t *ls = (const uint8_t *)buf;
			size_t i = 0;

			/* Absolute paths (and globs) anywhere on the line. */
			for (; i < l; i++) {
				size_t j;

				if (buf[i] != '/' || (i && path_char((unsigned char)buf[i - 1], true)))
					continue;
				for (j = i; j < l && path_char(ls[j], true); j++)
					;
				if (j - i >= 2)
					scan_one(az, buf + i, j - i, true, ev, n, line);
				i = j;
			}
			/* Relative tokens that look like file names. */
			if (ev >= EV_CONFIG) {
				for (i = 0; i < l; ) {
					size_t j;

					while (i < l && !path_char(ls[i], true))
						i++;
					for (j = i; j < l && path_char(ls[j], true); j++)
						;
					if (j > i && buf[i] != '/' &&
					    (memchr(buf + i, '.', j - i) ||
					     memchr(buf + i, '/', j - i)) &&
					    isalnum((unsigned char)buf[i]) &&
					    (i == 0 || buf[i - 1] == ' ' ||
					     buf[i - 1] == '\t' || buf[i - 1] == '"' ||
					     buf[i - 1] == '\'' || buf[i - 1] == '=' ||
					     buf[i - 1] == ':' || buf[i - 1] == '('))
						text_relative(az, buf + i, j - i, n, line);
					i = j;
				}
			}
		}
		s = e + 1;
	}
	az->text_root = saved_root;
}

/* ------------------------------------------------------------ setup */

static void ld_conf(struct az *az, const char *file, int depth);

static void ld_conf_glob(struct az *az, struct img_node *n, void *arg)
{
	int *depth = arg;

	if (n->type == IMG_REG)
		ld_conf(az, az_pathof(n), *depth + 1);
}

/* /etc/ld.so.conf: the directories of ld.so.cache, in order. */
static void ld_conf(struct az *az, const char *file, int depth)
{
	struct img_res res;
	struct img_node *n = resolve(az, file, &res);
	const char *s, *end;

	if (!n || n->type != IMG_REG || !n->data || depth > 8)
		return;
	s = (const char *)n->data;
	end = s + n->size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		char line[1024];
		size_t l = (size_t)(e - s);
		char *p, *q;

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, s, l);
		line[l] = '\0';
		s = e + 1;
		if ((p = strchr(line, '#')))
			*p = '\0';
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		q = p + strlen(p);
		while (q > p && (q[-1] == ' ' || q[-1] == '\t' || q[-1] == '\r'))
			*--q = '\0';
		if (!*p)
			continue;
		if (!strncmp(p, "include", 7) && (p[7] == ' ' || p[7] == '\t')) {
			char pat[1100];

			p += 8;
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p == '/')
				snprintf(pat, sizeof(pat), "%s", p);
			else
				snprintf(pat, sizeof(pat), "/etc/%s", p);
			glob_quiet(az, pat, ld_conf_glob, &depth);
			continue;
		}
		if (*p == '/' && !strv_has(az->libdirs, p))
			az->libdirs = strv_add(az->libdirs, p);
	}
}

static char **split_colon(const char *s)
{
	char **v = NULL, *copy = strdup(s ? s : ""), *tok, *save = NULL;

	for (tok = copy ? strtok_r(copy, ":", &save) : NULL; tok;
	     tok = strtok_r(NULL, ":", &save))
		if (*tok)
			v = strv_add(v, tok);
	free(copy);
	return v;
}

static int count_files(struct img_node *n, void *arg)
{
	if (n->type != IMG_DIR)
		(*(uint64_t *)arg)++;
	return 0;
}

struct allow_ctx {
	const struct fg_table *t;
	uint64_t allowed, total;
};

static int count_allowed(struct img_node *n, void *arg)
{
	struct allow_ctx *c = arg;
	char *p;
	struct fg_verdict v;

	if (n->type == IMG_DIR)
		return 0;
	c->total++;
	p = az_pathof(n);
	v = fg_table_lookup(c->t, p, strlen(p), R);
	if (v.granted)
		c->allowed++;
	return 0;
}

static int grant_cmp(const void *a, const void *b)
{
	const struct grant *x = a, *y = b;
	size_t lx = strcspn(x->pat, "*"), ly = strcspn(y->pat, "*");
	int c = strncmp(x->pat, y->pat, lx < ly ? lx : ly);

	if (c)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return strcmp(x->pat, y->pat);
}

/* Does a grant (pattern) cover @path? */
static bool covers(const char *pat, const char *path)
{
	size_t n = strlen(pat);

	if (n >= 3 && !strcmp(pat + n - 3, "/**")) {
		if (n == 3)
			return true;
		return !strncmp(path, pat, n - 3) &&
		       (!path[n - 3] || path[n - 3] == '/');
	}
	if (n >= 2 && !strcmp(pat + n - 2, "/*")) {
		const char *rest = path + n - 1;

		return !strncmp(path, pat, n - 1) && *rest && !strchr(rest, '/');
	}
	return !strcmp(pat, path);
}

static void enforce_invariants(struct az *az)
{
	size_t i, j;

	for (i = 0; i < az->ng; i++) {
		struct grant *g = &az->g[i];
		char base[8192];
		size_t n;

		if (!(g->perms & W))
			continue;
		snprintf(base, sizeof(base), "%s", g->pat);
		n = strlen(base);
		if (n >= 3 && !strcmp(base + n - 3, "/**"))
			base[n - 3] = '\0';
		else if (n >= 2 && !strcmp(base + n - 2, "/*"))
			base[n - 2] = '\0';
		if (!*base)
			strcpy(base, "/");
		if ((under_any(base, never_writable) && !under(base, "/dev/shm") &&
		     strcmp(base, "/dev/null") && strcmp(base, "/dev/tty") &&
		     strcmp(base, "/dev/full") && !under(base, "/dev/pts")) ||
		    !strcmp(base, "/")) {
			az_note(az, "%s: write not granted (system directory)", g->pat);
			g->perms &= ~(unsigned int)W;
		}
	}
	/* No path both writable and executable: executables win, writes go. */
	for (i = 0; i < az->ng; i++) {
		if (!(az->g[i].perms & X))
			continue;
		for (j = 0; j < az->ng; j++) {
			const char *xp = az->g[i].pat;

			if (!(az->g[j].perms & W))
				continue;
			if (i == j || covers(az->g[j].pat, xp)) {
				az_note(az, "%s: executable, so not writable (was %s)",
					xp, az->g[j].pat);
				if (i == j) {
					az->g[i].perms &= ~(unsigned int)W;
				} else {
					/* Keep the tree writable, not the program executable. */
					az_note(az, "%s: under writable %s: not executable",
						xp, az->g[j].pat);
					az->g[i].perms &= ~(unsigned int)X;
				}
			}
		}
	}
}

static struct grant *find_grant(struct az *az, const char *pat)
{
	uint32_t i;

	for (i = az->gh[ghash(pat) & az->ghmask]; i; i = az->g[i - 1].next)
		if (!strcmp(az->g[i - 1].pat, pat))
			return &az->g[i - 1];
	return NULL;
}

/* An exact rule that a tree or children rule already grants: noise. */
static void drop_covered(struct az *az)
{
	size_t i;

	for (i = 0; i < az->ng; i++) {
		struct grant *g = &az->g[i], *c;
		char buf[8200];
		size_t n = strlen(g->pat);
		bool first = true;

		if (!g->perms || (n >= 2 && g->pat[n - 1] == '*'))
			continue;
		snprintf(buf, sizeof(buf), "%s", g->pat);
		for (;;) {
			char *slash;
			size_t l = strlen(buf);

			snprintf(buf + l, sizeof(buf) - l, "/**");
			c = find_grant(az, strcmp(buf, "//**") ? buf : "/**");
			if (c && c != g && (c->perms & g->perms) == g->perms)
				break;
			if (!first) {
				snprintf(buf + l, sizeof(buf) - l, "/*");
				c = find_grant(az, strcmp(buf, "//*") ? buf : "/*");
				if (c && (c->perms & g->perms) == g->perms)
					break;
			}
			buf[l] = '\0';
			c = NULL;
			if (!strcmp(buf, "/"))
				break;
			slash = strrchr(buf, '/');
			if (slash == buf)
				slash[1] = '\0';
			else
				*slash = '\0';
			first = false;
		}
		if (c)
			g->perms = 0;
	}
}

static int clear_marks(struct img_node *n, void *arg)
{
	(void)arg;
	n->mark = 0;
	n->aux = NULL;
	return 0;
}

int fg_analyze(const struct image *img, const struct az_opts *opts,
	       struct fg_policy *pol, struct az_stats *stats, char **notes,
	       char *err, size_t errlen)
{
	struct az az_s, *az = &az_s;
	struct az_opts defopts = { 0 };
	struct az_stats st_local;
	char **argv = NULL, **a;
	const char *v;
	size_t i;
	int ret = -1;

	memset(az, 0, sizeof(*az));
	if (!opts)
		opts = &defopts;
	if (!stats)
		stats = &st_local;
	memset(stats, 0, sizeof(*stats));
	az->img = img;
	az->opts = opts;
	az->st = stats;
	az->ghmask = 1023;
	az->gh = calloc(az->ghmask + 1, sizeof(*az->gh));
	az->notes = open_memstream(&az->notes_buf, &az->notes_len);
	if (!az->gh || !az->notes) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	img_walk(img->root, count_files, &az->image_files);

	/* The container's environment. */
	v = img_getenv(img, "PATH");
	az->path = v ? split_colon(v) : NULL;
	if (!az->path)
		for (i = 0; default_path[i]; i++)
			az->path = strv_add(az->path, default_path[i]);
	v = img_getenv(img, "LD_LIBRARY_PATH");
	if (v)
		az->ldlp = strv_add(az->ldlp, v);
	for (i = 0; writable_areas[i]; i++)
		az->writable = strv_add(az->writable, writable_areas[i]);
	for (a = img->cfg.volumes; a && *a; a++) {
		char vol[4096];

		snprintf(vol, sizeof(vol), "%s", *a);
		while (strlen(vol) > 1 && vol[strlen(vol) - 1] == '/')
			vol[strlen(vol) - 1] = '\0';
		if (vol[0] != '/' || under_any(vol, never_writable) || !strcmp(vol, "/")) {
			az_note(az, "VOLUME %s: not made writable (system directory)", *a);
			continue;
		}
		az->writable = strv_add(az->writable, vol);
		az_grant_path(az, vol, R | W, "VOLUME %s", *a);
		{
			char t[4200];

			snprintf(t, sizeof(t), "%s/**", vol);
			az_grant_path(az, t, R | W, "VOLUME %s", *a);
		}
	}
	ld_conf(az, "/etc/ld.so.conf", 0);
	if (img->cfg.workdir) {
		struct img_res res;

		az->workdir = img_resolve(img, NULL, img->cfg.workdir, 0, &res);
		if (az->workdir && az->workdir->type != IMG_DIR)
			az->workdir = NULL;
		if (!az->workdir)
			az_note(az, "WORKDIR %s is not a directory of the image "
				"(the runtime creates it)", img->cfg.workdir);
	}
	if (!az->workdir)
		az->workdir = img->root;

	/* Docker's rule: ENTRYPOINT + CMD, or CMD alone. */
	for (a = img->cfg.entrypoint; a && *a; a++)
		argv = strv_add(argv, *a);
	for (a = img->cfg.cmd; a && *a; a++)
		argv = strv_add(argv, *a);
	if (!argv || !argv[0] || !*argv[0]) {
		snprintf(err, errlen, "the image has neither ENTRYPOINT nor CMD: "
			 "nothing to analyse");
		goto out;
	}
	{
		struct img_node *ep;
		struct img_res res;
		char *joined = NULL;
		size_t jl = 0;
		FILE *jf = open_memstream(&joined, &jl);

		for (a = argv; *a; a++)
			fprintf(jf, "%s%s", a == argv ? "" : " ", *a);
		fclose(jf);
		free(pol->entrypoint);
		pol->entrypoint = joined;
		if (strchr(argv[0], '/'))
			ep = img_resolve(img, az->workdir, argv[0], 0, &res);
		else
			ep = az_which(az, argv[0], strlen(argv[0]), NULL);
		if (!ep || ep->type != IMG_REG) {
			snprintf(err, errlen, "entry point `%s' not found in the image%s",
				 argv[0], strchr(argv[0], '/') ? "" : " (searched the PATH of "
				 "the image's Env)");
			goto out;
		}
		az_exec(az, ep, argv + 1, "entry point");
		/* An entry point script typically ends in exec "$@": CMD runs. */
		if (img->cfg.entrypoint && img->cfg.entrypoint[0] && img->cfg.cmd &&
		    img->cfg.cmd[0] && ep->data && ep->size > 2 &&
		    ep->data[0] == '#' && ep->data[1] == '!') {
			struct img_node *c;
			const char *c0 = img->cfg.cmd[0];

			c = strchr(c0, '/') ? img_resolve(img, az->workdir, c0, 0, &res)
					    : az_which(az, c0, strlen(c0), NULL);
			if (c && c->type == IMG_REG && (c->mode & 0111))
				az_exec(az, c, img->cfg.cmd + 1,
					"CMD, run by the entry point script");
		}
	}
	if (az->workdir != img->root) {
		char *wd = az_pathof(az->workdir);

		/* The application's own files: whatever their number. */
		if (!az_system_dir(wd))
			az_grant_node(az, az->workdir, R, FGUARD_KIND_TREE,
				      "WORKDIR (the application's files)");
		else
			az_grant_node(az, az->workdir, R, FGUARD_KIND_EXACT, "WORKDIR");
	}

	for (int round = 0; round < 3; round++) {
		while (az->qhead < az->qn) {
			struct item it = az->q[az->qhead++];

			switch (it.kind) {
			case W_EXEC:
				do_elf(az, it.n, true, NULL);
				break;
			case W_LIB:
				do_elf(az, it.n, false, it.rpath);
				break;
			case W_TEXT:
				do_text(az, it.n, it.ev);
				break;
			}
			free(it.why);
			free(it.rpath);
		}
		if (round == 0 &&
		    az_base_profile(az, opts->base_profile ? opts->base_profile :
				    fg_base_profile, err, errlen))
			goto out;
	}

	enforce_invariants(az);
	drop_covered(az);
	qsort(az->g, az->ng, sizeof(*az->g), grant_cmp);
	for (i = 0; i < az->ng; i++) {
		struct grant *g = &az->g[i];

		if (!g->perms)
			continue;
		if (fg_policy_add(pol, g->pat, g->perms, g->why)) {
			az_note(az, "%s: not a valid pattern, dropped", g->pat);
			continue;
		}
		stats->rules++;
	}
	{
		struct fg_table t;
		uint8_t *blob = NULL;
		struct allow_ctx c = { &t, 0, 0 };

		if (!fg_policy_table(pol, &t, &blob, err, errlen)) {
			img_walk(img->root, count_allowed, &c);
			fg_table_free(&t);
			free(blob);
			stats->image_files = c.total;
			stats->allowed_files = c.allowed;
		} else {
			goto out;
		}
	}
	ret = 0;
out:
	strv_free(argv);
	if (az->notes) {
		fclose(az->notes);
		if (notes && !ret)
			*notes = az->notes_buf;
		else
			free(az->notes_buf);
	}
	for (i = 0; i < az->ng; i++) {
		free(az->g[i].pat);
		free(az->g[i].why);
	}
	free(az->g);
	free(az->gh);
	for (i = az->qhead; i < az->qn; i++) {
		free(az->q[i].why);
		free(az->q[i].rpath);
	}
	free(az->q);
	strv_free(az->path);
	strv_free(az->libdirs);
	strv_free(az->ldlp);
	strv_free(az->writable);
	for (i = 0; i < az->nprefixes; i++)
		free(az->prefixes[i]);
	free(az->prefixes);
	free(az->libs);
	/* Marks are the analysis' own: leave the image as it was. */
	img_walk(img->root, clear_marks, NULL);
	return ret;
}
