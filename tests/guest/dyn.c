// SPDX-License-Identifier: GPL-2.0
/* A dynamically linked program, for the ld.so and LD_PRELOAD attacks. */
#include <stdio.h>

int main(void)
{
	puts("dyn-ok");
	return 0;
}
