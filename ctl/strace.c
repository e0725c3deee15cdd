// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Reading strace logs into accesses (see strace.h). */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "strace.h"

#define PMAX FGUARD_POL_PATH_MAX

static const char *const skip_names[__FG_SKIP_COUNT] = {
	[FG_SKIP_MALFORMED] = "malformed lines",
	[FG_SKIP_FAILED] = "failed calls (never reached the guard)",
	[FG_SKIP_UNFINISHED] = "unfinished calls never resumed",
	[FG_SKIP_NO_CWD] = "relative paths with an unknown working directory",
	[FG_SKIP_DIRFD] = "paths relative to an unnamed descriptor (use strace -y)",
	[FG_SKIP_FD] = "calls on an unnamed descriptor (use strace -y)",
	[FG_SKIP_OUTSIDE_ROOT] = "paths outside the root",
	[FG_SKIP_BAD_PATH] = "unusable path arguments",
};

const char *fg_strace_skip_name(enum fg_strace_skip why)
{
	return (unsigned int)why < __FG_SKIP_COUNT ? skip_names[why] : "?";
}

/* A process's file system context: shared by CLONE_FS, else copied. */
struct fsinfo {
	char *cwd;		/* host path; NULL: unknown */
	char *root;		/* host path of chroot(), "/" by default */
	unsigned int refs;
};

struct proc {
	int pid, tgid;
	struct fsinfo *fs;
	char comm[16];
	char *pending;		/* an unfinished call, from its name on */
	unsigned long pending_line, pending_seq;
	long long pending_when;
};

struct fg_strace {
	fg_strace_emit_fn emit;
	void *ctx;
	char *root;		/* canonical; NULL for "/" */
	size_t rootlen;
	char *cwd0;
	bool resolve;
	int rootfd;
	struct fg_strace_stats stats;
	struct proc **procs;
	size_t nprocs, cap;
	unsigned long seq;
	/* the call being handled */
	unsigned long line;
	long long when;
	char origin[64];
};

/* ---- processes ---- */

static struct fsinfo *fs_new(const char *cwd, const char *root)
{
	struct fsinfo *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	fs->cwd = cwd ? strdup(cwd) : NULL;
	fs->root = strdup(root ? root : "/");
	fs->refs = 1;
	if ((cwd && !fs->cwd) || !fs->root) {
		free(fs->cwd);
		free(fs->root);
		free(fs);
		return NULL;
	}
	return fs;
}

static void fs_put(struct fsinfo *fs)
{
	if (fs && !--fs->refs) {
		free(fs->cwd);
		free(fs->root);
		free(fs);
	}
}

static struct proc *find_proc(const struct fg_strace *st, int pid)
{
	size_t i;

	for (i = 0; i < st->nprocs; i++)
		if (st->procs[i]->pid == pid)
			return st->procs[i];
	return NULL;
}

static bool is_clone(const char *call)
{
	return !strncmp(call, "clone(", 6) || !strncmp(call, "clone3(", 7) ||
	       !strncmp(call, "fork(", 5) || !strncmp(call, "vfork(", 6);
}

/* @child gets @parent's context as the clone @call (its text) gives it. */
static int inherit(struct proc *child, const struct proc *parent,
		   const char *call)
{
	bool clone = !strncmp(call, "clone", 5);

	if (clone && strstr(call, "CLONE_FS")) {
		child->fs = parent->fs;
		child->fs->refs++;
	} else {
		child->fs = fs_new(parent->fs->cwd, parent->fs->root);
		if (!child->fs)
			return -ENOMEM;
	}
	child->tgid = clone && strstr(call, "CLONE_THREAD") ? parent->tgid :
							     child->pid;
	memcpy(child->comm, parent->comm, sizeof(child->comm));
	return 0;
}

static struct proc *new_proc(struct fg_strace *st, int pid)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	if (st->nprocs == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 16;
		struct proc **n = realloc(st->procs, cap * sizeof(*n));

		if (!n) {
			free(p);
			return NULL;
		}
		st->procs = n;
		st->cap = cap;
	}
	p->pid = pid;
	p->tgid = pid;
	st->procs[st->nprocs++] = p;
	return p;
}

static void drop_proc(struct fg_strace *st, struct proc *p)
{
	size_t i;

	for (i = 0; i < st->nprocs; i++)
		if (st->procs[i] == p) {
			st->procs[i] = st->procs[--st->nprocs];
			break;
		}
	if (p->pending)
		st->stats.skipped[FG_SKIP_UNFINISHED]++;
	free(p->pending);
	fs_put(p->fs);
	free(p);
}

/*
 * The process @pid; a new one is the child of the clone that is still
 * unfinished (strace -f often shows a child before its parent's clone
 * returns), or else one of the first processes.
 */
static struct proc *get_proc(struct fg_strace *st, int pid)
{
	struct proc *p = find_proc(st, pid), *parent = NULL;
	size_t i;

	if (p)
		return p;
	for (i = 0; i < st->nprocs; i++) {
		struct proc *q = st->procs[i];

		if (q->pending && is_clone(q->pending) &&
		    (!parent || q->pending_seq > parent->pending_seq))
			parent = q;
	}
	p = new_proc(st, pid);
	if (!p)
		return NULL;
	if (parent ? inherit(p, parent, parent->pending) :
		     !(p->fs = fs_new(st->cwd0, NULL)) ? -ENOMEM : 0) {
		st->nprocs--;
		free(p);
		return NULL;
	}
	return p;
}

/* ---- lexical helpers ---- */

/* Skip a C string starting at the quote; returns past its end quote. */
static const char *skip_string(const char *s, const char *end)
{
	for (s++; s < end; s++) {
		if (*s == '\\' && s + 1 < end)
			s++;
		else if (*s == '"')
			return s + 1;
	}
	return end;
}

/*
 * Skip a decoration starting at '<': nested "<char 1:3>" counts, and the
 * '>' of "->" in a socket's "[1->2]" does not close it.
 */
static const char *skip_decoration(const char *s, const char *end)
{
	int depth = 0;

	for (; s < end; s++) {
		if (*s == '\\' && s + 1 < end)
			s++;
		else if (*s == '<')
			depth++;
		else if (*s == '>' && s[-1] != '-' && !--depth)
			return s + 1;
	}
	return end;
}

struct arg {
	const char *s;
	size_t n;
};

/*
 * Split the argument text [s, end) at top-level commas. Returns the count
 * (at most max), or -1 if brackets or quotes do not balance.
 */
static int split_args(const char *s, const char *end, struct arg *a, int max)
{
	const char *start = s;
	int n = 0, depth = 0;

	while (s < end) {
		switch (*s) {
		case '"':
			s = skip_string(s, end);
			continue;
		case '<':
			/* a decoration follows a descriptor: "3<", "AT_FDCWD<" */
			if (s > start && (isdigit((unsigned char)s[-1]) || s[-1] == 'D')) {
				s = skip_decoration(s, end);
				continue;
			}
			break;
		case '/':
			if (s + 1 < end && s[1] == '*') {	/* comment */
				const char *c = strstr(s + 2, "*/");

				s = c && c < end ? c + 2 : end;
				continue;
			}
			break;
		case '(': case '[': case '{':
			depth++;
			break;
		case ')': case ']': case '}':
			if (--depth < 0)
				return -1;
			break;
		case ',':
			if (!depth) {
				if (n < max)
					a[n++] = (struct arg){ start, (size_t)(s - start) };
				start = s + 1;
				while (start < end && *start == ' ')
					start++;
				s = start;
				continue;
			}
			break;
		}
		s++;
	}
	if (depth)
		return -1;
	while (end > start && end[-1] == ' ')
		end--;
	if (end > start && n < max)
		a[n++] = (struct arg){ start, (size_t)(end - start) };
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)tolower((unsigned char)c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undo strace's C escapes of [s, end) into out; -1 if too long or NUL. */
static int unescape(const char *s, const char *end, char *out, size_t outlen)
{
	size_t o = 0;

	for (; s < end; s++) {
		int c = (unsigned char)*s;

		if (c == '\\' && s + 1 < end) {
			s++;
			switch (*s) {
			case 'n': c = '\n'; break;
			case 't': c = '\t'; break;
			case 'r': c = '\r'; break;
			case 'v': c = '\v'; break;
			case 'f': c = '\f'; break;
			case 'x':
				if (s + 2 < end && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
					c = hexval(s[1]) * 16 + hexval(s[2]);
					s += 2;
				} else {
					c = 'x';
				}
				break;
			default:
				if (*s >= '0' && *s <= '7') {
					int k;

					c = 0;
					for (k = 0; k < 3 && s < end && *s >= '0' && *s <= '7'; k++, s++)
						c = c * 8 + (*s - '0');
					s--;
				} else {
					c = (unsigned char)*s;
				}
			}
		}
		if (!c || o + 1 >= outlen)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return 0;
}

/* A quoted string argument, whole (not cut short by -s): 0, or -1. */
static int unquote(const struct arg *a, char *out, size_t outlen)
{
	const char *end = a->s + a->n, *e;

	if (!a->n || a->s[0] != '"')
		return -1;
	e = skip_string(a->s, end);
	if (e != end || e[-1] != '"' || e - a->s < 2)
		return -1;	/* "..." after it: truncated */
	return unescape(a->s + 1, e - 1, out, outlen);
}

/*
 * The decoration of a descriptor argument or return value ("3</a/b>",
 * "AT_FDCWD</srv>"): 1 and the path in out; 0 if there is none or it is
 * not a path (a socket, pipe, anon inode); -1 if malformed.
 */
static int decoration(const char *s, size_t n, char *out, size_t outlen)
{
	const char *end = s + n, *lt = memchr(s, '<', n), *e;
	size_t len;

	if (!lt)
		return 0;
	e = skip_decoration(lt, end);
	if (e[-1] != '>' || e - lt < 2)
		return -1;
	if (lt[1] != '/')
		return 0;
	if (unescape(lt + 1, e - 1, out, outlen))
		return -1;
	len = strlen(out);
	/* devices: "/dev/null<char 1:3>" */
	{
		char *d = strrchr(out, '<');

		if (d && (!strncmp(d, "<char ", 6) || !strncmp(d, "<block ", 7))) {
			*d = '\0';
			len = (size_t)(d - out);
		}
	}
	if (len > 10 && !strcmp(out + len - 10, " (deleted)"))
		out[len - 10] = '\0';
	return 1;
}

static bool arg_is(const struct arg *a, const char *word)
{
	size_t n = strlen(word);

	return a->n >= n && !memcmp(a->s, word, n) &&
	       (a->n == n || a->s[n] == '<');
}

static bool arg_has(const struct arg *a, const char *word)
{
	size_t n = strlen(word), i;

	for (i = 0; i + n <= a->n; i++)
		if (!memcmp(a->s + i, word, n) &&
		    (i + n == a->n || !(isalnum((unsigned char)a->s[i + n]) || a->s[i + n] == '_')))
			return true;
	return false;
}

/* ---- paths ---- */

static int join(const char *dir, const char *rel, char *out, size_t outlen)
{
	char tmp[2 * PMAX + 2];

	if (rel[0] == '/') {
		/* absolute, under the process's root (chroot) */
		if (strcmp(dir, "/"))
			snprintf(tmp, sizeof(tmp), "%s/%s", dir, rel);
		else
			snprintf(tmp, sizeof(tmp), "%s", rel);
	} else {
		snprintf(tmp, sizeof(tmp), "%s%s%s", dir, *rel ? "/" : "", rel);
	}
	return fg_path_canon(tmp, out, outlen) ? -1 : 0;
}

/* Host path -> container path: strip the root; -1 if outside it. */
static int inside(const struct fg_strace *st, char *path)
{
	size_t n = st->rootlen;

	if (!st->root)
		return 0;
	if (strncmp(path, st->root, n) || (path[n] && path[n] != '/'))
		return -1;
	if (!path[n])
		strcpy(path, "/");
	else
		memmove(path, path + n, strlen(path + n) + 1);
	return 0;
}

/* @a @b @c into out; false (out unchanged) if it does not fit. */
static bool cat3(char *out, size_t outlen, const char *a, const char *b,
		 const char *c)
{
	size_t na = strlen(a), nb = strlen(b), nc = strlen(c);
	char tmp[PMAX];

	if (na + nb + nc >= outlen || na + nb + nc >= sizeof(tmp))
		return false;
	memcpy(tmp, a, na);
	memcpy(tmp + na, b, nb);
	memcpy(tmp + na + nb, c, nc + 1);
	memcpy(out, tmp, na + nb + nc + 1);
	return true;
}

/* "/proc/<own tgid>/x" -> "/proc/self/x", ".../task/<tid>/x" -> thread-self */
static void proc_self(const struct proc *p, char *path)
{
	char *end, *e2;
	long a, b;

	if (!p->pid || strncmp(path, "/proc/", 6) || !isdigit((unsigned char)path[6]))
		return;
	a = strtol(path + 6, &end, 10);
	if (*end && *end != '/')
		return;
	if (!strncmp(end, "/task/", 6) && isdigit((unsigned char)end[6])) {
		b = strtol(end + 6, &e2, 10);
		if ((!*e2 || *e2 == '/') && b == p->pid && a == p->tgid) {
			cat3(path, PMAX, "/proc/thread-self", e2, "");
			return;
		}
	}
	if (a == p->tgid)
		cat3(path, PMAX, "/proc/self", end, "");
}

/* The container path the host path @fd refers to, under the root fd. */
static bool fd_path(const struct fg_strace *st, int fd, char *out)
{
	char link[64], host[PMAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, host, sizeof(host) - 1);
	if (n <= 0)
		return false;
	host[n] = '\0';
	if (inside(st, host))
		return false;
	snprintf(out, PMAX, "%s", host);
	return true;
}

static int open_in_root(const struct fg_strace *st, const char *path, int flags)
{
	struct open_how how = { .flags = (unsigned int)flags | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };

	return (int)syscall(SYS_openat2, st->rootfd, path, &how, sizeof(how));
}

/*
 * Resolve the symlinks of container path @path as they are now under the
 * root; with !follow the last component stays. Unchanged if anything
 * fails (the file may be gone).
 */
static void resolve_now(const struct fg_strace *st, char *path, bool follow)
{
	char out[PMAX], dir[PMAX], *slash;
	int fd;

	if (!st->resolve || st->rootfd < 0)
		return;
	if (follow) {
		fd = open_in_root(st, path, O_PATH);
		if (fd >= 0) {
			bool ok = fd_path(st, fd, out);

			close(fd);
			if (ok) {
				strcpy(path, out);
				return;
			}
		}
	}
	if (!strcmp(path, "/"))
		return;
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	fd = open_in_root(st, *dir ? dir : "/", O_PATH | O_DIRECTORY);
	if (fd < 0)
		return;
	if (fd_path(st, fd, out))
		cat3(path, PMAX, out, strcmp(out, "/") ? "/" : "", slash + 1);
	close(fd);
}

/*
 * The container path of (@dfd, @parg) for process @p: @dfd NULL means the
 * working directory, @parg NULL the descriptor itself. 0, or -1 with the
 * reason counted.
 */
static int path_at(struct fg_strace *st, const struct proc *p,
		   const struct arg *dfd, const struct arg *parg, bool follow,
		   char *out)
{
	char str[PMAX], dir[PMAX];
	bool exact = false;
	int d;

	str[0] = '\0';
	if (parg && parg->n == 4 && !memcmp(parg->s, "NULL", 4)) {
		/* utimensat(fd, NULL): the descriptor; else EFAULT */
		if (!dfd || arg_is(dfd, "AT_FDCWD"))
			goto bad;
	} else if (parg && unquote(parg, str, sizeof(str))) {
		goto bad;
	}
	if (str[0] == '/') {
		if (join(p->fs->root, str, out, PMAX))
			goto bad;
	} else {
		if (!dfd || arg_is(dfd, "AT_FDCWD")) {
			d = dfd ? decoration(dfd->s, dfd->n, dir, sizeof(dir)) : 0;
			if (d < 0)
				goto bad;
			if (!d) {
				if (!p->fs->cwd) {
					st->stats.skipped[FG_SKIP_NO_CWD]++;
					return -1;
				}
				snprintf(dir, sizeof(dir), "%s", p->fs->cwd);
			}
		} else {
			d = decoration(dfd->s, dfd->n, dir, sizeof(dir));
			if (d <= 0) {
				if (d == 0 && memchr(dfd->s, '<', dfd->n)) {
					st->stats.not_checked++;	/* a socket... */
					return -1;
				}
				st->stats.skipped[str[0] ? FG_SKIP_DIRFD : FG_SKIP_FD]++;
				return -1;
			}
			/* the descriptor itself: as the kernel named it */
			exact = !str[0];
		}
		if (join(dir, str, out, PMAX))
			goto bad;
	}
	if (inside(st, out)) {
		st->stats.skipped[FG_SKIP_OUTSIDE_ROOT]++;
		return -1;
	}
	if (!exact)
		resolve_now(st, out, follow);
	proc_self(p, out);
	return 0;
bad:
	st->stats.skipped[FG_SKIP_BAD_PATH]++;
	return -1;
}

/* ---- emitting ---- */

static int emit(struct fg_strace *st, const struct proc *p, enum fg_op op,
		unsigned int perms, const char *path, const char *path2,
		unsigned int flags, const char *origin)
{
	struct fg_access a = {
		.op = op, .perms = perms, .path = path, .path2 = path2,
		.comm = p->comm[0] ? p->comm : NULL, .when = st->when,
		.origin = origin ? origin : st->origin, .flags = flags,
	};

	st->stats.accesses++;
	return st->emit ? st->emit(st->ctx, &a) : 0;
}

/* x for the interpreters the kernel opens to run @path: "#!", PT_INTERP. */
static int exec_chain(struct fg_strace *st, const struct proc *p,
		      const char *path, int depth)
{
	unsigned char h[256];
	char interp[PMAX], origin[PMAX + 96];
	ssize_t n;
	int fd;

	if (!st->resolve || st->rootfd < 0 || depth > 4)
		return 0;
	fd = open_in_root(st, path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = pread(fd, h, sizeof(h) - 1, 0);
	interp[0] = '\0';
	if (n > 2 && h[0] == '#' && h[1] == '!') {
		char *s = (char *)h + 2, *e;

		h[n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		for (e = s; *e && !isspace((unsigned char)*e); e++)
			;
		snprintf(interp, sizeof(interp), "%.*s", (int)(e - s), s);
	} else if (n >= (ssize_t)sizeof(Elf64_Ehdr) && !memcmp(h, ELFMAG, SELFMAG) &&
		   h[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		int i;

		memcpy(&eh, h, sizeof(eh));
		for (i = 0; i < eh.e_phnum && i < 64; i++) {
			if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff +
				  (Elf64_Off)i * eh.e_phentsize)) != sizeof(ph))
				break;
			if (ph.p_type == PT_INTERP && ph.p_filesz && ph.p_filesz < PMAX) {
				if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) !=
				    (ssize_t)ph.p_filesz)
					interp[0] = '\0';
				else
					interp[ph.p_filesz - 1] = '\0';
				break;
			}
		}
	}
	close(fd);
	if (interp[0] != '/')
		return 0;
	{
		char canon[PMAX];
		int err;

		if (fg_path_canon(interp, canon, sizeof(canon)))
			return 0;
		resolve_now(st, canon, true);
		snprintf(origin, sizeof(origin), "%s, interpreter of %s", st->origin, path);
		err = emit(st, p, FG_OP_EXEC, FGUARD_PERM_EXEC, canon, NULL, 0, origin);
		return err ? err : exec_chain(st, p, canon, depth + 1);
	}
}

/* ---- system calls ---- */

enum kind {
	K_OPEN, K_CREAT, K_EXEC, K_PATH_OP, K_MOVE, K_UNLINKAT, K_MMAP,
	K_MOUNT, K_CHDIR, K_CHROOT, K_CLONE,
};

/* Argument positions; -1: none. dfd without path: the descriptor itself. */
static const struct sys {
	const char *name;
	enum kind kind;
	enum fg_op op;
	signed char dfd, path, dfd2, path2, flags;
	bool nofollow;		/* the last component is not followed */
} calls[] = {
	{ "open", K_OPEN, FG_OP_OPEN, -1, 0, -1, -1, 1, false },
	{ "openat", K_OPEN, FG_OP_OPEN, 0, 1, -1, -1, 2, false },
	{ "openat2", K_OPEN, FG_OP_OPEN, 0, 1, -1, -1, 2, false },
	{ "creat", K_CREAT, FG_OP_OPEN, -1, 0, -1, -1, -1, false },
	{ "execve", K_EXEC, FG_OP_EXEC, -1, 0, -1, -1, -1, false },
	{ "execveat", K_EXEC, FG_OP_EXEC, 0, 1, -1, -1, 4, false },
	{ "mkdir", K_PATH_OP, FG_OP_CREATE, -1, 0, -1, -1, -1, true },
	{ "mkdirat", K_PATH_OP, FG_OP_CREATE, 0, 1, -1, -1, -1, true },
	{ "mknod", K_PATH_OP, FG_OP_CREATE, -1, 0, -1, -1, -1, true },
	{ "mknodat", K_PATH_OP, FG_OP_CREATE, 0, 1, -1, -1, -1, true },
	{ "symlink", K_PATH_OP, FG_OP_CREATE, -1, 1, -1, -1, -1, true },
	{ "symlinkat", K_PATH_OP, FG_OP_CREATE, 1, 2, -1, -1, -1, true },
	{ "link", K_MOVE, FG_OP_LINK, -1, 0, -1, 1, -1, true },
	{ "linkat", K_MOVE, FG_OP_LINK, 0, 1, 2, 3, 4, true },
	{ "rename", K_MOVE, FG_OP_RENAME, -1, 0, -1, 1, -1, true },
	{ "renameat", K_MOVE, FG_OP_RENAME, 0, 1, 2, 3, -1, true },
	{ "renameat2", K_MOVE, FG_OP_RENAME, 0, 1, 2, 3, 4, true },
	{ "unlink", K_PATH_OP, FG_OP_UNLINK, -1, 0, -1, -1, -1, true },
	{ "unlinkat", K_UNLINKAT, FG_OP_UNLINK, 0, 1, -1, -1, 2, true },
	{ "rmdir", K_PATH_OP, FG_OP_RMDIR, -1, 0, -1, -1, -1, true },
	{ "truncate", K_PATH_OP, FG_OP_TRUNCATE, -1, 0, -1, -1, -1, false },
	{ "truncate64", K_PATH_OP, FG_OP_TRUNCATE, -1, 0, -1, -1, -1, false },
	{ "ftruncate", K_PATH_OP, FG_OP_TRUNCATE, 0, -1, -1, -1, -1, false },
	{ "chmod", K_PATH_OP, FG_OP_CHMOD, -1, 0, -1, -1, -1, false },
	{ "fchmod", K_PATH_OP, FG_OP_CHMOD, 0, -1, -1, -1, -1, false },
	{ "fchmodat", K_PATH_OP, FG_OP_CHMOD, 0, 1, -1, -1, 3, false },
	{ "fchmodat2", K_PATH_OP, FG_OP_CHMOD, 0, 1, -1, -1, 3, false },
	{ "chown", K_PATH_OP, FG_OP_CHOWN, -1, 0, -1, -1, -1, false },
	{ "lchown", K_PATH_OP, FG_OP_CHOWN, -1, 0, -1, -1, -1, true },
	{ "fchown", K_PATH_OP, FG_OP_CHOWN, 0, -1, -1, -1, -1, false },
	{ "fchownat", K_PATH_OP, FG_OP_CHOWN, 0, 1, -1, -1, 4, false },
	{ "utime", K_PATH_OP, FG_OP_UTIMES, -1, 0, -1, -1, -1, false },
	{ "utimes", K_PATH_OP, FG_OP_UTIMES, -1, 0, -1, -1, -1, false },
	{ "futimesat", K_PATH_OP, FG_OP_UTIMES, 0, 1, -1, -1, -1, false },
	{ "utimensat", K_PATH_OP, FG_OP_UTIMES, 0, 1, -1, -1, 3, false },
	{ "setxattr", K_PATH_OP, FG_OP_XATTR, -1, 0, -1, -1, -1, false },
	{ "lsetxattr", K_PATH_OP, FG_OP_XATTR, -1, 0, -1, -1, -1, true },
	{ "fsetxattr", K_PATH_OP, FG_OP_XATTR, 0, -1, -1, -1, -1, false },
	{ "removexattr", K_PATH_OP, FG_OP_XATTR, -1, 0, -1, -1, -1, false },
	{ "lremovexattr", K_PATH_OP, FG_OP_XATTR, -1, 0, -1, -1, -1, true },
	{ "fremovexattr", K_PATH_OP, FG_OP_XATTR, 0, -1, -1, -1, -1, false },
	{ "mmap", K_MMAP, FG_OP_MMAP, 4, -1, -1, -1, 2, false },
	{ "mmap2", K_MMAP, FG_OP_MMAP, 4, -1, -1, -1, 2, false },
	{ "mount", K_MOUNT, FG_OP_MOUNT, -1, 1, -1, -1, -1, false },
	{ "umount", K_MOUNT, FG_OP_MOUNT, -1, 0, -1, -1, -1, false },
	{ "umount2", K_MOUNT, FG_OP_MOUNT, -1, 0, -1, -1, -1, false },
	{ "pivot_root", K_MOUNT, FG_OP_MOUNT, -1, 0, -1, -1, -1, false },
	{ "fsopen", K_MOUNT, FG_OP_MOUNT, -1, -1, -1, -1, -1, false },
	{ "fsmount", K_MOUNT, FG_OP_MOUNT, -1, -1, -1, -1, -1, false },
	{ "fspick", K_MOUNT, FG_OP_MOUNT, -1, -1, -1, -1, -1, false },
	{ "move_mount", K_MOUNT, FG_OP_MOUNT, -1, -1, -1, -1, -1, false },
	{ "open_tree", K_MOUNT, FG_OP_MOUNT, -1, -1, -1, -1, -1, false },
	{ "mount_setattr", K_MOUNT, FG_OP_MOUNT, -1, -1, -1, -1, -1, false },
	{ "chdir", K_CHDIR, FG_OP_OTHER, -1, 0, -1, -1, -1, false },
	{ "fchdir", K_CHDIR, FG_OP_OTHER, 0, -1, -1, -1, -1, false },
	{ "chroot", K_CHROOT, FG_OP_OTHER, -1, 0, -1, -1, -1, false },
	{ "clone", K_CLONE, FG_OP_OTHER, -1, -1, -1, -1, -1, false },
	{ "clone3", K_CLONE, FG_OP_OTHER, -1, -1, -1, -1, -1, false },
	{ "fork", K_CLONE, FG_OP_OTHER, -1, -1, -1, -1, -1, false },
	{ "vfork", K_CLONE, FG_OP_OTHER, -1, -1, -1, -1, -1, false },
};

#define MAXARGS 8

static const struct arg *argp(const struct arg *a, int n, int i)
{
	return i >= 0 && i < n ? &a[i] : NULL;
}

/* r/w an open wants, as kmod/hook.c's open_perms() decides; 0: O_PATH. */
static unsigned int open_perms(const struct arg *flags)
{
	unsigned int p = FGUARD_PERM_READ;

	if (!flags || arg_has(flags, "O_PATH"))
		return flags ? 0 : FGUARD_PERM_READ;
	if (arg_has(flags, "O_RDWR"))
		p = FGUARD_PERM_READ | FGUARD_PERM_WRITE;
	else if (arg_has(flags, "O_WRONLY"))
		p = FGUARD_PERM_WRITE;
	/* O_CREAT may have created it: w on the new name */
	if (arg_has(flags, "O_TRUNC") || arg_has(flags, "O_CREAT"))
		p |= FGUARD_PERM_WRITE;
	return p;
}

static int handle_call(struct fg_strace *st, struct proc *p, const char *text)
{
	const char *lp = strchr(text, '('), *s, *end = text + strlen(text);
	const char *rs;
	struct arg a[MAXARGS];
	const struct sys *sc = NULL;
	char path[PMAX], path2[PMAX], rdec[PMAX];
	long long ret;
	int n, rd = 0, err;
	size_t i, nl;

	for (s = text; s < end && (isalnum((unsigned char)*s) || *s == '_'); s++)
		;
	if (!lp || s != lp || s == text) {
		st->stats.skipped[FG_SKIP_MALFORMED]++;
		return 0;
	}
	nl = (size_t)(lp - text);
	/* the argument list ends at the ')' that balances the '(' */
	{
		int depth = 0;

		for (s = lp; s < end; s++) {
			if (*s == '"') {
				s = skip_string(s, end) - 1;
			} else if (*s == '<' && s > lp &&
				   (isdigit((unsigned char)s[-1]) || s[-1] == 'D')) {
				s = skip_decoration(s, end) - 1;
			} else if (*s == '(' || *s == '[' || *s == '{') {
				depth++;
			} else if (*s == ')' || *s == ']' || *s == '}') {
				if (!--depth)
					break;
			}
		}
	}
	if (s >= end || *s != ')') {
		st->stats.skipped[FG_SKIP_MALFORMED]++;
		return 0;
	}
	rs = s + 1;
	while (*rs == ' ')
		rs++;
	if (*rs != '=') {
		st->stats.skipped[FG_SKIP_MALFORMED]++;
		return 0;
	}
	rs++;
	while (*rs == ' ')
		rs++;
	st->stats.calls++;
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (strlen(calls[i].name) == nl && !memcmp(calls[i].name, text, nl)) {
			sc = &calls[i];
			break;
		}
	if (!sc)
		return 0;
	st->stats.file_calls++;
	if (*rs == '-' || *rs == '?' || !*rs) {
		st->stats.skipped[FG_SKIP_FAILED]++;
		return 0;
	}
	{
		char *re;

		errno = 0;
		ret = strtoll(rs, &re, 0);
		if (re == rs || errno) {
			st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		if (*re == '<') {
			rd = decoration(re, strlen(re), rdec, sizeof(rdec));
			if (rd < 0) {
				st->stats.skipped[FG_SKIP_MALFORMED]++;
				return 0;
			}
			if (!rd)
				rd = 2;	/* decorated, but not a path */
		}
	}
	n = split_args(lp + 1, s, a, MAXARGS);
	if (n < 0) {
		st->stats.skipped[FG_SKIP_MALFORMED]++;
		return 0;
	}
#define ARG(i) argp(a, n, (i))
	switch (sc->kind) {
	case K_OPEN:
	case K_CREAT: {
		unsigned int perms = sc->kind == K_CREAT ?
			FGUARD_PERM_WRITE : open_perms(ARG(sc->flags));

		if (!perms || rd == 2) {
			st->stats.not_checked++;
			return 0;
		}
		if (rd == 1) {
			/* the file the descriptor refers to: symlinks resolved */
			if (fg_path_canon(rdec, path, sizeof(path))) {
				st->stats.skipped[FG_SKIP_BAD_PATH]++;
				return 0;
			}
			if (inside(st, path)) {
				st->stats.skipped[FG_SKIP_OUTSIDE_ROOT]++;
				return 0;
			}
			proc_self(p, path);
		} else if (!ARG(sc->path) ||
			   path_at(st, p, ARG(sc->dfd), ARG(sc->path),
				   !(ARG(sc->flags) && arg_has(ARG(sc->flags), "O_NOFOLLOW")),
				   path)) {
			if (!ARG(sc->path))
				st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		return emit(st, p, FG_OP_OPEN, perms, path, NULL, 0, NULL);
	}
	case K_EXEC: {
		const struct arg *pa = ARG(sc->path);
		const char *base;

		if (!pa || path_at(st, p, ARG(sc->dfd), pa, true, path)) {
			if (!pa)
				st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		err = emit(st, p, FG_OP_EXEC, FGUARD_PERM_EXEC, path, NULL, 0, NULL);
		if (!err)
			err = exec_chain(st, p, path, 0);
		/* from now on the kernel's comm: the name exec'd, 15 bytes */
		if (!unquote(pa, path2, sizeof(path2))) {
			base = strrchr(path2, '/');
			base = base ? base + 1 : path2;
			if (*base)
				snprintf(p->comm, sizeof(p->comm), "%.15s", base);
		}
		return err;
	}
	case K_PATH_OP:
	case K_UNLINKAT: {
		enum fg_op op = sc->op;
		const struct arg *fl = ARG(sc->flags);
		bool follow = !sc->nofollow;

		if (sc->kind == K_UNLINKAT && fl && arg_has(fl, "AT_REMOVEDIR"))
			op = FG_OP_RMDIR;
		if (fl && arg_has(fl, "AT_SYMLINK_NOFOLLOW"))
			follow = false;
		if (sc->path >= 0 && !ARG(sc->path)) {
			st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		if (sc->path < 0 && !ARG(sc->dfd)) {
			st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		if (path_at(st, p, ARG(sc->dfd), ARG(sc->path), follow, path))
			return 0;
		return emit(st, p, op, FGUARD_PERM_WRITE, path, NULL, 0, NULL);
	}
	case K_MOVE: {
		const struct arg *fl = ARG(sc->flags);
		bool follow_old = sc->op == FG_OP_LINK && fl &&
				  arg_has(fl, "AT_SYMLINK_FOLLOW");
		unsigned int flags = 0;

		if (!ARG(sc->path) || !ARG(sc->path2)) {
			st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		if (path_at(st, p, ARG(sc->dfd), ARG(sc->path), follow_old, path) ||
		    path_at(st, p, ARG(sc->dfd2), ARG(sc->path2), false, path2))
			return 0;
		if (sc->op == FG_OP_RENAME && fl && arg_has(fl, "RENAME_EXCHANGE"))
			flags |= FG_ACCESS_EXCHANGE;
		return emit(st, p, sc->op, FGUARD_PERM_WRITE, path, path2, flags, NULL);
	}
	case K_MMAP: {
		const struct arg *prot = ARG(sc->flags), *fd = ARG(sc->dfd);

		if (!prot || !fd) {
			st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		if (!arg_has(prot, "PROT_EXEC") || arg_is(fd, "-1"))
			return 0;	/* not code, or anonymous */
		if (path_at(st, p, fd, NULL, true, path))
			return 0;
		return emit(st, p, FG_OP_MMAP, FGUARD_PERM_EXEC, path, NULL, 0, NULL);
	}
	case K_MOUNT:
		if (sc->path >= 0 && ARG(sc->path) &&
		    !path_at(st, p, NULL, ARG(sc->path), true, path))
			return emit(st, p, FG_OP_MOUNT, 0, path, NULL, 0, NULL);
		return emit(st, p, FG_OP_MOUNT, 0, NULL, NULL, 0, NULL);
	case K_CHDIR:
	case K_CHROOT: {
		char host[PMAX];
		const struct arg *pa = ARG(sc->path), *fd = ARG(sc->dfd);
		int d;

		/* host paths: the working directory is joined before --root */
		if (sc->path >= 0 && !pa) {
			st->stats.skipped[FG_SKIP_MALFORMED]++;
			return 0;
		}
		if (pa) {
			if (unquote(pa, path, sizeof(path))) {
				st->stats.skipped[FG_SKIP_BAD_PATH]++;
				return 0;
			}
			if (path[0] == '/') {
				if (join(p->fs->root, path, host, sizeof(host)))
					return 0;
			} else if (p->fs->cwd) {
				if (join(p->fs->cwd, path, host, sizeof(host)))
					return 0;
			} else {
				/* the directory is now unknown too */
				free(p->fs->cwd);
				p->fs->cwd = NULL;
				st->stats.skipped[FG_SKIP_NO_CWD]++;
				return 0;
			}
		} else {
			d = fd ? decoration(fd->s, fd->n, path, sizeof(path)) : -1;
			if (d != 1 || fg_path_canon(path, host, sizeof(host))) {
				free(p->fs->cwd);
				p->fs->cwd = NULL;
				st->stats.skipped[FG_SKIP_FD]++;
				return 0;
			}
		}
		{
			char *dup = strdup(host);

			if (!dup)
				return -ENOMEM;
			if (sc->kind == K_CHROOT) {
				free(p->fs->root);
				p->fs->root = dup;
			} else {
				free(p->fs->cwd);
				p->fs->cwd = dup;
			}
		}
		return 0;
	}
	case K_CLONE: {
		struct proc *c;

		if (ret <= 0 || ret > 0x7fffffff)
			return 0;
		if (find_proc(st, (int)ret))
			return 0;	/* adopted when it showed first */
		c = new_proc(st, (int)ret);
		if (!c)
			return -ENOMEM;
		if (inherit(c, p, text)) {
			st->nprocs--;
			free(c);
			return -ENOMEM;
		}
		return 0;
	}
	}
#undef ARG
	return 0;
}

/* ---- lines ---- */

int fg_strace_line(struct fg_strace *st, const char *line, size_t len)
{
	char *buf, *s, *e;
	struct proc *p;
	int pid = 0, ret = 0;

	st->stats.lines++;
	st->line = st->stats.lines;
	st->when = 0;
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (memchr(line, '\0', len)) {
		st->stats.skipped[FG_SKIP_MALFORMED]++;
		return 0;
	}
	buf = strndup(line, len);
	if (!buf)
		return -ENOMEM;
	s = buf;
	if (!strncmp(s, "[pid ", 5)) {
		long v = strtol(s + 5, &e, 10);

		if (*e != ']' || v <= 0 || v > 0x7fffffff)
			goto malformed;
		pid = (int)v;
		s = e + 1;
	} else if (isdigit((unsigned char)*s)) {
		long v = strtol(s, &e, 10);

		if (*e == ' ' && v > 0 && v <= 0x7fffffff) {
			pid = (int)v;
			s = e;
		}
	}
	while (*s == ' ')
		s++;
	/* -t, -tt: 19:58:00[.123456]; -ttt: 1733341080.123456; -r: 0.000123 */
	if (isdigit((unsigned char)*s)) {
		bool colon = false;

		for (e = s; isdigit((unsigned char)*e) || *e == ':' || *e == '.'; e++)
			colon |= *e == ':';
		if (*e != ' ')
			goto malformed;
		if (!colon) {
			long long t = strtoll(s, NULL, 10);

			if (t >= 1000000000LL)
				st->when = t;
		}
		s = e;
		while (*s == ' ')
			s++;
	}
	if (!strncmp(s, "---", 3) || !strncmp(s, "strace: ", 8) || !*s)
		goto out;	/* signals, strace's own messages */
	p = get_proc(st, pid);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	snprintf(st->origin, sizeof(st->origin), "trace line %lu", st->line);
	if (!strncmp(s, "+++", 3)) {
		drop_proc(st, p);	/* exited, killed, or superseded by execve */
		goto out;
	}
	if (!strncmp(s, "<... ", 5)) {
		/* "<... NAME resumed>REST": the start was kept */
		char *name = s + 5, *r = strstr(name, " resumed>");
		size_t nl;
		char *joined;

		if (!r)
			goto malformed;
		nl = (size_t)(r - name);
		if (!p->pending || strncmp(p->pending, name, nl) || p->pending[nl] != '(') {
			st->stats.skipped[FG_SKIP_UNFINISHED]++;
			goto out;
		}
		r += 9;
		joined = malloc(strlen(p->pending) + strlen(r) + 1);
		if (!joined) {
			ret = -ENOMEM;
			goto out;
		}
		strcpy(joined, p->pending);
		strcat(joined, r);
		if (!st->when)
			st->when = p->pending_when;
		snprintf(st->origin, sizeof(st->origin), "trace line %lu", p->pending_line);
		free(p->pending);
		p->pending = NULL;
		ret = handle_call(st, p, joined);
		free(joined);
		goto out;
	}
	e = s + strlen(s);
	if (e - s >= 16 && !strcmp(e - 16, "<unfinished ...>")) {
		e -= 16;
		while (e > s && e[-1] == ' ')
			e--;
		*e = '\0';
		if (p->pending)
			st->stats.skipped[FG_SKIP_UNFINISHED]++;
		free(p->pending);
		p->pending = strdup(s);
		if (!p->pending) {
			ret = -ENOMEM;
			goto out;
		}
		p->pending_line = st->line;
		p->pending_when = st->when;
		p->pending_seq = ++st->seq;
		goto out;
	}
	if (p->pending) {
		/* a new call while one was unfinished: it never resumed */
		st->stats.skipped[FG_SKIP_UNFINISHED]++;
		free(p->pending);
		p->pending = NULL;
	}
	ret = handle_call(st, p, s);
	goto out;
malformed:
	st->stats.skipped[FG_SKIP_MALFORMED]++;
out:
	free(buf);
	return ret;
}

struct fg_strace *fg_strace_new(const struct fg_strace_opts *opts,
				fg_strace_emit_fn emit, void *ctx)
{
	struct fg_strace *st = calloc(1, sizeof(*st));
	char canon[PMAX];

	if (!st)
		return NULL;
	st->emit = emit;
	st->ctx = ctx;
	st->rootfd = -1;
	st->resolve = opts && opts->resolve;
	if (opts && opts->root && strcmp(opts->root, "/")) {
		if (fg_path_canon(opts->root, canon, sizeof(canon))) {
			errno = EINVAL;
			goto fail;
		}
		if (strcmp(canon, "/")) {
			st->root = strdup(canon);
			if (!st->root)
				goto fail;
			st->rootlen = strlen(canon);
		}
	}
	if (opts && opts->cwd) {
		if (fg_path_canon(opts->cwd, canon, sizeof(canon))) {
			errno = EINVAL;
			goto fail;
		}
		st->cwd0 = strdup(canon);
		if (!st->cwd0)
			goto fail;
	}
	if (st->resolve) {
		st->rootfd = open(st->root ? st->root : "/",
				  O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (st->rootfd < 0)
			goto fail;
	}
	return st;
fail:
	fg_strace_free(st);
	return NULL;
}

void fg_strace_finish(struct fg_strace *st)
{
	size_t i;

	for (i = 0; i < st->nprocs; i++)
		if (st->procs[i]->pending) {
			st->stats.skipped[FG_SKIP_UNFINISHED]++;
			free(st->procs[i]->pending);
			st->procs[i]->pending = NULL;
		}
}

const struct fg_strace_stats *fg_strace_stats(const struct fg_strace *st)
{
	return &st->stats;
}

void fg_strace_free(struct fg_strace *st)
{
	int saved = errno;

	if (!st)
		return;
	while (st->nprocs)
		drop_proc(st, st->procs[st->nprocs - 1]);
	free(st->procs);
	free(st->root);
	free(st->cwd0);
	if (st->rootfd >= 0)
		close(st->rootfd);
	free(st);
	errno = saved;
}
