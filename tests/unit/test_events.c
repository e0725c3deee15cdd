// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit tests of the event forms `fguardctl monitor' prints (ctl/events.c):
 * the human line and the JSON object, for a process the host and the
 * container number alike and for one that entered the container's pid
 * namespace (docker exec), which the container numbers otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include <fguard/table.h>
#include <uapi/linux/fguard.h>

#include "events.h"

static struct fg_event event(uint32_t pid, uint32_t ns_pid)
{
	struct fg_event ev = {
		.inum = 4026532113u,
		.origin_inum = 4026532113u,
		.time_ns = 1796414389454003610ull,	/* 2026-12-04T19:59:49.454Z */
		.pid = pid,
		.tgid = pid,
		.ns_pid = ns_pid,
		.ns_tgid = ns_pid,
		.uid = 0,
		.comm = "fgprobe",
		.exe = "/bin/fgprobe",
		.op = FGUARD_OP_OPEN,
		.perms = FGUARD_PERM_READ,
		.path = "/etc/shadow",
		.decision = FGUARD_DECISION_DENIED,
		.repeat = 1,
	};

	return ev;
}

/* what @fn prints for @ev, malloc'd */
static char *printed(void (*fn)(const struct fg_event *, FILE *),
		     const struct fg_event *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	fn(ev, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

#define LINE_HEAD "2026-12-04T19:59:49.454Z mnt:[4026532113] deny open(r) /etc/shadow by "

/* the human line of an event from @pid, numbered @ns_pid in its pid ns */
static void assert_line(uint32_t pid, uint32_t ns_pid, const char *want)
{
	struct fg_event ev = event(pid, ns_pid);
	char *s = printed(fg_event_print, &ev);

	assert_string_equal(s, want);
	free(s);
}

static void a_line_names_a_host_process_by_one_pid(void **state)
{
	(void)state;
	assert_line(261, 261, LINE_HEAD "fgprobe[261] uid 0 exe /bin/fgprobe\n");
}

static void a_line_adds_the_pid_the_container_sees(void **state)
{
	(void)state;
	assert_line(261, 7, LINE_HEAD "fgprobe[261] ns pid 7 uid 0 exe /bin/fgprobe\n");
}

static void json_has_both_numberings(void **state)
{
	struct fg_event ev = event(261, 7);
	char *s = printed(fg_event_json, &ev);
	json_error_t jerr;
	json_t *o = json_loads(s, 0, &jerr);

	(void)state;
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "pid")), 261);
	assert_int_equal(json_integer_value(json_object_get(o, "tgid")), 261);
	assert_int_equal(json_integer_value(json_object_get(o, "ns_pid")), 7);
	assert_int_equal(json_integer_value(json_object_get(o, "ns_tgid")), 7);
	assert_string_equal(json_string_value(json_object_get(o, "path")), "/etc/shadow");
	assert_string_equal(json_string_value(json_object_get(o, "op")), "open");
	json_decref(o);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_line_names_a_host_process_by_one_pid),
		cmocka_unit_test(a_line_adds_the_pid_the_container_sees),
		cmocka_unit_test(json_has_both_numberings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
