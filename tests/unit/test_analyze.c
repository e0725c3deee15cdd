// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the analysis (ctl/analyze*.c): small images made in memory,
 * analysed, and the policy asked what it grants, through the same table
 * and lookup as the kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze.h"
#include "image.h"
#include "test_image_tar.h"

#define FAKE_ELF "\177ELF not really"

struct env {
	struct image *img;
	struct fg_policy pol;
	struct fg_table t;
	uint8_t *blob;
	char *notes;
};

static void analyse(struct env *e, struct tw *layers, int n, const char *cfg)
{
	char err[512];
	size_t len;
	uint8_t *a = mk_docker(layers, n, cfg, 0, &len);
	int i;

	e->img = img_open_memory(a, len, NULL, NULL, err, sizeof(err));
	free(a);
	for (i = 0; i < n; i++)
		free(layers[i].buf);
	if (!e->img)
		fail_msg("image: %s", err);
	fg_policy_init(&e->pol);
	e->notes = NULL;
	if (fg_analyze(e->img, NULL, &e->pol, NULL, &e->notes, err, sizeof(err)))
		fail_msg("analysis: %s", err);
	if (fg_policy_table(&e->pol, &e->t, &e->blob, err, sizeof(err)))
		fail_msg("table: %s", err);
}

static void done(struct env *e)
{
	fg_table_free(&e->t);
	free(e->blob);
	fg_policy_free(&e->pol);
	img_free(e->img);
	free(e->notes);
}

static unsigned int granted(struct env *e, const char *path)
{
	return fg_table_lookup(&e->t, path, strlen(path), FGUARD_PERM_READ |
			       FGUARD_PERM_WRITE | FGUARD_PERM_EXEC).granted;
}

#define R FGUARD_PERM_READ
#define W FGUARD_PERM_WRITE
#define X FGUARD_PERM_EXEC

static void expect(struct env *e, const char *path, unsigned int want)
{
	unsigned int g = granted(e, path);

	if ((g & want) != want)
		fail_msg("%s: granted %u, want at least %u", path, g, want);
}

static void expect_not(struct env *e, const char *path, unsigned int perms)
{
	unsigned int g = granted(e, path);

	if (g & perms)
		fail_msg("%s: granted %u, must not have %u", path, g, perms);
}

/*
 * The shell image:
 *
 *   bin -> usr/bin
 *   usr/bin/{sh,mkdir,sed,server}     programs (fake ELF, 0755)
 *   entry.sh                          #!/bin/sh entry point, exec "$@"
 *   etc/app/env.sh                    sourced by entry.sh
 *   etc/app/app.conf                  the server's config (from CMD)
 *   etc/app/conf.d/a.conf             included by a glob
 *   etc/app/mime.types                named relatively by a.conf
 *   etc/app/old.conf                  whited out by layer 2
 *   etc/app/unnamed.txt               named by nothing
 *   etc/shadow                        named by entry.sh
 *   srv/site/{index.html,img/logo.png} the document root
 *   var/log/, run/                    writable areas
 */
static struct env shell_env;

static int shell_setup(void **state)
{
	struct tw l[2] = { { 0 }, { 0 } };

	tw_link(&l[0], "bin", "usr/bin");
	tw_file(&l[0], "usr/bin/sh", FAKE_ELF, 0755);
	tw_file(&l[0], "usr/bin/mkdir", FAKE_ELF, 0755);
	tw_file(&l[0], "usr/bin/sed", FAKE_ELF, 0755);
	tw_file(&l[0], "usr/bin/server", FAKE_ELF, 0755);
	tw_file(&l[0], "usr/bin/unused", FAKE_ELF, 0755);
	tw_file(&l[0], "etc/app/old.conf", "x\n", 0644);
	tw_file(&l[0], "etc/app/unnamed.txt", "x\n", 0644);
	tw_file(&l[0], "etc/shadow", "root:*:1::::::\n", 0640);
	tw_file(&l[0], "etc/other.conf", "x\n", 0644);
	tw_dir(&l[0], "var/log/");
	tw_dir(&l[0], "run/");
	tw_end(&l[0]);
	tw_file(&l[1], "entry.sh",
		"#!/bin/sh\n"
		"# Entry point: /usr/bin/unused is only in this comment\n"
		"set -e\n"
		". /etc/app/env.sh\n"
		"mkdir -p /run/app /var/log/app\n"
		"if [ \"$(sed -n 1p /etc/app/app.conf)\" != x ]; then\n"
		"    cat /etc/shadow >/dev/null 2>&1 || true\n"
		"fi\n"
		"exec \"$@\"\n", 0755);
	tw_file(&l[1], "etc/app/env.sh", "APP_MODE=prod\n", 0644);
	tw_file(&l[1], "etc/app/app.conf",
		"# app configuration\n"
		"include /etc/app/conf.d/*.conf;\n"
		"root /srv/site;\n"
		"log /var/log/app/app.log;\n"
		"old /etc/app/old.conf;\n"
		"confdir /etc;\n", 0644);
	tw_file(&l[1], "etc/app/conf.d/a.conf", "types mime.types;\n", 0644);
	tw_file(&l[1], "etc/app/mime.types", "text/html html\n", 0644);
	tw_file(&l[1], "etc/app/.wh.old.conf", "", 0644);
	tw_file(&l[1], "srv/site/index.html", "<p>hi</p>\n", 0644);
	tw_file(&l[1], "srv/site/img/logo.png", "PNG", 0644);
	tw_end(&l[1]);
	analyse(&shell_env, l, 2,
		"{\"Entrypoint\":[\"/entry.sh\"],"
		"\"Cmd\":[\"server\",\"-c\",\"/etc/app/app.conf\"],"
		"\"Env\":[\"PATH=/usr/bin:/bin\"],"
		"\"Volumes\":{\"/etc/cfg\":{},\"/data\":{}}}");
	*state = &shell_env;
	return 0;
}

static int shell_teardown(void **state)
{
	done(*state);
	return 0;
}

static void entry_script_and_its_interpreter_are_executable(void **state)
{
	expect(*state, "/entry.sh", R | X);
	expect(*state, "/usr/bin/sh", X);
}

static void commands_of_the_script_are_resolved_on_the_path(void **state)
{
	expect(*state, "/usr/bin/mkdir", X);
	expect(*state, "/usr/bin/sed", X);	/* inside $( ) in double quotes */
}

static void cmd_run_by_exec_dollar_at_is_executable(void **state)
{
	expect(*state, "/usr/bin/server", X);
}

static void a_program_named_only_in_a_comment_is_not_granted(void **state)
{
	expect_not(*state, "/usr/bin/unused", R | W | X);
}

static void sourced_script_is_readable(void **state)
{
	expect(*state, "/etc/app/env.sh", R);
	expect_not(*state, "/etc/app/env.sh", W | X);
}

static void config_from_the_command_line_and_its_includes_are_readable(void **state)
{
	expect(*state, "/etc/app/app.conf", R);
	expect(*state, "/etc/app/conf.d/a.conf", R);
	expect(*state, "/etc/app/conf.d", R);	/* the glob lists it */
	expect(*state, "/etc/app/mime.types", R);
}

static void document_root_is_readable_recursively_not_writable(void **state)
{
	expect(*state, "/srv/site/index.html", R);
	expect(*state, "/srv/site/img/logo.png", R);
	expect_not(*state, "/srv/site/img/logo.png", W | X);
}

static void files_the_program_creates_are_writable(void **state)
{
	expect(*state, "/var/log/app/app.log", R | W);
	expect(*state, "/run/app/anything", R | W);
	expect_not(*state, "/var/log/other.log", W);
}

static void a_system_directory_is_never_granted_recursively(void **state)
{
	expect(*state, "/etc", R);
	expect_not(*state, "/etc/other.conf", R);
	expect_not(*state, "/etc/app/unnamed.txt", R);
}

static void sensitive_file_named_by_a_script_is_not_granted(void **state)
{
	struct env *e = *state;

	expect_not(e, "/etc/shadow", R);
	assert_non_null(e->notes);
	assert_non_null(strstr(e->notes, "/etc/shadow"));
}

static void whited_out_file_is_not_granted(void **state)
{
	expect_not(*state, "/etc/app/old.conf", R);
}

static void volume_under_etc_is_not_writable(void **state)
{
	struct env *e = *state;

	expect_not(e, "/etc/cfg/x", W);
	expect(e, "/data/x", R | W);
	assert_non_null(strstr(e->notes, "VOLUME /etc/cfg"));
}

static void no_rule_is_both_writable_and_executable(void **state)
{
	struct env *e = *state;
	size_t i;

	for (i = 0; i < e->pol.nrules; i++) {
		const struct fg_rule *r = &e->pol.rules[i];

		if (r->perms & X)
			expect_not(e, r->path, W);
	}
}

static void every_rule_has_a_reason(void **state)
{
	struct env *e = *state;
	size_t i;

	for (i = 0; i < e->pol.nrules; i++)
		if (!e->pol.rules[i].reason || !*e->pol.rules[i].reason)
			fail_msg("%s has no reason", e->pol.rules[i].path);
}

static void header_names_the_entry_point(void **state)
{
	struct env *e = *state;

	assert_string_equal(e->pol.entrypoint, "/entry.sh server -c /etc/app/app.conf");
}

/*
 * The python image:
 *
 *   usr/bin/python3 -> python3.11, usr/bin/python3.11   (fake ELF)
 *   usr/lib/python3.11/{os,site,re,ssl,unused}.py
 *   usr/lib/python3.11/encodings/{__init__,utf_8,latin_1}.py  (imports by name)
 *   usr/lib/python3.11/json/{__init__,decoder}.py and their .pyc
 *   usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so
 *   app/main.py, app/helpers/{__init__,util}.py
 */
static struct env py_env;

static int py_setup(void **state)
{
	struct tw l[1] = { { 0 } };
	const char *lib = "usr/lib/python3.11/";
	char p[256];

#define F(name, text) do { snprintf(p, sizeof(p), "%s%s", lib, name); \
			   tw_file(&l[0], p, text, 0644); } while (0)
	tw_link(&l[0], "usr/bin/python3", "python3.11");
	tw_file(&l[0], "usr/bin/python3.11", FAKE_ELF, 0755);
	tw_dir(&l[0], "var/log/");
	F("os.py", "import sys\n");
	F("site.py", "import os\n");
	F("re.py", "\"\"\"Docs: import unused is just text.\"\"\"\nimport enum\n");
	F("enum.py", "");
	F("ssl.py", "import _ssl\n");
	F("unused.py", "");
	F("encodings/__init__.py",
	  "import codecs\n"
	  "def search(name):\n"
	  "    mod = __import__('encodings.' + name, fromlist=['x'], level=0)\n");
	F("encodings/utf_8.py", "");
	F("encodings/latin_1.py", "import stringprep\n");
	F("stringprep.py", "");
	F("json/__init__.py", "from .decoder import JSONDecoder\n");
	F("json/decoder.py", "import re\n");
	F("json/__pycache__/__init__.cpython-311.pyc", "pyc");
	F("json/__pycache__/decoder.cpython-311.pyc", "pyc");
	F("lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", FAKE_ELF);
#undef F
	tw_file(&l[0], "app/main.py",
		"#!/usr/bin/env python3\n"
		"import json\n"
		"from helpers import util\n"
		"import ssl\n"
		"LOG = '/var/log/app.log'\n", 0644);
	tw_file(&l[0], "app/helpers/__init__.py", "", 0644);
	tw_file(&l[0], "app/helpers/util.py", "def f():\n    pass\n", 0644);
	tw_end(&l[0]);
	analyse(&py_env, l, 1,
		"{\"Cmd\":[\"python3\",\"/app/main.py\"],\"WorkingDir\":\"/app\","
		"\"Env\":[\"PATH=/usr/bin\"]}");
	*state = &py_env;
	return 0;
}

static void python_interpreter_is_executable(void **state)
{
	expect(*state, "/usr/bin/python3.11", X);
}

static void imported_modules_and_their_compiled_forms_are_readable(void **state)
{
	expect(*state, "/usr/lib/python3.11/json/__init__.py", R);
	expect(*state, "/usr/lib/python3.11/json/decoder.py", R);
	expect(*state, "/usr/lib/python3.11/json/__pycache__/__init__.cpython-311.pyc", R);
	expect(*state, "/usr/lib/python3.11/json/__pycache__/decoder.cpython-311.pyc", R);
	expect(*state, "/usr/lib/python3.11/re.py", R);
	expect(*state, "/usr/lib/python3.11/enum.py", R);
	expect(*state, "/app/helpers/util.py", R);
}

static void a_module_nothing_imports_is_not_granted(void **state)
{
	expect_not(*state, "/usr/lib/python3.11/unused.py", R);
}

static void extension_module_is_loaded_as_a_library(void **state)
{
	expect(*state, "/usr/lib/python3.11/lib-dynload/_ssl.cpython-311-x86_64-linux-gnu.so", R);
}

static void package_importing_by_name_is_granted_whole(void **state)
{
	expect(*state, "/usr/lib/python3.11/encodings/latin_1.py", R);
	expect(*state, "/usr/lib/python3.11/stringprep.py", R);
}

static void sys_path_directories_are_listable(void **state)
{
	expect(*state, "/app", R);
	expect(*state, "/usr/lib/python3.11", R);
	expect(*state, "/usr/lib/python3.11/lib-dynload", R);
}

static void log_file_named_by_the_app_is_writable(void **state)
{
	expect(*state, "/var/log/app.log", R | W);
	expect_not(*state, "/usr/lib/python3.11/json/__pycache__/x.pyc", W);
}

/*
 * A program whose arguments name the script it interprets: /entry is
 * "#!/bin/x", so the kernel runs "/bin/x /entry", whose argument /entry is
 * a script run by /bin/x, and so on. The analysis must end (the fuzzer
 * found it recursing until the stack ran out), grant what runs, and say
 * where it stopped following.
 */
static void a_script_named_in_its_interpreters_arguments_ends(void **state)
{
	struct tw l[1] = { { 0 } };
	struct env e;

	(void)state;
	tw_file(&l[0], "bin/x", FAKE_ELF, 0755);
	tw_file(&l[0], "entry", "#!/bin/x\n", 0755);
	tw_end(&l[0]);
	analyse(&e, l, 1, "{\"Entrypoint\":[\"/entry\"],\"Cmd\":[\"x\"]}");
	expect(&e, "/entry", R | X);
	expect(&e, "/bin/x", R | X);
	assert_non_null(e.notes);
	if (!strstr(e.notes, "not followed further"))
		fail_msg("no note on the loop: %s", e.notes);
	done(&e);
}

int main(void)
{
	const struct CMUnitTest shell[] = {
		cmocka_unit_test(entry_script_and_its_interpreter_are_executable),
		cmocka_unit_test(commands_of_the_script_are_resolved_on_the_path),
		cmocka_unit_test(cmd_run_by_exec_dollar_at_is_executable),
		cmocka_unit_test(a_program_named_only_in_a_comment_is_not_granted),
		cmocka_unit_test(sourced_script_is_readable),
		cmocka_unit_test(config_from_the_command_line_and_its_includes_are_readable),
		cmocka_unit_test(document_root_is_readable_recursively_not_writable),
		cmocka_unit_test(files_the_program_creates_are_writable),
		cmocka_unit_test(a_system_directory_is_never_granted_recursively),
		cmocka_unit_test(sensitive_file_named_by_a_script_is_not_granted),
		cmocka_unit_test(whited_out_file_is_not_granted),
		cmocka_unit_test(volume_under_etc_is_not_writable),
		cmocka_unit_test(no_rule_is_both_writable_and_executable),
		cmocka_unit_test(every_rule_has_a_reason),
		cmocka_unit_test(header_names_the_entry_point),
	};
	const struct CMUnitTest python[] = {
		cmocka_unit_test(python_interpreter_is_executable),
		cmocka_unit_test(imported_modules_and_their_compiled_forms_are_readable),
		cmocka_unit_test(a_module_nothing_imports_is_not_granted),
		cmocka_unit_test(extension_module_is_loaded_as_a_library),
		cmocka_unit_test(package_importing_by_name_is_granted_whole),
		cmocka_unit_test(sys_path_directories_are_listable),
		cmocka_unit_test(log_file_named_by_the_app_is_writable),
	};
	const struct CMUnitTest loops[] = {
		cmocka_unit_test(a_script_named_in_its_interpreters_arguments_ends),
	};
	int fails = 0;

	fails += cmocka_run_group_tests_name("analysis of a shell-script image",
					     shell, shell_setup, shell_teardown);
	fails += cmocka_run_group_tests_name("analysis of a python image",
					     python, py_setup, shell_teardown);
	fails += cmocka_run_group_tests_name("analysis of programs running programs in a loop",
					     loops, NULL, NULL);
	return fails;
}
