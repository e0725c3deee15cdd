// SPDX-License-Identifier: GPL-2.0 OR MIT
/* fguardctl dump POLICY.bin: the rules back as text. */
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "policy.h"

int dump_main(int argc, char **argv)
{
	struct fg_policy p;
	char err[512];
	int ret;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("Usage: %s dump POLICY.bin\n", prog);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "Usage: %s dump POLICY.bin\n", prog);
		return 1;
	}
	fg_policy_init(&p);
	ret = fg_policy_load_any(&p, argv[1], err, sizeof(err));
	if (ret)
		fprintf(stderr, "%s\n", err);
	else
		fg_policy_write(&p, stdout);
	fg_policy_free(&p);
	return ret ? 1 : 0;
}
