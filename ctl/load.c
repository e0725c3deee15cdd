// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * fguardctl load POLICY.bin (--pid PID | --ns PATH) [--mode enforce|complain]
 * fguardctl unload (--pid PID | --ns PATH)
 * fguardctl mode (--pid PID | --ns PATH) enforce|complain
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/linux/fguard.h>

#include "commands.h"
#include "netlink.h"
#include "policy.h"
#include "target.h"

static int parse_mode(const char *s)
{
	if (!strcmp(s, "enforce"))
		return FGUARD_MODE_ENFORCE;
	if (!strcmp(s, "complain"))
		return FGUARD_MODE_COMPLAIN;
	fprintf(stderr, "Invalid mode: `%s' (enforce or complain)\n", s);
	return -1;
}

static int run(int (*fn)(struct fg_nl *nl, struct fg_target *t, void *arg),
	       const char *pid_arg, const char *ns_arg, void *arg)
{
	struct fg_target t;
	struct fg_nl *nl = NULL;
	int err;

	if (fg_target_resolve(&t, pid_arg, ns_arg))
		return 1;
	err = fg_nl_open(&nl);
	if (!err)
		err = fn(nl, &t, arg);
	if (err)
		fprintf(stderr, "%s\n", nl ? fg_nl_error(nl) : strerror(-err));
	fg_nl_close(nl);
	fg_target_release(&t);
	return err ? 1 : 0;
}

struct load_arg {
	const uint8_t *blob;
	size_t size;
	int mode;
	uint32_t flags;
	const char *name;
};

int fg_load_policy_file(const char *file, uint32_t pid, int mode,
			uint32_t flags, bool quiet)
{
	struct fg_load_result res;
	struct fg_policy p;
	struct fg_nl *nl = NULL;
	char err[512];
	size_t len;
	char *blob;
	int ret;

	blob = fg_read_file(file, &len, err, sizeof(err));
	if (!blob) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	fg_policy_init(&p);
	ret = fg_policy_from_bin(&p, blob, len, file, err, sizeof(err));
	fg_policy_free(&p);
	if (ret) {
		fprintf(stderr, "%s\n", err);
		free(blob);
		return -1;
	}
	ret = fg_nl_open(&nl);
	if (!ret)
		ret = fg_nl_load(nl, blob, len, pid, mode, flags, &res);
	if (ret)
		fprintf(stderr, "%s\n", nl ? fg_nl_error(nl) : strerror(-ret));
	else if (!quiet)
		printf("loaded %s: %u rules into mnt:[%u]\n", file, res.rules, res.inum);
	fg_nl_close(nl);
	free(blob);
	return ret ? -1 : 0;
}

static int do_load(struct fg_nl *nl, struct fg_target *t, void *arg)
{
	struct load_arg *la = arg;
	struct fg_load_result res;
	char hex[65];
	int err, i;

	err = fg_nl_load(nl, la->blob, la->size, t->pid, la->mode, la->flags,
			 &res);
	if (err)
		return err;
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", res.digest[i]);
	printf("loaded %s: %u rules into mnt:[%u], sha256 %.16s%s\n", la->name,
	       res.rules, res.inum, hex,
	       la->flags & FGUARD_LOAD_F_ARM_ON_EXEC ? ", armed at the next exec" : "");
	return 0;
}

static void load_usage(FILE *f)
{
	fprintf(f, "Usage: %s load POLICY.bin (--pid PID | --ns PATH) [--mode enforce|complain]\n"
		   "                 [--arm-on-exec]\n"
		   "  --arm-on-exec  enforce from the namespace's next execve (a runtime's\n"
		   "                 setup runs unguarded, its entry point never does)\n",
		prog);
}

int load_main(int argc, char **argv)
{
	const char *pid_arg = NULL, *ns_arg = NULL, *file = NULL;
	struct load_arg la = { .mode = -1 };
	bool unverified = false;
	char err[512];
	size_t len;
	char *blob;
	int i, r, ret;

	for (i = 1; i < argc; i++) {
		r = fg_target_option(argc, argv, &i, &pid_arg, &ns_arg);
		if (r < 0)
			return 1;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			load_usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			la.mode = parse_mode(argv[++i]);
			if (la.mode < 0)
				return 1;
		} else if (!strcmp(argv[i], "--arm-on-exec")) {
			la.flags |= FGUARD_LOAD_F_ARM_ON_EXEC;
		} else if (!strcmp(argv[i], "--unverified")) {
			/* for tests of the kernel's own validation */
			unverified = true;
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "Invalid option: `%s'\n", argv[i]);
			load_usage(stderr);
			return 1;
		} else if (!file) {
			file = argv[i];
		} else {
			load_usage(stderr);
			return 1;
		}
	}
	if (!file) {
		load_usage(stderr);
		return 1;
	}
	blob = fg_read_file(file, &len, err, sizeof(err));
	if (!blob) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!unverified) {
		struct fg_policy p;

		/* The kernel checks again; this gives the better message. */
		fg_policy_init(&p);
		if (fg_policy_from_bin(&p, blob, len, file, err, sizeof(err))) {
			fprintf(stderr, "%s\n", err);
			if (len && blob[0] != 'F')
				fprintf(stderr, "Hint: compile a policy text first: %s compile POLICY.txt -o POLICY.bin\n",
					prog);
			fg_policy_free(&p);
			free(blob);
			return 1;
		}
		fg_policy_free(&p);
	}
	la.blob = (const uint8_t *)blob;
	la.size = len;
	la.name = file;
	ret = run(do_load, pid_arg, ns_arg, &la);
	free(blob);
	return ret;
}

static int do_unload(struct fg_nl *nl, struct fg_target *t, void *arg)
{
	int err = fg_nl_unload(nl, t->pid);

	(void)arg;
	if (!err)
		printf("unloaded\n");
	return err;
}

int unload_main(int argc, char **argv)
{
	const char *pid_arg = NULL, *ns_arg = NULL;
	int i, r;

	for (i = 1; i < argc; i++) {
		r = fg_target_option(argc, argv, &i, &pid_arg, &ns_arg);
		if (r < 0)
			return 1;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: %s unload (--pid PID | --ns PATH)\n", prog);
			return 0;
		}
		fprintf(stderr, "Usage: %s unload (--pid PID | --ns PATH)\n", prog);
		return 1;
	}
	return run(do_unload, pid_arg, ns_arg, NULL);
}

static int do_mode(struct fg_nl *nl, struct fg_target *t, void *arg)
{
	int mode = *(int *)arg;
	int err = fg_nl_set_mode(nl, t->pid, (uint32_t)mode);

	if (!err)
		printf("mode %s\n", mode == FGUARD_MODE_COMPLAIN ? "complain" : "enforce");
	return err;
}

int mode_main(int argc, char **argv)
{
	const char *pid_arg = NULL, *ns_arg = NULL;
	int i, r, mode = -1;

	for (i = 1; i < argc; i++) {
		r = fg_target_option(argc, argv, &i, &pid_arg, &ns_arg);
		if (r < 0)
			return 1;
		if (r)
			continue;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: %s mode (--pid PID | --ns PATH) enforce|complain\n", prog);
			return 0;
		}
		if (mode >= 0 || (mode = parse_mode(argv[i])) < 0) {
			fprintf(stderr, "Usage: %s mode (--pid PID | --ns PATH) enforce|complain\n", prog);
			return 1;
		}
	}
	if (mode < 0) {
		fprintf(stderr, "Usage: %s mode (--pid PID | --ns PATH) enforce|complain\n", prog);
		return 1;
	}
	return run(do_mode, pid_arg, ns_arg, &mode);
}
