/*
 * fuzz.h: what the parts of the system call fuzzer (fuzz.c) share,
 * header only: the report page a sub-worker fills for its worker, random
 * numbers, raw system calls (and the clone that leaves its child no
 * stack to use), the landing pad of forged register sets, the pids of
 * init, our ancestors and the kernel threads, and the sub-worker's own
 * state. fuzz_args.h draws arguments, fuzz_calls.h has the calls;
 * fuzz.c's top comment says what is fuzzed, what is left out and why.
 *
 * A sub-worker is one process with one thread making the calls (threads
 * it clones soon exit); its report page (struct fuzz_slot) is shared
 * with its worker, which reads it only after the sub-worker is gone.
 */
#ifndef _USER_FUZZ_H_
#define _USER_FUZZ_H_

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>

#include "ktest.h"

#ifndef MIN
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#endif

#define FUZZ_EXIT_OK	90	/* a sub-worker made all its calls */
#define FUZZ_EXIT_FAIL	91	/* ... found a wrong result (slot->bad) */
#define FUZZ_EXIT_EXEC	12	/* the fuzzer exec'ed with FUZZ_EXEC_ARG */
#define FUZZ_EXIT_LANDED 13	/* a forged signal frame's landing pad */
#define FUZZ_EXEC_ARG	"fuzz-exec-exit"
#define FUZZ_MAX_KIDS	64
#define FUZZ_HIST	16	/* calls a report shows */

#define F_PAGE		4096ul
#define F_USER_MAX	0x00007ffffffff000ul
#define F_KERNEL_TEXT	0xffffffff80000000ul
#define F_DIRECT_MAP	0xffff800000000000ul
#define F_NONCANONICAL	0x0000800000000000ul
#define F_HOLE_LO	0x100000000000ul	/* nothing maps in [LO, HI) */
#define F_HOLE_HI	0x3d0000000000ul
#define F_NOPID		4194305			/* above any pid_max */
#define SCRATCH_PAGES	4
#define STACK_SLOTS	8			/* clone children's stacks */
#define PREP_PAGES	3			/* arguments built for a call */
#define PREP_IOV0	0			/* ... their places in it */
#define PREP_IOV1	1024
#define PREP_MISC	2048
#define PREP_PATH	F_PAGE

/* Linux's values of flags the generators and the loop use */
#define F_MAP_FIXED	0x10
#define F_MAP_HOSTBAD	(0x2000 | 0x8000 | 0x40000)	/* LOCKED POPULATE HUGETLB */
#define F_CLONE_VM	0x100
#define F_CLONE_VFORK	0x4000
#define F_CLONE_PTRACE	0x2000
#define F_CLONE_PARENT	0x8000
#define F_CLONE_THREAD	0x10000
#define F_CLONE_THREAD_NEEDS	0x10f00		/* VM FS FILES SIGHAND THREAD */
#define F_WNOHANG	1
#define F_WALL		0x40000000
#define F_SA_RESTORER	0x04000000
#define F_SA_NOCLDWAIT	2
#define F_ARCH_SET_FS	0x1002
#define F_ARCH_GET_FS	0x1003

/* One call: number, arguments, result; where it was made. */
struct fuzz_call {
	uint64_t	seed;		/* the sub-worker's */
	uint64_t	index;		/* its call number */
	long		nr;
	uint64_t	a[6];
	long		ret;
};

/* A sub-worker's report page (MAP_SHARED with its worker). */
struct fuzz_slot {
	uint64_t	ncalls;		/* to make */
	uint64_t	calls;		/* made and returned */
	uint64_t	sigs;		/* bit s - 1: signal s may end it */
	uint32_t	exits;		/* bit c: exit status c may end it */
	int		nkids;
	pid_t		kids[FUZZ_MAX_KIDS];	/* its children */
	struct fuzz_call last;		/* the last one made (index calls: in
					 * flight) */
	struct fuzz_call hist[FUZZ_HIST];	/* returned: at index % HIST */
	struct fuzz_call bad;		/* the call with a wrong result */
};

static bool fuzz_on_exeunt;		/* set by fuzz_targets_init */
static const char *fuzz_self;		/* this program's path */

/* ---- random numbers (splitmix64) ---- */

static uint64_t fuzz_state;

/* Mix a and b into 64 random-looking bits (splitmix64's finalizer). */
static inline uint64_t
fuzz_mix(uint64_t a, uint64_t b)
{
	uint64_t z = a + 0x9e3779b97f4a7c15ull * (b + 1);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void fuzz_srand(uint64_t seed) { fuzz_state = seed; }
static inline uint64_t fuzz_rand(void) { return fuzz_mix(fuzz_state++, 0); }
static inline uint64_t fuzz_below(uint64_t n) { return n ? fuzz_rand() % n : 0; }
static inline bool fuzz_chance(int percent) { return fuzz_below(100) < (uint64_t)percent; }
#define FUZZ_PICK(a)	((a)[fuzz_below(sizeof(a) / sizeof((a)[0]))])

/* ---- raw system calls ---- */

/* System call nr with six arguments; return the kernel's answer as is
 * (-errno for an error), with no libc in the way. */
static inline long
fuzz_raw(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
    uint64_t a4, uint64_t a5)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a0), "S"(a1),
	    "d"(a2), "r"(r10), "r"(r8), "r"(r9) : "rcx", "r11", "memory");
	return ret;
}

/* clone/vfork whose child (a process or a thread) calls sched_yield
 * spins times and exits, touching no memory (it may share ours and our
 * stack); return what the parent got. */
static inline long
fuzz_raw_spawn(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
    uint64_t a3, uint64_t a4, uint64_t spins)
{
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r12 __asm__("r12") = spins;
	long ret;

	__asm__ volatile(
	    "syscall\n\t"
	    "testq	%%rax, %%rax\n\t"
	    "jnz	2f\n"
	    "1:\n\t"
	    "testq	%%r12, %%r12\n\t"
	    "jz	3f\n\t"
	    "movl	%[yield], %%eax\n\t"
	    "syscall\n\t"
	    "decq	%%r12\n\t"
	    "jmp	1b\n"
	    "3:\n\t"
	    "movl	%[exit], %%eax\n\t"
	    "xorl	%%edi, %%edi\n\t"
	    "syscall\n\t"
	    "ud2\n"
	    "2:"
	    : "=a"(ret), "+r"(r12) : "a"(nr), "D"(a0), "S"(a1), "d"(a2),
	      "r"(r10), "r"(r8), [exit] "i"(SYS_exit),
	      [yield] "i"(SYS_sched_yield) : "rcx", "r11", "memory");
	return ret;
}

#define F_STR(x)	F_STR1(x)
#define F_STR1(x)	#x

/* Where forged signal frames and SETREGS send a thread:
 * exit_group(FUZZ_EXIT_LANDED), using no memory. */
__asm__(".text\n"
    "fuzz_landing:\n\t"
    "movl	$" F_STR(SYS_exit_group) ", %eax\n\t"
    "movl	$" F_STR(FUZZ_EXIT_LANDED) ", %edi\n\t"
    "syscall\n\t"
    "ud2\n");
extern char fuzz_landing[];

#define F_RAW_EXIT(code)	fuzz_raw(SYS_exit_group, (code), 0, 0, 0, 0, 0)

/* ---- targets: pids ---- */

static pid_t fuzz_ancestors[2];		/* the fuzz case and the test */
static int fuzz_nancestors;
static pid_t fuzz_kthreads[16];		/* from /proc */
static int fuzz_nkthreads;

/* Return true if /proc/<pid> is a kernel thread: "Kthread: 1" in its
 * status, or (Linux) PF_KTHREAD in its stat flags. */
static bool
fuzz_is_kthread(int pid)
{
	char path[64], buf[1024], *p;
	unsigned long flags;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	if (strstr(buf, "Kthread:\t1") != NULL)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	/* flags: the 9th field, 6 after the ")" that ends the name */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return (flags & 0x00200000) != 0;	/* PF_KTHREAD */
}

/* Once, in the fuzz case: which kernel this is, our ancestors, the
 * kernel threads /proc lists. */
static void
fuzz_targets_init(void)
{
	struct utsname u;
	struct dirent *d;
	DIR *dir;
	int pid;

	fuzz_on_exeunt = uname(&u) == 0 && strcmp(u.sysname, "exeunt") == 0;
	fuzz_ancestors[fuzz_nancestors++] = getpid();
	fuzz_ancestors[fuzz_nancestors++] = getppid();
	if ((dir = opendir("/proc")) == NULL)
		return;
	while ((d = readdir(dir)) != NULL && fuzz_nkthreads < 16)
		if ((pid = atoi(d->d_name)) > 1 && fuzz_is_kthread(pid))
			fuzz_kthreads[fuzz_nkthreads++] = pid;
	closedir(dir);
}

/* ---- the sub-worker's state (its own, set up by fuzz_sub) ---- */

struct fuzz_kid {
	pid_t	pid;
	bool	reaped;		/* by our wait4: its pid may be reused */
};

static struct {
	struct fuzz_slot *slot;
	pid_t		self, parent;
	char		*scratch;	/* SCRATCH_PAGES, then a PROT_NONE page */
	char		*prep;		/* PREP_PAGES, then a PROT_NONE page */
	char		*ro;		/* a read-only page */
	char		*stacks;	/* STACK_SLOTS pages */
	int		stack_next;
	uint64_t	stack_lo, stack_hi;	/* around its stack pointer */
	uint64_t	fsbase;
	uint64_t	restorer;	/* libc's sa_restorer */
	int		fds[32];
	int		nfds;
	struct fuzz_kid	kids[FUZZ_MAX_KIDS];
	int		nkids;
	pid_t		tids[16];	/* threads it cloned (all gone soon) */
	int		ntids;
	uint64_t	maps[8];	/* regions it mmap'ed */
} sub;

/* Remember that signal sig may end the sub-worker. */
static void
fuzz_may_die(uint64_t sig)
{
	if (sig >= 1 && sig <= 64)
		sub.slot->sigs |= 1ull << (sig - 1);
}

#endif
