/*
 * kern/sys_process_ktest.c: in-kernel tests of the reader protocol
 * (suite sys_process), which a user test cannot interleave on purpose:
 * a reader holding its pin while the target exits and is reaped sees an
 * empty map (EFAULT), and the reader's unpin, the last, is what destroys
 * the pmap and frees the vmspace. The target is a process made here (a
 * hashed struct process over a vmspace, no thread), so process_read_begin
 * finds it by pid exactly as for a user process. Every case leaves the
 * page, vmspace and process counters at their baseline.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "ktest.h"
#include "proc.h"
#include "smr.h"
#include "vfs.h"
#include "ptrace.h"
#include "uvm_page.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"
#include "uvm_ktest.h"

#define KT_VA		0x30000000UL
#define KT_PAGES	2
#define KT_TAG		0x7e57000000000000UL

/* A findable process over a new vmspace with KT_PAGES pages at KT_VA,
 * word 0 of page i holding KT_TAG + i; NULL if anything failed. */
static struct process *
kt_target_create(struct ktest *t)
{
	struct process *pr;
	struct vmspace *vm;
	vaddr_t va = KT_VA;
	int i;

	if ((vm = uvmspace_alloc()) == NULL)
		return NULL;
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &va, KT_PAGES * PAGE_SIZE,
	    0, PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, MAP_INHERIT_COPY,
	    UVM_MAP_FIXED), 0);
	for (i = 0; i < KT_PAGES; i++)
		KT_EXPECT_EQ(t, uvm_ktest_put(vm, KT_VA + i * PAGE_SIZE,
		    KT_TAG + i), 0);
	if ((pr = process_alloc(false)) == NULL) {
		uvm_ktest_vm_end(vm);
		return NULL;
	}
	pr->ps_vmspace = vm;
	process_hash(pr);
	return pr;
}

/* What exit1 and the reaper do to the target's address space: mark it
 * exiting, the last user purges, the process's pin goes. */
static void
kt_target_exit(struct process *pr)
{
	struct vmspace *vm = pr->ps_vmspace;

	__atomic_or_fetch(&pr->ps_flags, PS_EXITING, __ATOMIC_RELEASE);
	if (uvmspace_drop_user(vm) == 0)
		uvm_purge(vm);
	__atomic_store_n(&pr->ps_vmspace, NULL, __ATOMIC_RELEASE);
	uvmspace_free(vm);
}

/* Collect the target as wait4 does, and wait out the grace periods. */
static void
kt_target_destroy(struct process *pr)
{
	__atomic_or_fetch(&pr->ps_flags, PS_ZOMBIE, __ATOMIC_RELEASE);
	spinlock_acquire(&proctree_lock);
	proc_collect(pr);
	smr_barrier();
	smr_barrier();		/* the process's free, then anything it queued */
}

/* Read one word of the reader's vmspace at va; return the errno. */
static int
kt_read_word(struct process_reader *rd, vaddr_t va, uint64_t *wp)
{
	struct iovec iov;
	struct uio uio;
	size_t done;

	uio_init_kernel(&uio, &iov, wp, sizeof(*wp), 0, UIO_READ);
	return process_domem_reader(rd, 0, va, &uio, &done);
}

/* A live target: process_domem reads and writes its memory by pid; an
 * exiting one is refused with ESRCH; an unknown pid is ESRCH. */
static void
test_domem_by_pid(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct process *pr;
	uint64_t w[2] = { 0, 0 }, v = 0x1234;
	struct iovec iov;
	struct uio uio;
	size_t done;
	uint64_t live = __atomic_load_n(&process_live, __ATOMIC_RELAXED);

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (pr = kt_target_create(t)) != NULL);
	uio_init_kernel(&uio, &iov, w, sizeof(w), 0, UIO_READ);
	/* two words across the page boundary: the copy goes page by page */
	KT_EXPECT_EQ(t, process_domem(curproc, pr->ps_pid, 0,
	    KT_VA + PAGE_SIZE - 8, &uio, &done), 0);
	KT_EXPECT_EQ(t, done, sizeof(w));
	KT_EXPECT_EQ(t, w[1], KT_TAG + 1);
	uio_init_kernel(&uio, &iov, &v, sizeof(v), 0, UIO_WRITE);
	KT_EXPECT_EQ(t, process_domem(curproc, pr->ps_pid, 0, KT_VA, &uio,
	    &done), 0);
	KT_EXPECT_EQ(t, uvm_ktest_get(pr->ps_vmspace, KT_VA, &w[0]), 0);
	KT_EXPECT_EQ(t, w[0], 0x1234);
	/* past the mapping: the bytes before it, then EFAULT */
	uio_init_kernel(&uio, &iov, w, sizeof(w), 0, UIO_READ);
	KT_EXPECT_EQ(t, process_domem(curproc, pr->ps_pid, 0,
	    KT_VA + KT_PAGES * PAGE_SIZE - 8, &uio, &done), EFAULT);
	KT_EXPECT_EQ(t, done, 8);

	kt_target_exit(pr);
	uio_init_kernel(&uio, &iov, w, sizeof(w), 0, UIO_READ);
	KT_EXPECT_EQ(t, process_domem(curproc, pr->ps_pid, 0, KT_VA, &uio,
	    &done), ESRCH);
	KT_EXPECT_EQ(t, done, 0);
	kt_target_destroy(pr);
	KT_EXPECT_EQ(t, process_domem(curproc, pr->ps_pid, 0, KT_VA, &uio,
	    &done), ESRCH);
	uvm_ktest_base_check(t, &base);
	KT_EXPECT_EQ(t, __atomic_load_n(&process_live, __ATOMIC_RELAXED), live);
}

/* A reader pinned across the target's exit and reaping: the vmspace is
 * PURGED (not freed) while the pin holds, reads give EFAULT, never the
 * freed pages; the reader's unpin is the last and frees it. The case
 * names the vmspace in a "trace-expect reader-last-pin" line, so that
 * tools/tracecheck.py (rule last-pin) checks the boot's trace shows it:
 * this read's unpin the last, the reader's pmap_destroy, then the free. */
static void
test_reader_last_pin(struct ktest *t)
{
	struct uvm_ktest_base base;
	struct process_reader rd;
	struct process *pr;
	struct vmspace *vm;
	uint64_t w = 0;
	uint64_t live = __atomic_load_n(&process_live, __ATOMIC_RELAXED);

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (pr = kt_target_create(t)) != NULL);
	vm = pr->ps_vmspace;
	KT_ASSERT_EQ(t, process_read_begin(curproc, pr->ps_pid, 0, &rd), 0);
	KT_EXPECT(t, rd.rd_vm == vm);
	KT_EXPECT_EQ(t, vm->vm_refcnt, 2);		/* the process's, ours */
	KT_EXPECT_EQ(t, kt_read_word(&rd, KT_VA + PAGE_SIZE, &w), 0);
	KT_EXPECT_EQ(t, w, KT_TAG + 1);
	ktest_log(t, "trace-expect reader-last-pin vm=%lx reader=%d target=%d",
	    (uint64_t)(uintptr_t)vm, curproc->p_p->ps_pid, pr->ps_pid);

	kt_target_exit(pr);				/* exit1 + reaper */
	KT_EXPECT_EQ(t, vm->vm_state, VMSPACE_PURGED);
	KT_EXPECT_EQ(t, vm->vm_refcnt, 1);		/* ours alone */
	KT_EXPECT_EQ(t, uvmexp.byuse[PG_USE_USER], base.user);
	w = 0;
	KT_EXPECT_EQ(t, kt_read_word(&rd, KT_VA + PAGE_SIZE, &w), EFAULT);
	KT_EXPECT_EQ(t, w, 0);
	KT_EXPECT_EQ(t, uvmspace_stats.live[VMSPACE_PURGED],
	    base.vms[VMSPACE_PURGED] + 1);

	process_read_end(&rd);				/* the last pin */
	KT_EXPECT(t, rd.rd_vm == NULL);
	KT_EXPECT_EQ(t, uvmspace_stats.live[VMSPACE_PURGED],
	    base.vms[VMSPACE_PURGED]);
	kt_target_destroy(pr);
	uvm_ktest_base_check(t, &base);
	KT_EXPECT_EQ(t, __atomic_load_n(&process_live, __ATOMIC_RELAXED), live);
}

/* A process without an address space (a kernel thread's, or one the
 * reaper already cleared) cannot be read: ESRCH, nothing pinned. */
static void
test_reader_no_vmspace(struct ktest *t)
{
	struct process_reader rd;
	struct process *pr;
	uint64_t live = __atomic_load_n(&process_live, __ATOMIC_RELAXED);

	KT_ASSERT(t, (pr = process_alloc(false)) != NULL);
	process_hash(pr);
	KT_EXPECT_EQ(t, process_read_begin(curproc, pr->ps_pid, 0, &rd), ESRCH);
	KT_EXPECT(t, rd.rd_vm == NULL);
	kt_target_destroy(pr);
	KT_EXPECT_EQ(t, __atomic_load_n(&process_live, __ATOMIC_RELAXED), live);
}

static const struct ktest_case sys_process_cases[] = {
	KTEST_CASE(test_domem_by_pid),
	KTEST_CASE(test_reader_last_pin),
	KTEST_CASE(test_reader_no_vmspace),
	{ 0 },
};
KTEST_SUITE(sys_process, sys_process_cases);
