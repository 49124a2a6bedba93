/*
 * fuzz_calls.h: the fuzzer's system calls (fuzz.c), header only, on top
 * of fuzz_args.h: one generator per call filling in the arguments, the
 * table (weight, generator, what a success must look like, the errnos
 * Linux documents or gives for it), and the check of a result.
 * Generators also note in the report page the signals and exits a call
 * makes possible. "host:" marks a choice that keeps a native run
 * harmless to the machine it runs on.
 */
#ifndef _USER_FUZZ_CALLS_H_
#define _USER_FUZZ_CALLS_H_

#include "fuzz_args.h"

/* What a successful result must be. */
enum fuzz_ok {
	OK_ZERO,	/* 0 */
	OK_NONNEG,	/* >= 0 */
	OK_LEN,		/* 0 .. a[2] */
	OK_FD,		/* a descriptor */
	OK_PID,		/* a pid */
	OK_ADDR,	/* mmap: a user page, a[0] if MAP_FIXED */
	OK_BRK,		/* a user address */
	OK_SELF,	/* our pid (and tid: one thread) */
	OK_PARENT,	/* the worker's pid */
	OK_ID,		/* a uid or gid */
	OK_NEVER,	/* must fail */
};

struct fuzz_sys {
	long		nr;
	const char	*name;
	int		weight;
	void		(*gen)(struct fuzz_call *c);
	enum fuzz_ok	ok;
	const uint8_t	*errs;		/* 0-terminated */
};

#define ERRS(...)	((const uint8_t[]){ __VA_ARGS__, 0 })

/* read(fd, buf, len): our descriptors or none, any buffer and length. */
static void
g_read(struct fuzz_call *c)
{
	c->a[0] = fuzz_fd();
	c->a[1] = fuzz_ptr(true, false);
	c->a[2] = fuzz_len();
}

/* write(fd, buf, len): the same (a pipe without reader: SIGPIPE). */
static void
g_write(struct fuzz_call *c)
{
	c->a[0] = fuzz_fd();
	c->a[1] = fuzz_ptr(false, true);
	c->a[2] = fuzz_len();
	fuzz_may_die(SIGPIPE);
}

/* writev(fd, iov, n): an iovec array of any buffers, or none. */
static void
g_writev(struct fuzz_call *c)
{
	c->a[0] = fuzz_fd();
	c->a[1] = fuzz_iov(PREP_IOV0, false, true, &c->a[2]);
	fuzz_may_die(SIGPIPE);
}

/* open(path, flags, mode); host: read-only, nothing created. Every
 * /proc/<pid>/mem only read-only (a write would rewrite some process's
 * code with random bytes). */
static void
g_open(struct fuzz_call *c)
{
	bool mem;

	c->a[0] = fuzz_path(false, &mem);
	c->a[1] = fuzz_bits();
	c->a[2] = fuzz_bits() & 07777;
	if (!fuzz_on_exeunt)
		c->a[1] &= 0200000 | 0400000 | 02000000 | 04000 | 010000000;
	if (mem)
		c->a[1] &= ~3ull;
}

/* close, dup, dup2, dup3: descriptors of ours or not, dup3's flags. */
static void
g_fd(struct fuzz_call *c)
{
	c->a[0] = fuzz_fd();
	c->a[1] = fuzz_fd();
	c->a[2] = fuzz_chance(50) ? 02000000 : fuzz_bits();	/* dup3 */
}

/* lseek: an offset in a file, a huge one, or an address (for a
 * /proc/<pid>/mem: our scratch is mapped in our children too). */
static void
g_lseek(struct fuzz_call *c)
{
	c->a[0] = fuzz_fd();
	c->a[1] = FUZZ_PICK(((const uint64_t[]){ fuzz_below(4096), fuzz_len(),
	    fuzz_ptr(false, false) }));
	c->a[2] = fuzz_chance(90) ? fuzz_below(5) : fuzz_bits();
}

/* mmap(addr, len, prot, flags, fd, off); host: no populating, locking
 * or huge pages. */
static void
g_mmap(struct fuzz_call *c)
{
	c->a[0] = fuzz_chance(40) ? 0 : fuzz_mem_addr();
	c->a[1] = fuzz_chance(60) ? F_PAGE * (1 + fuzz_below(4)) : fuzz_len();
	c->a[2] = fuzz_chance(80) ? fuzz_below(8) : fuzz_bits();
	c->a[3] = (fuzz_chance(80) ? 0x22 : fuzz_below(4) | 0x20) |
	    (fuzz_chance(30) ? F_MAP_FIXED : 0) |
	    (fuzz_chance(10) ? fuzz_bits() : 0);
	if (!fuzz_on_exeunt)
		c->a[3] &= ~(uint64_t)F_MAP_HOSTBAD;
	c->a[4] = fuzz_chance(80) ? -1ull : fuzz_fd();
	c->a[5] = fuzz_chance(80) ? 0 : fuzz_len();
	if (c->a[3] & F_MAP_FIXED)
		fuzz_mem_clip(&c->a[0], &c->a[1]);
}

/* mprotect, munmap: a clipped memory range, any protection. */
static void
g_mprotect(struct fuzz_call *c)
{
	c->a[0] = fuzz_mem_addr();
	c->a[1] = fuzz_chance(60) ? F_PAGE * (1 + fuzz_below(4)) : fuzz_len();
	c->a[2] = fuzz_chance(80) ? fuzz_below(8) : fuzz_bits();
	fuzz_mem_clip(&c->a[0], &c->a[1]);
}

/* madvise; host: no poisoning or offlining pages, no populating. */
static void
g_madvise(struct fuzz_call *c)
{
	g_mprotect(c);
	c->a[2] = fuzz_chance(90) ? fuzz_below(26) : fuzz_bits();
	if (!fuzz_on_exeunt && (c->a[2] == 22 || c->a[2] == 23))
		c->a[2] = 4;
	if (fuzz_on_exeunt && fuzz_chance(5))
		c->a[2] = 100 + fuzz_below(2);
}

/* brk: near the break, or at no user address. */
static void
g_brk(struct fuzz_call *c)
{
	uint64_t cur = (uint64_t)fuzz_raw(SYS_brk, 0, 0, 0, 0, 0, 0);

	c->a[0] = fuzz_chance(60) ? cur + (fuzz_below(64) - 16) * F_PAGE :
	    fuzz_bad_addr();
}

/* rt_sigaction(sig, act, oact, size): act in prep, its handler and
 * restorer ours or garbage (then any signal may end us with SIGSEGV).
 * SIGCHLD is never ignored nor given SA_NOCLDWAIT: children stay zombies
 * until our wait4, so their pids stay ours (fuzz_pid). */
static void
g_sigaction(struct fuzz_call *c)
{
	uint64_t *act = (uint64_t *)(sub.prep + PREP_MISC + 32 * fuzz_below(32));
	bool safe;

	c->a[0] = fuzz_signo();
	act[0] = FUZZ_PICK(((const uint64_t[]){ 0, 1, 1,
	    (uint64_t)fuzz_handler, (uint64_t)fuzz_handler, fuzz_bad_addr() }));
	act[1] = (fuzz_chance(90) ? F_SA_RESTORER : 0) |
	    (fuzz_chance(30) ? fuzz_bits() & 0xdc00000f : 0);
	act[2] = fuzz_chance(90) ? sub.restorer : fuzz_bad_addr();
	act[3] = fuzz_bits();
	safe = act[0] <= 1 || (act[0] == (uint64_t)fuzz_handler &&
	    act[2] == sub.restorer && (act[1] & F_SA_RESTORER));
	c->a[1] = fuzz_chance(80) ? (uint64_t)act : (fuzz_chance(50) ? 0 :
	    fuzz_ptr(false, false));
	if (c->a[0] == SIGCHLD && c->a[1] != 0) {
		c->a[1] = (uint64_t)act;
		act[0] = 0;
		act[1] &= ~(uint64_t)F_SA_NOCLDWAIT;
	}
	if (c->a[1] != 0 && (c->a[1] != (uint64_t)act || !safe))
		fuzz_may_die(SIGSEGV);
	c->a[2] = fuzz_chance(50) ? 0 : fuzz_ptr(true, false);
	c->a[3] = fuzz_chance(90) ? 8 : fuzz_len();
}

/* rt_sigprocmask(how, set, oset, size): any of them. */
static void
g_sigprocmask(struct fuzz_call *c)
{
	c->a[0] = fuzz_chance(90) ? fuzz_below(3) : fuzz_bits();
	c->a[1] = fuzz_chance(30) ? 0 : fuzz_ptr(false, false);
	c->a[2] = fuzz_chance(50) ? 0 : fuzz_ptr(true, false);
	c->a[3] = fuzz_chance(90) ? 8 : fuzz_len();
}

/* ioctl; host: only requests that read (TCGETS, TIOCGWINSZ, FIONREAD). */
static void
g_ioctl(struct fuzz_call *c)
{
	static const uint64_t reads[] = { 0x5401, 0x5413, 0x541b };

	c->a[0] = fuzz_fd();
	c->a[1] = fuzz_on_exeunt && fuzz_chance(50) ? fuzz_bits() :
	    FUZZ_PICK(reads);
	c->a[2] = fuzz_ptr(true, false);
}

/* pipe(fds), pipe2(fds, flags): any pointer, valid or random flags. */
static void
g_pipe(struct fuzz_call *c)
{
	c->a[0] = fuzz_ptr(true, false);
	c->a[1] = fuzz_chance(70) ? fuzz_below(2) * 04000 |
	    fuzz_below(2) * 02000000 : fuzz_bits();
}

/* nanosleep(req, rem): a short, invalid or bad timeout. */
static void
g_nanosleep(struct fuzz_call *c)
{
	c->a[0] = fuzz_timespec();
	c->a[1] = fuzz_chance(50) ? 0 : fuzz_ptr(true, false);
}

/* A call whose arguments do not matter: random ones. */
static void
g_random(struct fuzz_call *c)
{
	for (int i = 0; i < 6; i++)
		c->a[i] = fuzz_bits();
}

/* clone(flags, stack, ptid, ctid, tls): mostly a process or a thread
 * that soon exits (fuzz_raw_spawn); a new stack for a child sharing our
 * memory; its exit signal may reach us. Never CLONE_PARENT (the child
 * would be the worker's) nor CLONE_PTRACE (our tracer, the worker after
 * a PTRACE_TRACEME, would have to reap it before we could). */
static void
g_clone(struct fuzz_call *c)
{
	uint64_t f;

	switch (fuzz_below(4)) {
	case 0:
		f = fuzz_chance(90) ? SIGCHLD : fuzz_signo() & 0xff;
		f |= fuzz_chance(50) ? F_CLONE_VM : 0;
		f |= fuzz_chance(30) ? F_CLONE_VFORK : 0;
		break;
	case 1:
		f = F_CLONE_THREAD_NEEDS | (fuzz_bits() & 0x00780000) |
		    (fuzz_chance(20) ? fuzz_signo() & 0xff : 0);
		break;
	default:
		f = fuzz_bits();
		break;
	}
	c->a[0] = f & ~(uint64_t)(F_CLONE_PARENT | F_CLONE_PTRACE);
	if (c->a[0] & F_CLONE_VM) {
		sub.stack_next = (sub.stack_next + 1) % STACK_SLOTS;
		c->a[1] = (uint64_t)sub.stacks + (sub.stack_next + 1) * F_PAGE -
		    64;
	} else {
		c->a[1] = fuzz_chance(70) ? 0 : fuzz_ptr(false, false);
	}
	c->a[2] = fuzz_ptr(true, false);
	c->a[3] = fuzz_ptr(true, false);
	c->a[4] = fuzz_chance(50) ? sub.fsbase : fuzz_ptr(false, false);
	fuzz_may_die(c->a[0] & 0xff);
}

/* execve: this program with the marker (it exits FUZZ_EXIT_EXEC; traced,
 * it stops with SIGTRAP), or a path that is no program. */
static void
g_execve(struct fuzz_call *c)
{
	bool mem;
	uint64_t *argv = (uint64_t *)(sub.prep + PREP_MISC + 8 * fuzz_below(64));

	if (fuzz_chance(10) && fuzz_self != NULL) {
		c->a[0] = (uint64_t)fuzz_self;
		argv[0] = (uint64_t)fuzz_self;
		argv[1] = (uint64_t)FUZZ_EXEC_ARG;
		argv[2] = 0;
		c->a[1] = (uint64_t)argv;
		c->a[2] = fuzz_chance(50) ? 0 : fuzz_ptr(false, false);
		sub.slot->exits |= 1u << FUZZ_EXIT_EXEC;
		fuzz_may_die(SIGTRAP);
		return;
	}
	c->a[0] = fuzz_path(true, &mem);
	c->a[1] = fuzz_chance(30) ? 0 : fuzz_ptr(false, false);
	c->a[2] = fuzz_chance(30) ? 0 : fuzz_ptr(false, false);
}

/* wait4, nearly always WNOHANG (a stopped child would block us); a bad
 * status or rusage pointer only for one known child (the
 * kernel reaps it before failing: we mark it reaped, as for a pid
 * returned; from an unknown one we would not learn which it was). */
static void
g_wait4(struct fuzz_call *c)
{
	bool harm;

	c->a[0] = fuzz_chance(40) ? -1ull : (uint64_t)(int64_t)fuzz_pid(&harm);
	c->a[1] = fuzz_chance(30) ? 0 : fuzz_ptr(true, false);
	c->a[2] = (fuzz_chance(95) ? F_WNOHANG : 0) | (fuzz_chance(80) ?
	    fuzz_below(2) * F_WALL | fuzz_below(2) * 2 /* WUNTRACED */ :
	    fuzz_bits());
	c->a[3] = fuzz_chance(70) ? 0 : fuzz_ptr(true, false);
	if ((int64_t)c->a[0] <= 0) {
		c->a[1] = c->a[1] ? (uint64_t)sub.scratch : 0;
		c->a[3] = c->a[3] ? (uint64_t)sub.scratch + 64 : 0;
	}
}

/* kill(pid, sig): a real signal only where harm is allowed; pid -1 only
 * with signal 0; we may receive what we send to ourselves or our group. */
static void
g_kill(struct fuzz_call *c)
{
	bool harm;
	pid_t pid = fuzz_pid(&harm);

	c->a[0] = (uint64_t)(int64_t)pid;
	c->a[1] = pid == sub.self || pid == 0 ? fuzz_self_signo() :
	    fuzz_signo();
	if (!harm || pid == -1)
		c->a[1] = 0;
	if (pid == sub.self || pid == 0)
		fuzz_may_die(c->a[1]);
}

/* tkill(tid, sig): as kill, and tid 0 or below mostly ours. */
static void
g_tkill(struct fuzz_call *c)
{
	g_kill(c);
	if ((pid_t)c->a[0] <= 0 && fuzz_chance(50))
		c->a[0] = sub.self;			/* else: EINVAL */
	if ((pid_t)c->a[0] == sub.self)
		fuzz_may_die(c->a[1]);
}

/* uname, sysinfo, set_tid_address: one pointer, any. */
static void
g_outptr(struct fuzz_call *c)
{
	c->a[0] = fuzz_ptr(true, false);
}

/* ptrace(req, pid, addr, data): requests that attach or change the
 * tracee only where harm is allowed; SETREGS sends the tracee to the
 * landing pad (registers otherwise random), SETFPREGS gives it random
 * FPU state; host: no POKEUSER. */
static void
g_ptrace(struct fuzz_call *c)
{
	static const uint64_t reqs[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13,
	    14, 15, 16, 17, 24, 0x4200, 0x4201, 0x4202, 0x4206, 0x4207, 99 };
	static const uint64_t reads[] = { 1, 2, 3, 12, 14, 0x4201, 0x4202 };
	uint64_t *regs = (uint64_t *)(sub.prep + PREP_MISC + 8 * fuzz_below(32));
	bool harm;
	int i;

	c->a[1] = (uint64_t)(int64_t)fuzz_pid(&harm);
	c->a[0] = harm ? FUZZ_PICK(reqs) : FUZZ_PICK(reads);
	if (!fuzz_on_exeunt && c->a[0] == 6)
		c->a[0] = 3;
	if (c->a[0] == 0)
		fuzz_may_die(SIGTRAP);
	c->a[2] = fuzz_ptr(false, false);
	c->a[3] = c->a[0] == 7 || c->a[0] == 17 || c->a[0] == 9 ||
	    c->a[0] == 24 ? fuzz_signo() : fuzz_ptr(true, false);
	if (c->a[0] == 13) {
		for (i = 0; i < 27; i++)
			regs[i] = fuzz_chance(50) ? 0 : fuzz_rand();
		regs[16] = (uint64_t)fuzz_landing;
		regs[19] = (uint64_t)sub.stacks + F_PAGE - 64;
		if (fuzz_chance(70)) {
			regs[17] = 0x33;
			regs[20] = 0x2b;
		}
		c->a[3] = fuzz_chance(90) ? (uint64_t)regs : fuzz_bad_addr();
	}
	if (c->a[0] == 15) {		/* SETFPREGS: a random FXSAVE image */
		for (i = 0; i < 64; i++)
			regs[i] = fuzz_rand();
		c->a[3] = fuzz_chance(90) ? (uint64_t)regs : fuzz_bad_addr();
	}
}

/* setuid: root, ours, another, -1 or random. */
static void
g_setuid(struct fuzz_call *c)
{
	c->a[0] = FUZZ_PICK(((const uint64_t[]){ 0, (uint64_t)getuid(), 1000,
	    -1ull, fuzz_rand() }));
}

/* arch_prctl: FS only to its own value or a non-user one. */
static void
g_arch_prctl(struct fuzz_call *c)
{
	c->a[0] = FUZZ_PICK(((const uint64_t[]){ F_ARCH_SET_FS, F_ARCH_SET_FS,
	    F_ARCH_GET_FS, 0x1001, 0x1004, 0x1000, 0x1005, 0x3001 }));
	c->a[1] = fuzz_ptr(true, false);
	if (c->a[0] == F_ARCH_SET_FS)
		c->a[1] = fuzz_chance(30) ? sub.fsbase : fuzz_bad_addr() |
		    F_NONCANONICAL;
}

/* reboot: never the real first magic number. */
static void
g_reboot(struct fuzz_call *c)
{
	g_random(c);
	if ((uint32_t)c->a[0] == 0xfee1dead)
		c->a[0] = 0;
}

/* futex(uaddr, op, val, timeout, uaddr2, val3); host: no PI ops. A wait
 * without a timeout is for a value other than the word's. */
static void
g_futex(struct fuzz_call *c)
{
	uint64_t op = fuzz_chance(80) ? fuzz_below(14) : fuzz_bits();
	uint32_t word;

	c->a[0] = fuzz_ptr(false, false);
	if (!fuzz_on_exeunt && ((op & 127) == 6 || (op & 127) == 7 ||
	    (op & 127) == 8 || (op & 127) >= 11))
		op = 1;
	c->a[1] = op | (fuzz_chance(50) ? 128 : 0);
	c->a[2] = fuzz_chance(50) ? fuzz_below(3) : fuzz_rand();
	c->a[3] = fuzz_chance(80) ? fuzz_timespec() : 0;
	c->a[4] = fuzz_ptr(false, false);
	c->a[5] = fuzz_bits();
	if (c->a[3] == 0 && fuzz_peek32(c->a[0], &word))
		c->a[2] = ~word;
}

/* getdents64(fd, buf, len): as read. */
static void
g_getdents(struct fuzz_call *c)
{
	g_read(c);
}

/* clock_gettime(clock, ts): a clock id valid or not, any pointer. */
static void
g_clock(struct fuzz_call *c)
{
	c->a[0] = fuzz_chance(80) ? fuzz_below(12) : fuzz_bits();
	c->a[1] = fuzz_ptr(true, false);
}

/* process_vm_readv/writev(pid, liov, n, riov, n, flags): writes only
 * where harm is allowed; buffers never the huge regions (the copy must
 * stay small). */
static void
g_process_vm(struct fuzz_call *c)
{
	bool harm;

	c->a[0] = (uint64_t)(int64_t)fuzz_pid(&harm);
	if (!harm)
		c->nr = SYS_process_vm_readv;
	c->a[1] = fuzz_iov(PREP_IOV0, c->nr == SYS_process_vm_readv, false,
	    &c->a[2]);
	c->a[3] = fuzz_iov(PREP_IOV1, c->nr != SYS_process_vm_readv, false,
	    &c->a[4]);
	c->a[5] = fuzz_chance(90) ? 0 : fuzz_bits();
}

/* A number no kernel here has: from 512 (x86-64 Linux ends below; its
 * x32 numbers there need the x32 bit) to 2^20, such a number with
 * random upper 32 bits (Linux looks at the lower ones only), or -1. */
static uint64_t
fuzz_unknown_nr(void)
{
	uint64_t nr = 512 + fuzz_below((1 << 20) - 512);

	switch (fuzz_below(4)) {
	case 0: case 1: return nr;
	case 2: return fuzz_rand() << 32 | nr;
	default: return -1ull - fuzz_below(2);
	}
}

/* An unknown system call number with random arguments. */
static void
g_unknown(struct fuzz_call *c)
{
	g_random(c);
	c->nr = (long)fuzz_unknown_nr();
}

static const struct fuzz_sys fuzz_table[] = {
	/* EACCES: exeunt checks the rights to a /proc/<pid>/mem at every
	 * transfer (the caller may have called setuid since the open);
	 * Linux at the open only */
	{ SYS_read, "read", 6, g_read, OK_LEN,
	    ERRS(EBADF, EFAULT, EINVAL, EAGAIN, EINTR, EISDIR, EIO, EACCES,
	    ESRCH) },
	{ SYS_write, "write", 6, g_write, OK_LEN,
	    ERRS(EBADF, EFAULT, EINVAL, EAGAIN, EINTR, EPIPE, EIO, EACCES) },
	{ SYS_writev, "writev", 3, g_writev, OK_NONNEG,
	    ERRS(EBADF, EFAULT, EINVAL, EAGAIN, EINTR, EPIPE, EIO) },
	{ SYS_open, "open", 5, g_open, OK_FD,
	    ERRS(ENOENT, ENOTDIR, EFAULT, ENAMETOOLONG, EACCES, EISDIR, EROFS,
	    EEXIST, EINVAL, ELOOP, EMFILE, ENXIO, ENODEV, EPERM, ENOMEM,
	    EOPNOTSUPP, ESRCH) },
	{ SYS_close, "close", 2, g_fd, OK_ZERO, ERRS(EBADF) },
	{ SYS_lseek, "lseek", 2, g_lseek, OK_NONNEG,
	    ERRS(EBADF, EINVAL, ESPIPE, EOVERFLOW, ENXIO) },
	{ SYS_mmap, "mmap", 6, g_mmap, OK_ADDR,
	    ERRS(EINVAL, ENOMEM, EBADF, ENODEV, EACCES, EPERM, EEXIST,
	    EOVERFLOW, EAGAIN, EOPNOTSUPP) },
	{ SYS_mprotect, "mprotect", 3, g_mprotect, OK_ZERO,
	    ERRS(EINVAL, ENOMEM, EACCES) },
	{ SYS_munmap, "munmap", 3, g_mprotect, OK_ZERO, ERRS(EINVAL) },
	{ SYS_brk, "brk", 1, g_brk, OK_BRK, ERRS(0) },
	{ SYS_rt_sigaction, "rt_sigaction", 4, g_sigaction, OK_ZERO,
	    ERRS(EINVAL, EFAULT) },
	{ SYS_rt_sigprocmask, "rt_sigprocmask", 3, g_sigprocmask, OK_ZERO,
	    ERRS(EINVAL, EFAULT) },
	{ SYS_ioctl, "ioctl", 2, g_ioctl, OK_NONNEG,
	    ERRS(EBADF, ENOTTY, EFAULT, EINVAL, EPERM, EOPNOTSUPP) },
	{ SYS_pipe, "pipe", 2, g_pipe, OK_ZERO, ERRS(EFAULT, EMFILE, ENFILE) },
	{ SYS_pipe2, "pipe2", 2, g_pipe, OK_ZERO,
	    ERRS(EFAULT, EINVAL, EMFILE, ENFILE, ENOPKG) },
	{ SYS_sched_yield, "sched_yield", 1, g_random, OK_ZERO, ERRS(0) },
	{ SYS_madvise, "madvise", 2, g_madvise, OK_ZERO,
	    ERRS(EINVAL, ENOMEM, EAGAIN, EPERM, EBADF, EIO, EACCES, EFAULT) },
	{ SYS_dup, "dup", 2, g_fd, OK_FD, ERRS(EBADF, EMFILE) },
	{ SYS_dup2, "dup2", 2, g_fd, OK_FD, ERRS(EBADF, EMFILE, EBUSY, EINTR) },
	{ SYS_dup3, "dup3", 2, g_fd, OK_FD,
	    ERRS(EBADF, EMFILE, EBUSY, EINTR, EINVAL) },
	{ SYS_nanosleep, "nanosleep", 2, g_nanosleep, OK_ZERO,
	    ERRS(EFAULT, EINVAL, EINTR) },
	{ SYS_getpid, "getpid", 1, g_random, OK_SELF, ERRS(0) },
	{ SYS_gettid, "gettid", 1, g_random, OK_SELF, ERRS(0) },
	{ SYS_getppid, "getppid", 1, g_random, OK_PARENT, ERRS(0) },
	{ SYS_getuid, "getuid", 1, g_random, OK_ID, ERRS(0) },
	{ SYS_geteuid, "geteuid", 1, g_random, OK_ID, ERRS(0) },
	{ SYS_getgid, "getgid", 1, g_random, OK_ID, ERRS(0) },
	{ SYS_getegid, "getegid", 1, g_random, OK_ID, ERRS(0) },
	{ SYS_clone, "clone", 2, g_clone, OK_PID,
	    ERRS(EINVAL, ENOMEM, EAGAIN, EPERM, ENOSPC, EUSERS, EEXIST, EBUSY,
	    EFAULT) },
	{ SYS_fork, "fork", 1, g_random, OK_PID, ERRS(EAGAIN, ENOMEM) },
	{ SYS_vfork, "vfork", 1, g_random, OK_PID, ERRS(EAGAIN, ENOMEM) },
	{ SYS_execve, "execve", 1, g_execve, OK_NEVER,
	    ERRS(E2BIG, EACCES, EFAULT, EINVAL, EIO, EISDIR, ELOOP, EMFILE,
	    ENAMETOOLONG, ENOENT, ENOEXEC, ENOMEM, ENOTDIR, EPERM, ETXTBSY) },
	{ SYS_wait4, "wait4", 4, g_wait4, OK_NONNEG,
	    ERRS(ECHILD, EINTR, EINVAL, EFAULT, ESRCH) },
	{ SYS_kill, "kill", 4, g_kill, OK_ZERO, ERRS(EINVAL, EPERM, ESRCH) },
	{ SYS_tkill, "tkill", 2, g_tkill, OK_ZERO, ERRS(EINVAL, EPERM, ESRCH) },
	{ SYS_uname, "uname", 1, g_outptr, OK_ZERO, ERRS(EFAULT) },
	{ SYS_sysinfo, "sysinfo", 1, g_outptr, OK_ZERO, ERRS(EFAULT) },
	{ SYS_ptrace, "ptrace", 5, g_ptrace, OK_ZERO,
	    ERRS(EBUSY, EFAULT, EINVAL, EIO, EPERM, ESRCH) },
	{ SYS_setuid, "setuid", 1, g_setuid, OK_ZERO,
	    ERRS(EINVAL, EPERM, EAGAIN) },
	{ SYS_arch_prctl, "arch_prctl", 2, g_arch_prctl, OK_ZERO,
	    ERRS(EINVAL, EPERM, EFAULT) },
	{ SYS_reboot, "reboot", 1, g_reboot, OK_NEVER,
	    ERRS(EPERM, EINVAL, EFAULT) },
	{ SYS_futex, "futex", 4, g_futex, OK_NONNEG,
	    ERRS(EAGAIN, EFAULT, EINVAL, EINTR, ETIMEDOUT, ENOSYS, EPERM,
	    EDEADLK, ESRCH) },
	{ SYS_getdents64, "getdents64", 2, g_getdents, OK_LEN,
	    ERRS(EBADF, EFAULT, EINVAL, ENOTDIR, ENOENT) },
	{ SYS_set_tid_address, "set_tid_address", 1, g_outptr, OK_SELF,
	    ERRS(0) },
	{ SYS_clock_gettime, "clock_gettime", 2, g_clock, OK_ZERO,
	    ERRS(EFAULT, EINVAL) },
	{ SYS_process_vm_readv, "process_vm_readv", 3, g_process_vm,
	    OK_NONNEG, ERRS(EFAULT, EINVAL, ENOMEM, EPERM, ESRCH) },
	{ SYS_process_vm_writev, "process_vm_writev", 2, g_process_vm,
	    OK_NONNEG, ERRS(EFAULT, EINVAL, ENOMEM, EPERM, ESRCH) },
	{ -1, "unknown", 3, g_unknown, OK_NEVER, ERRS(ENOSYS) },
};
#define FUZZ_NSYS	(sizeof(fuzz_table) / sizeof(fuzz_table[0]))

/* Return the name of system call nr (for reports). */
static const char *
fuzz_name(long nr)
{
	size_t i;

	for (i = 0; i < FUZZ_NSYS; i++)
		if (fuzz_table[i].nr == nr)
			return fuzz_table[i].name;
	return nr == SYS_rt_sigreturn ? "rt_sigreturn" : "unknown";
}

/* Return true if c's result is one s allows. */
static bool
fuzz_result_ok(const struct fuzz_sys *s, const struct fuzz_call *c)
{
	const uint8_t *e;
	long r = c->ret;

	/* Linux hands a MAP_FIXED address in the last page back, as the
	 * "error" it looks like */
	if (s->ok == OK_ADDR && r == (long)c->a[0] && (c->a[3] & F_MAP_FIXED))
		return true;
	if (r < 0 && r >= -4095) {
		for (e = s->errs; *e != 0; e++)
			if (*e == -r)
				return true;
		return false;
	}
	switch (s->ok) {
	case OK_ZERO: return r == 0;
	case OK_NONNEG: return r >= 0;
	case OK_LEN: return r >= 0 && (uint64_t)r <= c->a[2];
	case OK_FD: return r >= 0 && r < (1 << 20);
	case OK_PID: return r > 0 && r < F_NOPID;
	case OK_ADDR:
		return (r & (F_PAGE - 1)) == 0 && (uint64_t)r < F_USER_MAX &&
		    (r != 0 || !fuzz_on_exeunt) &&
		    (!(c->a[3] & F_MAP_FIXED) || (uint64_t)r == c->a[0]);
	case OK_BRK: return r > 0 && (uint64_t)r < F_USER_MAX;
	case OK_SELF: return r == sub.self;
	case OK_PARENT: return r == sub.parent;
	case OK_ID: return r >= 0 && r <= (long)UINT32_MAX;
	default: return false;
	}
}

#endif
