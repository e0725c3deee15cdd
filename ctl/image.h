/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A container image archive, read into memory: the union of its layers as
 * the container sees it, and its run configuration.
 *
 * Formats (recognised by content, not by name):
 *   docker save before Docker 25: manifest.json, <id>/layer.tar, <hex>.json
 *   docker save from Docker 25 on: index.json + blobs/sha256/ + manifest.json
 *   OCI image layout: oci-layout, index.json, blobs/sha256/ (nested indexes)
 * The archive itself and each layer may be uncompressed, gzip, zstd, xz or
 * bzip2 (as far as the linked libarchive has the library; external
 * decompressors are never run).
 *
 * The union follows overlayfs, as Docker and containerd apply layers:
 * bottom to top; ".wh.NAME" deletes NAME of the layers below, ".wh..wh..opq"
 * empties its directory of what the layers below put there; a directory
 * over a non-directory (or the reverse) replaces it; hard links share the
 * target's content. Paths inside the image never leave it: entry names with
 * ".." or a leading "/" are refused, and symlinks are resolved against the
 * image root with a bound on the number of hops.
 *
 * Every digest the archive states is checked: the config against its name
 * (<hex>.json, blobs/sha256/<hex>), blobs against their names and their
 * descriptors, and the uncompressed layers against the config's diff_ids.
 * Only ctl/image.c includes libarchive.
 */
#ifndef FGUARD_CTL_IMAGE_H
#define FGUARD_CTL_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum img_type {
	IMG_REG = 1,
	IMG_DIR,
	IMG_LNK,
	IMG_CHR,
	IMG_BLK,
	IMG_FIFO,
	IMG_SOCK,
};

/**
 * struct img_node - one file of the union.
 * @data: the content, when kept (see struct img_limits), else NULL; shared
 *	between hard links; for a regular file of size 0, points at "".
 * @mark, @aux: free for the analysis; zero after img_open().
 */
struct img_node {
	struct img_node *parent;	/* the root is its own parent */
	struct img_node *child;		/* first child of a directory */
	struct img_node *next, *prev;	/* siblings */
	struct img_node *hnext;		/* (parent, name) hash chain */
	const char *name;		/* NUL-terminated, "" for the root */
	uint32_t namelen;
	uint8_t type;			/* enum img_type */
	uint8_t layer;			/* index of the layer it comes from */
	uint32_t mode;			/* permission bits (07777) */
	uint32_t uid, gid;
	uint64_t size;
	const char *link;		/* symlink target */
	const uint8_t *data;
	uint32_t mark;
	void *aux;
};

struct img_config {
	char **entrypoint;		/* NULL-terminated; NULL if unset */
	char **cmd;			/* NULL-terminated; NULL if unset */
	char **env;			/* "NAME=value", NULL-terminated */
	char **volumes;			/* NULL-terminated */
	char **ports;			/* "80/tcp", NULL-terminated */
	char *workdir;			/* NULL if unset or empty */
	char *user;			/* NULL if unset or empty */
	char *stopsignal;
};

/* Bounds on what a (possibly hostile) archive may make us hold. */
struct img_limits {
	uint64_t max_entries;		/* entries of all layers together */
	uint64_t max_layers;
	uint64_t max_content;		/* bytes of file content kept */
	uint64_t keep_small;		/* keep every file up to this size */
	uint64_t keep_exec;		/* keep ELF and #! files up to this */
	uint64_t max_meta;		/* bytes of a JSON member */
};

struct image {
	struct img_node *root;
	struct img_config cfg;
	char *name;			/* "repo:tag", NULL if unnamed */
	char *digest;			/* "sha256:<hex>" of the config */
	const char *format;		/* human name of the archive layout */
	unsigned int nlayers;
	uint64_t nodes;			/* live nodes of the union, root included */
	uint64_t dropped;		/* files whose content was not kept */
	void *priv;
};

void img_limits_default(struct img_limits *l);

/*
 * img_open - read an image archive (path "-" is stdin). @want selects one
 * image by "name:tag" when the archive holds several (NULL: the only one).
 * @limits may be NULL for the defaults. On error returns NULL and writes a
 * message naming the problem into @err.
 */
struct image *img_open(const char *path, const char *want,
		       const struct img_limits *limits, char *err, size_t errlen);
struct image *img_open_memory(const void *buf, size_t len, const char *want,
			      const struct img_limits *limits, char *err,
			      size_t errlen);
void img_free(struct image *img);

/* Value of NAME in the config's Env, or NULL. */
const char *img_getenv(const struct image *img, const char *name);

/* Direct child of @dir by name, or NULL. */
struct img_node *img_child(const struct image *img, const struct img_node *dir,
			   const char *name, size_t len);

enum {
	IMG_NOFOLLOW = 1 << 0,	/* do not follow a symlink as last component */
};

/**
 * struct img_res - result of img_resolve()
 * @node: the file, or NULL
 * @parent: when only the last component is missing (err == ENOENT), the
 *	directory it would be created in, else NULL
 * @last: that missing name
 * @err: 0, ENOENT, ENOTDIR, ELOOP or ENAMETOOLONG
 */
struct img_res {
	struct img_node *node;
	struct img_node *parent;
	char last[256];
	int err;
};

/*
 * img_resolve - resolve @path (absolute, or relative to @cwd; @cwd NULL
 * means the root) inside the image as the kernel would in a chroot of it:
 * ".." stops at the root, absolute symlinks restart there, at most 40 hops.
 * Returns res->node.
 */
struct img_node *img_resolve(const struct image *img, const struct img_node *cwd,
			     const char *path, unsigned int flags,
			     struct img_res *res);

/* Canonical absolute path of @n into @buf; returns buf ("/" for the root). */
char *img_path(const struct img_node *n, char *buf, size_t len);

/* Number of non-directory nodes at and below @n. */
uint64_t img_count_files(const struct img_node *n);

/*
 * img_walk - call @fn for @n and every node below it, parents before
 * children; stop and return @fn's value when it is non-zero.
 */
int img_walk(struct img_node *n, int (*fn)(struct img_node *, void *),
	     void *arg);

#endif
