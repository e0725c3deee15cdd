// SPDX-License-Identifier: GPL-2.0
/* A library that announces itself when LD_PRELOAD loads it. */
#include <stdio.h>

__attribute__((constructor)) static void announce(void)
{
	puts("PRELOADED");
}
