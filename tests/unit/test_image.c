// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the image reader (ctl/image.c): the union of layers as a
 * container sees it, symlink resolution inside the root, and the refusal
 * of hostile archives with a message naming the problem.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "image.h"
#include "test_image_tar.h"


static const char cfg_plain[] =
	"{\"Entrypoint\":[\"/bin/app\"],\"Cmd\":[\"-v\"],\"Env\":[\"PATH=/bin\",\"A=b\"],"
	"\"WorkingDir\":\"/srv\",\"User\":\"www\",\"Volumes\":{\"/data\":{}}}";

/*
 * Layer 0:                         Layer 1:
 *   bin/app        (file)            bin/.wh.old       (whiteout)
 *   bin/old        (file)            etc/conf.d/.wh..wh..opq (opaque)
 *   etc/conf.d/a.conf                etc/conf.d/b.conf
 *   etc/conf.d/sub/x                 srv/link -> ../etc/conf.d/b.conf
 *   srv/                             srv/hard  (hard link to bin/app)
 *   lib -> usr/lib                   lib/extra (a dir over the symlink)
 *   usr/lib/libz.so                  abs -> /etc/conf.d
 *   loop1 -> loop2, loop2 -> loop1   up -> ../../../../etc
 */
static struct image *two_layers(char *err, size_t errlen, unsigned int flags)
{
	struct tw l[2] = { { 0 }, { 0 } };
	struct image *img;
	uint8_t *a;
	size_t len;

	tw_dir(&l[0], "bin/");
	tw_file(&l[0], "bin/app", "#!/bin/sh\necho app\n", 0755);
	tw_file(&l[0], "bin/old", "old\n", 0755);
	tw_dir(&l[0], "etc/conf.d/");
	tw_file(&l[0], "etc/conf.d/a.conf", "a\n", 0644);
	tw_file(&l[0], "etc/conf.d/sub/x", "x\n", 0644);
	tw_dir(&l[0], "srv/");
	tw_link(&l[0], "lib", "usr/lib");
	tw_file(&l[0], "usr/lib/libz.so", "\177ELF", 0644);
	tw_link(&l[0], "loop1", "loop2");
	tw_link(&l[0], "loop2", "loop1");
	tw_end(&l[0]);
	tw_file(&l[1], "bin/.wh.old", "", 0644);
	tw_file(&l[1], "etc/conf.d/.wh..wh..opq", "", 0644);
	tw_file(&l[1], "etc/conf.d/b.conf", "b\n", 0644);
	tw_link(&l[1], "srv/link", "../etc/conf.d/b.conf");
	tw_hard(&l[1], "srv/hard", "bin/app");
	tw_file(&l[1], "lib/extra", "e\n", 0644);
	tw_link(&l[1], "abs", "/etc/conf.d");
	tw_link(&l[1], "up", "../../../../etc");
	tw_end(&l[1]);
	a = mk_docker(l, 2, cfg_plain, flags, &len);
	img = img_open_memory(a, len, NULL, NULL, err, errlen);
	free(a);
	free(l[0].buf);
	free(l[1].buf);
	return img;
}

static struct img_node *get(struct image *img, const char *path, int *e)
{
	struct img_res res;
	struct img_node *n = img_resolve(img, NULL, path, 0, &res);

	if (e)
		*e = res.err;
	return n;
}

static void whiteout_hides_a_lower_file(void **state)
{
	char err[512];
	struct image *img = two_layers(err, sizeof(err), 0);

	(void)state;
	assert_non_null(img);
	assert_null(get(img, "/bin/old", NULL));
	assert_non_null(get(img, "/bin/app", NULL));
	img_free(img);
}

static void opaque_directory_hides_the_lower_contents(void **state)
{
	char err[512];
	struct image *img = two_layers(err, sizeof(err), 0);

	(void)state;
	assert_non_null(img);
	assert_null(get(img, "/etc/conf.d/a.conf", NULL));
	assert_null(get(img, "/etc/conf.d/sub/x", NULL));
	assert_non_null(get(img, "/etc/conf.d/b.conf", NULL));
	img_free(img);
}

static void hard_link_shares_the_target_content(void **state)
{
	char err[512];
	struct image *img = two_layers(err, sizeof(err), 0);
	struct img_node *h, *t;

	(void)state;
	assert_non_null(img);
	h = get(img, "/srv/hard", NULL);
	t = get(img, "/bin/app", NULL);
	assert_non_null(h);
	assert_non_null(t);
	assert_int_equal(h->type, IMG_REG);
	assert_ptr_equal(h->data, t->data);
	assert_int_equal(h->mode, 0755);
	img_free(img);
}

static void relative_and_absolute_symlinks_resolve_in_the_image(void **state)
{
	char err[512], buf[256];
	struct image *img = two_layers(err, sizeof(err), 0);
	struct img_node *n;

	(void)state;
	assert_non_null(img);
	n = get(img, "/srv/link", NULL);
	assert_non_null(n);
	assert_string_equal(img_path(n, buf, sizeof(buf)), "/etc/conf.d/b.conf");
	n = get(img, "/abs/b.conf", NULL);
	assert_non_null(n);
	assert_string_equal(img_path(n, buf, sizeof(buf)), "/etc/conf.d/b.conf");
	img_free(img);
}

static void dotdot_in_a_symlink_stops_at_the_image_root(void **state)
{
	char err[512], buf[256];
	struct image *img = two_layers(err, sizeof(err), 0);
	struct img_node *n;

	(void)state;
	assert_non_null(img);
	n = get(img, "/up/conf.d/b.conf", NULL);
	assert_non_null(n);
	assert_string_equal(img_path(n, buf, sizeof(buf)), "/etc/conf.d/b.conf");
	n = get(img, "/../../etc", NULL);
	assert_non_null(n);
	assert_string_equal(img_path(n, buf, sizeof(buf)), "/etc");
	img_free(img);
}

static void symlink_loop_is_detected(void **state)
{
	char err[512];
	struct image *img = two_layers(err, sizeof(err), 0);
	int e = 0;

	(void)state;
	assert_non_null(img);
	assert_null(get(img, "/loop1", &e));
	assert_int_equal(e, ELOOP);
	img_free(img);
}

static void directory_in_an_upper_layer_replaces_a_lower_symlink(void **state)
{
	char err[512];
	struct image *img = two_layers(err, sizeof(err), 0);
	struct img_node *lib;
	struct img_res res;

	(void)state;
	assert_non_null(img);
	lib = img_resolve(img, NULL, "/lib", IMG_NOFOLLOW, &res);
	assert_non_null(lib);
	assert_int_equal(lib->type, IMG_DIR);
	assert_non_null(get(img, "/lib/extra", NULL));
	assert_null(get(img, "/lib/libz.so", NULL));
	assert_non_null(get(img, "/usr/lib/libz.so", NULL));
	img_free(img);
}

static void missing_last_component_reports_its_directory(void **state)
{
	char err[512], buf[256];
	struct image *img = two_layers(err, sizeof(err), 0);
	struct img_res res;

	(void)state;
	assert_non_null(img);
	assert_null(img_resolve(img, NULL, "/srv/new.pid", 0, &res));
	assert_int_equal(res.err, ENOENT);
	assert_non_null(res.parent);
	assert_string_equal(img_path(res.parent, buf, sizeof(buf)), "/srv");
	assert_string_equal(res.last, "new.pid");
	assert_null(img_resolve(img, NULL, "/bin/app/x", 0, &res));
	assert_int_equal(res.err, ENOTDIR);
	img_free(img);
}

static void config_fields_are_read(void **state)
{
	char err[512];
	struct image *img = two_layers(err, sizeof(err), 0);

	(void)state;
	assert_non_null(img);
	assert_string_equal(img->cfg.entrypoint[0], "/bin/app");
	assert_null(img->cfg.entrypoint[1]);
	assert_string_equal(img->cfg.cmd[0], "-v");
	assert_string_equal(img_getenv(img, "A"), "b");
	assert_null(img_getenv(img, "B"));
	assert_string_equal(img->cfg.workdir, "/srv");
	assert_string_equal(img->cfg.user, "www");
	assert_string_equal(img->cfg.volumes[0], "/data");
	assert_string_equal(img->name, "test/img:1");
	assert_non_null(img->digest);
	assert_int_equal(strncmp(img->digest, "sha256:", 7), 0);
	assert_int_equal(img->nlayers, 2);
	img_free(img);
}

static void expect_error(unsigned int flags, const char *want)
{
	char err[512] = "";
	struct image *img = two_layers(err, sizeof(err), flags);

	if (img || !strstr(err, want))
		fail_msg("expected an error with `%s', got %s", want,
			 img ? "an image" : err);
}

static void layer_digest_mismatch_is_refused(void **state)
{
	(void)state;
	expect_error(MK_BAD_DIFF, "digest mismatch");
}

static void config_digest_mismatch_is_refused(void **state)
{
	(void)state;
	expect_error(MK_BAD_CFGNAME, "digest mismatch");
}

static void missing_manifest_is_refused(void **state)
{
	(void)state;
	expect_error(MK_NO_MANIFEST, "neither manifest.json nor index.json");
}

static void missing_layer_is_refused(void **state)
{
	(void)state;
	expect_error(MK_DROP_LAYER, "not in the archive");
}

static void one_layer(struct tw *l, const char *cfg, char *err, size_t errlen,
		      struct image **out, const struct img_limits *lim)
{
	uint8_t *a;
	size_t len;

	a = mk_docker(l, 1, cfg, 0, &len);
	*out = img_open_memory(a, len, NULL, lim, err, errlen);
	free(a);
	free(l->buf);
}

static void entry_with_dotdot_is_refused(void **state)
{
	struct tw l = { 0 };
	struct image *img;
	char err[512] = "";

	(void)state;
	tw_file(&l, "a/../../etc/evil", "x", 0644);
	tw_end(&l);
	one_layer(&l, cfg_plain, err, sizeof(err), &img, NULL);
	assert_null(img);
	assert_non_null(strstr(err, "escapes the image root"));
	assert_non_null(strstr(err, "a/../../etc/evil"));
}

static void absolute_entry_name_is_refused(void **state)
{
	struct tw l = { 0 };
	struct image *img;
	char err[512] = "";

	(void)state;
	tw_file(&l, "/etc/evil", "x", 0644);
	tw_end(&l);
	one_layer(&l, cfg_plain, err, sizeof(err), &img, NULL);
	assert_null(img);
	assert_non_null(strstr(err, "absolute name"));
}

static void hard_link_to_a_missing_file_is_refused(void **state)
{
	struct tw l = { 0 };
	struct image *img;
	char err[512] = "";

	(void)state;
	tw_hard(&l, "x", "nowhere");
	tw_end(&l);
	one_layer(&l, cfg_plain, err, sizeof(err), &img, NULL);
	assert_null(img);
	assert_non_null(strstr(err, "hard link"));
}

static void too_many_entries_are_refused(void **state)
{
	struct tw l = { 0 };
	struct img_limits lim;
	struct image *img;
	char err[512] = "", name[32];
	int i;

	(void)state;
	img_limits_default(&lim);
	lim.max_entries = 50;
	for (i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		tw_file(&l, name, "", 0644);
	}
	tw_end(&l);
	one_layer(&l, cfg_plain, err, sizeof(err), &img, &lim);
	assert_null(img);
	assert_non_null(strstr(err, "more than 50"));
}

static void bad_config_json_is_refused(void **state)
{
	struct tw l = { 0 };
	struct image *img;
	char err[512] = "";

	(void)state;
	tw_end(&l);
	one_layer(&l, "{\"Entrypoint\": 5}", err, sizeof(err), &img, NULL);
	assert_null(img);
	assert_non_null(strstr(err, "Entrypoint"));
}

static void truncated_archive_is_refused(void **state)
{
	struct tw l = { 0 };
	struct image *img;
	char err[512] = "";
	uint8_t *a;
	size_t len;

	(void)state;
	tw_file(&l, "big", "0123456789012345678901234567890123456789", 0644);
	tw_end(&l);
	a = mk_docker(&l, 1, cfg_plain, 0, &len);
	img = img_open_memory(a, 700, NULL, NULL, err, sizeof(err));
	assert_null(img);
	assert_non_null(strstr(err, "runcated"));
	free(a);
	free(l.buf);
}

static void garbage_is_not_an_archive(void **state)
{
	char err[512] = "";
	static const char junk[] = "this is not a tar archive, not at all";

	(void)state;
	assert_null(img_open_memory(junk, sizeof(junk), NULL, NULL, err, sizeof(err)));
	assert_true(err[0]);
}

static void oci_layout_with_nested_index_is_read(void **state)
{
	struct tw l = { 0 }, out = { 0 };
	char cfg[1024], man[2048], idx[2048], idx2[1024], lh[65], ch[65], mh[65], ih[65];
	char name[128];
	struct image *img;
	char err[512] = "";

	(void)state;
	tw_file(&l, "hello", "hi\n", 0644);
	tw_end(&l);
	fg_sha256_hex(l.buf, l.len, lh);
	snprintf(cfg, sizeof(cfg), "{\"config\":{\"Cmd\":[\"/hello\"]},\"rootfs\":"
		 "{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]}}", lh);
	fg_sha256_hex(cfg, strlen(cfg), ch);
	snprintf(man, sizeof(man), "{\"schemaVersion\":2,\"config\":{\"digest\":"
		 "\"sha256:%s\",\"size\":%zu},\"layers\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"sha256:%s\","
		 "\"size\":%zu}]}", ch, strlen(cfg), lh, l.len);
	fg_sha256_hex(man, strlen(man), mh);
	snprintf(idx2, sizeof(idx2), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\","
		 "\"size\":%zu,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
		 mh, strlen(man));
	fg_sha256_hex(idx2, strlen(idx2), ih);
	snprintf(idx, sizeof(idx), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
		 "\"application/vnd.oci.image.index.v1+json\",\"digest\":\"sha256:%s\","
		 "\"size\":%zu,\"annotations\":{\"io.containerd.image.name\":\"x/y:2\"}}]}",
		 ih, strlen(idx2));
	tw_file(&out, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}", 0644);
	tw_file(&out, "index.json", idx, 0644);
	snprintf(name, sizeof(name), "blobs/sha256/%s", ih);
	tw_file(&out, name, idx2, 0644);
	snprintf(name, sizeof(name), "blobs/sha256/%s", mh);
	tw_file(&out, name, man, 0644);
	snprintf(name, sizeof(name), "blobs/sha256/%s", ch);
	tw_file(&out, name, cfg, 0644);
	snprintf(name, sizeof(name), "blobs/sha256/%s", lh);
	tw_entry(&out, name, '0', 0644, NULL, l.buf, l.len);
	tw_end(&out);
	img = img_open_memory(out.buf, out.len, NULL, NULL, err, sizeof(err));
	if (!img)
		fail_msg("%s", err);
	assert_non_null(get(img, "/hello", NULL));
	assert_string_equal(img->name, "x/y:2");
	assert_string_equal(img->format, "OCI image layout");
	img_free(img);
	free(l.buf);
	free(out.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(whiteout_hides_a_lower_file),
		cmocka_unit_test(opaque_directory_hides_the_lower_contents),
		cmocka_unit_test(hard_link_shares_the_target_content),
		cmocka_unit_test(relative_and_absolute_symlinks_resolve_in_the_image),
		cmocka_unit_test(dotdot_in_a_symlink_stops_at_the_image_root),
		cmocka_unit_test(symlink_loop_is_detected),
		cmocka_unit_test(directory_in_an_upper_layer_replaces_a_lower_symlink),
		cmocka_unit_test(missing_last_component_reports_its_directory),
		cmocka_unit_test(config_fields_are_read),
		cmocka_unit_test(layer_digest_mismatch_is_refused),
		cmocka_unit_test(config_digest_mismatch_is_refused),
		cmocka_unit_test(missing_manifest_is_refused),
		cmocka_unit_test(missing_layer_is_refused),
		cmocka_unit_test(entry_with_dotdot_is_refused),
		cmocka_unit_test(absolute_entry_name_is_refused),
		cmocka_unit_test(hard_link_to_a_missing_file_is_refused),
		cmocka_unit_test(too_many_entries_are_refused),
		cmocka_unit_test(bad_config_json_is_refused),
		cmocka_unit_test(truncated_archive_is_refused),
		cmocka_unit_test(garbage_is_not_an_archive),
		cmocka_unit_test(oci_layout_with_nested_index_is_read),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
