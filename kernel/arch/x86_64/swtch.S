/*
 * arch/x86_64/swtch.S: the context switch and a new thread's first steps.
 *
 * A switched-out thread's kernel stack holds a struct switchframe
 * (arch/x86_64/vm_machdep.c) at pcb_rsp: the callee-saved registers and the
 * address cpu_switchto returns to. Everything else the C caller keeps is
 * already on its stack. The kernel never uses the FPU (-mgeneral-regs-only),
 * so only user threads have FPU state: cpu_switch_md (vm_machdep.c) saves
 * and loads it, with the FS base and the user pmap.
 */
#include "../../include/proc.h"

	.text

/*
 * struct proc *cpu_switchto(struct proc *old, struct proc *new)
 * Save old's context, load new's, point this CPU's TSS rsp0 at new's kernel
 * stack top, and return (on new's stack) old, the thread switched away from.
 * Interrupts are off; the caller holds this CPU's run-queue lock.
 */
	.globl cpu_switchto
	.type cpu_switchto, @function
cpu_switchto:
	pushq	%rbp
	movq	%rsp, %rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	/* user state (FPU, FS base, pmap) goes with the thread (vm_machdep.c) */
	movq	%rdi, %r12
	movq	%rsi, %r13
	subq	$8, %rsp
	call	cpu_switch_md
	addq	$8, %rsp
	movq	%r12, %rdi
	movq	%r13, %rsi
	movq	%rsp, P_PCB_RSP(%rdi)

	movq	P_PCB_RSP(%rsi), %rsp
	movq	P_PCB_RSP0(%rsi), %rdx
	movq	ci_tss_rsp0_offset(%rip), %rcx
	movq	%gs:0, %rax
	movq	%rdx, (%rax,%rcx)

	movq	%rdi, %rax
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size cpu_switchto, . - cpu_switchto

/*
 * A new thread's first instruction, reached by cpu_switchto's ret with the
 * previous thread in %rax, the thread's function in %r12 and its argument
 * in %r13 (cpu_thread_setup). The slot above the return address is zero, so
 * the frame record pushed here ends backtraces.
 */
	.globl proc_trampoline
	.type proc_trampoline, @function
proc_trampoline:
	pushq	%rbp
	movq	%rsp, %rbp
	movq	%rax, %rdi
	call	proc_trampoline_mi
	movq	%r13, %rdi
	call	*%r12
	call	kthread_exit
	ud2
	.size proc_trampoline, . - proc_trampoline
