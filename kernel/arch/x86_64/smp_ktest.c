/*
 * arch/x86_64/smp_ktest.c: in-kernel tests of SMP bring-up, the clock,
 * cross-calls and TLB shootdown (suite "smp"), and the explicit-only suite
 * "selftest_smp_panic" (a panic on CPU 1 while CPU 0 waits).
 *
 * The cases run in the ktest kernel thread with interrupts on, on whatever
 * CPU the scheduler gives it (it may migrate between calls); they reach
 * other CPUs only through smp_xcall. The shared result array below is
 * written by the cross-called functions (interrupts off, each CPU its own
 * slot, atomically) and read by the case after smp_xcall returned. Cases
 * that need a second CPU skip with a reason at -smp 1.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cpufunc.h"
#include "ktest.h"
#include "acpi.h"
#include "bootinfo.h"
#include "lapic.h"
#include "clock.h"
#include "smp.h"
#include "pmap.h"
#include "uvm_page.h"
#include "uvm_km.h"
#include "sched.h"

#define XC_RING_ROUNDS	200	/* calls each CPU makes to its neighbour */
#define XC_ALL_ROUNDS	10	/* calls each CPU makes to every CPU */
#define TICKS_WANTED	3
#define TICKS_WAIT_NS	(60 * 1000000000UL)	/* a hang guard, not a threshold */

/* Per-CPU records of what the cross-called functions saw. */
static struct {
	uint32_t	runs;		/* times a function ran here */
	uint32_t	apicid;		/* lapic_id() seen there */
	uint32_t	intr_on;	/* times it ran with interrupts on */
	uint32_t	misplaced;	/* times it ran on a CPU it was not sent to */
	uint64_t	value;		/* what it read */
} xr[MAXCPUS];

static void
xr_reset(void)
{
	memset(xr, 0, sizeof(xr));
}

/* Cross-called: count a run on this CPU and note where it ran. */
static void
xc_record(void *arg)
{
	struct cpu_info *ci = curcpu();

	__atomic_add_fetch(&xr[ci->ci_cpuid].runs, 1, __ATOMIC_RELAXED);
	xr[ci->ci_cpuid].apicid = lapic_id();
	if (read_rflags() & PSL_I)
		__atomic_add_fetch(&xr[ci->ci_cpuid].intr_on, 1, __ATOMIC_RELAXED);
}

/* ncpus is what the MADT enables, and the online CPUs are its APIC IDs. */
static void
smp_ncpus_matches_madt(struct ktest *t)
{
	int i, j;

	if (!acpi_madt_found) {
		KT_EXPECT_EQ(t, ncpus, 1);
		ktest_skip(t, "no MADT: one CPU");
		return;
	}
	KT_EXPECT_EQ(t, ncpus, acpi_madt.mi_ncpus);
	for (i = 0; i < ncpus; i++) {
		bool listed = false;

		KT_EXPECT(t, cpu_info[i].ci_online);
		KT_EXPECT_EQ(t, cpu_info[i].ci_cpuid, i);
		for (j = 0; j < acpi_madt.mi_ncpus; j++)
			if (acpi_madt.mi_cpus[j].apicid == cpu_info[i].ci_apicid)
				listed = true;
		KT_EXPECT(t, listed);
		for (j = 0; j < i; j++)
			KT_EXPECT(t, cpu_info[j].ci_apicid != cpu_info[i].ci_apicid);
	}
}

/* Build a MADT in buf from entries (len bytes), with a good checksum. */
static struct acpi_madt_hdr *
madt_build(uint8_t *buf, const uint8_t *entries, size_t len)
{
	struct acpi_madt_hdr *m = (struct acpi_madt_hdr *)buf;

	memset(m, 0, sizeof(*m));
	memcpy(m->madt_hdr.sdt_sig, "APIC", 4);
	m->madt_hdr.sdt_length = sizeof(*m) + len;
	m->madt_lapic = 0xfee00000;
	m->madt_flags = 1;
	memcpy(buf + sizeof(*m), entries, len);
	m->madt_hdr.sdt_checksum = -acpi_checksum(buf, m->madt_hdr.sdt_length);
	return m;
}

/* A hand-made MADT parses to exactly its enabled CPUs, IOAPIC and override;
 * malformed ones are refused, not followed. */
static void
smp_madt_parse(struct ktest *t)
{
	static const uint8_t good[] = {
		0, 8, 0, 0, 1, 0, 0, 0,		/* CPU uid 0 APIC 0, enabled */
		0, 8, 1, 2, 0, 0, 0, 0,		/* CPU uid 1 APIC 2, disabled */
		0, 8, 2, 5, 1, 0, 0, 0,		/* CPU uid 2 APIC 5, enabled */
		1, 12, 7, 0, 0x00, 0x00, 0xc0, 0xfe, 0x18, 0, 0, 0, /* IOAPIC 7 */
		2, 10, 0, 0, 2, 0, 0, 0, 0, 0,	/* ISA IRQ 0 -> GSI 2 */
		0x7f, 3, 0,			/* an unknown type: skipped */
	};
	static const uint8_t zero_len[] = { 0, 8, 0, 0, 1, 0, 0, 0, 1, 0 };
	static const uint8_t overrun[] = { 0, 8, 0, 0, 1, 0, 0, 0, 1, 12, 7, 0 };
	static const uint8_t short_cpu[] = { 0, 4, 0, 0 };
	uint8_t buf[sizeof(struct acpi_madt_hdr) + sizeof(good)];
	struct acpi_madt_info mi;

	KT_ASSERT_EQ(t, acpi_madt_parse(madt_build(buf, good, sizeof(good)), &mi), 0);
	KT_EXPECT_EQ(t, mi.mi_lapic_pa, 0xfee00000);
	KT_EXPECT(t, mi.mi_pcat);
	KT_EXPECT_EQ(t, mi.mi_ncpus, 2);
	KT_EXPECT_EQ(t, mi.mi_cpus[0].apicid, 0);
	KT_EXPECT_EQ(t, mi.mi_cpus[1].apicid, 5);
	KT_EXPECT_EQ(t, mi.mi_cpus[1].uid, 2);
	KT_EXPECT_EQ(t, mi.mi_nioapics, 1);
	KT_EXPECT_EQ(t, mi.mi_ioapics[0].id, 7);
	KT_EXPECT_EQ(t, mi.mi_ioapics[0].pa, 0xfec00000);
	KT_EXPECT_EQ(t, mi.mi_ioapics[0].gsi_base, 0x18);
	KT_EXPECT_EQ(t, mi.mi_nisos, 1);
	KT_EXPECT_EQ(t, mi.mi_isos[0].irq, 0);
	KT_EXPECT_EQ(t, mi.mi_isos[0].gsi, 2);

	ktest_log(t, "three malformed MADTs follow; each must be refused");
	KT_EXPECT_EQ(t, acpi_madt_parse(madt_build(buf, zero_len,
	    sizeof(zero_len)), &mi), -1);
	KT_EXPECT_EQ(t, acpi_madt_parse(madt_build(buf, overrun,
	    sizeof(overrun)), &mi), -1);
	KT_EXPECT_EQ(t, acpi_madt_parse(madt_build(buf, short_cpu,
	    sizeof(short_cpu)), &mi), -1);
}

/* Give the table at h signature sig, length len and a good checksum. */
static void
sdt_finish(struct acpi_sdt_hdr *h, const char *sig, uint32_t len)
{
	memcpy(h->sdt_sig, sig, 4);
	h->sdt_length = len;
	h->sdt_checksum = 0;
	h->sdt_checksum = -acpi_checksum(h, len);
}

/* The APIC ID of the one CPU in the MADT h, or -1. */
static int64_t
madt_one_cpu(const struct acpi_sdt_hdr *h)
{
	struct acpi_madt_info mi;

	if (h == NULL || acpi_madt_parse((const struct acpi_madt_hdr *)h, &mi) != 0 ||
	    mi.mi_ncpus != 1)
		return -1;
	return mi.mi_cpus[0].apicid;
}

/*
 * Hand-made ACPI 2.0 tables in one page: an RSDP whose XSDT lists a MADT
 * with a bad checksum and then a good one, and whose RSDT lists another.
 * The lookup skips the bad MADT, takes the XSDT's good one, falls back to
 * the RSDT's when the XSDT itself is corrupt, and the RSDP's extended
 * checksum is checked.
 */
static void
smp_acpi_table_lookup(struct ktest *t)
{
	static const uint8_t cpu3[] = { 0, 8, 0, 3, 1, 0, 0, 0 };
	static const uint8_t cpu9[] = { 0, 8, 0, 9, 1, 0, 0, 0 };
	static const uint8_t cpu7[] = { 0, 8, 0, 7, 1, 0, 0, 0 };
	struct vm_page *pg = uvm_pagealloc(PG_USE_KERNEL, UVM_PGA_ZERO);
	struct acpi_rsdp *rsdp;
	struct acpi_sdt_hdr *rsdt, *xsdt;
	uint8_t *v;
	paddr_t p;
	uint64_t e64;
	uint32_t e32;

	KT_ASSERT(t, pg != NULL);
	p = VM_PAGE_TO_PHYS(pg);
	v = VM_PAGE_TO_DMAP(pg);
	if (p + PAGE_SIZE > (4UL << 30)) {
		ktest_skip(t, "test page at %#lx is above 4 GiB, where no ACPI "
		    "table may be", p);
		uvm_pagefree(pg);
		return;
	}
	madt_build(v + 0x300, cpu3, sizeof(cpu3))->madt_hdr.sdt_checksum++;
	madt_build(v + 0x400, cpu9, sizeof(cpu9));
	madt_build(v + 0x500, cpu7, sizeof(cpu7));
	xsdt = (struct acpi_sdt_hdr *)(v + 0x200);
	e64 = p + 0x300;			/* 8-byte entries at offset 36 */
	memcpy(xsdt + 1, &e64, 8);
	e64 = p + 0x400;
	memcpy((uint8_t *)(xsdt + 1) + 8, &e64, 8);
	sdt_finish(xsdt, "XSDT", sizeof(*xsdt) + 16);
	rsdt = (struct acpi_sdt_hdr *)(v + 0x100);
	e32 = p + 0x500;
	memcpy(rsdt + 1, &e32, 4);
	sdt_finish(rsdt, "RSDT", sizeof(*rsdt) + 4);
	rsdp = (struct acpi_rsdp *)v;
	memcpy(rsdp->rsdp_sig, "RSD PTR ", 8);
	rsdp->rsdp_revision = 2;
	rsdp->rsdp_rsdt = p + 0x100;
	rsdp->rsdp_xsdt = p + 0x200;
	rsdp->rsdp_length = sizeof(*rsdp);
	rsdp->rsdp_checksum = -acpi_checksum(rsdp, 20);
	rsdp->rsdp_xchecksum = -acpi_checksum(rsdp, sizeof(*rsdp));

	ktest_log(t, "a bad MADT checksum, then a bad XSDT checksum follow");
	KT_EXPECT(t, acpi_rsdp_valid(rsdp));
	KT_EXPECT_EQ(t, madt_one_cpu(acpi_table_find(rsdp, "APIC")), 9);
	KT_EXPECT(t, acpi_table_find(rsdp, "HPET") == NULL);
	xsdt->sdt_checksum++;
	KT_EXPECT_EQ(t, madt_one_cpu(acpi_table_find(rsdp, "APIC")), 7);
	rsdp->rsdp_xchecksum++;
	KT_EXPECT(t, !acpi_rsdp_valid(rsdp));
	uvm_pagefree(pg);
}

/* Scanning the BIOS areas finds an RSDP that agrees with the loader's. */
static void
smp_rsdp_scan(struct ktest *t)
{
	const struct acpi_rsdp *loader, *found;
	paddr_t pa;

	if (bootinfo.rsdp == 0) {
		ktest_skip(t, "the loader passed no RSDP to compare with");
		return;
	}
	pa = acpi_rsdp_scan();
	KT_ASSERT(t, pa != 0);
	found = PHYS_TO_DMAP(pa);
	loader = PHYS_TO_DMAP(bootinfo.rsdp);
	KT_EXPECT(t, acpi_rsdp_valid(found));
	KT_EXPECT_EQ(t, found->rsdp_rsdt, loader->rsdp_rsdt);
	KT_EXPECT_EQ(t, found->rsdp_revision, loader->rsdp_revision);
}

/* A cross-call to all runs once on every online CPU, each time on the CPU
 * whose APIC ID its cpu_info records, with interrupts off; a call to one CPU
 * runs there only; mask bits of CPUs that are not online are ignored. */
static void
smp_xcall_reaches_every_cpu(struct ktest *t)
{
	int i, k;

	xr_reset();
	smp_xcall(~0UL, xc_record, NULL);
	for (i = 0; i < MAXCPUS; i++) {
		KT_EXPECT_EQ(t, xr[i].runs, i < ncpus ? 1 : 0);
		if (i < ncpus)
			KT_EXPECT_EQ(t, xr[i].apicid, cpu_info[i].ci_apicid);
		KT_EXPECT_EQ(t, xr[i].intr_on, 0);
	}
	for (k = 0; k < ncpus; k++) {
		xr_reset();
		smp_xcall(1UL << k, xc_record, NULL);
		for (i = 0; i < ncpus; i++)
			KT_EXPECT_EQ(t, xr[i].runs, i == k ? 1 : 0);
	}
}

/* Cross-called with the CPU number it is meant for: count it there. */
static void
xc_hit(void *arg)
{
	uint32_t me = cpu_number();

	if (me != (uintptr_t)arg)
		__atomic_add_fetch(&xr[me].misplaced, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&xr[me].runs, 1, __ATOMIC_RELAXED);
}

/* Cross-called on every CPU at once: each cross-calls its neighbour, with
 * interrupts off, while the neighbour does the same to its own. */
static void
xc_ring_worker(void *arg)
{
	uint32_t me = cpu_number(), peer = (me + 1) % ncpus;
	int r;

	for (r = 0; r < XC_RING_ROUNDS; r++)
		smp_xcall(1UL << peer, xc_hit, (void *)(uintptr_t)peer);
}

/* Cross-called on every CPU at once: each cross-calls every CPU. */
static void
xc_all_worker(void *arg)
{
	int r;

	for (r = 0; r < XC_ALL_ROUNDS; r++)
		smp_xcall(cpus_online_mask(), xc_record, NULL);
}

/* CPUs that cross-call each other at the same time, all with interrupts
 * off, finish (no deadlock) and every call ran exactly once where sent. */
static void
smp_xcall_concurrent(struct ktest *t)
{
	int i;

	if (ncpus < 2) {
		ktest_skip(t, "needs 2 CPUs, have %d", ncpus);
		return;
	}
	xr_reset();
	smp_xcall(cpus_online_mask(), xc_ring_worker, NULL);
	for (i = 0; i < ncpus; i++) {
		KT_EXPECT_EQ(t, xr[i].runs, XC_RING_ROUNDS);
		KT_EXPECT_EQ(t, xr[i].misplaced, 0);
	}
	xr_reset();
	smp_xcall(cpus_online_mask(), xc_all_worker, NULL);
	for (i = 0; i < ncpus; i++) {
		KT_EXPECT_EQ(t, xr[i].runs, XC_ALL_ROUNDS * ncpus);
		KT_EXPECT_EQ(t, xr[i].intr_on, 0);
	}
}

/* Every online CPU's timer ticks, and CPU 0 advances the global ticks. */
static void
smp_ticks_advance_everywhere(struct ktest *t)
{
	uint64_t start[MAXCPUS], t0 = ticks, deadline;
	bool all;
	int i;

	KT_ASSERT(t, read_rflags() & PSL_I);	/* else CPU 0 cannot tick */
	for (i = 0; i < ncpus; i++)
		start[i] = __atomic_load_n(&cpu_info[i].ci_ticks, __ATOMIC_RELAXED);
	deadline = nanouptime() + TICKS_WAIT_NS;
	do {
		all = ticks >= t0 + TICKS_WANTED;
		for (i = 0; i < ncpus; i++)
			if (__atomic_load_n(&cpu_info[i].ci_ticks, __ATOMIC_RELAXED) <
			    start[i] + TICKS_WANTED)
				all = false;
		if (all)
			break;
		cpu_pause();
	} while (nanouptime() < deadline);
	for (i = 0; i < ncpus; i++)
		if (!KT_EXPECT(t, cpu_info[i].ci_ticks >= start[i] + TICKS_WANTED))
			ktest_log(t, "cpu%d ticked %lu times", i,
			    cpu_info[i].ci_ticks - start[i]);
	KT_EXPECT(t, ticks >= t0 + TICKS_WANTED);
}

/* nanouptime never goes back, and delay_us waits at least what it is told. */
static void
smp_uptime_and_delay(struct ktest *t)
{
	uint64_t prev = nanouptime(), now, before;
	int i, backwards = 0;

	for (i = 0; i < 10000; i++) {
		now = nanouptime();
		if (now < prev)
			backwards++;
		prev = now;
	}
	KT_EXPECT_EQ(t, backwards, 0);
	before = nanouptime();
	delay_us(2000);
	KT_EXPECT(t, nanouptime() - before >= 2000 * 1000);
}

/* Cross-called: read the test page through its kernel VA. */
static void
xc_read_va(void *arg)
{
	xr[cpu_number()].value = *(volatile uint64_t *)arg;
}

#define TLB_PATTERN_A	0xaaaaaaaa00000001UL
#define TLB_PATTERN_B	0xbbbbbbbb00000002UL

/*
 * Map a kernel VA to page A and have every CPU read it (so their TLBs hold
 * it), remap it to page B (pmap_kenter shoots the old entry down), and every
 * CPU must now read B. The VA is borrowed from a kernel stack, whose
 * page-table pages exist, and given its own page back before it is freed.
 */
static void
smp_tlb_shootdown(struct ktest *t)
{
	struct vm_page *a = uvm_pagealloc(PG_USE_KERNEL, 0);
	struct vm_page *b = uvm_pagealloc(PG_USE_KERNEL, 0);
	vaddr_t va = uvm_km_kstack_alloc();
	uint64_t shoot0;
	paddr_t orig;
	int i;

	if (a == NULL || b == NULL || va == 0) {
		KT_EXPECT(t, false);	/* out of memory at boot */
		goto out;
	}
	if (!KT_EXPECT(t, pmap_extract(pmap_kernel(), va, &orig)))
		goto out;
	*(uint64_t *)VM_PAGE_TO_DMAP(a) = TLB_PATTERN_A;
	*(uint64_t *)VM_PAGE_TO_DMAP(b) = TLB_PATTERN_B;

	pmap_kenter(va, VM_PAGE_TO_PHYS(a), PROT_READ | PROT_WRITE);
	xr_reset();
	smp_xcall(cpus_online_mask(), xc_read_va, (void *)va);
	for (i = 0; i < ncpus; i++)
		KT_EXPECT_EQ(t, xr[i].value, TLB_PATTERN_A);

	shoot0 = pmap_stats.shootdowns;
	pmap_kenter(va, VM_PAGE_TO_PHYS(b), PROT_READ | PROT_WRITE);
	KT_EXPECT(t, pmap_stats.shootdowns > shoot0);
	xr_reset();
	smp_xcall(cpus_online_mask(), xc_read_va, (void *)va);
	for (i = 0; i < ncpus; i++)
		if (!KT_EXPECT_EQ(t, xr[i].value, TLB_PATTERN_B))
			ktest_log(t, "cpu%d still reads page A through a stale TLB entry", i);
	if (ncpus == 1)
		ktest_log(t, "one CPU: only the local invalidation was tested");

	pmap_kenter(va, orig, PROT_READ | PROT_WRITE);
out:
	if (va != 0)
		uvm_km_kstack_free(va);
	if (a != NULL)
		uvm_pagefree(a);
	if (b != NULL)
		uvm_pagefree(b);
}

static const struct ktest_case smp_cases[] = {
	KTEST_CASE(smp_ncpus_matches_madt),
	KTEST_CASE(smp_madt_parse),
	KTEST_CASE(smp_acpi_table_lookup),
	KTEST_CASE(smp_rsdp_scan),
	KTEST_CASE(smp_xcall_reaches_every_cpu),
	KTEST_CASE(smp_xcall_concurrent),
	KTEST_CASE(smp_ticks_advance_everywhere),
	KTEST_CASE(smp_uptime_and_delay),
	KTEST_CASE(smp_tlb_shootdown),
	{ 0 },
};
KTEST_SUITE(smp, smp_cases);

/* Cross-called on CPU 1: panic there. */
static void
xc_panic(void *arg)
{
	panic("selftest_smp_panic: cpu%u panics on purpose while cpu0 waits",
	    cpu_number());
}

/* CPU 1 panics while CPU 0 waits in a cross-call: the report must come out
 * whole (the runner checks it) and QEMU must exit with status 33. */
static void
selftest_smp_panic_case(struct ktest *t)
{
	if (ncpus < 2) {
		ktest_skip(t, "needs 2 CPUs, have %d", ncpus);
		return;
	}
	sched_peg_curproc(&cpu_info[0]);
	ktest_log(t, "cpu1 will panic now");
	smp_xcall(1UL << 1, xc_panic, NULL);
	sched_unpeg_curproc();
	KT_EXPECT(t, false);	/* not reached */
}

static const struct ktest_case selftest_smp_panic_cases[] = {
	KTEST_CASE(selftest_smp_panic_case),
	{ 0 },
};
KTEST_SUITE_EXPLICIT(selftest_smp_panic, selftest_smp_panic_cases);
