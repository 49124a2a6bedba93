/*
 * kern/kern_sig_ktest.c: in-kernel tests of the signal code that need no
 * user mode: which pending signal goes first, rt_sigprocmask's mask
 * arithmetic, the action table (defaults, refusals, fork's copy, exec's
 * reset), posting (ignored signals discarded, blocked ones kept, stop and
 * continue cancelling each other, thread- and process-directed sets) on a
 * process that never runs, and msleep_sig: a kernel thread given actions
 * is woken by an unblocked signal with EINTR, and not by a blocked one.
 *
 * The posting cases use one static process and thread (sig_fake), set up
 * afresh by each case and never scheduled (SIDL), so posting wakes
 * nothing. No locks of their own.
 */
#include "lib.h"
#include "errno.h"
#include "ktest.h"
#include "proc.h"
#include "sched.h"
#include "signal.h"

/* SIGKILL first, then the lowest unmasked number. */
static void
test_select_order(struct ktest *t)
{
	KT_EXPECT_EQ(t, sig_select(0, 0), 0);
	KT_EXPECT_EQ(t, sig_select(sigmask(SIGUSR2) | sigmask(SIGUSR1), 0),
	    SIGUSR1);
	KT_EXPECT_EQ(t, sig_select(sigmask(SIGUSR2) | sigmask(SIGUSR1),
	    sigmask(SIGUSR1)), SIGUSR2);
	KT_EXPECT_EQ(t, sig_select(sigmask(SIGHUP) | sigmask(SIGKILL), 0),
	    SIGKILL);
	/* a mask never hides SIGKILL or SIGSTOP */
	KT_EXPECT_EQ(t, sig_select(sigmask(SIGKILL), ~0ULL), SIGKILL);
	KT_EXPECT_EQ(t, sig_select(sigmask(SIGSTOP) | sigmask(SIGUSR1),
	    ~0ULL), SIGSTOP);
	KT_EXPECT_EQ(t, sig_select(sigmask(NSIG), 0), NSIG);
	KT_EXPECT_EQ(t, sig_select(sigmask(SIGTERM), sigmask(SIGTERM)), 0);
}

/* SIG_BLOCK adds, SIG_UNBLOCK removes, SIG_SETMASK replaces; SIGKILL and
 * SIGSTOP never stay; a bad how changes nothing. */
static void
test_mask_apply(struct ktest *t)
{
	sigset_t m = sigmask(SIGUSR1);

	KT_EXPECT_EQ(t, sig_mask_apply(&m, SIG_BLOCK, sigmask(SIGUSR2)), 0);
	KT_EXPECT_EQ(t, m, sigmask(SIGUSR1) | sigmask(SIGUSR2));
	KT_EXPECT_EQ(t, sig_mask_apply(&m, SIG_UNBLOCK, sigmask(SIGUSR1)), 0);
	KT_EXPECT_EQ(t, m, sigmask(SIGUSR2));
	KT_EXPECT_EQ(t, sig_mask_apply(&m, SIG_SETMASK, sigmask(SIGTERM)), 0);
	KT_EXPECT_EQ(t, m, sigmask(SIGTERM));
	KT_EXPECT_EQ(t, sig_mask_apply(&m, SIG_BLOCK, ~0ULL), 0);
	KT_EXPECT_EQ(t, m, ~SIG_CANTMASK);
	KT_EXPECT_EQ(t, sig_mask_apply(&m, 3, 0), EINVAL);
	KT_EXPECT_EQ(t, m, ~SIG_CANTMASK);
	KT_EXPECT_EQ(t, sig_mask_apply(&m, -1, 0), EINVAL);
}

static struct process sig_fake;
static struct proc sig_fake_thread;

/* Set up sig_fake with one never-run thread and default actions; return
 * false (the case failed) if there is no memory. */
static bool
sig_fake_init(struct ktest *t)
{
	memset(&sig_fake, 0, sizeof(sig_fake));
	memset(&sig_fake_thread, 0, sizeof(sig_fake_thread));
	spinlock_init(&sig_fake.ps_lock, "process");
	sig_fake.ps_threads = &sig_fake_thread;
	sig_fake.ps_nthreads = 1;
	sig_fake_thread.p_p = &sig_fake;
	sig_fake_thread.p_stat = SIDL;
	return KT_EXPECT_EQ(t, sigactsinit(&sig_fake), 0);
}

/* A k_sigaction with a handler (never run) and flags. */
static struct k_sigaction
ksa_handler(uint64_t flags, sigset_t mask)
{
	return (struct k_sigaction){ .ksa_handler = 0x401000,
	    .ksa_flags = SA_RESTORER | flags, .ksa_restorer = 0x402000,
	    .ksa_mask = mask };
}

/* New actions are SIG_DFL; SIGKILL/SIGSTOP, bad numbers and refused
 * flags give EINVAL; what is set reads back, minus SIGKILL/SIGSTOP in the
 * mask. */
static void
test_action_table(struct ktest *t)
{
	struct k_sigaction ka, old;
	int sig;

	KT_ASSERT(t, sig_fake_init(t));
	for (sig = 1; sig <= NSIG; sig++) {
		KT_ASSERT_EQ(t, sigaction_set(&sig_fake, sig, NULL, &old), 0);
		KT_EXPECT_EQ(t, old.ksa_handler, SIG_DFL);
	}
	ka = ksa_handler(SA_SIGINFO, ~0ULL);
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGKILL, &ka, NULL), EINVAL);
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGSTOP, &ka, NULL), EINVAL);
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, 0, &ka, NULL), EINVAL);
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, NSIG + 1, NULL, &old), EINVAL);
	ka.ksa_flags |= SA_ONSTACK;
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGUSR1, &ka, NULL), EINVAL);
	ka.ksa_flags &= ~(uint64_t)SA_ONSTACK;
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGUSR1, &ka, &old), 0);
	KT_EXPECT_EQ(t, old.ksa_handler, SIG_DFL);
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGUSR1, NULL, &old), 0);
	KT_EXPECT_EQ(t, old.ksa_handler, ka.ksa_handler);
	KT_EXPECT_EQ(t, old.ksa_restorer, ka.ksa_restorer);
	KT_EXPECT_EQ(t, old.ksa_flags, ka.ksa_flags);
	KT_EXPECT_EQ(t, old.ksa_mask, ~SIG_CANTMASK);
	/* unknown bits are dropped: musl's int sa_flags, sign-extended */
	ka.ksa_flags = SA_RESTORER | 0xffffffff80000000ULL;
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGUSR2, &ka, NULL), 0);
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGUSR2, NULL, &old), 0);
	KT_EXPECT_EQ(t, old.ksa_flags, SA_RESTORER | SA_RESETHAND);
	sigactsfree(&sig_fake);
	KT_EXPECT(t, sig_fake.ps_sigacts == NULL);
	sigactsfree(&sig_fake);			/* a no-op the second time */
	psignal(&sig_fake, SIGUSR1);		/* discarded: no actions */
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, 0);
}

/* Posting: an ignored signal is dropped unless blocked; setting SIG_IGN
 * drops a pending one; tkill-style posts go to the thread's set; SIGCONT
 * and stop signals cancel each other; an exiting process takes nothing. */
static void
test_posting(struct ktest *t)
{
	struct k_sigaction ign = { .ksa_handler = SIG_IGN };
	struct k_sigaction ka = ksa_handler(0, 0);

	KT_ASSERT(t, sig_fake_init(t));
	psignal(&sig_fake, SIGCHLD);		/* default: ignored */
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, 0);
	sig_fake_thread.p_sigmask = sigmask(SIGCHLD);
	psignal(&sig_fake, SIGCHLD);		/* blocked: kept */
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, sigmask(SIGCHLD));
	KT_EXPECT(t, !sig_pending_intr(&sig_fake_thread));
	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGCHLD, &ign, NULL), 0);
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, 0);

	KT_EXPECT_EQ(t, sigaction_set(&sig_fake, SIGUSR1, &ka, NULL), 0);
	ptsignal(&sig_fake_thread, SIGUSR1);
	KT_EXPECT_EQ(t, sig_fake_thread.p_siglist, sigmask(SIGUSR1));
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, 0);
	KT_EXPECT(t, sig_pending_intr(&sig_fake_thread));
	sig_fake_thread.p_sigmask |= sigmask(SIGUSR1);
	KT_EXPECT(t, !sig_pending_intr(&sig_fake_thread));
	sig_fake_thread.p_sigmask = 0;

	psignal(&sig_fake, SIGTSTP);
	psignal(&sig_fake, SIGSTOP);
	KT_EXPECT_EQ(t, sig_fake.ps_siglist,
	    sigmask(SIGTSTP) | sigmask(SIGSTOP));
	psignal(&sig_fake, SIGCONT);		/* drops both, then ignored */
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, 0);
	sig_fake_thread.p_sigmask = sigmask(SIGCONT);
	psignal(&sig_fake, SIGCONT);		/* blocked: kept ... */
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, sigmask(SIGCONT));
	psignal(&sig_fake, SIGTTOU);		/* ... until a stop signal */
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, sigmask(SIGTTOU));
	sig_fake_thread.p_sigmask = 0;

	/* a stopped process continues at SIGCONT's posting */
	sig_fake.ps_siglist = 0;
	sig_fake_thread.p_siglist = 0;
	sig_fake.ps_sigstop = SIGSTOP;
	KT_EXPECT(t, sig_pending_intr(&sig_fake_thread));
	psignal(&sig_fake, SIGCONT);
	KT_EXPECT_EQ(t, sig_fake.ps_sigstop, 0);
	KT_EXPECT(t, !sig_pending_intr(&sig_fake_thread));

	sig_fake.ps_flags |= PS_EXITING;
	psignal(&sig_fake, SIGKILL);
	KT_EXPECT_EQ(t, sig_fake.ps_siglist, 0);
	sigactsfree(&sig_fake);
}

static struct ktest_count sig_kt_join;
static int sig_kt_error;
static struct process sig_kt_child;
static struct proc sig_kt_child_thread;
static struct k_sigaction sig_kt_child_usr1, sig_kt_child_usr2;
static sigset_t sig_kt_child_mask;

/* A kernel thread standing in for a forking parent: give its own process
 * actions, fork them into sig_kt_child, then free its own. */
static void
sig_fork_thread(void *arg __unused)
{
	struct proc *p = curproc;
	struct k_sigaction ka = ksa_handler(SA_SIGINFO, sigmask(SIGTERM));
	struct k_sigaction ign = { .ksa_handler = SIG_IGN };

	sig_kt_error = sigactsinit(p->p_p);
	if (sig_kt_error == 0) {
		sigaction_set(p->p_p, SIGUSR1, &ka, NULL);
		sigaction_set(p->p_p, SIGUSR2, &ign, NULL);
		p->p_sigmask = sigmask(SIGHUP);
		sig_kt_error = sigactsfork(&sig_kt_child, p->p_p);
		/* the copy is the child's own */
		sigaction_set(p->p_p, SIGUSR1, &ign, NULL);
		if (sig_kt_error == 0) {
			sigaction_set(&sig_kt_child, SIGUSR1, NULL,
			    &sig_kt_child_usr1);
			sig_kt_child_mask = sig_kt_child_thread.p_sigmask;
		}
		p->p_sigmask = 0;
		sigactsfree(p->p_p);
	}
	ktest_count_post(&sig_kt_join);
	kthread_exit();
}

/* Fork copies the actions and the mask; exec resets caught signals to
 * SIG_DFL, keeps ignored ones, clears flags and masks. */
static void
test_fork_exec(struct ktest *t)
{
	struct k_sigaction ka;

	memset(&sig_kt_child, 0, sizeof(sig_kt_child));
	memset(&sig_kt_child_thread, 0, sizeof(sig_kt_child_thread));
	spinlock_init(&sig_kt_child.ps_lock, "process");
	sig_kt_child.ps_threads = &sig_kt_child_thread;
	sig_kt_child_thread.p_p = &sig_kt_child;
	sig_kt_child_thread.p_stat = SIDL;
	ktest_count_init(&sig_kt_join);
	KT_ASSERT(t, kthread_create(sig_fork_thread, NULL, "sigfork") != NULL);
	ktest_count_wait(&sig_kt_join, 1);
	KT_ASSERT_EQ(t, sig_kt_error, 0);

	KT_EXPECT_EQ(t, sig_kt_child_usr1.ksa_handler, 0x401000);
	KT_EXPECT_EQ(t, sig_kt_child_usr1.ksa_mask, sigmask(SIGTERM));
	KT_EXPECT_EQ(t, sig_kt_child_mask, sigmask(SIGHUP));
	/* the parent's later change is not the child's */
	KT_EXPECT_EQ(t, sigaction_set(&sig_kt_child, SIGUSR1, NULL, &ka), 0);
	KT_EXPECT_EQ(t, ka.ksa_handler, 0x401000);

	sigactsexec(&sig_kt_child);
	KT_EXPECT_EQ(t, sigaction_set(&sig_kt_child, SIGUSR1, NULL, &ka), 0);
	KT_EXPECT_EQ(t, ka.ksa_handler, SIG_DFL);
	KT_EXPECT_EQ(t, ka.ksa_flags, 0);
	KT_EXPECT_EQ(t, ka.ksa_mask, 0);
	KT_EXPECT_EQ(t, sigaction_set(&sig_kt_child, SIGUSR2, NULL,
	    &sig_kt_child_usr2), 0);
	KT_EXPECT_EQ(t, sig_kt_child_usr2.ksa_handler, SIG_IGN);
	KT_EXPECT_EQ(t, sig_kt_child_thread.p_sigmask, sigmask(SIGHUP));
	sigactsfree(&sig_kt_child);
}

static int sig_sleep_chan;
static struct spinlock sig_sleep_lock = SPINLOCK_INITIALIZER("sigktsleep");

/* A kernel thread that takes signals: sleep interruptibly (arg != NULL)
 * or not, record msleep's answer, free its actions, exit. */
static void
sig_sleep_thread(void *arg)
{
	struct proc *p = curproc;

	sig_kt_error = sigactsinit(p->p_p);
	if (sig_kt_error == 0) {
		p->p_sigmask = sigmask(SIGUSR2);
		ktest_count_post(&sig_kt_join);
		spinlock_acquire(&sig_sleep_lock);
		if (arg != NULL)
			sig_kt_error = msleep_sig(&sig_sleep_chan,
			    &sig_sleep_lock, "sigkt", 0);
		else
			sig_kt_error = msleep(&sig_sleep_chan, &sig_sleep_lock,
			    "sigkt", 0);
		spinlock_release(&sig_sleep_lock);
		p->p_sigmask = 0;
		sigactsfree(p->p_p);
	}
	ktest_count_post(&sig_kt_join);
	kthread_exit();
}

/* Start sig_sleep_thread and wait until it sleeps; NULL if it could not. */
static struct proc *
sig_sleeper_start(struct ktest *t, bool interruptible)
{
	struct proc *p;

	ktest_count_init(&sig_kt_join);
	p = kthread_create(sig_sleep_thread, interruptible ? &sig_sleep_chan :
	    NULL, "sigsleep");
	if (!KT_EXPECT(t, p != NULL))
		return NULL;
	ktest_count_wait(&sig_kt_join, 1);
	if (!KT_EXPECT_EQ(t, sig_kt_error, 0)) {
		ktest_count_wait(&sig_kt_join, 2);
		return NULL;
	}
	while (__atomic_load_n(&p->p_stat, __ATOMIC_ACQUIRE) != SSLEEP)
		yield();
	return p;
}

/* msleep_sig ends with EINTR for an unblocked signal, not for a blocked
 * one; a plain msleep ends for neither. */
static void
test_msleep_sig(struct ktest *t)
{
	struct proc *p;

	if ((p = sig_sleeper_start(t, true)) == NULL)
		return;
	psignal(p->p_p, SIGUSR2);		/* blocked: sleeps on */
	KT_EXPECT_EQ(t, p->p_stat, SSLEEP);
	psignal(p->p_p, SIGUSR1);
	ktest_count_wait(&sig_kt_join, 2);
	KT_EXPECT_EQ(t, sig_kt_error, EINTR);

	if ((p = sig_sleeper_start(t, false)) == NULL)
		return;
	psignal(p->p_p, SIGUSR1);
	KT_EXPECT_EQ(t, p->p_stat, SSLEEP);
	spinlock_acquire(&sig_sleep_lock);
	wakeup(&sig_sleep_chan);
	spinlock_release(&sig_sleep_lock);
	ktest_count_wait(&sig_kt_join, 2);
	KT_EXPECT_EQ(t, sig_kt_error, 0);
}

static const struct ktest_case sig_cases[] = {
	KTEST_CASE(test_select_order),
	KTEST_CASE(test_mask_apply),
	KTEST_CASE(test_action_table),
	KTEST_CASE(test_posting),
	KTEST_CASE(test_fork_exec),
	KTEST_CASE(test_msleep_sig),
	{ 0 },
};
KTEST_SUITE(signals, sig_cases);
