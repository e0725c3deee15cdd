/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* One entry point per fguardctl subcommand, one file per command. */
#ifndef FGUARD_CTL_COMMANDS_H
#define FGUARD_CTL_COMMANDS_H

int compile_main(int argc, char **argv);
int dump_main(int argc, char **argv);
int check_main(int argc, char **argv);
int load_main(int argc, char **argv);
int unload_main(int argc, char **argv);
int mode_main(int argc, char **argv);
int status_main(int argc, char **argv);
int build_main(int argc, char **argv);
int explain_main(int argc, char **argv);
int diff_main(int argc, char **argv);
int ocihook_main(int argc, char **argv);
int monitor_main(int argc, char **argv);
int learn_main(int argc, char **argv);

/* ctl/monitor.c, shared with learn */
#include <signal.h>
#include <stdint.h>
void fg_catch_signals(volatile sig_atomic_t **flag);
uint32_t fg_ns_inode(const char *pid_arg, const char *ns_arg);
int importtrace_main(int argc, char **argv);

extern const char *prog;

#endif
