/*
 * kern/sys_info.c: the small system calls: identity (getpid, getppid,
 * gettid, getuid, geteuid, getgid, getegid, setuid), time (sched_yield,
 * nanosleep, clock_gettime), the system (uname, sysinfo, reboot) and the
 * thread's own settings (arch_prctl, set_tid_address).
 *
 * Owns the power-off request (init_poweroff). No locks of its own: the
 * parent is read under proctree_lock, the uid is atomic, the FS base is
 * set with interrupts off so a context switch sees one value.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "cpu.h"
#include "cpufunc.h"
#include "clock.h"
#include "lock.h"
#include "proc.h"
#include "resource.h"
#include "sched.h"
#include "syscall.h"
#include "uvm_page.h"
#include "machdep.h"

#define NSEC_PER_SEC	1000000000L

/* clock ids (Linux's) */
#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7

/* arch_prctl codes */
#define ARCH_SET_FS		0x1002
#define ARCH_GET_FS		0x1003

/* reboot(2) magic numbers and the one command */
#define LINUX_REBOOT_MAGIC1		0xfee1dead
#define LINUX_REBOOT_MAGIC2		672274793
#define LINUX_REBOOT_MAGIC2A		85072278
#define LINUX_REBOOT_MAGIC2B		369367448
#define LINUX_REBOOT_MAGIC2C		537993216
#define LINUX_REBOOT_CMD_POWER_OFF	0x4321fedc

bool init_poweroff;

struct timespec64 {
	int64_t		tv_sec;
	int64_t		tv_nsec;
};

#define UTS_LEN		65
struct utsname {
	char	sysname[UTS_LEN], nodename[UTS_LEN], release[UTS_LEN];
	char	version[UTS_LEN], machine[UTS_LEN], domainname[UTS_LEN];
};

/* Linux x86-64's struct sysinfo */
struct sysinfo {
	int64_t		uptime;
	uint64_t	loads[3];
	uint64_t	totalram, freeram, sharedram, bufferram;
	uint64_t	totalswap, freeswap;
	uint16_t	procs, pad;
	uint32_t	pad2;
	uint64_t	totalhigh, freehigh;
	uint32_t	mem_unit;
	uint32_t	pad3;
};
CTASSERT(sizeof(struct sysinfo) == 112);

long
sys_sched_yield(struct proc *p, const uint64_t *args)
{
	yield();
	return 0;
}

/* nanosleep(req, rem): sleep on the thread itself, tick by tick, until
 * the deadline (nanouptime) has passed or a signal comes (EINTR, the time
 * left in rem). */
long
sys_nanosleep(struct proc *p, const uint64_t *args)
{
	struct timespec64 ts;
	uint64_t now, deadline, left;

	if (copyin((void *)args[0], &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= NSEC_PER_SEC)
		return -EINVAL;
	now = nanouptime();
	deadline = now + (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
	if (deadline < now)
		deadline = UINT64_MAX;
	while ((now = nanouptime()) < deadline) {
		left = deadline - now;
		if (msleep_sig(p, NULL, "nanosleep", MIN(left / (NSEC_PER_SEC /
		    HZ) + 1, (uint64_t)HZ * 3600)) != EINTR)
			continue;
		/* interrupted: what was left, if asked */
		left = deadline - MIN(nanouptime(), deadline);
		ts.tv_sec = left / NSEC_PER_SEC;
		ts.tv_nsec = left % NSEC_PER_SEC;
		if (args[1] != 0 && copyout(&ts, (void *)args[1], sizeof(ts)) != 0)
			return -EFAULT;
		return -EINTR;
	}
	return 0;
}

/* clock_gettime(id, ts): both clocks count from boot (no RTC is read). */
long
sys_clock_gettime(struct proc *p, const uint64_t *args)
{
	uint64_t ns = nanouptime();
	struct timespec64 ts = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	switch ((int)args[0]) {
	case CLOCK_REALTIME:
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		return -copyout(&ts, (void *)args[1], sizeof(ts));
	default:
		return -EINVAL;
	}
}

long
sys_getpid(struct proc *p, const uint64_t *args)
{
	return p->p_p->ps_pid;
}

long
sys_getppid(struct proc *p, const uint64_t *args)
{
	pid_t ppid;

	spinlock_acquire(&proctree_lock);
	ppid = p->p_p->ps_pptr != NULL ? p->p_p->ps_pptr->ps_pid : 0;
	spinlock_release(&proctree_lock);
	return ppid;
}

long
sys_gettid(struct proc *p, const uint64_t *args)
{
	return p->p_tid;
}

/* getuid and geteuid: one uid per process. */
long
sys_getuid(struct proc *p, const uint64_t *args)
{
	return __atomic_load_n(&p->p_p->ps_uid, __ATOMIC_RELAXED);
}

/* getgid and getegid: every process is in group 0. */
long
sys_getgid(struct proc *p, const uint64_t *args)
{
	return 0;
}

/* setuid(uid): root may become anyone; others only themselves. EAGAIN
 * when no uid slot is left for its process count (kern_resource.c). */
long
sys_setuid(struct proc *p, const uint64_t *args)
{
	uid_t uid = (uid_t)args[0], cur = sys_getuid(p, args);

	if ((int32_t)uid < 0)
		return -EINVAL;
	if (cur != 0 && uid != cur)
		return -EPERM;
	return -resource_setuid(p->p_p, uid);	/* moves its process count */
}

long
sys_uname(struct proc *p, const uint64_t *args)
{
	static const struct utsname u = {
		.sysname = "exeunt", .nodename = "exeunt", .release = "0.1",
		.version = "exeunt 0.1", .machine = "x86_64",
		.domainname = "(none)",
	};

	return -copyout(&u, (void *)args[0], sizeof(u));
}

long
sys_sysinfo(struct proc *p, const uint64_t *args)
{
	struct sysinfo si;
	struct uvmexp ue;

	uvm_page_counters(&ue);
	memset(&si, 0, sizeof(si));
	si.uptime = nanouptime() / NSEC_PER_SEC;
	si.totalram = ue.npages * PAGE_SIZE;
	si.freeram = ue.free * PAGE_SIZE;
	si.procs = (uint16_t)MIN(__atomic_load_n(&process_live,
	    __ATOMIC_RELAXED), 0xffffUL);
	si.mem_unit = 1;
	return -copyout(&si, (void *)args[0], sizeof(si));
}

/* arch_prctl(ARCH_SET_FS, base) and (ARCH_GET_FS, &base). */
long
sys_arch_prctl(struct proc *p, const uint64_t *args)
{
	uint64_t base = args[1];

	switch ((int)args[0]) {
	case ARCH_SET_FS:
		if (base >= USER_MAX)
			return -EPERM;
		spinlock_enter();
		p->p_md.md_fsbase = base;
		wrmsr(MSR_FSBASE, base);
		spinlock_exit();
		return 0;
	case ARCH_GET_FS:
		return -copyout(&p->p_md.md_fsbase, (void *)base, sizeof(base));
	default:
		return -EINVAL;
	}
}

/* set_tid_address(ptr): the clear_child_tid word, zeroed and futex-woken
 * when the thread exits (kern/kern_exit.c). */
long
sys_set_tid_address(struct proc *p, const uint64_t *args)
{
	p->p_tidaddr = args[0];
	return p->p_tid;
}

/* reboot(magic1, magic2, cmd): only POWER_OFF, only root. From init,
 * init exits and the kernel powers off once it has checked that the
 * user tests left nothing behind (init_main.c); from anyone else at
 * once. */
long
sys_reboot(struct proc *p, const uint64_t *args)
{
	uint32_t m2 = (uint32_t)args[1];

	if (sys_getuid(p, args) != 0)
		return -EPERM;
	if ((uint32_t)args[0] != LINUX_REBOOT_MAGIC1 ||
	    (m2 != LINUX_REBOOT_MAGIC2 && m2 != LINUX_REBOOT_MAGIC2A &&
	    m2 != LINUX_REBOOT_MAGIC2B && m2 != LINUX_REBOOT_MAGIC2C) ||
	    (uint32_t)args[2] != LINUX_REBOOT_CMD_POWER_OFF)
		return -EINVAL;
	kprintf("exeunt: power off requested by pid %d (%s)\n", p->p_p->ps_pid,
	    p->p_p->ps_comm);
	if (p->p_p != initprocess)
		machine_halt(EXIT_OK);
	init_poweroff = true;
	exit1(p, W_EXITCODE(0, 0), 0);
}
