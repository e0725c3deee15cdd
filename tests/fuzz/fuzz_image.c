// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libFuzzer target: the image archive reader and what the analysis parses
 * from an image. The first byte picks the way the rest is used:
 *
 *   0  a whole archive (docker save, OCI layout, any compression)
 *   1  "MANIFEST\0\0CONFIG\0\0LAYER": the parts of a docker-save archive,
 *      wrapped in a well-formed outer tar, so that mutations reach the
 *      manifest, config and layer parsers
 *   2  an ELF file: elf_scan() and elf_data_regions()
 *   3  the entry point of an image: analysed as a shell script, a python
 *      program or a configuration file (second byte), with a few files
 *      around it
 * Nothing may crash, leak or read out of bounds; every image that opens
 * must resolve paths inside itself only.
 */
// fuzz-sources: ctl/image.c ctl/analyze.c ctl/analyze_base.c ctl/analyze_shell.c ctl/analyze_python.c ctl/elfscan.c ctl/policy.c ctl/hash.c kmod/table.c
#define _GNU_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"
#include "image.h"
#include "../unit/test_image_tar.h"

static const struct img_limits *limits(void)
{
	static struct img_limits l;

	img_limits_default(&l);
	l.max_entries = 20000;
	l.max_content = 64u << 20;
	l.max_meta = 1u << 20;
	return &l;
}

static void poke(struct image *img)
{
	static const char *const paths[] = {
		"/", "/etc/passwd", "../../x", "/a/b/../../c", "/bin/sh", "loop",
	};
	struct img_res res;
	char buf[8192];
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct img_node *n = img_resolve(img, NULL, paths[i], 0, &res);

		if (n) {
			img_path(n, buf, sizeof(buf));
			if (buf[0] != '/')
				abort();
		}
	}
	img_count_files(img->root);
}

static void analyse(struct image *img)
{
	struct fg_policy pol;
	char err[256], *notes = NULL;

	fg_policy_init(&pol);
	fg_analyze(img, NULL, &pol, NULL, &notes, err, sizeof(err));
	free(notes);
	fg_policy_free(&pol);
}

static void archive(const uint8_t *d, size_t n)
{
	char err[512];
	struct image *img = img_open_memory(d, n, NULL, limits(), err, sizeof(err));

	if (img) {
		poke(img);
		analyse(img);
		img_free(img);
	}
}

static const uint8_t *part(const uint8_t **d, size_t *n, size_t *len)
{
	const uint8_t *s = *d, *e = memmem(s, *n, "\0\0", 2);

	*len = e ? (size_t)(e - s) : *n;
	*d = e ? e + 2 : s + *n;
	*n -= (size_t)(*d - s);
	return s;
}

static void parts(const uint8_t *d, size_t n)
{
	struct tw t = { 0 };
	const uint8_t *man, *cfg, *layer;
	size_t ml, cl, ll;

	man = part(&d, &n, &ml);
	cfg = part(&d, &n, &cl);
	layer = part(&d, &n, &ll);
	tw_entry(&t, "manifest.json", '0', 0644, NULL, man, ml);
	tw_entry(&t, "c.json", '0', 0644, NULL, cfg, cl);
	tw_entry(&t, "l/layer.tar", '0', 0644, NULL, layer, ll);
	tw_end(&t);
	archive(t.buf, t.len);
	free(t.buf);
}

static void region(const uint8_t *d, size_t n, void *arg)
{
	size_t *sum = arg;

	if (n)
		*sum += d[0] + d[n - 1];
}

static void elf(const uint8_t *d, size_t n)
{
	struct elf_info ei;
	size_t sum = 0;

	if (!elf_scan(d, n, &ei))
		elf_info_free(&ei);
	elf_data_regions(d, n, region, &sum);
}

static void entry(const uint8_t *d, size_t n)
{
	static const char *const cfgs[] = {
		"{\"Entrypoint\":[\"/entry\"],\"Cmd\":[\"x\",\"/etc/app.conf\"],"
		"\"Env\":[\"PATH=/bin\"]}",
		"{\"Cmd\":[\"/bin/python3\",\"/app/main.py\"],\"WorkingDir\":\"/app\"}",
		"{\"Cmd\":[\"/bin/server\",\"-c\",\"/etc/app.conf\"],\"Volumes\":{\"/data\":{}}}",
	};
	struct tw l = { 0 };
	char *text = malloc(n + 1);
	uint8_t *a;
	size_t len;
	int kind;

	if (!n || !text) {
		free(text);
		return;
	}
	kind = d[0] % 3;
	memcpy(text, d + 1, n - 1);
	text[n - 1] = '\0';
	tw_file(&l, "bin/sh", "\177ELF", 0755);
	tw_file(&l, "bin/x", "\177ELF", 0755);
	tw_file(&l, "bin/server", "\177ELF", 0755);
	tw_file(&l, "bin/python3", "\177ELF", 0755);
	tw_file(&l, "usr/lib/python3/os.py", "import sys\n", 0644);
	tw_link(&l, "lib", "usr/lib");
	tw_link(&l, "loop", "loop");
	tw_dir(&l, "var/log/");
	tw_entry(&l, kind == 0 ? "entry" : kind == 1 ? "app/main.py" : "etc/app.conf",
		 '0', 0755, NULL, text, n - 1);
	tw_file(&l, "etc/inc.conf", "include /etc/*.conf\nroot /srv\n", 0644);
	tw_end(&l);
	a = mk_docker(&l, 1, cfgs[kind], 0, &len);
	archive(a, len);
	free(a);
	free(l.buf);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	switch (data[0] & 3) {
	case 0:
		archive(data + 1, size - 1);
		break;
	case 1:
		parts(data + 1, size - 1);
		break;
	case 2:
		elf(data + 1, size - 1);
		break;
	default:
		entry(data + 1, size - 1);
	}
	return 0;
}
