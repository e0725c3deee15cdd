/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A small ustar writer and docker-save archive builder for the image and
 * analysis tests and the image fuzzer: archives are made byte by byte, so
 * hostile ones (".." names, absolute names, bad digests) are easy to make,
 * and nothing here includes libarchive.
 */
#ifndef FGUARD_TEST_IMAGE_TAR_H
#define FGUARD_TEST_IMAGE_TAR_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

struct tw {
	uint8_t *buf;
	size_t len, cap;
};

static inline void tw_put(struct tw *t, const void *d, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2 + 4096;
		t->buf = realloc(t->buf, t->cap);
		if (!t->buf)
			abort();
	}
	memcpy(t->buf + t->len, d, n);
	t->len += n;
}

/* One header (+ data): type '0' file, '5' dir, '2' symlink, '1' hard link. */
static inline void tw_entry(struct tw *t, const char *name, char type, unsigned int mode,
		     const char *link, const void *data, size_t size)
{
	uint8_t h[512];
	unsigned int sum = 0;
	size_t nl = strlen(name), i;

	memset(h, 0, sizeof(h));
	if (nl > 100) {
		/* ustar prefix: split at a '/' */
		size_t cut = nl - 100;

		while (cut < nl && name[cut] != '/')
			cut++;
		memcpy(h + 345, name, cut < 155 ? cut : 155);
		memcpy(h, name + cut + 1, nl - cut - 1 < 100 ? nl - cut - 1 : 100);
	} else {
		memcpy(h, name, nl);
	}
	snprintf((char *)h + 100, 8, "%07o", mode);
	snprintf((char *)h + 108, 8, "%07o", 0);
	snprintf((char *)h + 116, 8, "%07o", 0);
	snprintf((char *)h + 124, 12, "%011lo", (unsigned long)(type == '0' ? size : 0));
	snprintf((char *)h + 136, 12, "%011o", 0);
	h[156] = (uint8_t)type;
	if (link)
		memcpy(h + 157, link, strlen(link) < 100 ? strlen(link) : 100);
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	tw_put(t, h, 512);
	if (type == '0' && size) {
		static const uint8_t zero[512];

		tw_put(t, data, size);
		if (size % 512)
			tw_put(t, zero, 512 - size % 512);
	}
}

static inline void tw_file(struct tw *t, const char *name, const char *text,
		    unsigned int mode)
{
	tw_entry(t, name, '0', mode, NULL, text, strlen(text));
}

static inline void tw_dir(struct tw *t, const char *name)
{
	tw_entry(t, name, '5', 0755, NULL, NULL, 0);
}

static inline void tw_link(struct tw *t, const char *name, const char *target)
{
	tw_entry(t, name, '2', 0777, target, NULL, 0);
}

static inline void tw_hard(struct tw *t, const char *name, const char *target)
{
	tw_entry(t, name, '1', 0644, target, NULL, 0);
}

static inline void tw_end(struct tw *t)
{
	static const uint8_t zero[1024];

	tw_put(t, zero, sizeof(zero));
}

/*
 * A docker-save archive of @n layer tars with the config JSON @cfg_inner
 * (the "config" object); diff_ids and the config's name are computed.
 * Flags break it on purpose.
 */
enum { MK_BAD_DIFF = 1, MK_NO_MANIFEST = 2, MK_BAD_CFGNAME = 4, MK_DROP_LAYER = 8 };

static inline uint8_t *mk_docker(const struct tw *layers, int n, const char *cfg_inner,
			  unsigned int flags, size_t *len)
{
	struct tw out = { 0 };
	char cfg[8192], man[4096], hexs[65], name[128];
	size_t o;
	int i;

	o = (size_t)snprintf(cfg, sizeof(cfg),
			     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":%s,"
			     "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[", cfg_inner);
	for (i = 0; i < n; i++) {
		fg_sha256_hex(layers[i].buf, layers[i].len, hexs);
		if ((flags & MK_BAD_DIFF) && i == n - 1)
			hexs[0] = hexs[0] == 'a' ? 'b' : 'a';
		o += (size_t)snprintf(cfg + o, sizeof(cfg) - o, "%s\"sha256:%s\"",
				      i ? "," : "", hexs);
	}
	snprintf(cfg + o, sizeof(cfg) - o, "]}}");
	fg_sha256_hex(cfg, strlen(cfg), hexs);
	if (flags & MK_BAD_CFGNAME)
		hexs[0] = hexs[0] == 'a' ? 'b' : 'a';
	o = (size_t)snprintf(man, sizeof(man), "[{\"Config\":\"%s.json\","
			     "\"RepoTags\":[\"test/img:1\"],\"Layers\":[", hexs);
	for (i = 0; i < n; i++)
		o += (size_t)snprintf(man + o, sizeof(man) - o, "%s\"l%d/layer.tar\"",
				      i ? "," : "", i);
	snprintf(man + o, sizeof(man) - o, "]}]");
	for (i = 0; i < n; i++) {
		if ((flags & MK_DROP_LAYER) && i == n - 1)
			continue;
		snprintf(name, sizeof(name), "l%d/layer.tar", i);
		tw_entry(&out, name, '0', 0644, NULL, layers[i].buf, layers[i].len);
	}
	snprintf(name, sizeof(name), "%s.json", hexs);
	tw_file(&out, name, cfg, 0644);
	if (!(flags & MK_NO_MANIFEST))
		tw_file(&out, "manifest.json", man, 0644);
	tw_end(&out);
	*len = out.len;
	return out.buf;
}

#endif
