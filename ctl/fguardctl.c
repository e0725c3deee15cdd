// SPDX-License-Identifier: GPL-2.0 OR MIT
/* fguardctl: build, compile, load and watch fguard policies. */
#include <stdio.h>
#include <string.h>

#include "commands.h"

#ifndef FGUARD_VERSION
#define FGUARD_VERSION "0.1"
#endif



static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *description;
} commands[] = {
	{ "build", build_main, "Derive a policy from a container image archive" },
	{ "compile", compile_main, "Compile a policy text into policy.bin" },
	{ "dump", dump_main, "Print a policy.bin back as text" },
	{ "check", check_main, "Decide accesses against a policy, like the kernel" },
	{ "explain", explain_main, "Say why a path is or is not allowed" },
	{ "diff", diff_main, "Show rules added and removed between two policies" },
	{ "import-trace", importtrace_main, "Extend a policy with what an strace log shows" },
	{ "load", load_main, "Load a policy into the kernel for a mount namespace" },
	{ "unload", unload_main, "Remove the policy of a mount namespace" },
	{ "mode", mode_main, "Switch a guarded namespace to enforce or complain" },
	{ "status", status_main, "Show guarded namespaces and their counters" },
	{ "monitor", monitor_main, "Print denial events as they happen" },
	{ "learn", learn_main, "Extend a policy with what a running container needs" },
	{ "oci-hook", ocihook_main, "OCI runtime hook: guard a container from its entry point" },
};

static void show_usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: %s <cmd> [<args>]\n\n", prog);
	fprintf(f, "Available subcommands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].description);
	fprintf(f, "\nYou may pass `--help' to any of these subcommands to view usage.\n");
}

int main(int argc, char *argv[])
{
	size_t i;

	prog = argv[0];
	if (argc < 2) {
		show_usage(stderr);
		return 1;
	}
	if (!strcmp(argv[1], "-v") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "version")) {
		printf("fguardctl %s\n", FGUARD_VERSION);
		return 0;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		show_usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			int ret = commands[i].fn(argc - 1, argv + 1);

			/* 0 or 1; `check' and `import-trace' use 2 for errors. */
			return ret >= 0 && ret <= 2 ? ret : 1;
		}
	fprintf(stderr, "Invalid subcommand: `%s'\n", argv[1]);
	show_usage(stderr);
	return 1;
}
