/*
 * fuzz_args.h: where the fuzzer's sub-worker (fuzz.c) draws arguments
 * from, header only, on top of fuzz.h: target pids (and whether a call
 * may harm them), bad addresses, pointers, lengths, memory ranges,
 * descriptors, flag bits, signal numbers, timeouts, iovec arrays and
 * paths, and its own signal handler. "host:" marks a choice that keeps a
 * native run harmless to the machine it runs on.
 *
 * Buffers a call is handed lie in the scratch pages, which the sub-worker
 * never reads or writes itself once it started (a random call may have
 * unmapped them, or written anything there); arguments it builds (iovec
 * arrays, paths, sigactions, registers, timeouts) lie in the prep pages,
 * which no call is pointed at for writing nor aimed at by a memory call.
 * Both end at a PROT_NONE guard page, which stays (a hole could be
 * filled by an mmap, and a transfer would run on into whatever lies
 * above).
 */
#ifndef _USER_FUZZ_ARGS_H_
#define _USER_FUZZ_ARGS_H_

#include "fuzz.h"

/* A target pid for an operation that may harm it (a real signal, a
 * ptrace attach or write, a memory write); *harm says whether that is
 * allowed on this one (else: signal 0, read-only requests). Harm reaches
 * only ourselves, our children until we reap them (a reaped child's or
 * an exited thread's id may be some other process's by now: another
 * sub-worker's, or on Linux any host process's) and, on exeunt, kernel
 * threads. The pids around ours are mostly other sub-workers and their
 * children, starting and exiting all the time: readers race them. */
static pid_t
fuzz_pid(bool *harm)
{
	struct fuzz_kid *k;

	*harm = true;
	switch (fuzz_below(12)) {
	case 0:
		return sub.self;
	case 1: case 2: case 3:
		if (sub.nkids == 0)
			return sub.self;
		k = &sub.kids[fuzz_below(sub.nkids)];
		*harm = !k->reaped;	/* its pid may be another's now */
		return k->pid;
	case 4:		/* host: only pids above any pid_max */
		return fuzz_chance(50) ? F_NOPID + (pid_t)fuzz_below(1 << 20) :
		    (fuzz_chance(50) || !fuzz_on_exeunt ? INT32_MAX : 32768);
	case 5:
		*harm = false;
		return 1;			/* init */
	case 6:
		if (fuzz_nkthreads > 0 && fuzz_chance(70)) {
			*harm = fuzz_on_exeunt;	/* host: never */
			return FUZZ_PICK(fuzz_kthreads);
		}
		*harm = false;
		return 2 + (pid_t)fuzz_below(7);	/* small pids */
	case 7:
		*harm = false;
		return fuzz_chance(50) ? sub.parent :
		    fuzz_ancestors[fuzz_below(fuzz_nancestors)];
	case 8:
		if (sub.ntids > 0) {
			*harm = false;	/* gone: its tid may be another's */
			return sub.tids[fuzz_below(sub.ntids)];
		}
		return sub.self;
	case 9:
		return FUZZ_PICK(((const pid_t[]){ 0, -1, INT32_MIN }));
	default:	/* others of the fuzzer, being born and dying */
		*harm = false;
		return sub.self + (pid_t)fuzz_below(128) - 64;
	}
}

/* ---- pointers, lengths, fds, numbers ---- */

/* Addresses that are never the sub-worker's memory. */
static uint64_t
fuzz_bad_addr(void)
{
	switch (fuzz_below(12)) {
	case 0: return 0;
	case 1: return 1 + fuzz_below(F_PAGE - 1);		/* page 0 */
	case 2: return F_KERNEL_TEXT + (fuzz_below(4096) << 12);
	case 3: return F_KERNEL_TEXT + 0x100000 + fuzz_below(64);
	case 4: return F_DIRECT_MAP + (fuzz_below(1 << 16) << 12);
	case 5: return F_NONCANONICAL + fuzz_below(4) * 8;
	case 6: return F_DIRECT_MAP - 8 - fuzz_below(F_PAGE);
	case 7: return ~0ull - fuzz_below(64);
	case 8: return F_USER_MAX + fuzz_below(F_PAGE);
	default:
		return F_HOLE_LO + (fuzz_below((F_HOLE_HI - F_HOLE_LO) >> 12)
		    << 12) + fuzz_below(2) * fuzz_below(F_PAGE);
	}
}

/* A pointer for the kernel to read (out: or write) through; into a
 * region the sub-worker mapped only if big (which may be huge). */
static uint64_t
fuzz_ptr(bool out, bool big)
{
	uint64_t off = fuzz_below(SCRATCH_PAGES * F_PAGE);

	switch (fuzz_below(20)) {
	case 0: case 1: case 2: case 3: case 4:
		return (uint64_t)sub.scratch + (off & ~7ull);
	case 5: case 6: case 7:
		return (uint64_t)sub.scratch + off;		/* misaligned */
	case 8: case 9:			/* runs into the guard page */
		return (uint64_t)sub.scratch + SCRATCH_PAGES * F_PAGE -
		    1 - fuzz_below(64);
	case 10:
		return (uint64_t)sub.ro + (out ? 0 : fuzz_below(F_PAGE));
	case 11:
		if (big && sub.maps[0] != 0)
			return FUZZ_PICK(sub.maps) + (off & ~7ull);
		/* FALLTHROUGH */
	default:
		return fuzz_bad_addr();
	}
}

/* A length: small, exact, page-sized or huge. */
static uint64_t
fuzz_len(void)
{
	static const uint64_t huge[] = { 0x7ffff000, 0x80000000, 1ull << 47,
	    ~0ull, ~0ull - F_PAGE + 1, 1ull << 63, 0xffffffff };

	switch (fuzz_below(8)) {
	case 0: return 0;
	case 1: return 1 + fuzz_below(16);
	case 2: case 3: return fuzz_below(2 * F_PAGE);
	case 4: return F_PAGE * (1 + fuzz_below(SCRATCH_PAGES + 1));
	case 5: return F_PAGE * fuzz_below(1 << 12) + fuzz_below(2);
	default: return FUZZ_PICK(huge);
	}
}

/* Where a memory call (mmap FIXED, munmap, mprotect, madvise) may aim:
 * scratch, regions it mapped, the empty hole, or no user memory (with
 * fuzz_mem_clip: never the sub-worker's own image, stack, stacks for
 * clones or report page). */
static uint64_t
fuzz_mem_addr(void)
{
	uint64_t a;

	switch (fuzz_below(6)) {
	case 0: a = (uint64_t)sub.scratch + fuzz_below(SCRATCH_PAGES) * F_PAGE;
		break;
	case 1: a = sub.maps[fuzz_below(8)];
		break;
	case 2: a = F_HOLE_LO + (fuzz_below(1 << 20) << 12);
		break;
	default:
		a = fuzz_bad_addr() & ~(F_PAGE - 1);
		if (a == (uint64_t)sub.ro)
			a = 0;
		break;
	}
	return a + (fuzz_chance(10) ? 1 + fuzz_below(F_PAGE - 1) : 0);
}

extern char __executable_start[], _end[];

/* Shorten [*a, *a + *len) so that it ends before any range the
 * sub-worker lives on (its image, its stack, its clones' stacks, its
 * report page, its prepared arguments) or the guard pages that end
 * scratch and prep (a transfer running past scratch must fault there,
 * not reach the pages above); an *a inside one becomes a non-user
 * address. */
static void
fuzz_mem_clip(uint64_t *a, uint64_t *len)
{
	const uint64_t keep[6][2] = {
		{ (uint64_t)__executable_start, (uint64_t)_end },
		{ sub.stack_lo, sub.stack_hi },
		{ (uint64_t)sub.stacks, (uint64_t)sub.stacks +
		    STACK_SLOTS * F_PAGE },
		{ (uint64_t)sub.slot, (uint64_t)sub.slot + F_PAGE },
		{ (uint64_t)sub.prep, (uint64_t)sub.prep +
		    (PREP_PAGES + 1) * F_PAGE },
		{ (uint64_t)sub.scratch + SCRATCH_PAGES * F_PAGE,
		    (uint64_t)sub.scratch + (SCRATCH_PAGES + 1) * F_PAGE },
	};
	int i;

	for (i = 0; i < 6; i++) {
		if (*a >= keep[i][0] && *a < keep[i][1])
			*a = F_KERNEL_TEXT;
		else if (*a < keep[i][0] && *len > keep[i][0] - *a)
			*len = (keep[i][0] - *a) & ~(F_PAGE - 1);
	}
}

/* A file descriptor: one of ours, or not one at all. */
static uint64_t
fuzz_fd(void)
{
	if (sub.nfds > 0 && fuzz_chance(75))
		return (uint64_t)sub.fds[fuzz_below(sub.nfds)];
	return FUZZ_PICK(((const uint64_t[]){ -1ull, 0, 1, 2, 127, 128, 1023,
	    1024, 1 << 20, INT32_MAX, 1ull << 32, fuzz_below(64) }));
}

/* Random bits: often few, sometimes all. */
static uint64_t
fuzz_bits(void)
{
	switch (fuzz_below(5)) {
	case 0: return 0;
	case 1: return 1ull << fuzz_below(64);
	case 2: return fuzz_rand() & fuzz_rand() & fuzz_rand();
	case 3: return ~0ull;
	default: return fuzz_rand();
	}
}

/* A signal number, mostly valid. */
static uint64_t
fuzz_signo(void)
{
	if (fuzz_chance(90))
		return fuzz_below(65);
	return FUZZ_PICK(((const uint64_t[]){ 65, 128, -1ull, 1ull << 32 | 9,
	    INT32_MAX }));
}

/* A signal to send to ourselves: mostly one that does not end us. */
static uint64_t
fuzz_self_signo(void)
{
	if (fuzz_chance(5))
		return fuzz_signo();
	return FUZZ_PICK(((const uint64_t[]){ 0, SIGCHLD, SIGURG, SIGWINCH,
	    SIGCONT, SIGUSR1, SIGUSR2 }));
}

/* A relative timeout: short, invalid, or a bad pointer. */
static uint64_t
fuzz_timespec(void)
{
	int64_t *ts = (int64_t *)(sub.prep + PREP_MISC + 16 * fuzz_below(8));

	switch (fuzz_below(6)) {
	case 0: case 1: case 2:
		ts[0] = 0;
		ts[1] = (int64_t)fuzz_below(2000000);		/* < 2 ms */
		return (uint64_t)ts;
	case 3:
		ts[0] = fuzz_chance(50) ? -1 : 0;
		ts[1] = fuzz_chance(50) ? 1000000000 : -1;	/* invalid */
		return (uint64_t)ts;
	default:
		return fuzz_bad_addr();
	}
}

/* An iovec array (at prep + where, or a bad pointer) and its count in
 * *cnt. */
static uint64_t
fuzz_iov(size_t where, bool out, bool big, uint64_t *cnt)
{
	uint64_t *v = (uint64_t *)(sub.prep + where + 16 * fuzz_below(32));
	uint64_t n = fuzz_below(8), i;

	for (i = 0; i < n; i++) {
		v[2 * i] = fuzz_ptr(out, big);
		v[2 * i + 1] = big || fuzz_chance(10) ? fuzz_len() :
		    fuzz_below(2 * F_PAGE);
	}
	*cnt = fuzz_chance(90) ? n : FUZZ_PICK(((const uint64_t[]){ 1024,
	    1025, -1ull, 1ull << 32 | 1 }));
	return fuzz_chance(90) ? (uint64_t)v : fuzz_bad_addr();
}

/* A path: real, missing, too long, unterminated, random or no string;
 * *mem says whether it names a /proc/<pid>/mem. */
static uint64_t
fuzz_path(bool exec, bool *mem)
{
	static const char *const names[] = { "/", "/proc", "/proc/self",
	    "/proc/self/maps", "/proc/self/status", "/proc/self/cmdline",
	    "/proc/meminfo", "/proc/exeunt", "/tests", "/dev", "",
	    "/nonexistent", "/proc/self/maps/x", "//proc//self/", "." };
	static const char *const files[] = { "mem", "maps", "cmdline",
	    "status" };
	char *p = sub.prep + PREP_PATH;
	const char *file = FUZZ_PICK(files);
	bool harm;

	*mem = false;
	switch (fuzz_below(exec ? 4 : 6)) {
	case 0:
		if (!exec) {
			snprintf(p, 64, "/proc/%d/%s", (int)fuzz_pid(&harm),
			    file);
			*mem = file == files[0];
			return (uint64_t)p;
		}
		/* FALLTHROUGH */
	case 1: case 2:
		return (uint64_t)FUZZ_PICK(names);
	case 3:
		memset(p, 'a', F_PAGE + 8);		/* ENAMETOOLONG */
		p[F_PAGE + 8] = '\0';
		return (uint64_t)p;
	case 4:					/* runs into the guard */
		p = sub.prep + PREP_PAGES * F_PAGE - 16;
		memset(p, '/', 16);
		return (uint64_t)p;
	default:
		return fuzz_ptr(false, false);		/* random bytes */
	}
}

/* Read the word at p (of ours, maybe unmapped by now) into *v without
 * touching it ourselves; return true if it could be read. */
static bool
fuzz_peek32(uint64_t p, uint32_t *v)
{
	uint64_t local[2] = { (uint64_t)v, 4 }, remote[2] = { p, 4 };

	return fuzz_raw(SYS_process_vm_readv, sub.self, (uint64_t)local, 1,
	    (uint64_t)remote, 1, 0) == 4;
}

/* Our handler: nothing, except for a fault's signal, whose action goes
 * back to the default (returning re-runs the faulting instruction: a
 * fault would otherwise come back for ever; now it ends us). */
static void
fuzz_handler(int sig)
{
	const uint64_t dfl[4] = { 0, F_SA_RESTORER, sub.restorer, 0 };

	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL ||
	    sig == SIGFPE || sig == SIGTRAP)
		fuzz_raw(SYS_rt_sigaction, sig, (uint64_t)dfl, 0, 8, 0, 0);
}

#endif
