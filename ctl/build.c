// SPDX-License-Identifier: GPL-2.0 OR MIT
//
// fguardctl build IMAGE.tar [-o policy.txt|policy.bin] [--image NAME:TAG]
//
// Derive a policy from a container image archive: read the union of its
// layers (image.c), follow everything the entry point reaches (analyze*.c)
// and write the rules, each with its reason. The output is written only
// once the analysis succeeded; nothing else is written.
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "analyze.h"
#include "commands.h"
#include "image.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s build IMAGE.tar [-o OUTPUT] [--image NAME:TAG] [options]\n"
		"\n"
		"Derive a policy from a container image archive (docker save, with or\n"
		"without its OCI layout, or an OCI image layout; uncompressed, gzip or\n"
		"zstd layers). IMAGE.tar may be `-' for standard input.\n"
		"\n"
		"  -o, --output FILE       write the policy there (default: standard\n"
		"                          output); FILE ending in .bin gets the compiled\n"
		"                          policy, anything else the text\n"
		"  --image NAME:TAG        the image to analyse when the archive holds several\n"
		"  --complain              set `mode complain' in the policy\n"
		"  --base-profile FILE     use FILE instead of the shipped base profile\n"
		"  --print-base-profile    print the shipped base profile and exit\n"
		"  -q, --quiet             no summary on standard error\n"
		"  -v, --verbose           also print the reviewer's notes on standard error\n"
		"\n"
		"The summary line on standard error is stable for scripts:\n"
		"  stats: files=N allowed=N rules=N programs=N libraries=N scripts=N\n"
		"         configs=N modules=N seconds=S   (one line)\n",
		prog);
}

static bool ends_with(const char *s, const char *sfx)
{
	size_t a = strlen(s), b = strlen(sfx);

	return a >= b && !strcmp(s + a - b, sfx);
}

static int write_text(const struct fg_policy *pol, const char *out,
		      const char *archive, const struct image *img,
		      const struct az_stats *st, const char *notes)
{
	FILE *f = strcmp(out, "-") ? fopen(out, "w") : stdout;
	const char *n;

	if (!f) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		return 1;
	}
	fprintf(f, "# fguard policy, made by `fguardctl build' from %s\n", archive);
	fprintf(f, "# %s, %u layers; %" PRIu64 " of its %" PRIu64
		" files allowed (%.1f%%); %" PRIu64 " rules.\n",
		img->format, img->nlayers, st->allowed_files, st->image_files,
		st->image_files ? 100.0 * (double)st->allowed_files /
				  (double)st->image_files : 0.0, st->rules);
	fprintf(f, "# Review it: each rule says why it is there; `fguardctl explain'"
		" tells\n# why a path is allowed or not.\n");
	if (notes && *notes) {
		fprintf(f, "#\n# Notes:\n");
		for (n = notes; *n; ) {
			const char *e = strchr(n, '\n');
			int l = e ? (int)(e - n) : (int)strlen(n);

			fprintf(f, "#   %.*s\n", l, n);
			n += l + (e ? 1 : 0);
		}
	}
	fprintf(f, "\n");
	fg_policy_write(pol, f);
	if (f != stdout ? fclose(f) : fflush(f)) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		return 1;
	}
	return 0;
}

static int write_bin(const struct fg_policy *pol, const char *out)
{
	uint8_t *blob = NULL;
	size_t size = 0;
	char err[512];
	FILE *f;
	int ret = 0;

	if (fg_policy_to_bin(pol, &blob, &size, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", out, err);
		return 1;
	}
	f = strcmp(out, "-") ? fopen(out, "wb") : stdout;
	if (!f || fwrite(blob, 1, size, f) != size ||
	    (f != stdout ? fclose(f) : fflush(f))) {
		fprintf(stderr, "%s: %s\n", out, strerror(errno));
		ret = 1;
	}
	free(blob);
	return ret;
}

int build_main(int argc, char **argv)
{
	const char *archive = NULL, *out = "-", *want = NULL, *profile_file = NULL;
	bool quiet = false, verbose = false, complain = false;
	char err[1024], *profile = NULL, *notes = NULL;
	struct az_opts opts = { 0 };
	struct az_stats st;
	struct fg_policy pol;
	struct image *img;
	struct timespec t0, t1;
	int i, ret = 1;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--print-base-profile")) {
			fputs(fg_base_profile, stdout);
			return 0;
		} else if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) {
			out = argv[++i];
		} else if (!strncmp(a, "--output=", 9)) {
			out = a + 9;
		} else if (!strcmp(a, "--image") && i + 1 < argc) {
			want = argv[++i];
		} else if (!strncmp(a, "--image=", 8)) {
			want = a + 8;
		} else if (!strcmp(a, "--base-profile") && i + 1 < argc) {
			profile_file = argv[++i];
		} else if (!strcmp(a, "--complain")) {
			complain = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			verbose = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "Invalid option: `%s'\n", a);
			usage(stderr);
			return 1;
		} else if (!archive) {
			archive = a;
		} else {
			fprintf(stderr, "Too many arguments: `%s'\n", a);
			usage(stderr);
			return 1;
		}
	}
	if (!archive) {
		usage(stderr);
		return 1;
	}
	if (profile_file) {
		size_t len;

		profile = fg_read_file(profile_file, &len, err, sizeof(err));
		if (!profile) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
		opts.base_profile = profile;
	}
	opts.verbose = verbose;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	img = img_open(archive, want, NULL, err, sizeof(err));
	if (!img) {
		fprintf(stderr, "%s: %s\n", archive, err);
		free(profile);
		return 1;
	}
	fg_policy_init(&pol);
	pol.image = strdup(img->name ? img->name : archive);
	pol.digest = img->digest ? strdup(img->digest) : NULL;
	pol.mode = complain ? FG_MODE_COMPLAIN : FG_MODE_ENFORCE;
	if (fg_analyze(img, &opts, &pol, &st, &notes, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", archive, err);
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (verbose && notes && *notes)
		fprintf(stderr, "notes:\n%s", notes);
	ret = ends_with(out, ".bin") ? write_bin(&pol, out) :
	      write_text(&pol, out, archive, img, &st, notes);
	if (!ret && !quiet)
		fprintf(stderr, "stats: files=%" PRIu64 " allowed=%" PRIu64
			" rules=%" PRIu64 " programs=%" PRIu64 " libraries=%" PRIu64
			" scripts=%" PRIu64 " configs=%" PRIu64 " modules=%" PRIu64
			" seconds=%.3f\n", st.image_files, st.allowed_files, st.rules,
			st.programs, st.libraries, st.scripts, st.configs, st.modules,
			(double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
out:
	free(notes);
	fg_policy_free(&pol);
	img_free(img);
	free(profile);
	return ret;
}
