// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fgtrace: the C half of tests/trace/trace.sh.
 *
 *   fgtrace run --root DIR [--cwd DIR] [--user UID:GID] [--pidfile FILE]
 *               [--env NAME=VALUE]... -- ARGV...
 *	Start a container's process as runc would: chroot into DIR, chdir to
 *	the working directory, drop to the user, look ARGV[0] up on the PATH
 *	of the given environment (inside the root), and exec it with exactly
 *	that environment. The pid file is written before the chroot, so that
 *	the caller can signal the container's process.
 *
 *   fgtrace lo-up
 *	Bring the loopback interface of the current network namespace up.
 *
 *   fgtrace convert --root DIR STRACE.LOG...
 *	Turn `strace -f -yy -qq -o LOG' output into the accesses fguard
 *	decides on, one "PERMS PATH" line per path (the format of
 *	`fguardctl check POLICY -'), paths relative to DIR as the container
 *	sees them, resolved as the kernel resolves them:
 *	  - opens: the file the returned descriptor refers to (strace -yy);
 *	    r for reading, w for writing, appending, creating or truncating;
 *	    O_PATH opens are not checked by fguard and are left out;
 *	  - execve: x for the program, for its ELF interpreter (PT_INTERP)
 *	    and for the interpreter of a #! script, which the kernel opens
 *	    for execution too;
 *	  - unlink, rmdir, rename (both names), mkdir, mknod, symlink, link
 *	    (the new name), chmod, chown, truncate: w;
 *	  - /proc/<own pid>/ becomes /proc/self/, /proc/<pid>/task/<own
 *	    tid>/ /proc/thread-self/, as the kernel rewrites them.
 *	Only successful calls count: a failed open never reached the check.
 *	Run it while DIR (an overlay mount in the tracer's namespace) is
 *	still mounted: paths are resolved through it with RESOLVE_IN_ROOT.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "fgtrace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(1);
}

/* ---------------------------------------------------------------- run */

static int run_main(int argc, char **argv)
{
	const char *root = NULL, *cwd = "/", *user = NULL, *pidfile = NULL;
	char **env = calloc((size_t)argc + 1, sizeof(*env));
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	size_t nenv = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--") ) {
			i++;
			break;
		}
		if (i + 1 >= argc)
			die("option %s needs a value", argv[i]);
		if (!strcmp(argv[i], "--root"))
			root = argv[++i];
		else if (!strcmp(argv[i], "--cwd"))
			cwd = argv[++i];
		else if (!strcmp(argv[i], "--user"))
			user = argv[++i];
		else if (!strcmp(argv[i], "--pidfile"))
			pidfile = argv[++i];
		else if (!strcmp(argv[i], "--env")) {
			env[nenv++] = argv[++i];
			if (!strncmp(argv[i], "PATH=", 5))
				path = argv[i] + 5;
		} else
			die("unknown option %s", argv[i]);
	}
	if (!root || i >= argc)
		die("%s", "usage: fgtrace run --root DIR [...] -- ARGV...");
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (!f)
			die("cannot write %s", pidfile);
		fprintf(f, "%d\n", getpid());
		fclose(f);
	}
	if (chroot(root) || chdir(*cwd ? cwd : "/"))
		die("cannot enter %s", root);
	if (user && *user) {
		unsigned int uid, gid;

		if (sscanf(user, "%u:%u", &uid, &gid) != 2)
			die("bad --user %s (want UID:GID)", user);
		if (setgroups(1, &gid) || setgid(gid) || setuid(uid))
			die("cannot become %s", user);
	}
	argv += i;
	if (!strchr(argv[0], '/')) {
		const char *p = path;

		while (*p) {
			const char *e = strchrnul(p, ':');
			char cand[PATH_MAX];

			snprintf(cand, sizeof(cand), "%.*s/%s", (int)(e - p), p, argv[0]);
			if (!access(cand, X_OK)) {
				execve(cand, argv, env);
				die("cannot exec %s", cand);
			}
			p = *e ? e + 1 : e;
		}
		die("%s: not found on the image's PATH", argv[0]);
	}
	execve(argv[0], argv, env);
	die("cannot exec %s", argv[0]);
	return 1;
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM, 0);

	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr))
		die("%s", "cannot read the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr))
		die("%s", "cannot bring lo up");
	close(s);
	return 0;
}

/* ------------------------------------------------------------ convert */

#define MAXPID 4194304

struct acc {
	char *path;
	unsigned int perms;	/* 1 r, 2 w, 4 x */
};

static struct acc *accs;
static size_t nacc, capacc;
static const char *root;
static size_t rootlen;
static int rootfd;
static int *tgid_of;
static unsigned char *in_root;	/* the process chrooted into the root */
static char **cwd_of;
static char **pending;

static int acc_cmp(const void *a, const void *b)
{
	return strcmp(((const struct acc *)a)->path, ((const struct acc *)b)->path);
}

static void add(const char *path, unsigned int perms)
{
	if (!path || path[0] != '/')
		return;
	if (nacc == capacc) {
		capacc = capacc ? 2 * capacc : 1024;
		accs = realloc(accs, capacc * sizeof(*accs));
		if (!accs)
			die("%s", "out of memory");
	}
	accs[nacc].path = strdup(path);
	accs[nacc].perms = perms;
	nacc++;
}

/* Host path under the root -> container path, or NULL. */
static const char *inside(const char *host, char *buf, size_t len)
{
	size_t n;

	if (strncmp(host, root, rootlen) || (host[rootlen] && host[rootlen] != '/'))
		return NULL;
	snprintf(buf, len, "%s", host[rootlen] ? host + rootlen : "/");
	n = strlen(buf);
	if (n > 10 && !strcmp(buf + n - 10, " (deleted)"))
		buf[n - 10] = '\0';
	return buf;
}

/* Lexically normalise an absolute path (no symlinks). */
static void lexical(const char *in, char *out, size_t len)
{
	size_t o = 0;
	const char *s = in;

	out[o++] = '/';
	while (*s) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchrnul(s, '/');
		if (e - s == 1 && s[0] == '.') {
			;
		} else if (e - s == 2 && s[0] == '.' && s[1] == '.') {
			while (o > 1 && out[o - 1] != '/')
				o--;
			if (o > 1)
				o--;
		} else if (o + (size_t)(e - s) + 2 < len) {
			if (o > 1)
				out[o++] = '/';
			memcpy(out + o, s, (size_t)(e - s));
			o += (size_t)(e - s);
		}
		s = e;
	}
	out[o] = '\0';
}

/*
 * Resolve container path @p inside the root; with @nofollow the last
 * component is not followed (and may not exist). Returns false if the
 * directory part cannot be resolved.
 */
static bool resolve(const char *p, bool nofollow, char *out, size_t len)
{
	struct open_how how = { .flags = O_PATH | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT };
	char norm[PATH_MAX], link[PATH_MAX + 64], host[PATH_MAX];
	char dir[PATH_MAX / 2], *slash;
	const char *in;
	ssize_t n;
	int fd;

	lexical(p, norm, sizeof(norm));
	if (!nofollow) {
		fd = (int)syscall(SYS_openat2, rootfd, norm, &how, sizeof(how));
		if (fd >= 0) {
			snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
			n = readlink(link, host, sizeof(host) - 1);
			close(fd);
			if (n > 0) {
				host[n] = '\0';
				in = inside(host, out, len);
				if (in)
					return true;
			}
		}
	}
	if (!strcmp(norm, "/")) {
		snprintf(out, len, "/");
		return true;
	}
	snprintf(dir, sizeof(dir), "%s", norm);
	slash = strrchr(dir, '/');
	*slash = '\0';
	fd = (int)syscall(SYS_openat2, rootfd, *dir ? dir : "/", &how, sizeof(how));
	if (fd < 0) {
		snprintf(out, len, "%s", norm);
		return false;
	}
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, host, sizeof(host) - 1);
	close(fd);
	if (n <= 0)
		return false;
	host[n] = '\0';
	if (!inside(host, dir, sizeof(dir)))
		return false;
	if (strlen(dir) + strlen(slash + 1) + 2 > len)
		return false;
	snprintf(out, len, "%s%s%s", dir, strcmp(dir, "/") ? "/" : "", slash + 1);
	return true;
}

/* /proc/<tgid>/... -> /proc/self/..., /proc/<x>/task/<tid>/... -> thread-self. */
static void proc_self(char *p, int tid)
{
	char *end;
	long a, b;
	int tg = tid < MAXPID && tgid_of[tid] ? tgid_of[tid] : tid;
	char rest[PATH_MAX];

	if (strncmp(p, "/proc/", 6) || !isdigit((unsigned char)p[6]))
		return;
	a = strtol(p + 6, &end, 10);
	if (*end && *end != '/')
		return;
	if (!strncmp(end, "/task/", 6) && isdigit((unsigned char)end[6])) {
		char *e2;

		b = strtol(end + 6, &e2, 10);
		if ((!*e2 || *e2 == '/') && b == tid && (a == tg || a == tid)) {
			snprintf(rest, sizeof(rest), "%s", e2);
			sprintf(p, "/proc/thread-self%s", rest);
			return;
		}
	}
	if (a == tg || a == tid) {
		snprintf(rest, sizeof(rest), "%s", end);
		sprintf(p, "/proc/self%s", rest);
	}
}

/* Split "a, b, {c, d}, "e\"f"" into top-level arguments. */
static int split_args(char *s, char **argv, int max)
{
	int n = 0, depth = 0;
	bool quote = false;
	char *start = s;

	for (; *s; s++) {
		if (quote) {
			if (*s == '\\' && s[1])
				s++;
			else if (*s == '"')
				quote = false;
			continue;
		}
		switch (*s) {
		case '"':
			quote = true;
			break;
		case '{': case '[': case '(': case '<':
			depth++;
			break;
		case '}': case ']': case ')': case '>':
			depth--;
			break;
		case ',':
			if (!depth && n < max) {
				*s = '\0';
				argv[n++] = start;
				start = s + 1;
				while (*start == ' ')
					start++;
			}
		}
	}
	if (*start && n < max)
		argv[n++] = start;
	return n;
}

/* A C-quoted strace string into @out; false if not a string. */
static bool unquote(const char *s, char *out, size_t len)
{
	size_t o = 0;

	if (*s != '"')
		return false;
	for (s++; *s && *s != '"' && o + 1 < len; s++) {
		if (*s == '\\' && s[1]) {
			s++;
			switch (*s) {
			case 'n': out[o++] = '\n'; break;
			case 't': out[o++] = '\t'; break;
			case 'x': {
				unsigned int v;

				if (sscanf(s + 1, "%2x", &v) == 1) {
					out[o++] = (char)v;
					s += 2;
				}
				break;
			}
			default:
				if (*s >= '0' && *s <= '7') {
					unsigned int v = 0, k;

					for (k = 0; k < 3 && s[k] >= '0' && s[k] <= '7'; k++)
						v = v * 8 + (unsigned int)(s[k] - '0');
					out[o++] = (char)v;
					s += k - 1;
				} else {
					out[o++] = *s;
				}
			}
		} else {
			out[o++] = *s;
		}
	}
	out[o] = '\0';
	return true;
}

/* The decoration of an fd argument "3</path>" or "AT_FDCWD</path>". */
static bool decoration(const char *s, char *out, size_t len)
{
	const char *a = strstr(s, "</"), *e;
	int depth = 0;

	if (!a)
		return false;
	/* The matching '>': a device adds its own "<char 1:3>". */
	for (e = a; *e; e++) {
		if (*e == '<')
			depth++;
		else if (*e == '>' && !--depth)
			break;
	}
	if (!*e)
		return false;
	snprintf(out, len, "%.*s", (int)(e - a - 1), a + 1);
	/* Devices: "/dev/null<char 1:3>". */
	a = strrchr(out, '<');
	if (a && (!strncmp(a, "<char ", 6) || !strncmp(a, "<block ", 7)))
		*(char *)a = '\0';
	return true;
}

static void set_cwd(int pid, const char *p)
{
	if (pid >= MAXPID)
		return;
	free(cwd_of[pid]);
	cwd_of[pid] = strdup(p);
}

/* Path argument @s relative to the directory fd argument @dfd (or cwd). */
static bool path_arg(int pid, const char *dfd, const char *s, char *out,
		     size_t len)
{
	char str[PATH_MAX], dir[PATH_MAX], host[PATH_MAX];

	if (!unquote(s, str, sizeof(str) / 2))
		return false;
	if (str[0] == '/') {
		snprintf(out, len, "%s", str);
		return true;
	}
	if (dfd && decoration(dfd, host, sizeof(host))) {
		if (!inside(host, dir, sizeof(dir)))
			return false;
	} else if (pid < MAXPID && cwd_of[pid]) {
		snprintf(dir, sizeof(dir), "%s", cwd_of[pid]);
	} else {
		snprintf(dir, sizeof(dir), "/");
	}
	if (!*str) {
		snprintf(out, len, "%s", dir);
	} else {
		size_t dl = strlen(dir), sl = strlen(str);

		if (dl + sl + 2 > len)
			return false;
		memcpy(out, dir, dl);
		out[dl] = '/';
		memcpy(out + dl + 1, str, sl + 1);
	}
	return true;
}

static void access_path(int pid, const char *dfd, const char *arg,
			bool nofollow, unsigned int perms)
{
	char p[PATH_MAX], r[PATH_MAX];

	if (!path_arg(pid, dfd, arg, p, sizeof(p)))
		return;
	resolve(p, nofollow, r, sizeof(r));
	proc_self(r, pid);
	add(r, perms);
}

static void access_fd(int pid, const char *fdarg, unsigned int perms)
{
	char host[PATH_MAX], p[PATH_MAX];

	if (!decoration(fdarg, host, sizeof(host)) || !inside(host, p, sizeof(p)))
		return;
	proc_self(p, pid);
	add(p, perms);
}

/* x for the interpreters the kernel opens when executing @path. */
static void exec_chain(const char *path, int depth)
{
	struct open_how how = { .flags = O_RDONLY | O_CLOEXEC,
				.resolve = RESOLVE_IN_ROOT };
	unsigned char h[512];
	char interp[PATH_MAX], r[PATH_MAX];
	ssize_t n;
	int fd;

	if (depth > 4)
		return;
	fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	if (fd < 0)
		return;
	n = pread(fd, h, sizeof(h) - 1, 0);
	interp[0] = '\0';
	if (n > 2 && h[0] == '#' && h[1] == '!') {
		char *s = (char *)h + 2, *e;

		h[n] = '\0';
		while (*s == ' ' || *s == '\t')
			s++;
		e = s;
		while (*e && *e != ' ' && *e != '\t' && *e != '\n')
			e++;
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
			if (ph.p_type == PT_INTERP && ph.p_filesz < sizeof(interp)) {
				if (pread(fd, interp, ph.p_filesz, (off_t)ph.p_offset) !=
				    (ssize_t)ph.p_filesz)
					interp[0] = '\0';
				else
					interp[ph.p_filesz] = '\0';
				break;
			}
		}
	}
	close(fd);
	if (!interp[0] || interp[0] != '/')
		return;
	resolve(interp, false, r, sizeof(r));
	add(r, 4);
	exec_chain(r, depth + 1);
}

static unsigned int open_perms(const char *flags)
{
	unsigned int p = 0;

	if (strstr(flags, "O_PATH"))
		return 0;
	if (strstr(flags, "O_RDWR"))
		p = 3;
	else if (strstr(flags, "O_WRONLY"))
		p = 2;
	else
		p = 1;
	if (strstr(flags, "O_CREAT") || strstr(flags, "O_TRUNC") ||
	    strstr(flags, "O_APPEND"))
		p |= 2;
	return p;
}

static void handle(int pid, char *line)
{
	char *paren = strchr(line, '('), *eq, *args[8], name[32], *ret;
	int n;
	long rv;

	if (!paren || paren - line >= (long)sizeof(name))
		return;
	snprintf(name, sizeof(name), "%.*s", (int)(paren - line), line);
	/*
	 * The last ")<spaces>= " ends the arguments (strings escape their
	 * quotes; strace pads the result to a column).
	 */
	eq = NULL;
	for (char *x = paren; (x = strstr(x + 1, " = ")); ) {
		char *b = x;

		while (b > paren && *b == ' ')
			b--;
		if (*b == ')')
			eq = x;
	}
	if (!eq)
		return;
	ret = eq + 3;
	while (*eq == ' ')
		eq--;
	*eq = '\0';
	if (!isdigit((unsigned char)*ret))
		return;
	rv = strtol(ret, NULL, 10);
	n = split_args(paren + 1, args, 8);

	/* Before its chroot, the launcher is on the host: not the container. */
	if (!strcmp(name, "chroot")) {
		in_root[pid] = 1;
		return;
	}
	if (!in_root[pid] && strcmp(name, "clone") && strcmp(name, "clone3") &&
	    strcmp(name, "fork") && strcmp(name, "vfork"))
		return;
	if (!strcmp(name, "openat") && n >= 3) {
		unsigned int p = open_perms(args[2]);

		if (p)
			access_fd(pid, ret, p);
	} else if (!strcmp(name, "open") && n >= 2) {
		unsigned int p = open_perms(args[1]);

		if (p)
			access_fd(pid, ret, p);
	} else if (!strcmp(name, "openat2") && n >= 3) {
		unsigned int p = open_perms(args[2]);

		if (p)
			access_fd(pid, ret, p);
	} else if (!strcmp(name, "creat")) {
		access_fd(pid, ret, 2);
	} else if ((!strcmp(name, "execve") && n >= 1) ||
		   (!strcmp(name, "execveat") && n >= 2)) {
		char p[PATH_MAX], r[PATH_MAX];
		bool at = name[6] == 'a';

		if (path_arg(pid, at ? args[0] : NULL, args[at ? 1 : 0], p, sizeof(p))) {
			resolve(p, false, r, sizeof(r));
			add(r, 4);
			exec_chain(r, 0);
		}
	} else if (!strcmp(name, "unlink") || !strcmp(name, "rmdir") ||
		   !strcmp(name, "mkdir") || !strcmp(name, "mknod")) {
		if (n >= 1)
			access_path(pid, NULL, args[0], true, 2);
	} else if (!strcmp(name, "unlinkat") || !strcmp(name, "mkdirat") ||
		   !strcmp(name, "mknodat")) {
		if (n >= 2)
			access_path(pid, args[0], args[1], true, 2);
	} else if (!strcmp(name, "rename") || !strcmp(name, "link")) {
		if (n >= 2) {
			if (name[0] == 'r')
				access_path(pid, NULL, args[0], true, 2);
			access_path(pid, NULL, args[1], true, 2);
		}
	} else if (!strcmp(name, "renameat") || !strcmp(name, "renameat2") ||
		   !strcmp(name, "linkat")) {
		if (n >= 4) {
			if (name[0] == 'r')
				access_path(pid, args[0], args[1], true, 2);
			access_path(pid, args[2], args[3], true, 2);
		}
	} else if (!strcmp(name, "symlink")) {
		if (n >= 2)
			access_path(pid, NULL, args[1], true, 2);
	} else if (!strcmp(name, "symlinkat")) {
		if (n >= 3)
			access_path(pid, args[1], args[2], true, 2);
	} else if (!strcmp(name, "chmod") || !strcmp(name, "chown") ||
		   !strcmp(name, "truncate")) {
		if (n >= 1)
			access_path(pid, NULL, args[0], false, 2);
	} else if (!strcmp(name, "lchown")) {
		if (n >= 1)
			access_path(pid, NULL, args[0], true, 2);
	} else if (!strcmp(name, "fchmodat") || !strcmp(name, "fchownat")) {
		if (n >= 2) {
			bool nofollow = n >= 4 && strstr(args[n - 1], "AT_SYMLINK_NOFOLLOW");

			access_path(pid, args[0], args[1], nofollow, 2);
		}
	} else if (!strcmp(name, "fchmod") || !strcmp(name, "fchown") ||
		   !strcmp(name, "ftruncate")) {
		if (n >= 1)
			access_fd(pid, args[0], 2);
	} else if (!strcmp(name, "chdir")) {
		char p[PATH_MAX], r[PATH_MAX];

		if (n >= 1 && path_arg(pid, NULL, args[0], p, sizeof(p))) {
			resolve(p, false, r, sizeof(r));
			set_cwd(pid, r);
		}
	} else if (!strcmp(name, "fchdir")) {
		char host[PATH_MAX], p[PATH_MAX];

		if (n >= 1 && decoration(args[0], host, sizeof(host)) &&
		    inside(host, p, sizeof(p)))
			set_cwd(pid, p);
	} else if (!strcmp(name, "clone") || !strcmp(name, "clone3") ||
		   !strcmp(name, "fork") || !strcmp(name, "vfork")) {
		bool thread = n >= 1 && strstr(args[0], "CLONE_THREAD");

		if (rv > 0 && rv < MAXPID && pid < MAXPID) {
			tgid_of[rv] = thread ? (tgid_of[pid] ? tgid_of[pid] : pid)
					     : (int)rv;
			in_root[rv] = in_root[pid];
			if (cwd_of[pid])
				set_cwd((int)rv, cwd_of[pid]);
		}
	}
}

static void convert_file(const char *file)
{
	FILE *f = fopen(file, "r");
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;

	if (!f)
		die("cannot read %s", file);
	while ((len = getline(&line, &cap, f)) > 0) {
		char *s, *p, full[65536], cwd[PATH_MAX], host[PATH_MAX];
		long pid;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		pid = strtol(line, &s, 10);
		if (s == line || pid <= 0 || pid >= MAXPID)
			continue;
		while (*s == ' ')
			s++;
		if (!strncmp(s, "<... ", 5)) {
			p = strstr(s, " resumed>");
			if (!p || !pending[pid])
				continue;
			snprintf(full, sizeof(full), "%s%s", pending[pid], p + 9);
			free(pending[pid]);
			pending[pid] = NULL;
			s = full;
		} else if ((p = strstr(s, " <unfinished ...>"))) {
			*p = '\0';
			free(pending[pid]);
			pending[pid] = strdup(s);
			continue;
		}
		if (!strncmp(s, "---", 3) || !strncmp(s, "+++", 3))
			continue;
		/* Any AT_FDCWD</dir> tells the process's working directory. */
		p = strstr(s, "AT_FDCWD</");
		if (p && decoration(p, host, sizeof(host)) &&
		    inside(host, cwd, sizeof(cwd)))
			set_cwd((int)pid, cwd);
		handle((int)pid, s);
	}
	free(line);
	fclose(f);
}

static int convert_main(int argc, char **argv)
{
	size_t i, j;
	int a = 1;

	if (argc < 4 || strcmp(argv[1], "--root"))
		die("%s", "usage: fgtrace convert --root DIR STRACE.LOG...");
	root = argv[2];
	rootlen = strlen(root);
	while (rootlen > 1 && root[rootlen - 1] == '/')
		rootlen--;
	rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		die("cannot open %s", root);
	tgid_of = calloc(MAXPID, sizeof(*tgid_of));
	in_root = calloc(MAXPID, 1);
	cwd_of = calloc(MAXPID, sizeof(*cwd_of));
	pending = calloc(MAXPID, sizeof(*pending));
	if (!tgid_of || !in_root || !cwd_of || !pending)
		die("%s", "out of memory");
	for (a = 3; a < argc; a++)
		convert_file(argv[a]);
	qsort(accs, nacc, sizeof(*accs), acc_cmp);
	for (i = 0; i < nacc; i = j) {
		unsigned int p = 0;
		char ps[4], *o = ps;

		for (j = i; j < nacc && !strcmp(accs[j].path, accs[i].path); j++)
			p |= accs[j].perms;
		if (p & 1)
			*o++ = 'r';
		if (p & 2)
			*o++ = 'w';
		if (p & 4)
			*o++ = 'x';
		*o = '\0';
		printf("%s %s\n", ps, accs[i].path);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "run"))
		return run_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "convert"))
		return convert_main(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[1], "lo-up"))
		return lo_up();
	fprintf(stderr, "usage: fgtrace run|convert|lo-up ...\n");
	return 2;
}
