// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fguardctl status [--json]
 *
 * Human output: one row per guarded mount namespace; may change.
 * --json: one JSON array of objects with the keys
 *   mntns, origin_mntns, mode, armed, rules, digest (hex sha256 of policy.bin),
 *   loaded (seconds since the epoch), checked, allowed, denied, complained,
 *   events (sent to listeners), events_dropped (lost to the rate limit)
 * This form is stable.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <uapi/linux/fguard.h>

#include "commands.h"
#include "netlink.h"

static void hex(const uint8_t *d, char out[65])
{
	int i;

	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static const char *mode_name(uint32_t m)
{
	return m == FGUARD_MODE_COMPLAIN ? "complain" : "enforce";
}

static void header(void)
{
	printf("%-18s %-8s %-5s %7s  %-12s %10s %10s %8s %10s %8s %8s  %s\n",
	       "NAMESPACE", "MODE", "ARMED", "RULES", "DIGEST", "CHECKED",
	       "ALLOWED", "DENIED", "COMPLAINED", "EVENTS", "DROPPED",
	       "LOADED");
}

/* A row per namespace; "*" marks a namespace that inherited its policy. */
static int row(const struct fg_ns_status *st, void *arg)
{
	char h[65], when[32], ns[32];
	time_t t = (time_t)st->loaded;
	int *rows = arg;
	struct tm tm;

	if (!(*rows)++)
		header();
	hex(st->digest, h);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
	snprintf(ns, sizeof(ns), "mnt:[%u]%s", st->inum,
		 st->origin_inum != st->inum ? "*" : "");
	printf("%-18s %-8s %-5s %7u  %-12.12s %10llu %10llu %8llu %10llu %8llu %8llu  %s\n",
	       ns, mode_name(st->mode), st->armed ? "yes" : "exec", st->rules, h,
	       (unsigned long long)st->checked, (unsigned long long)st->allowed,
	       (unsigned long long)st->denied,
	       (unsigned long long)st->complained,
	       (unsigned long long)st->events, (unsigned long long)st->dropped,
	       when);
	return 0;
}

static int json_row(const struct fg_ns_status *st, void *arg)
{
	json_t *arr = arg;
	char h[65];

	hex(st->digest, h);
	json_array_append_new(arr, json_pack("{s:I, s:I, s:s, s:b, s:I, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"mntns", (json_int_t)st->inum,
		"origin_mntns", (json_int_t)st->origin_inum,
		"mode", mode_name(st->mode),
		"armed", st->armed ? 1 : 0,
		"rules", (json_int_t)st->rules,
		"digest", h,
		"loaded", (json_int_t)st->loaded,
		"checked", (json_int_t)st->checked,
		"allowed", (json_int_t)st->allowed,
		"denied", (json_int_t)st->denied,
		"complained", (json_int_t)st->complained,
		"events", (json_int_t)st->events,
		"events_dropped", (json_int_t)st->dropped));
	return 0;
}

int status_main(int argc, char **argv)
{
	struct fg_nl *nl = NULL;
	bool json = false;
	json_t *arr = NULL;
	int err, rows = 0;

	if (argc == 2 && !strcmp(argv[1], "--json")) {
		json = true;
	} else if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: %s status [--json]\n", prog);
		return 0;
	} else if (argc != 1) {
		fprintf(stderr, "Usage: %s status [--json]\n", prog);
		return 1;
	}
	err = fg_nl_open(&nl);
	if (!err) {
		if (json) {
			arr = json_array();
			err = fg_nl_status(nl, json_row, arr);
		} else {
			err = fg_nl_status(nl, row, &rows);
			if (!err && !rows)
				printf("no guarded mount namespaces\n");
		}
	}
	if (err) {
		fprintf(stderr, "%s\n", nl ? fg_nl_error(nl) : "out of memory");
	} else if (json) {
		json_dumpf(arr, stdout, JSON_COMPACT);
		putchar('\n');
	}
	json_decref(arr);
	fg_nl_close(nl);
	return err ? 1 : 0;
}
