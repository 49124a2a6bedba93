/*
 * arch/x86_64/ipi.c: cross-calls, running a function on other CPUs.
 *
 * A call is a struct xcall on the caller's stack (function, argument, count
 * of CPUs still to run it) and one request node per target, also on the
 * caller's stack, pushed onto the target's queue xc_queue[cpu], a lock-free
 * LIFO list: any CPU pushes with compare-and-swap, only the owner takes the
 * whole list with an exchange. The caller then sends the target an IPI on
 * LAPIC_VEC_XCALL, runs fn itself if it is in the mask, and spins, with
 * interrupts off, until the count reaches zero. A target runs its queue from
 * the IPI handler, or, when it is itself waiting in smp_xcall, from that wait
 * loop: that is why two CPUs cross-calling each other (both with interrupts
 * off) make progress. A target must not touch a request after decrementing
 * its count: the caller may have returned.
 * Rule: the caller holds no spinlock. A target that spins with interrupts off
 * for a spinlock the caller holds would never serve the request; more
 * generally, nothing may spin with interrupts off waiting for a CPU that is
 * waiting in smp_xcall.
 */
#include "lib.h"
#include "cpu.h"
#include "cpufunc.h"
#include "trap.h"
#include "lapic.h"
#include "smp.h"

struct xcall {
	void		(*xc_fn)(void *);	/* [const] */
	void		*xc_arg;		/* [const] */
	uint32_t	xc_pending;		/* targets not done [atomic] */
};

struct xcall_req {
	struct xcall_req *xr_next;	/* [owned by the queue until taken] */
	struct xcall	*xr_call;
};

/* Requests waiting for each CPU. [atomic: push by anyone, take by the owner] */
static struct xcall_req *xc_queue[MAXCPUS];

/* Run every request queued for this CPU, with interrupts off. */
static void
xcall_poll(void)
{
	uint64_t rflags = read_rflags();
	struct xcall_req *r, *next;

	intr_disable();
	r = __atomic_exchange_n(&xc_queue[cpu_number()], NULL, __ATOMIC_ACQUIRE);
	for (; r != NULL; r = next) {
		struct xcall *xc = r->xr_call;

		next = r->xr_next;	/* r and xc die once the count drops */
		xc->xc_fn(xc->xc_arg);
		__atomic_sub_fetch(&xc->xc_pending, 1, __ATOMIC_RELEASE);
	}
	if (rflags & PSL_I)
		intr_enable();
}

/* The cross-call IPI. */
static void
xcall_intr(struct trapframe *tf)
{
	lapic_eoi();
	xcall_poll();
}

/* Boot CPU, once: claim the cross-call vector. */
void
xcall_init(void)
{
	intr_establish(LAPIC_VEC_XCALL, xcall_intr);
}

/* Run fn(arg) on every online CPU in cpumask (this CPU directly) and return
 * when all have finished. Caller holds no spinlock. Interrupts stay off for
 * the whole call (the wait loop serves our own queue instead), so the caller
 * cannot be preempted or migrate between posting and running its own part. */
void
smp_xcall(uint64_t cpumask, void (*fn)(void *), void *arg)
{
	struct xcall_req req[MAXCPUS];
	struct xcall xc = { fn, arg, 0 };
	uint64_t others, rflags = read_rflags();
	uint32_t me;
	int i;

	KASSERT(fn != NULL);
	intr_disable();
	KASSERT(curcpu()->ci_ipl_depth == 0);
	me = cpu_number();
	cpumask &= cpus_online_mask();
	others = cpumask & ~(1UL << me);
	for (i = 0; i < MAXCPUS; i++)	/* every count before the first push */
		if (others & (1UL << i))
			xc.xc_pending++;
	for (i = 0; i < MAXCPUS; i++) {
		struct xcall_req *head;

		if ((others & (1UL << i)) == 0)
			continue;
		req[i].xr_call = &xc;
		head = __atomic_load_n(&xc_queue[i], __ATOMIC_RELAXED);
		do
			req[i].xr_next = head;
		while (!__atomic_compare_exchange_n(&xc_queue[i], &head, &req[i],
		    false, __ATOMIC_RELEASE, __ATOMIC_RELAXED));
		lapic_ipi_fixed(cpu_info[i].ci_apicid, LAPIC_VEC_XCALL);
	}
	if (cpumask & (1UL << me))
		fn(arg);
	while (__atomic_load_n(&xc.xc_pending, __ATOMIC_ACQUIRE) != 0) {
		xcall_poll();
		cpu_pause();
	}
	if (rflags & PSL_I)
		intr_enable();
}
