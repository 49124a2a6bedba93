/*
 * fuzz: random system calls with random and adversarial arguments, from
 * several processes at once; the kernel must answer every one with a
 * valid result or an errno Linux could give for that call, and never
 * panic or hang (after the run, init's and the boot's accounting check
 * that every counter came back). Seeded by EXEUNT_SEED (printed:
 * "# fuzz: seed S"), bounded by a count: FUZZ_UNIT calls per unit of
 * EXEUNT_STRESS (default 1), shared by N workers (at least 4, at least
 * one per CPU), each seeded from S and its index; the total is printed
 * at the end ("# fuzz: C syscalls"). As a safety net against init's
 * per-test timeout, no sub-worker starts after TIME_BUDGET_S (said in a
 * diagnostic; the count then tells how far it got).
 *
 * Arguments (fuzz_args.h): the kernel's image and direct map,
 * non-canonical addresses, page 0, unmapped and read-only pages,
 * misaligned pointers and buffers running into a guard page, huge
 * and zero lengths, random and boundary flags, signal numbers, fds and
 * clock ids, and the pids of init, of kernel threads (from /proc), of
 * children alive, dying or reaped, of other sub-workers coming and
 * going, and of no process; unknown system call numbers must give
 * ENOSYS. What would end the test itself is left out, by design:
 * exit/exit_group (a sub-worker's end is its own), reboot with its real
 * magic, execve of any program but this one (which, given the marker
 * argument, exits at once: exec is exercised, nothing else runs), kill
 * of -1, of a process group, or of anything but the sub-worker and its
 * own children with a real signal, ptrace attach or memory writes to
 * anything else, an FS base of garbage (it would break the sub-worker's
 * own TLS), CLONE_PARENT and CLONE_PTRACE (the worker would get a child).
 *
 * Containment: each worker runs the calls in short-lived forked
 * sub-workers of SUB_CALLS_MIN..MAX calls (SIGKILLed by the worker if
 * one is still there after SUB_TIMEOUT_S, since a random sleep, futex
 * wait or wait4 may legitimately block), so a random munmap or a garbage
 * signal handler damages only a sub-worker; memory calls never aim at
 * its code, stack, prepared arguments or report page. A sub-worker
 * writes its progress, its last calls and the one in flight, the signals
 * and exits its calls made possible and its children to its report page
 * (MAP_SHARED with the worker); the worker accepts its end only as a
 * normal exit, an exit those calls allow, or death by SIGKILL or by a
 * signal they made possible, and reports the calls otherwise. A wrong
 * result is reported with the call, its arguments and the sub-worker's
 * seed; "fuzz --sub SEED N" (from the shell) replays that sub-worker
 * alone, which reproduces it unless it needed the others running.
 *
 * On Linux it runs natively with host-safe choices only (it checks
 * uname): opens read-only, ioctls that only read, no madvise that
 * poisons or populates, no mmap population or locking, no system call
 * number Linux implements as an "unknown" one, harm (above) only to its
 * own processes; each sub-worker calls setsid first, so its children
 * form a group the worker can kill as a whole.
 *
 * The parts: fuzz.h (what they share), fuzz_args.h (arguments),
 * fuzz_calls.h (the calls and their checks); here, a sub-worker's loop,
 * a worker, and the test's cases.
 */
#include "ktest.h"
#include "fuzz_calls.h"

#define FUZZ_UNIT	20000	/* calls per unit of EXEUNT_STRESS */
#define MIN_WORKERS	4
#define MAX_WORKERS	16
#define SUB_CALLS_MIN	32
#define SUB_CALLS_MAX	256
#define SUB_TIMEOUT_S	10	/* containment, not a verdict */
#define POLL_NS		5000000	/* the worker's wait for a sub-worker */
#define MAX_REPORTS	8	/* failures printed per worker */
#define TIME_BUDGET_S	40	/* no new sub-worker after that: init kills
				 * a test at 60 s (a safety net, not a
				 * verdict; the count says what was done) */

/* One worker's tally, in the page the parent shares with all workers. */
struct fuzz_tally {
	uint64_t	calls;
	uint64_t	subs;		/* sub-workers run */
	uint64_t	killed;		/* ended by SIGKILL */
	uint64_t	signaled;	/* by another signal they allowed */
	uint64_t	special;	/* exec'ed or landed (sigreturn) */
	uint64_t	hung;		/* stopped by the watchdog */
	uint64_t	failures;
	bool		cut;		/* stopped by TIME_BUDGET_S */
};

static struct fuzz_tally *tallies;	/* [MAX_WORKERS], MAP_SHARED */

/* ---- a sub-worker ---- */

/* Return true if our child pid is no more (a wait4 that reported it may
 * have reaped it, or only reported a stop); reap it if it just died. */
static bool
fuzz_gone(pid_t pid)
{
	int status = 0;
	long r = fuzz_raw(SYS_wait4, pid, (uint64_t)&status, F_WNOHANG | F_WALL,
	    0, 0, 0);

	return r == -ECHILD || (r == pid && !WIFSTOPPED(status) &&
	    !WIFCONTINUED(status));
}

/* Remember a descriptor, a child or a mapping a successful call made,
 * or a child a wait4 reaped (even one that failed to store its status). */
static void
fuzz_note(const struct fuzz_call *c)
{
	int *fds = (int *)c->a[0];
	struct fuzz_kid *k;

	if (c->ret < 0 && c->nr != SYS_wait4)
		return;
	switch (c->nr) {
	case SYS_open: case SYS_dup: case SYS_dup2: case SYS_dup3:
		sub.fds[sub.nfds < 32 ? sub.nfds++ : (int)fuzz_below(32)] =
		    (int)c->ret;
		break;
	case SYS_pipe: case SYS_pipe2:
		/* a blocking pipe would block us for good: its ends go */
		for (int i = 0; i < 2; i++)
			if (c->nr == SYS_pipe || !(c->a[1] & O_NONBLOCK))
				fuzz_raw(SYS_close, fds[i], 0, 0, 0, 0, 0);
			else
				sub.fds[sub.nfds < 32 ? sub.nfds++ :
				    (int)fuzz_below(32)] = fds[i];
		break;
	case SYS_mmap:
		sub.maps[fuzz_below(8)] = (uint64_t)c->ret;
		break;
	case SYS_clone: case SYS_fork: case SYS_vfork:
		if (c->nr == SYS_clone && (c->a[0] & F_CLONE_THREAD)) {
			sub.tids[sub.ntids < 16 ? sub.ntids++ :
			    (int)fuzz_below(16)] = (pid_t)c->ret;
			break;
		}
		k = &sub.kids[sub.nkids++];
		k->pid = (pid_t)c->ret;
		k->reaped = false;
		sub.slot->kids[sub.slot->nkids++] = k->pid;
		break;
	case SYS_wait4:
		for (k = sub.kids; k < sub.kids + sub.nkids; k++)
			if (!k->reaped && (k->pid == c->ret ||
			    (k->pid == (pid_t)c->a[0] && c->ret == -EFAULT)))
				k->reaped = fuzz_gone(k->pid);
		break;
	}
}

/* A forked child of a sub-worker: linger a little, then exit. */
static void __attribute__((noreturn))
fuzz_linger(void)
{
	uint64_t n = fuzz_below(8);

	while (n-- > 0)
		fuzz_raw(SYS_sched_yield, 0, 0, 0, 0, 0, 0);
	F_RAW_EXIT(fuzz_below(128));
	__builtin_unreachable();
}

/* rt_sigreturn through a forged frame in scratch: random registers, the
 * landing pad, a valid stack, a random or no FPU image. Ends the
 * sub-worker (exit FUZZ_EXIT_LANDED, or a signal); a return is wrong. */
static void __attribute__((noreturn))
fuzz_sigreturn(uint64_t seed, uint64_t index)
{
	uint64_t *uc = (uint64_t *)(sub.prep + F_PAGE), *r = uc + 5;
	int i;

	for (i = 0; i < 38; i++)
		uc[i] = fuzz_chance(50) ? 0 : fuzz_rand();
	r[16] = (uint64_t)fuzz_landing;
	r[15] = (uint64_t)sub.stacks + F_PAGE - 64;
	if (fuzz_chance(70))
		r[18] = 0x33 | 0x2bull << 48;		/* cs, ss */
	r[23] = FUZZ_PICK(((const uint64_t[]){ 0, 0, fuzz_bad_addr(),
	    (uint64_t)sub.scratch + 2 * F_PAGE }));
	sub.slot->exits |= 1u << FUZZ_EXIT_LANDED;
	fuzz_may_die(SIGSEGV);
	fuzz_may_die(SIGBUS);
	fuzz_may_die(SIGTRAP);
	sub.slot->last = (struct fuzz_call){ .seed = seed, .index = index,
	    .nr = SYS_rt_sigreturn, .a = { (uint64_t)uc } };
	sub.slot->bad = sub.slot->last;		/* if it returns */
	__asm__ volatile("movq %0, %%rsp\n\t"
	    "movl %1, %%eax\n\t"
	    "syscall\n\t"
	    "movl %2, %%eax\n\t"
	    "movl %3, %%edi\n\t"
	    "syscall"
	    :: "r"(uc), "i"(SYS_rt_sigreturn), "i"(SYS_exit_group),
	    "i"(FUZZ_EXIT_FAIL) : "memory");
	__builtin_unreachable();
}

/* Pick a call by weight. */
static const struct fuzz_sys *
fuzz_pick(void)
{
	static int total;
	int w;
	size_t i;

	if (total == 0)
		for (i = 0; i < FUZZ_NSYS; i++)
			total += fuzz_table[i].weight;
	w = (int)fuzz_below(total);
	for (i = 0; w >= fuzz_table[i].weight; i++)
		w -= fuzz_table[i].weight;
	return &fuzz_table[i];
}

/* Make call number index: generate, report, call, check, note. */
static void
fuzz_one(uint64_t seed, uint64_t index)
{
	const struct fuzz_sys *s = fuzz_pick();
	struct fuzz_call c = { .seed = seed, .index = index, .nr = s->nr };

	if ((s->nr == SYS_fork || s->nr == SYS_vfork || s->nr == SYS_clone) &&
	    sub.nkids >= FUZZ_MAX_KIDS)
		s = &fuzz_table[0];
	c.nr = s->nr;
	s->gen(&c);
	sub.slot->last = c;
	if (c.nr == SYS_clone || c.nr == SYS_vfork)
		c.ret = fuzz_raw_spawn(c.nr, c.a[0], c.a[1], c.a[2], c.a[3],
		    c.a[4], fuzz_below(8));
	else
		c.ret = fuzz_raw(c.nr, c.a[0], c.a[1], c.a[2], c.a[3], c.a[4],
		    c.a[5]);
	if (c.nr == SYS_fork && c.ret == 0)
		fuzz_linger();
	sub.slot->hist[index % FUZZ_HIST] = c;
	sub.slot->calls = index + 1;
	if (!fuzz_result_ok(s, &c)) {
		sub.slot->bad = c;
		F_RAW_EXIT(FUZZ_EXIT_FAIL);
	}
	fuzz_note(&c);
}

/* Reap the children that have died (each orphan would be one more line
 * in init's log). */
static void
fuzz_reap_dead(void)
{
	struct fuzz_kid *k;
	int status;
	long r;

	while ((r = fuzz_raw(SYS_wait4, -1ull, (uint64_t)&status,
	    F_WNOHANG | F_WALL, 0, 0, 0)) > 0)
		for (k = sub.kids; k < sub.kids + sub.nkids; k++)
			if (k->pid == r && !WIFSTOPPED(status) &&
			    !WIFCONTINUED(status))
				k->reaped = true;
}

/* Kill and reap every child we may still kill (not those we lost the
 * right to signal with a setuid: the worker kills them); the end of a
 * sub-worker. */
static void
fuzz_reap_all(void)
{
	struct fuzz_kid *k;
	int status, killed = 0;
	long r;

	for (k = sub.kids; k < sub.kids + sub.nkids; k++)
		if (!k->reaped && fuzz_raw(SYS_kill, k->pid, SIGKILL, 0, 0, 0,
		    0) == 0)
			killed++;
	while (killed > 0 && (r = fuzz_raw(SYS_wait4, -1ull,
	    (uint64_t)&status, F_WALL, 0, 0, 0)) > 0)
		for (k = sub.kids; k < sub.kids + sub.nkids; k++)
			if (k->pid == r && !k->reaped && !WIFSTOPPED(status) &&
			    !WIFCONTINUED(status)) {
				k->reaped = true;
				killed--;
			}
}

/* A sub-worker: set up, make n calls, reap, exit FUZZ_EXIT_OK. */
static void __attribute__((noreturn))
fuzz_sub(struct fuzz_slot *slot, uint64_t seed, uint64_t n)
{
	uint64_t i, old[4];
	int fds[2];

	fuzz_srand(seed);
	memset(&sub, 0, sizeof(sub));
	sub.slot = slot;
	slot->ncalls = n;
	sub.self = getpid();
	sub.parent = getppid();
	sub.stack_lo = ((uint64_t)&fds & ~(F_PAGE - 1)) - (1ul << 20);
	sub.stack_hi = MIN((uint64_t)&fds + (16ul << 20), F_USER_MAX);
	if (!fuzz_on_exeunt)
		setsid();
	for (i = 0; i < 3; i++)		/* all a worker has */
		close((int)i);
	sub.scratch = mmap(NULL, (SCRATCH_PAGES + 1) * F_PAGE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sub.ro = mmap(NULL, F_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	sub.stacks = mmap(NULL, STACK_SLOTS * F_PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	sub.prep = mmap(NULL, (PREP_PAGES + 1) * F_PAGE,
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sub.scratch == MAP_FAILED || sub.ro == MAP_FAILED ||
	    sub.stacks == MAP_FAILED || sub.prep == MAP_FAILED ||
	    mprotect(sub.scratch + SCRATCH_PAGES * F_PAGE, F_PAGE,
	    PROT_NONE) != 0 ||
	    mprotect(sub.prep + PREP_PAGES * F_PAGE, F_PAGE, PROT_NONE) != 0)
		F_RAW_EXIT(FUZZ_EXIT_OK);	/* out of memory: nothing done */
	for (i = 0; i < SCRATCH_PAGES * F_PAGE / 8; i++)
		((uint64_t *)sub.scratch)[i] = fuzz_rand();
	for (i = 0; i < 2; i++)
		if (pipe2(fds, O_NONBLOCK) == 0) {
			sub.fds[sub.nfds++] = fds[0];
			sub.fds[sub.nfds++] = fds[1];
		}
	if ((sub.fds[sub.nfds] = open("/", O_RDONLY | O_DIRECTORY)) >= 0)
		sub.nfds++;
	if ((sub.fds[sub.nfds] = open("/proc/self/maps", O_RDONLY)) >= 0)
		sub.nfds++;
	signal(SIGUSR1, fuzz_handler);
	signal(SIGUSR2, fuzz_handler);
	fuzz_raw(SYS_rt_sigaction, SIGUSR1, 0, (uint64_t)old, 8, 0, 0);
	sub.restorer = old[2];
	fuzz_raw(SYS_arch_prctl, F_ARCH_GET_FS, (uint64_t)&sub.fsbase, 0, 0, 0,
	    0);
	for (i = 0; i < n; i++) {
		if (fuzz_chance(1) && fuzz_chance(20))
			fuzz_sigreturn(seed, i);
		fuzz_one(seed, i);
		fuzz_reap_dead();
	}
	fuzz_reap_all();
	F_RAW_EXIT(FUZZ_EXIT_OK);
	__builtin_unreachable();
}

/* ---- a worker ---- */

/* Say what a sub-worker's call was. */
static void
call_print(const char *what, const struct fuzz_call *c)
{
	kt_diag("%s: sub-worker seed %#lx call %lu: %s [%#lx](%#lx, %#lx, "
	    "%#lx, %#lx, %#lx, %#lx) = %ld", what, (unsigned long)c->seed,
	    (unsigned long)c->index, fuzz_name(c->nr), (unsigned long)c->nr,
	    (unsigned long)c->a[0], (unsigned long)c->a[1],
	    (unsigned long)c->a[2], (unsigned long)c->a[3],
	    (unsigned long)c->a[4], (unsigned long)c->a[5], c->ret);
}

/* Say what a sub-worker's last calls were, and the one in flight. */
static void
hist_print(const struct fuzz_slot *slot)
{
	uint64_t i, n = MIN(slot->calls, slot->ncalls);

	for (i = n > FUZZ_HIST ? n - FUZZ_HIST : 0; i < n; i++)
		call_print("call", &slot->hist[i % FUZZ_HIST]);
	if (slot->last.index == n && n < slot->ncalls)
		call_print("in flight", &slot->last);
}

/* A stopped sub-worker: a tracee of ours (it ran PTRACE_TRACEME) goes on
 * with the signal that stopped it, unless that is a stop or the exec
 * trap; a plain stop is continued. */
static void
sub_continue(pid_t pid, int status)
{
	int sig = WSTOPSIG(status);

	if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	    sig == SIGTTOU || sig == SIGTRAP)
		sig = 0;
	if (syscall(SYS_ptrace, 7 /* PTRACE_CONT */, pid, 0, sig) != 0)
		kill(pid, SIGCONT);
}

/* Wait for sub-worker pid, continuing its stops, killing it after
 * SUB_TIMEOUT_S; return its wait status and whether it was killed so. */
static int
sub_wait(pid_t pid, bool *hung)
{
	struct timespec poll = { 0, POLL_NS }, start, now;
	int status;
	pid_t r;

	*hung = false;
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		r = waitpid(pid, &status, WNOHANG | WUNTRACED);
		if (r == pid && WIFSTOPPED(status)) {
			sub_continue(pid, status);
			continue;
		}
		if (r == pid)
			return status;
		if (r < 0 && errno != EINTR) {
			kt_diag("waitpid %d: %s", (int)pid, strerror(errno));
			kt_failed = true;
			return 0;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!*hung && now.tv_sec - start.tv_sec >= SUB_TIMEOUT_S) {
			*hung = true;
			kill(pid, SIGKILL);
		}
		nanosleep(&poll, NULL);
	}
}

/* Kill what a sub-worker left: its children (on Linux its process
 * group, which no other process can join; on exeunt, which has no
 * groups, the pids it recorded, which only the fuzzer's own processes
 * can have been given since). */
static void
sub_cleanup(pid_t pid, const struct fuzz_slot *slot)
{
	int i;

	if (!fuzz_on_exeunt) {
		kill(-pid, SIGKILL);
		return;
	}
	for (i = 0; i < slot->nkids && i < FUZZ_MAX_KIDS; i++)
		kill(slot->kids[i], SIGKILL);
}

/* Judge how a sub-worker ended; count it in t. Return false (and say
 * why) if the end was not one its calls allow. */
static bool
sub_judge(int status, bool hung, const struct fuzz_slot *slot,
    struct fuzz_tally *t)
{
	char why[64];
	int code;

	if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
		if (code == FUZZ_EXIT_OK)
			return true;
		if (code == FUZZ_EXIT_FAIL) {
			hist_print(slot);
			call_print("wrong result", &slot->bad);
			return false;
		}
		if (code < 32 && (slot->exits & (1u << code))) {
			t->special++;
			return true;
		}
	} else if (WIFSIGNALED(status)) {
		if (WTERMSIG(status) == SIGKILL) {
			t->killed++;
			t->hung += hung;
			if (hung && t->hung <= MAX_REPORTS)
				hist_print(slot);
			if (hung && t->hung <= MAX_REPORTS)
				kt_diag("killed by the watchdog %s",
				    slot->calls < slot->ncalls ? "(a call in "
				    "flight or a fault loop)" : "while reaping "
				    "its children");
			return true;
		}
		if (slot->sigs & (1ull << (WTERMSIG(status) - 1))) {
			t->signaled++;
			return true;
		}
	}
	hist_print(slot);
	kt_diag("sub-worker %s, not an end its calls allow (signals %#llx, "
	    "exits %#x)", kt_status_str(status, why, sizeof(why)),
	    (unsigned long long)slot->sigs, slot->exits);
	return false;
}

/* Run one sub-worker with seed for n calls and judge its end; return
 * whether it ended well. */
static bool
sub_run(struct fuzz_slot *slot, uint64_t seed, uint64_t n,
    struct fuzz_tally *t)
{
	bool hung;
	pid_t pid;
	int status;

	memset(slot, 0, sizeof(*slot));
	fflush(stdout);
	if ((pid = fork()) < 0) {
		kt_diag("fork: %s", strerror(errno));
		_exit(KT_EXIT_FAIL);
	}
	if (pid == 0) {
		if (tallies != NULL)	/* nothing of the worker's to hit */
			munmap(tallies, MAX_WORKERS * sizeof(*tallies));
		fuzz_sub(slot, seed, n);	/* does not return */
	}
	status = sub_wait(pid, &hung);
	sub_cleanup(pid, slot);
	t->subs++;
	t->calls += MIN(slot->calls, n);
	return sub_judge(status, hung, slot, t);
}

/* Worker w: run sub-workers until its share of budget calls is made,
 * or TIME_BUDGET_S after start. */
static void
worker(int w, uint64_t seed, uint64_t budget, const struct timespec *start)
{
	struct fuzz_tally *t = &tallies[w];
	struct fuzz_slot *slot;
	struct timespec now;
	uint64_t sub_seed, n;

	slot = mmap(NULL, sizeof(*slot), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slot == MAP_FAILED)
		_exit(KT_EXIT_FAIL);
	fuzz_srand(seed);
	while (t->calls < budget) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - start->tv_sec >= TIME_BUDGET_S) {
			t->cut = true;
			break;
		}
		sub_seed = fuzz_rand();
		n = SUB_CALLS_MIN + fuzz_below(SUB_CALLS_MAX - SUB_CALLS_MIN);
		n = MIN(n, budget - t->calls);
		if (!sub_run(slot, sub_seed, n, t) &&
		    t->failures++ < MAX_REPORTS)
			kt_diag("worker %d: replay alone with: fuzz --sub %#lx "
			    "%lu", w, (unsigned long)sub_seed,
			    (unsigned long)n);
	}
	_exit(t->failures != 0 || kt_failed ? KT_EXIT_FAIL : KT_EXIT_PASS);
}

/* Return EXEUNT_STRESS, at least 1. */
static unsigned long
stress_units(void)
{
	const char *s = getenv("EXEUNT_STRESS");
	unsigned long n = s != NULL ? strtoul(s, NULL, 0) : 1;

	return n > 0 ? n : 1;
}

/* The fuzzer: N workers, each its share of the calls; every worker must
 * end well and every sub-worker's end be one its calls allow. */
static void
fuzz(void)
{
	unsigned long seed = kt_seed(), units = stress_units();
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int nworkers = (int)MIN(MAX_WORKERS, MAX(MIN_WORKERS, cpus));
	uint64_t total = (uint64_t)FUZZ_UNIT * units, calls = 0, subs = 0;
	struct fuzz_tally sum = { 0 };
	struct timespec start, end;
	pid_t pids[MAX_WORKERS];
	int i, status, cut = 0;

	printf("    # fuzz: seed %lu (EXEUNT_STRESS %lu: %d workers, %lu "
	    "calls)\n", seed, units, nworkers, (unsigned long)total);
	tallies = mmap(NULL, MAX_WORKERS * sizeof(*tallies),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(tallies != MAP_FAILED);
	fuzz_targets_init();
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < nworkers; i++) {
		fflush(stdout);
		pids[i] = fork();
		KT_ASSERT(pids[i] >= 0);
		if (pids[i] == 0)
			worker(i, fuzz_mix(seed, i),
			    total / nworkers + (i < (int)(total % nworkers)),
			    &start);
	}
	for (i = 0; i < nworkers; i++) {
		KT_EXPECT_EQ(waitpid(pids[i], &status, 0), pids[i]);
		KT_EXPECT(WIFEXITED(status) &&
		    WEXITSTATUS(status) == KT_EXIT_PASS);
		calls += tallies[i].calls;
		subs += tallies[i].subs;
		sum.killed += tallies[i].killed;
		sum.signaled += tallies[i].signaled;
		sum.special += tallies[i].special;
		sum.hung += tallies[i].hung;
		sum.failures += tallies[i].failures;
		cut += tallies[i].cut;
	}
	kt_diag("%lu sub-workers: %lu killed (%lu by the watchdog), %lu by "
	    "a signal they sent or allowed, %lu exec'ed or returned through "
	    "a forged signal frame; %lu failures", (unsigned long)subs,
	    (unsigned long)sum.killed, (unsigned long)sum.hung,
	    (unsigned long)sum.signaled, (unsigned long)sum.special,
	    (unsigned long)sum.failures);
	clock_gettime(CLOCK_MONOTONIC, &end);
	printf("    # fuzz: %lu syscalls (in %ld s)\n", (unsigned long)calls,
	    (long)(end.tv_sec - start.tv_sec));
	if (cut > 0)
		kt_diag("%d workers stopped at the time budget (%d s) before "
		    "their share of %lu calls", cut, TIME_BUDGET_S,
		    (unsigned long)total);
	KT_EXPECT(calls >= total || cut > 0);
}

/* Numbers no kernel here implements answer ENOSYS, whatever the
 * arguments. */
static void
unknown_numbers(void)
{
	uint64_t nr;
	int i;

	fuzz_srand(kt_seed());
	for (i = 0; i < 256; i++) {
		nr = fuzz_unknown_nr();
		if (fuzz_raw(nr, fuzz_rand(), fuzz_rand(), fuzz_rand(),
		    fuzz_rand(), fuzz_rand(), fuzz_rand()) != -ENOSYS) {
			kt_diag("system call %#lx did not say ENOSYS",
			    (unsigned long)nr);
			kt_failed = true;
		}
	}
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(unknown_numbers),
	KT_CASE_FORK(fuzz),
};

/* fuzz --sub SEED N: the sub-worker a failure report names, alone. */
static int
replay(uint64_t seed, uint64_t n)
{
	struct fuzz_tally t = { 0 };
	struct fuzz_slot *slot = mmap(NULL, sizeof(*slot),
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	bool ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (slot == MAP_FAILED)
		return 1;
	kt_case_name = "fuzz --sub";
	fuzz_targets_init();
	ok = sub_run(slot, seed, n, &t);
	kt_diag("%s after %lu calls", ok ? "ended well" : "failed",
	    (unsigned long)t.calls);
	return !ok;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], FUZZ_EXEC_ARG) == 0)
		return FUZZ_EXIT_EXEC;		/* fuzz_sub exec'ed us */
	fuzz_self = kt_self_path(argc > 0 ? argv[0] : "fuzz");
	if (argc == 4 && strcmp(argv[1], "--sub") == 0)
		return replay(strtoull(argv[2], NULL, 0),
		    strtoull(argv[3], NULL, 0));
	return kt_main("fuzz", cases, KT_NCASES(cases));
}
