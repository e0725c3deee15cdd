// SPDX-License-Identifier: GPL-2.0 OR MIT
/* fguardctl compile POLICY.txt -o POLICY.bin */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s compile POLICY.txt -o POLICY.bin\n", prog);
}

/* Write atomically: a half-written policy.bin never replaces a good one. */
int fg_write_atomic(const char *path, const void *data, size_t len, char *err,
		    size_t errlen)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	const char *p = data;
	int fd;

	if (!tmp)
		return -1;
	snprintf(tmp, n, "%s.tmpXXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto fail;
		}
		p += w;
		len -= (size_t)w;
	}
	if (fchmod(fd, 0644) || fsync(fd) || close(fd)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fd = -1;
		goto fail;
	}
	if (rename(tmp, path)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		fd = -1;
		goto fail;
	}
	free(tmp);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int fg_compile_to(const struct fg_policy *p, const char *out, char *err,
		  size_t errlen)
{
	uint8_t *blob;
	size_t size;
	int ret;

	if (fg_policy_to_bin(p, &blob, &size, err, errlen))
		return -1;
	ret = fg_write_atomic(out, blob, size, err, errlen);
	free(blob);
	return ret;
}

int compile_main(int argc, char **argv)
{
	const char *in = NULL, *out = NULL;
	struct fg_policy p;
	char err[512];
	int i, ret;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "-o") && i + 1 < argc) {
			out = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "Invalid option: `%s'\n", argv[i]);
			usage(stderr);
			return 1;
		} else if (!in) {
			in = argv[i];
		} else {
			usage(stderr);
			return 1;
		}
	}
	if (!in || !out) {
		usage(stderr);
		return 1;
	}
	fg_policy_init(&p);
	ret = fg_policy_read_file(&p, in, err, sizeof(err));
	if (!ret)
		ret = fg_compile_to(&p, out, err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s\n", err);
	else
		fprintf(stderr, "%s: %zu rules\n", out, p.nrules);
	fg_policy_free(&p);
	return ret ? 1 : 0;
}
