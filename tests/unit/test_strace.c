// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the strace log reader (ctl/strace.c): what accesses each
 * kind of line gives, and how working directories follow processes.
 * No file system lookups (resolve off): only the log is read.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "strace.h"

/* The accesses seen, one "op perms path[ -> path2][ !x][ @when][ comm]" each. */
struct seen {
	char buf[8192];
	size_t len;
	unsigned int n;
	long long last_when;
};

static int collect(void *ctx, const struct fg_access *a)
{
	struct seen *s = ctx;
	char pb[4] = "", *b = pb;

	if (a->perms & FGUARD_PERM_READ)
		*b++ = 'r';
	if (a->perms & FGUARD_PERM_WRITE)
		*b++ = 'w';
	if (a->perms & FGUARD_PERM_EXEC)
		*b++ = 'x';
	*b = '\0';
	s->len += (size_t)snprintf(s->buf + s->len, sizeof(s->buf) - s->len,
				   "%s %s %s%s%s%s%s%s\n", fg_op_name(a->op),
				   *pb ? pb : "-", a->path ? a->path : "-",
				   a->path2 ? " -> " : "", a->path2 ? a->path2 : "",
				   a->flags & FG_ACCESS_EXCHANGE ? " !x" : "",
				   a->comm ? " " : "", a->comm ? a->comm : "");
	s->n++;
	s->last_when = a->when;
	return 0;
}

struct env {
	struct fg_strace *st;
	struct seen s;
};

static void start(struct env *e, const char *root, const char *cwd)
{
	struct fg_strace_opts o = { .root = root, .cwd = cwd, .resolve = false };

	memset(e, 0, sizeof(*e));
	e->st = fg_strace_new(&o, collect, &e->s);
	assert_non_null(e->st);
}

static void feed(struct env *e, const char *lines)
{
	const char *s = lines;

	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s + 1) : strlen(s);

		assert_int_equal(fg_strace_line(e->st, s, n), 0);
		s += n;
	}
}

static const struct fg_strace_stats *stats(struct env *e)
{
	return fg_strace_stats(e->st);
}

static void end(struct env *e)
{
	fg_strace_free(e->st);
}

static void opens_want_what_their_flags_ask(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e,
	     "100 openat(AT_FDCWD, \"/etc/a\", O_RDONLY|O_CLOEXEC) = 3\n"
	     "100 openat(AT_FDCWD, \"/var/b\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3\n"
	     "100 open(\"/var/c\", O_RDWR) = 4\n"
	     "100 openat(AT_FDCWD, \"/etc/d\", O_RDONLY|O_TRUNC) = 3\n"
	     "100 openat(AT_FDCWD, \"/etc/e\", O_RDONLY|O_APPEND) = 3\n"
	     "100 creat(\"/var/f\", 0644) = 5\n"
	     "100 openat2(AT_FDCWD, \"/etc/g\", {flags=O_RDONLY|O_CLOEXEC, resolve=RESOLVE_NO_SYMLINKS}, 24) = 3\n"
	     "100 openat(AT_FDCWD, \"/etc/h\", O_PATH|O_CLOEXEC) = 3\n");
	assert_string_equal(e.s.buf,
			    "open r /etc/a\n"
			    "open w /var/b\n"
			    "open rw /var/c\n"
			    "open rw /etc/d\n"
			    "open r /etc/e\n"
			    "open w /var/f\n"
			    "open r /etc/g\n");
	assert_int_equal(stats(&e)->not_checked, 1);	/* O_PATH */
	assert_int_equal(stats(&e)->calls, 8);
	end(&e);
}

static void failed_calls_are_skipped_and_counted(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/");
	feed(&e,
	     "100 openat(AT_FDCWD, \"/etc/nope\", O_RDONLY) = -1 ENOENT (No such file or directory)\n"
	     "100 execve(\"/usr/local/bin/x\", [\"x\"], 0x7ffd /* 3 vars */) = -1 ENOENT (No such file or directory)\n"
	     "100 unlink(\"/tmp/x\") = -1 EACCES (Permission denied)\n"
	     "100 getpid() = 100\n");
	assert_int_equal(e.s.n, 0);
	assert_int_equal(stats(&e)->skipped[FG_SKIP_FAILED], 3);
	assert_int_equal(stats(&e)->calls, 4);
	assert_int_equal(stats(&e)->file_calls, 3);
	end(&e);
}

static void the_decorated_result_names_the_file_opened(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e,
	     "7 openat(AT_FDCWD</home/u>, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3</usr/lib/x86_64-linux-gnu/libc.so.6>\n"
	     "7 openat(AT_FDCWD</home/u>, \"/dev/null\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = 3</dev/null<char 1:3>>\n"
	     "7 openat(AT_FDCWD</home/u>, \"notes\", O_RDONLY) = 4</home/u/notes (deleted)>\n"
	     "7 openat(AT_FDCWD</home/u>, \"/proc/self/fd/0\", O_RDONLY) = 5<pipe:[1234]>\n"
	     "7 mmap(NULL, 1400832, PROT_READ|PROT_EXEC, MAP_PRIVATE|MAP_DENYWRITE, 3</usr/lib/x86_64-linux-gnu/libc.so.6>, 0x26000) = 0x7f0ad989a000\n"
	     "7 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0ad9898000\n"
	     "7 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</etc/ld.so.cache>, 0) = 0x7f0ad9897000\n"
	     "7 mmap(NULL, 4096, PROT_READ|PROT_EXEC, MAP_PRIVATE, 3, 0) = 0x7f0ad9897000\n"
	     "7 utimensat(0</tmp/lt/x>, NULL, NULL, 0) = 0\n"
	     "7 fchmod(3</srv/y>, 0600) = 0\n");
	assert_string_equal(e.s.buf,
			    "open r /usr/lib/x86_64-linux-gnu/libc.so.6\n"
			    "open w /dev/null\n"
			    "open r /home/u/notes\n"
			    "mmap x /usr/lib/x86_64-linux-gnu/libc.so.6\n"
			    "utimes w /tmp/lt/x\n"
			    "chmod w /srv/y\n");
	assert_int_equal(stats(&e)->not_checked, 1);	/* the pipe */
	assert_int_equal(stats(&e)->skipped[FG_SKIP_FD], 1);
	end(&e);
}

static void relative_paths_follow_chdir(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e,
	     "100 openat(AT_FDCWD, \"early\", O_RDONLY) = 3\n"
	     "100 chdir(\"/srv/app\") = 0\n"
	     "100 openat(AT_FDCWD, \"conf/app.ini\", O_RDONLY) = 3\n"
	     "100 chdir(\"../data\") = 0\n"
	     "100 mkdir(\"cache\", 0755) = 0\n"
	     "100 open(\"./cache/../x\", O_WRONLY|O_CREAT, 0644) = 3\n"
	     "100 chdir(\"/nonexistent\") = -1 ENOENT (No such file or directory)\n"
	     "100 unlink(\"x\") = 0\n");
	assert_string_equal(e.s.buf,
			    "open r /srv/app/conf/app.ini\n"
			    "create w /srv/data/cache\n"
			    "open w /srv/data/x\n"
			    "unlink w /srv/data/x\n");
	assert_int_equal(stats(&e)->skipped[FG_SKIP_NO_CWD], 1);
	end(&e);
}

static void the_cwd_option_is_the_first_process_directory(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/work");
	feed(&e, "100 openat(AT_FDCWD, \"a\", O_RDONLY) = 3\n");
	assert_string_equal(e.s.buf, "open r /work/a\n");
	end(&e);
}

static void children_inherit_the_cwd_and_share_it_with_clone_fs(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e,
	     "100 chdir(\"/srv\") = 0\n"
	     "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f) = 101\n"
	     "101 openat(AT_FDCWD, \"x\", O_RDONLY) = 3\n"
	     "101 chdir(\"/tmp\") = 0\n"
	     /* a fork's chdir is its own */
	     "100 openat(AT_FDCWD, \"y\", O_RDONLY) = 3\n"
	     "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f, parent_tid=0x7f, exit_signal=0, stack=0x7f, stack_size=0x7fff00, tls=0x7f} => {parent_tid=[102]}, 88) = 102\n"
	     "102 chdir(\"/opt\") = 0\n"
	     /* a thread's chdir is its process's */
	     "100 openat(AT_FDCWD, \"z\", O_RDONLY) = 3\n"
	     "100 vfork() = 103\n"
	     "103 openat(AT_FDCWD, \"v\", O_RDONLY) = 3\n"
	     "101 +++ exited with 0 +++\n"
	     "101 openat(AT_FDCWD, \"w\", O_RDONLY) = 3\n");
	assert_string_equal(e.s.buf,
			    "open r /srv/x\n"
			    "open r /srv/y\n"
			    "open r /opt/z\n"
			    "open r /opt/v\n");
	/* pid 101 exited: a new 101 is a new process with no known cwd */
	assert_int_equal(stats(&e)->skipped[FG_SKIP_NO_CWD], 1);
	end(&e);
}

static void a_child_seen_before_its_clone_returns_is_adopted(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e,
	     "31226 chdir(\"/tmp/lt\") = 0\n"
	     "31226 vfork( <unfinished ...>\n"
	     "31228 execve(\"/usr/bin/touch\", [\"touch\", \"x\"], 0x557c /* 37 vars */ <unfinished ...>\n"
	     "31226 <... vfork resumed>) = 31228\n"
	     "31226 wait4(-1,  <unfinished ...>\n"
	     "31228 <... execve resumed>) = 0\n"
	     "31228 openat(AT_FDCWD, \"x\", O_WRONLY|O_CREAT|O_NOCTTY|O_NONBLOCK, 0666) = 3\n"
	     "31228 +++ exited with 0 +++\n"
	     "31226 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 31228\n");
	assert_string_equal(e.s.buf,
			    "exec x /usr/bin/touch\n"
			    "open w /tmp/lt/x touch\n");
	fg_strace_finish(e.st);
	assert_int_equal(stats(&e)->skipped[FG_SKIP_UNFINISHED], 0);
	end(&e);
}

static void unfinished_and_resumed_halves_are_joined(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e,
	     "[pid   200] openat(AT_FDCWD, \"/etc/a\", O_RDONLY <unfinished ...>\n"
	     "[pid   201] renameat2(AT_FDCWD, \"/run/a.tmp\", AT_FDCWD, <unfinished ...>\n"
	     "[pid   200] <... openat resumed>) = 3\n"
	     "[pid   201] <... renameat2 resumed>\"/run/a\", RENAME_EXCHANGE) = 0\n"
	     "[pid   202] unlink(\"/tmp/q\" <unfinished ...>\n"
	     "[pid   203] <... unlink resumed>) = 0\n"
	     "[pid   204] openat(AT_FDCWD, \"/etc/never\", O_RDONLY <unfinished ...>\n"
	     "[pid   204] +++ killed by SIGKILL +++\n"
	     "[pid   205] openat(AT_FDCWD, \"/etc/b\", O_RDONLY <unfinished ...>\n"
	     "[pid   205] <... open resumed>) = 3\n");
	fg_strace_finish(e.st);
	assert_string_equal(e.s.buf,
			    "open r /etc/a\n"
			    "rename w /run/a.tmp -> /run/a !x\n");
	/*
	 * lines: 202 never resumed; 203 no start; 204 killed; 205 both
	 * halves (the names differ)
	 */
	assert_int_equal(stats(&e)->skipped[FG_SKIP_UNFINISHED], 5);
	end(&e);
}

static void malformed_lines_are_counted_never_fatal(void **state)
{
	static const char *const junk[] = {
		"", "hello world", "123", "100 open(", "100 open(\"/a\", O_RDONLY",
		"100 open(\"/a\", O_RDONLY) 3", "[pid 12", "[pid -5] open(\"/a\", O_RDONLY) = 3",
		"100 open(\"/a\", O_RDONLY)) = 3", "100 open(\"/a, O_RDONLY) = 3",
		"100 open(\"/a\", O_RDONLY) = x", "100 12:00x open(\"/a\", O_RDONLY) = 3",
		"<... open resumed>) = 3", "100 <... open", "100 ))))((((",
		"100 open(\"/a\\", "100 openat(3<, \"x\", O_RDONLY) = 3",
		"100 openat(AT_FDCWD, \"/a\", O_RDONLY) = 3<", "100 rename(\"/a\") = 0",
		"100 mmap(NULL) = 0", "100 execve() = 0", "100 chdir() = 0",
		"100 open(\"/a\"...,O_RDONLY) = 3", "100 open(NULL, O_RDONLY) = 3",
		"\x01\x02\x7f\xff", "100 clone() = 99999999999999",
	};
	struct env e;
	size_t i;

	(void)state;
	start(&e, NULL, "/");
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(fg_strace_line(e.st, junk[i], strlen(junk[i])), 0);
	assert_int_equal(fg_strace_line(e.st, "100 open(\"/a\0\", O_RDONLY) = 3", 29), 0);
	fg_strace_finish(e.st);
	if (e.s.n)
		fail_msg("accesses from junk:\n%s", e.s.buf);
	assert_true(stats(&e)->skipped[FG_SKIP_MALFORMED] >= 15);
	assert_int_equal(stats(&e)->lines, sizeof(junk) / sizeof(junk[0]) + 1);
	end(&e);
}

static void timestamps_pid_prefixes_and_durations_are_understood(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, NULL);
	feed(&e, "[pid  4242] 1796414280.123456 openat(AT_FDCWD, \"/etc/b\", O_RDONLY) = 3 <0.000012>\n");
	assert_string_equal(e.s.buf, "open r /etc/b\n");
	assert_int_equal(e.s.last_when, 1796414280);
	feed(&e, "4242  19:58:00.123456 openat(AT_FDCWD, \"/etc/c\", O_RDONLY) = 3\n");
	assert_int_equal(e.s.last_when, 0);	/* a time of day has no date */
	feed(&e, "openat(AT_FDCWD, \"/etc/d\", O_RDONLY) = 3\n");
	feed(&e, "1796414281.5 openat(AT_FDCWD, \"/etc/e\", O_RDONLY) = 3\n");
	assert_int_equal(e.s.last_when, 1796414281);
	assert_string_equal(e.s.buf, "open r /etc/b\nopen r /etc/c\nopen r /etc/d\nopen r /etc/e\n");
	end(&e);
}

static void paths_relative_to_descriptors_need_decorations(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/");
	feed(&e,
	     "100 openat(3</srv/www>, \"index.html\", O_RDONLY) = 4\n"
	     "100 openat(3, \"index.html\", O_RDONLY) = 4\n"
	     "100 mkdirat(5</var/lib>, \"db\", 0700) = 0\n"
	     "100 fchmod(7, 0600) = 0\n");
	assert_string_equal(e.s.buf, "open r /srv/www/index.html\ncreate w /var/lib/db\n");
	assert_int_equal(stats(&e)->skipped[FG_SKIP_DIRFD], 1);
	assert_int_equal(stats(&e)->skipped[FG_SKIP_FD], 1);
	end(&e);
}

static void each_file_call_gives_its_operation(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/w");
	feed(&e,
	     "1 unlinkat(AT_FDCWD, \"d\", AT_REMOVEDIR) = 0\n"
	     "1 unlinkat(AT_FDCWD, \"f\", 0) = 0\n"
	     "1 rmdir(\"/w/e\") = 0\n"
	     "1 linkat(AT_FDCWD, \"a\", AT_FDCWD, \"b\", 0) = 0\n"
	     "1 link(\"/w/a\", \"/w/c\") = 0\n"
	     "1 rename(\"/w/c\", \"/w/d\") = 0\n"
	     "1 renameat(AT_FDCWD, \"d\", AT_FDCWD, \"e\") = 0\n"
	     "1 symlink(\"/etc/target\", \"/w/ln\") = 0\n"
	     "1 symlinkat(\"target\", AT_FDCWD, \"ln2\") = 0\n"
	     "1 mknodat(AT_FDCWD, \"fifo\", S_IFIFO|0644) = 0\n"
	     "1 truncate(\"/w/t\", 0) = 0\n"
	     "1 fchownat(AT_FDCWD, \"o\", 0, 0, AT_SYMLINK_NOFOLLOW) = 0\n"
	     "1 lchown(\"/w/o2\", 0, 0) = 0\n"
	     "1 utimensat(AT_FDCWD, \"u\", [UTIME_NOW, UTIME_NOW], 0) = 0\n"
	     "1 setxattr(\"/w/x\", \"user.a\", \"v\", 1, 0) = 0\n"
	     "1 lremovexattr(\"/w/x\", \"user.a\") = 0\n"
	     "1 mount(\"none\", \"/mnt\", \"tmpfs\", 0, NULL) = 0\n"
	     "1 umount2(\"/mnt\", 0) = 0\n"
	     "1 fsopen(\"tmpfs\", FSOPEN_CLOEXEC) = 3\n"
	     "1 execveat(AT_FDCWD, \"/bin/prog\", [\"prog\"], 0x7f /* 0 vars */, 0) = 0\n"
	     "1 chmod(\"/w/m\", 0755) = 0\n");
	assert_string_equal(e.s.buf,
			    "rmdir w /w/d\n"
			    "unlink w /w/f\n"
			    "rmdir w /w/e\n"
			    "link w /w/a -> /w/b\n"
			    "link w /w/a -> /w/c\n"
			    "rename w /w/c -> /w/d\n"
			    "rename w /w/d -> /w/e\n"
			    "create w /w/ln\n"
			    "create w /w/ln2\n"
			    "create w /w/fifo\n"
			    "truncate w /w/t\n"
			    "chown w /w/o\n"
			    "chown w /w/o2\n"
			    "utimes w /w/u\n"
			    "xattr w /w/x\n"
			    "xattr w /w/x\n"
			    "mount - /mnt\n"
			    "mount - /mnt\n"
			    "mount - -\n"
			    "exec x /bin/prog\n"
			    "chmod w /w/m prog\n");
	end(&e);
}

static void the_root_prefix_is_stripped_and_paths_outside_counted(void **state)
{
	struct env e;

	(void)state;
	start(&e, "/var/lib/c/root/", "/var/lib/c/root/app");
	feed(&e,
	     "1 openat(AT_FDCWD, \"/var/lib/c/root/etc/x\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"conf\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"/etc/hostname\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"/var/lib/c/rootfs/x\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"x\", O_RDONLY) = 3</var/lib/c/root/usr/x>\n"
	     "1 openat(AT_FDCWD, \"/var/lib/c/root\", O_RDONLY|O_DIRECTORY) = 3\n");
	assert_string_equal(e.s.buf,
			    "open r /etc/x\n"
			    "open r /app/conf\n"
			    "open r /usr/x\n"
			    "open r /\n");
	assert_int_equal(stats(&e)->skipped[FG_SKIP_OUTSIDE_ROOT], 2);
	end(&e);
}

static void own_proc_entries_become_proc_self(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/");
	feed(&e,
	     "100 openat(AT_FDCWD, \"/proc/100/status\", O_RDONLY) = 3\n"
	     "100 openat(AT_FDCWD, \"/proc/100/task/100/stat\", O_RDONLY) = 3\n"
	     "100 openat(AT_FDCWD, \"/proc/1/status\", O_RDONLY) = 3\n"
	     "100 clone(child_stack=0x7f, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 101\n"
	     "101 openat(AT_FDCWD, \"/proc/100/maps\", O_RDONLY) = 3\n"
	     "101 openat(AT_FDCWD, \"/proc/100/task/101/comm\", O_RDONLY) = 3\n"
	     "101 openat(AT_FDCWD, \"/proc/101/comm\", O_RDONLY) = 3\n"
	     "100 openat(AT_FDCWD, \"/proc/self/fd\", O_RDONLY|O_DIRECTORY) = 3</proc/100/fd>\n");
	assert_string_equal(e.s.buf,
			    "open r /proc/self/status\n"
			    "open r /proc/thread-self/stat\n"
			    "open r /proc/1/status\n"
			    "open r /proc/self/maps\n"
			    "open r /proc/thread-self/comm\n"
			    "open r /proc/101/comm\n"
			    "open r /proc/self/fd\n");
	end(&e);
}

static void strings_are_unescaped_and_cut_strings_refused(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/");
	feed(&e,
	     "1 openat(AT_FDCWD, \"/tmp/caf\\303\\251\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"/tmp/\\x61\\x62\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"/tmp/q\\\"uote\", O_RDONLY) = 3\n"
	     "1 openat(AT_FDCWD, \"/tmp/very/long/na\"..., O_RDONLY) = 3\n");
	assert_string_equal(e.s.buf,
			    "open r /tmp/caf\303\251\n"
			    "open r /tmp/ab\n"
			    "open r /tmp/q\"uote\n");
	assert_int_equal(stats(&e)->skipped[FG_SKIP_BAD_PATH], 1);
	end(&e);
}

static void chroot_moves_absolute_paths_under_the_new_root(void **state)
{
	struct env e;

	(void)state;
	start(&e, NULL, "/");
	feed(&e,
	     "1 chroot(\"/jail\") = 0\n"
	     "1 openat(AT_FDCWD, \"/etc/x\", O_RDONLY) = 3\n"
	     "1 chdir(\"/home\") = 0\n"
	     "1 openat(AT_FDCWD, \"y\", O_RDONLY) = 3\n");
	assert_string_equal(e.s.buf, "open r /jail/etc/x\nopen r /jail/home/y\n");
	end(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opens_want_what_their_flags_ask),
		cmocka_unit_test(failed_calls_are_skipped_and_counted),
		cmocka_unit_test(the_decorated_result_names_the_file_opened),
		cmocka_unit_test(relative_paths_follow_chdir),
		cmocka_unit_test(the_cwd_option_is_the_first_process_directory),
		cmocka_unit_test(children_inherit_the_cwd_and_share_it_with_clone_fs),
		cmocka_unit_test(a_child_seen_before_its_clone_returns_is_adopted),
		cmocka_unit_test(unfinished_and_resumed_halves_are_joined),
		cmocka_unit_test(malformed_lines_are_counted_never_fatal),
		cmocka_unit_test(timestamps_pid_prefixes_and_durations_are_understood),
		cmocka_unit_test(paths_relative_to_descriptors_need_decorations),
		cmocka_unit_test(each_file_call_gives_its_operation),
		cmocka_unit_test(the_root_prefix_is_stripped_and_paths_outside_counted),
		cmocka_unit_test(own_proc_entries_become_proc_self),
		cmocka_unit_test(strings_are_unescaped_and_cut_strings_refused),
		cmocka_unit_test(chroot_moves_absolute_paths_under_the_new_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
