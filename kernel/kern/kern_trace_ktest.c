/*
 * kern/kern_trace_ktest.c: in-kernel tests of the lifecycle trace and of
 * kernel threads leaving through exit1 (suite "teardown").
 *
 * A storm of kernel threads exits through exit1 (kthread_exit); afterwards
 * the kernel's address space must be whole (the kernel pmap still maps the
 * kernel image, the direct map and this thread's stack, with the right
 * physical addresses) and the trace must show every one of them in exit1
 * as a kernel thread, reaped, and no purge, pmap destruction or free of
 * the kernel's address space (id TRACE_VM_KERNEL) nor any purge by one of
 * them. The mutant purge-kthread is meant to fail here. Owns nothing
 * beyond the test's statics.
 */
#include "lib.h"
#include "param.h"
#include "ktest.h"
#include "pmap.h"
#include "proc.h"
#include "trace.h"

#define TD_THREADS	48

extern char kmain[];			/* the kernel image's text */

static struct ktest_count td_join = KTEST_COUNT_INITIALIZER;
static pid_t td_pids[TD_THREADS];	/* written by each storm thread */

/* A storm thread: note its pid, tell the test, and return (proc_trampoline
 * then calls kthread_exit). */
static void
td_thread(void *arg)
{
	td_pids[(uintptr_t)arg] = curproc->p_p->ps_pid;
	ktest_count_post(&td_join);
}

/* Forget the pids of an earlier storm. */
static void
td_pids_reset(void)
{
	int i;

	for (i = 0; i < TD_THREADS; i++)
		td_pids[i] = -1;
}

/* Return true if pid is one of the storm's. */
static bool
td_is_storm(int pid)
{
	int i;

	for (i = 0; i < TD_THREADS; i++)
		if (td_pids[i] == pid)
			return true;
	return false;
}

struct td_tally {
	int	exits;		/* exit1 of a storm thread, as a kernel thread */
	int	reaps;		/* reap of a storm thread's process */
	int	kernel_touched;	/* purge/pmap_destroy/free of the kernel's */
	int	storm_purges;	/* purges by a storm thread */
};

/* trace_foreach callback: count the storm's events. */
static bool
td_tally_one(const struct trace_record *tr, void *arg)
{
	struct td_tally *ta = arg;

	switch (tr->tr_kind) {
	case TR_EXIT1:
		if (td_is_storm(tr->tr_pid) && tr->tr_arg == 1 &&
		    tr->tr_vm == TRACE_VM_KERNEL)
			ta->exits++;
		break;
	case TR_REAP:
		if (td_is_storm((int)tr->tr_arg))
			ta->reaps++;
		break;
	case TR_PURGE_BEGIN:
	case TR_PURGE_END:
	case TR_PMAP_DESTROY:
	case TR_VM_FREE:
		if (tr->tr_vm == TRACE_VM_KERNEL)
			ta->kernel_touched++;
		if (td_is_storm(tr->tr_pid))
			ta->storm_purges++;
		break;
	default:
		break;
	}
	return true;
}

/* Expect va mapped in the kernel pmap at pa. */
static void
td_expect_mapped(struct ktest *t, const char *what, vaddr_t va, paddr_t pa)
{
	paddr_t got = 0;

	if (!KT_EXPECT(t, pmap_extract(pmap_kernel(), va, &got)))
		ktest_log(t, "%s (%#lx) is not mapped", what, va);
	else if (!KT_EXPECT_EQ(t, got, pa))
		ktest_log(t, "%s (%#lx) maps %#lx", what, va, got);
}

/* Kernel threads that leave through exit1 never purge the kernel's
 * address space: it still maps the kernel, and the trace shows their
 * exits and reaps and no purge of it. */
static void
test_kthread_exit_keeps_kernel(struct ktest *t)
{
	struct td_tally ta = { 0 };
	uint64_t live0 = __atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED);
	uint64_t seq0 = trace_count() + 1;
	paddr_t stack_pa;
	uintptr_t i;

	if (trace_lost() != 0)
		ktest_log(t, "the trace lost %lu events before this test",
		    trace_lost());
	KT_ASSERT(t, pmap_extract(pmap_kernel(), curproc->p_kstack, &stack_pa));
	/* named in the log first, so a panic in their exits is charged here */
	ktest_log(t, "%d kernel threads leave through exit1", TD_THREADS);
	td_pids_reset();
	ktest_count_init(&td_join);
	for (i = 0; i < TD_THREADS; i++)
		KT_ASSERT(t, kthread_create(td_thread, (void *)i, "ktest_td") !=
		    NULL);
	ktest_count_wait(&td_join, TD_THREADS);
	kthread_wait_live(live0);

	td_expect_mapped(t, "kernel text", (vaddr_t)kmain,
	    KVA_TO_PHYS((vaddr_t)kmain));
	td_expect_mapped(t, "kernel data", (vaddr_t)&td_join,
	    KVA_TO_PHYS((vaddr_t)&td_join));
	td_expect_mapped(t, "direct map", (vaddr_t)PHYS_TO_DMAP(stack_pa),
	    stack_pa);
	td_expect_mapped(t, "kernel stack", curproc->p_kstack, stack_pa);

	trace_foreach(seq0, td_tally_one, &ta);
	if (trace_lost() == 0) {
		KT_EXPECT_EQ(t, ta.exits, TD_THREADS);
		KT_EXPECT_EQ(t, ta.reaps, TD_THREADS);
	} else
		ktest_log(t, "trace wrapped: %d exits and %d reaps seen",
		    ta.exits, ta.reaps);
	KT_EXPECT_EQ(t, ta.kernel_touched, 0);
	KT_EXPECT_EQ(t, ta.storm_purges, 0);
}

struct td_order {
	uint64_t last;		/* the previous sequence seen */
	bool	 sorted;	/* every sequence above the previous one */
	uint64_t exit_seq;	/* the storm thread's exit1, 0 if not seen */
	uint64_t reap_seq;	/* its reap, 0 if not seen */
};

/* trace_foreach callback: check the order, find the thread's events. */
static bool
td_order_one(const struct trace_record *tr, void *arg)
{
	struct td_order *o = arg;

	if (tr->tr_seq <= o->last)
		o->sorted = false;
	o->last = tr->tr_seq;
	if (tr->tr_kind == TR_EXIT1 && tr->tr_pid == td_pids[0])
		o->exit_seq = tr->tr_seq;
	if (tr->tr_kind == TR_REAP && (int)tr->tr_arg == td_pids[0])
		o->reap_seq = tr->tr_seq;
	return true;
}

/* Events come back merged in sequence order, a thread's exit1 before its
 * reap, with the pid of the thread that recorded them. */
static void
test_trace_order(struct ktest *t)
{
	struct td_order o = { 0, true, 0, 0 };
	uint64_t live0 = __atomic_load_n(&kthread_stats.live, __ATOMIC_RELAXED);
	uint64_t seq0 = trace_count() + 1;

	td_pids_reset();
	ktest_count_init(&td_join);
	KT_ASSERT(t, kthread_create(td_thread, (void *)0, "ktest_td") != NULL);
	ktest_count_wait(&td_join, 1);
	kthread_wait_live(live0);
	trace_foreach(seq0, td_order_one, &o);
	KT_EXPECT(t, o.sorted);
	KT_EXPECT(t, o.exit_seq >= seq0);
	KT_EXPECT(t, o.reap_seq > o.exit_seq);
	KT_EXPECT_EQ(t, strcmp(trace_kind_name(TR_PURGE_BEGIN), "purge_begin"), 0);
	KT_EXPECT_EQ(t, strcmp(trace_kind_name(TR_NKINDS), "?"), 0);
}

static const struct ktest_case teardown_cases[] = {
	KTEST_CASE(test_kthread_exit_keeps_kernel),
	KTEST_CASE(test_trace_order),
	{ 0 },
};
KTEST_SUITE(teardown, teardown_cases);
