/*
 * arch/x86_64/isolation_ktest.c: in-kernel tests of user/kernel isolation
 * (suite isolation): every online CPU runs with NX (EFER.NXE), CR0.WP,
 * and SMEP and SMAP exactly when CPUID says the CPU has them; with SMAP
 * on, a plain kernel read of a mapped user page faults (copy_probe, whose
 * fault trap.c recovers) while the mover behind copyin and copyout reads
 * and writes it; a user data page is mapped user, writable and NX.
 *
 * The user page lives in a vmspace made here, loaded on this CPU by the
 * test thread itself (pegged, as the pmap tests do); the case gives back
 * everything it takes. The per-CPU register snapshot is written by the
 * cross-called function (each CPU its own slot) and read after smp_xcall
 * returned. No locks of its own.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "errno.h"
#include "ktest.h"
#include "machdep.h"
#include "proc.h"
#include "sched.h"
#include "smp.h"
#include "pmap.h"
#include "copyio.h"
#include "boot.h"
#include "uvm_map.h"
#include "uvm_fault.h"
#include "uvm_vmspace.h"
#include "uvm_ktest.h"

#define KT_VA		0x40000000UL
#define KT_TAG		0x15011a7e15011a7eUL
#define CPUID_7_EBX_SMEP	(1U << 7)
#define CPUID_7_EBX_SMAP	(1U << 20)

/* Each CPU's control registers, written by kt_regs_xc. */
static struct kt_regs {
	uint64_t	cr0, cr4, efer;
} kt_regs[MAXCPUS];

/* Snapshot this CPU's CR0, CR4 and EFER; an smp_xcall function. */
static void
kt_regs_xc(void *arg __unused)
{
	struct kt_regs *r = &kt_regs[cpu_number()];

	r->cr0 = rcr0();
	r->cr4 = rcr4();
	r->efer = rdmsr(MSR_EFER);
}

/* CPUID says: SMEP and SMAP present, as cpu_isolation_init found; every
 * online CPU has exactly those on, and NX and write protection. */
static void
test_isolation_every_cpu(struct ktest *t)
{
	uint32_t r[4] = { 0 };
	bool smep = false, smap = false;
	int i, n = ncpus;

	cpuid(0, 0, r);
	if (r[0] >= 7) {
		cpuid(7, 0, r);
		smep = (r[1] & CPUID_7_EBX_SMEP) != 0;
		smap = (r[1] & CPUID_7_EBX_SMAP) != 0;
	}
	KT_EXPECT_EQ(t, cpu_smep, smep);
	KT_EXPECT_EQ(t, cpu_smap, smap);
	memset(kt_regs, 0, sizeof(kt_regs));
	smp_xcall(cpus_online_mask(), kt_regs_xc, NULL);
	for (i = 0; i < n; i++) {
		KT_EXPECT_EQ(t, !!(kt_regs[i].cr4 & CR4_SMEP), smep);
		KT_EXPECT_EQ(t, !!(kt_regs[i].cr4 & CR4_SMAP), smap);
		KT_EXPECT(t, kt_regs[i].efer & EFER_NXE);
		KT_EXPECT(t, kt_regs[i].cr0 & CR0_WP);
	}
	ktest_log(t, "%d CPU(s): NX on, SMEP %s, SMAP %s", n,
	    smep ? "on" : "absent", smap ? "on" : "absent");
}

/* With a user page mapped and its pmap loaded: the probe's plain read
 * faults if SMAP is on (and succeeds if the CPU has none); the copyin
 * mover reads the page's word, the copyout mover writes one that uvm_io
 * then finds. The page is user, writable, NX. */
static void
test_smap_refuses_plain_access(struct ktest *t)
{
	uint64_t *onfault = &curproc->p_pcb.pcb_onfault, v = 0, pte;
	const uint64_t back = ~KT_TAG;
	struct uvm_ktest_base base;
	struct vmspace *vm;
	vaddr_t va = KT_VA;
	int probe;

	uvm_ktest_base_get(&base);
	KT_ASSERT(t, (vm = uvmspace_alloc()) != NULL);
	KT_EXPECT_EQ(t, uvm_map_enter(&vm->vm_map, &va, PAGE_SIZE, 0,
	    PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE, MAP_INHERIT_COPY,
	    UVM_MAP_FIXED), 0);
	KT_EXPECT_EQ(t, uvm_ktest_put(vm, KT_VA, KT_TAG), 0);
	KT_EXPECT_EQ(t, uvm_fault(&vm->vm_map, KT_VA, PROT_WRITE), 0);
	pte = uvm_ktest_pte(&vm->vm_pmap, KT_VA);
	KT_EXPECT_EQ(t, pte & (PG_V | PG_U | PG_RW | PG_NX),
	    PG_V | PG_U | PG_RW | PG_NX);
	/* the probe reads kernel memory: it fails only where it should */
	KT_EXPECT_EQ(t, copy_probe(&v), 0);

	if ((pte & (PG_V | PG_RW)) == (PG_V | PG_RW)) {
		/* nothing below faults but the probe: the movers' recovery
		 * needs a user process, which this thread is not */
		sched_peg_curproc(curcpu());
		pmap_activate(&vm->vm_pmap);
		probe = copy_probe((const void *)KT_VA);
		KT_EXPECT_EQ(t, copy_bytes(&v, (const void *)KT_VA, sizeof(v),
		    onfault), 0);
		KT_EXPECT_EQ(t, copy_bytes((void *)KT_VA, &back, sizeof(back),
		    onfault), 0);
		pmap_deactivate(&vm->vm_pmap);
		sched_unpeg_curproc();
		KT_EXPECT_EQ(t, probe, cpu_smap ? EFAULT : 0);
		KT_EXPECT_EQ(t, v, KT_TAG);
		KT_EXPECT_EQ(t, *onfault, 0);
		KT_EXPECT_EQ(t, uvm_ktest_get(vm, KT_VA, &v), 0);
		KT_EXPECT_EQ(t, v, back);
	}
	uvm_ktest_vm_end(vm);
	uvm_ktest_base_check(t, &base);
}

static const struct ktest_case isolation_cases[] = {
	KTEST_CASE(test_isolation_every_cpu),
	KTEST_CASE(test_smap_refuses_plain_access),
	{}
};
KTEST_SUITE(isolation, isolation_cases);
