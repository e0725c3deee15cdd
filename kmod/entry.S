/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The entry of security_file_open(), the hottest hook: an ftrace direct
 * call. ftrace's regs-saving trampoline (what IPMODIFY needs) saves and
 * restores a whole register frame on every open of every process, guarded
 * or not; this one saves the single argument, asks the guard, and either
 * goes on into security_file_open() or returns the error in its place, as
 * BPF's fmod_ret trampolines do.
 *
 * On entry (the function's first instruction called us) the stack holds
 * the return address into security_file_open() and, above it, the one to
 * its caller. While no namespace is guarded it returns at once. Not a
 * normal function (it may return to its caller's caller): objtool is told
 * so in Kbuild.
 */
#include <linux/linkage.h>

	.text
SYM_FUNC_START(fguard_file_open_tramp)
	/* no namespace guarded anywhere: not even a call */
	cmpl	$0, fguard_registry_count(%rip)
	jne	2f
	RET
2:	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rdi			/* the struct file *, the only argument */
	call	fguard_file_open_direct
	popq	%rdi
	popq	%rbp
	testl	%eax, %eax
	jnz	1f
	RET				/* allowed: on into security_file_open() */
1:	addq	$8, %rsp		/* refused: skip it, return %eax */
	RET
SYM_FUNC_END(fguard_file_open_tramp)
