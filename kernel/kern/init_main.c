/*
 * kern/init_main.c: kmain, the boot CPU's path from the first C instruction
 * to the first process. Each step below initializes one subsystem, in
 * dependency order; nothing here is undone.
 */
#include "lib.h"
#include "param.h"
#include "cpu.h"
#include "cons.h"
#include "bootinfo.h"
#include "bootopt.h"
#include "ktest.h"
#include "machdep.h"
#include "uvm_page.h"
#include "witness.h"
#include "malloc.h"
#include "pmap.h"
#include "acpi.h"
#include "lapic.h"
#include "smp.h"
#include "cpufunc.h"
#include "proc.h"
#include "resource.h"
#include "sched.h"
#include "smr.h"
#include "uvm_vmspace.h"
#include "vfs.h"
#include "census.h"
#include "trace.h"

#define EXEUNT_VERSION	"0.1"

static void
boot_cmdline(void)
{
	static char line[BI_CMDLINE_MAX * 2];
	char extra[BI_CMDLINE_MAX];

	strlcpy(line, bootinfo.cmdline, sizeof(line));
	if (fw_cfg_read_file("opt/exeunt/cmdline", extra, sizeof(extra)) > 0) {
		size_t n = strlen(line);

		snprintf(line + n, sizeof(line) - n, "%s%s", n ? " " : "", extra);
	}
	bootopt_init(line);
}

static void
boot_banner(void)
{
	uint64_t avail = 0;
	int i;

	for (i = 0; i < bootinfo.nmem; i++)
		if (bootinfo.mem[i].type == BI_MEM_AVAILABLE)
			avail += bootinfo.mem[i].len;
	kprintf("exeunt %s (x86-64): how an address space dies\n", EXEUNT_VERSION);
	kprintf("cmdline: %s\n", bootopt_cmdline());
	kprintf("memory: %lu KiB available in %d ranges, %d module(s), ACPI RSDP %#lx\n",
	    avail / 1024, bootinfo.nmem, bootinfo.nmods, bootinfo.rsdp);
}

/* The boot options init gets as its environment, when given. */
static const struct {
	const char	*opt;
	const char	*env;
} init_env[] = {
	{ "tests",		"EXEUNT_TESTS" },
	{ "seed",		"EXEUNT_SEED" },
	{ "stress",		"EXEUNT_STRESS" },
	{ "test_timeout",	"EXEUNT_TEST_TIMEOUT" },
};

/* Run /init (init= overrides the path) as pid 1 with the environment of
 * init_env; when it has powered off (reboot), check that nothing it ran
 * left anything behind, then power off. */
static void __noreturn
main_run_init(void)
{
	static char envbuf[nitems(init_env)][BI_CMDLINE_MAX + 32];
	const char *envp[nitems(init_env) + 1] = { NULL };
	struct census *before = &(struct census){ 0 };
	struct process *pr;
	const char *val;
	int xstat;
	size_t i, n = 0;

	for (i = 0; i < nitems(init_env); i++) {
		if ((val = bootopt_get(init_env[i].opt, NULL)) == NULL)
			continue;
		snprintf(envbuf[n], sizeof(envbuf[n]), "%s=%s",
		    init_env[i].env, val);
		envp[n] = envbuf[n];
		n++;
	}
	/* the kernel threads that the in-kernel tests started are reaped,
	 * and their process structs freed after a grace period: neither is
	 * in the baseline */
	kthread_wait_reaped();
	smr_barrier();
	census_take(before);
	if ((pr = proc_start_init(bootopt_get("init", "/init"), envp)) == NULL)
		panic("main_run_init: cannot make pid 1");
	xstat = proc_collect_orphan(pr);
	prrele(pr);
	if (!__atomic_load_n(&init_poweroff, __ATOMIC_ACQUIRE))
		panic("main_run_init: init exited (status %#x)", xstat);
	kthread_wait_reaped();
	smr_barrier();		/* the structs freed after a grace period */
	census_report(before);
	machine_halt(EXIT_OK);
}

/* The first kernel thread: the in-kernel tests (which may sleep), then
 * init, unless only in-kernel tests were asked for (ktest= without
 * tests=) or halt is given. */
static void
main_thread(void *arg __unused)
{
	const char *ktest = bootopt_get("ktest", NULL);

	if (ktest != NULL)
		ktest_run(ktest);
	if ((ktest != NULL && bootopt_get("tests", NULL) == NULL) ||
	    bootopt_get("halt", NULL) != NULL) {
		kprintf("exeunt: in-kernel tests done, not starting init\n");
		machine_halt(EXIT_OK);
	}
	main_run_init();
}

/* The boot CPU enters here from locore64 with the boot page tables. */
void __noreturn
kmain(paddr_t mbi)
{
	gdt_init_cpu(&cpu_info[0]);	/* GS base first: locks use curcpu() */
	cpu_info[0].ci_online = true;
	idt_init();
	idt_load();
	cons_init();
	multiboot_parse(mbi);
	boot_cmdline();
	witness_init();			/* witness=off|on|panic (locks) */
	boot_banner();
	uvm_page_poison = bootopt_num("poison", 1) != 0;	/* before any page is freed */
	memory_init(0, 4UL << 30);	/* what the boot direct map reaches */
	kmalloc_init();			/* the size-class pools */
	pmap_bootstrap(memory_top());	/* direct map of all memory, W^X */
	memory_init(4UL << 30, memory_top());
	uvm_page_summary();
	sched_init();			/* kmain becomes cpu0's idle thread */
	kthread_init();			/* thread pools, the reaper */
	smr_init();			/* the smr thread, smr_backlog= */
	uvm_init();			/* anon, amap, map-entry, vmspace pools; purge= */
	vfs_init();			/* the initrd at /, /dev, /proc */

	acpi_init();			/* the MADT: CPUs, IOAPICs; none: one CPU */
	lapic_init(acpi_madt.mi_lapic_pa);	/* also masks the 8259 PICs */
	lapic_init_cpu();
	lapic_calibrate();		/* TSC and LAPIC timer against the PIT */
	lapic_timer_start();
	xcall_init();
	cpu_isolation_init();		/* SMEP, SMAP: before the APs copy CR4 */
	mp_start_aps();			/* prints "cpus: N online (apic ids ...)" */
	trace_init();			/* the lifecycle trace's per-CPU rings */
	resource_init();		/* maxproc, the page reserve, failinject= */
	intr_enable();			/* the boot CPU's clock ticks from here */

	if (kthread_create(main_thread, NULL, "main") == NULL)
		panic("kmain: no memory for the main thread");
	sched_idle();
}
