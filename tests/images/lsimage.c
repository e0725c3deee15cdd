// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * lsimage: list the union of an image archive as fguardctl's reader sees it,
 * one line per file: TYPE SIZE PATH [-> TARGET], TYPE as find(1)'s %y. The
 * build tests compare it with the unpacked root of the same image, which
 * tests/images/make-image.sh builds independently.
 *
 *   lsimage IMAGE.tar [NAME:TAG]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "image.h"

static int show(struct img_node *n, void *arg)
{
	static const char types[] = "?fdlcbps";
	char path[8192];

	(void)arg;
	if (n->parent == n)
		return 0;
	img_path(n, path, sizeof(path));
	printf("%c %" PRIu64 " %s", types[n->type],
	       n->type == IMG_REG ? n->size : 0, path);
	if (n->type == IMG_LNK)
		printf(" -> %s", n->link);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	char err[1024];
	struct image *img;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: lsimage IMAGE.tar [NAME:TAG]\n");
		return 2;
	}
	img = img_open(argv[1], argc > 2 ? argv[2] : NULL, NULL, err, sizeof(err));
	if (!img) {
		fprintf(stderr, "lsimage: %s: %s\n", argv[1], err);
		return 1;
	}
	fprintf(stderr, "# %s: %s, %u layers, %" PRIu64 " nodes, name %s, digest %s\n",
		argv[1], img->format, img->nlayers, img->nodes,
		img->name ? img->name : "-", img->digest ? img->digest : "-");
	img_walk(img->root, show, NULL);
	img_free(img);
	return 0;
}
