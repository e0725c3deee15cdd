/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Image analysis: from an image's entry point, follow everything it reaches
 * (programs, libraries, scripts, interpreters' modules, configuration files
 * and what they name) and derive the rules that let it run: fg_analyze().
 *
 * Files: analyze.c (the work list, evidence and rules), analyze_shell.c
 * (shell scripts), analyze_python.c (python programs), analyze_base.c (the
 * base profile: what the C library and kernel interfaces touch implicitly),
 * elfscan.c (ELF files, libelf).
 *
 * Evidence has a strength, and what a path may become depends on it:
 *   EV_LIB     a string in a shared library: an existing file may be read;
 *              a directory only listed
 *   EV_PROG    a string in a program's own binary: as EV_LIB, and files
 *              the program creates under the writable areas
 *   EV_SCRIPT  a path in a script or interpreted module: as EV_PROG, and
 *              directories are read recursively
 *   EV_CONFIG  a configuration file or the command line: as EV_SCRIPT, and
 *              sensitive files (/etc/shadow, ...) are granted too
 * Writes are granted only under the writable areas (/run, /var/run,
 * /var/log, /var/cache, /var/lib, /tmp, /var/tmp, /dev/shm and the declared
 * VOLUMEs); never under /etc, /usr, /bin, /sbin, /lib*, /boot; and never
 * on a path that is also executable.
 */
#ifndef FGUARD_CTL_ANALYZE_H
#define FGUARD_CTL_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "image.h"
#include "policy.h"

struct az_opts {
	const char *base_profile;	/* profile text; NULL: the shipped one */
	bool verbose;			/* progress notes on stderr */
};

struct az_stats {
	uint64_t image_files;		/* non-directories in the image */
	uint64_t allowed_files;		/* of those, granted something */
	uint64_t rules;
	uint64_t programs, libraries, scripts, configs, modules;
};

/*
 * fg_analyze - derive a policy from @img into @pol (initialised by the
 * caller; header fields are set). Notes for the reviewer (things not
 * granted, guesses made) are appended to @notes, one per line, if not NULL.
 * Returns 0, or -1 with a message in @err.
 */
int fg_analyze(const struct image *img, const struct az_opts *opts,
	       struct fg_policy *pol, struct az_stats *stats, char **notes,
	       char *err, size_t errlen);

/* The base profile shipped with fguardctl (analyze_base.c). */
extern const char fg_base_profile[];

/* ------------------------------------------------------------------------
 * Internal to the analysis (analyze*.c, elfscan.c).
 */

enum az_ev { EV_LIB = 1, EV_PROG, EV_SCRIPT, EV_CONFIG };

/* Node marks (struct img_node.mark). */
enum {
	MK_EXEC = 1 << 0,	/* analysed as an executed program */
	MK_LIB = 1 << 1,	/* analysed as a loaded ELF object */
	MK_TEXT = 1 << 2,	/* scanned as a configuration file */
	MK_SHELL = 1 << 3,	/* scanned as a shell script */
	MK_PY = 1 << 4,		/* scanned as a python module */
	MK_GLIBC = 1 << 5,	/* C library family: strings not scanned */
	MK_TEXT_DEEP = 1 << 6,	/* scanned as a config at config strength */
	MK_TREE = 1 << 7,	/* granted recursively; its symlinks followed */
};

struct az;

/* What a program is run with: for interpreters and wrappers. */
struct az_argv {
	char **v;		/* argv[1..] (argv[0] excluded), NULL-terminated */
	const char *why;	/* who runs it */
};

/* analyze.c */
void az_note(struct az *az, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void az_grant_node(struct az *az, struct img_node *n, unsigned int perms,
		   int kind, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void az_grant_path(struct az *az, const char *pattern, unsigned int perms,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Evidence that @path (absolute, or relative to @rel_dirs) is used. */
void az_path(struct az *az, const char *path, size_t len, enum az_ev ev,
	     const struct img_node *from, unsigned int line);
/* Scan @len bytes for absolute path strings; text allows globs. */
void az_scan_paths(struct az *az, const uint8_t *buf, size_t len, bool text,
		   enum az_ev ev, const struct img_node *from);
/* Scan script or source code, comment lines left out. */
void az_scan_code(struct az *az, const uint8_t *buf, size_t len,
		  enum az_ev ev, const struct img_node *from);
/* Run a program found at @n (resolved), with @args. */
void az_exec(struct az *az, struct img_node *n, char **args,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Load an ELF shared object (dlopen, extension module...). */
void az_lib(struct az *az, struct img_node *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Read and scan a configuration/text file. */
void az_text(struct az *az, struct img_node *n, enum az_ev ev,
	     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Look a command name up on the PATH; NULL if absent. */
struct img_node *az_which(struct az *az, const char *name, size_t len,
			  const char *const *extra_path);
/* Expand a glob pattern (absolute), calling @fn for each match. */
void az_glob(struct az *az, const char *pattern,
	     void (*fn)(struct az *, struct img_node *, void *), void *arg);
const struct image *az_image(const struct az *az);
struct az_stats *az_stats_of(struct az *az);
struct img_node *az_workdir(const struct az *az);
char *az_pathof(const struct img_node *n);	/* static buffer */
bool az_is_text(const struct img_node *n);
/* "/x/y" is a system-wide directory: never granted recursively. */
bool az_system_dir(const char *path);

/* analyze_shell.c */
void az_shell(struct az *az, struct img_node *script, const char *text,
	      size_t len, char **args, const char *why);

/* analyze_python.c */
bool az_is_python(const struct img_node *interp);
void az_python(struct az *az, struct img_node *interp, char **args,
	       const char *why);

/* analyze_base.c */
int az_base_profile(struct az *az, const char *text, char *err, size_t errlen);
bool az_reached_lib(struct az *az, const char *glob);

/* elfscan.c */
struct elf_info {
	bool is_elf;
	bool dynamic;		/* has a dynamic section */
	bool is_exec;		/* ET_EXEC, or ET_DYN with an interpreter */
	int elfclass;		/* ELFCLASS32/64 */
	int machine;		/* EM_* */
	char *interp;		/* PT_INTERP */
	char **needed;		/* DT_NEEDED, NULL-terminated */
	char *rpath, *runpath;	/* DT_RPATH, DT_RUNPATH */
	char *soname;
};

int elf_scan(const uint8_t *data, size_t len, struct elf_info *info);
void elf_info_free(struct elf_info *info);
/*
 * Call @fn for every string region of read-only data (SHF_ALLOC, not
 * executable, not symbol or dynamic string tables) of an ELF file.
 */
void elf_data_regions(const uint8_t *data, size_t len,
		      void (*fn)(const uint8_t *, size_t, void *), void *arg);

#endif
