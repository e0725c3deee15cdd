// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fguardctl oci-hook [--policy PATH] [--mode enforce|complain]
 *
 * An OCI runtime hook (stage createRuntime): reads the container state JSON
 * on standard input, takes the policy named by the annotation
 * org.fguard.policy (relative paths: to the bundle) or by --policy, and
 * loads it for the container's process with FGUARD_LOAD_F_ARM_ON_EXEC:
 * the runtime finishes its setup (pivot_root, mounts, /proc) unguarded, and
 * enforcement starts with the exec of the entry point. Any failure exits 1
 * with the reason on standard error, and the runtime refuses to start the
 * container (fail closed). A container that names no policy is let through.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <uapi/linux/fguard.h>

#include "commands.h"
#include "policy.h"

#define ANNOTATION "org.fguard.policy"

static void usage(FILE *f)
{
	fprintf(f, "Usage: %s oci-hook [--policy PATH] [--mode enforce|complain]  < STATE.json\n"
		   "An OCI createRuntime hook; the policy is the annotation " ANNOTATION "\n"
		   "of the container, or PATH.\n", prog);
}

int ocihook_main(int argc, char **argv)
{
	const char *policy = NULL, *bundle = NULL, *ann = NULL;
	char path[PATH_MAX];
	json_error_t jerr;
	json_t *state, *a;
	int i, mode = -1;
	json_int_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--policy") && i + 1 < argc) {
			policy = argv[++i];
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			i++;
			if (!strcmp(argv[i], "enforce"))
				mode = FGUARD_MODE_ENFORCE;
			else if (!strcmp(argv[i], "complain"))
				mode = FGUARD_MODE_COMPLAIN;
			else {
				fprintf(stderr, "Invalid mode: `%s'\n", argv[i]);
				return 1;
			}
		} else {
			usage(stderr);
			return 1;
		}
	}
	state = json_loadf(stdin, 0, &jerr);
	if (!state) {
		fprintf(stderr, "fguard oci-hook: container state on stdin is not JSON: %s (line %d)\n",
			jerr.text, jerr.line);
		return 1;
	}
	a = json_object_get(state, "pid");
	if (!json_is_integer(a) || (pid = json_integer_value(a)) <= 0 ||
	    pid > 0x7fffffff) {
		fprintf(stderr, "fguard oci-hook: container state has no valid \"pid\"\n");
		json_decref(state);
		return 1;
	}
	bundle = json_string_value(json_object_get(state, "bundle"));
	ann = json_string_value(json_object_get(json_object_get(state, "annotations"),
						ANNOTATION));
	if (ann)
		policy = ann;
	if (!policy) {
		fprintf(stderr, "fguard oci-hook: no " ANNOTATION " annotation and no --policy: container not guarded\n");
		json_decref(state);
		return 0;
	}
	if (policy[0] != '/' && bundle)
		snprintf(path, sizeof(path), "%s/%s", bundle, policy);
	else
		snprintf(path, sizeof(path), "%s", policy);
	json_decref(state);
	if (fg_load_policy_file(path, (uint32_t)pid, mode,
				FGUARD_LOAD_F_ARM_ON_EXEC, true)) {
		fprintf(stderr, "fguard oci-hook: cannot guard the container with %s: refusing to start it\n",
			path);
		return 1;
	}
	return 0;
}
