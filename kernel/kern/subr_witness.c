/*
 * kern/subr_witness.c: witness-lite, lock-order and sleep checking.
 *
 * Owns: the lock classes (one per lock name, up to WITNESS_NCLASS, never
 * freed), the order graph between them (direct edges, their transitive
 * closure, and where each edge was first seen), the per-CPU stacks of held
 * spinlocks, the report counter and the last report. The stack of sleeping
 * locks and kernel_lock a thread holds lives in its struct proc (p_witness);
 * a CPU that runs no thread yet uses its own stand-in.
 *
 * Locks: witness_graph_lock, a raw test-and-set lock taken with interrupts
 * off, guards class creation, the graph and the reports. It is not itself
 * checked. The fast path (every held class already known to come before the
 * new one) reads the closure without it: a bit read missing only costs a trip
 * through the locked slow path, which looks again; bits are only ever added,
 * except by witness_class_reset (tests only: a check racing with it on the
 * reset class may use the old order once). Stacks are touched only by
 * their owner with interrupts off. Reports are formatted under
 * witness_graph_lock and printed after dropping it: printing takes the
 * console spinlock, which comes back through witness_checkorder.
 *
 * Lifecycle: checking works from the first spinlock (static tables, on by
 * default); witness_init applies witness=off|on|panic after the command line
 * is parsed. Turning it off stops all bookkeeping for good.
 */
#include "lib.h"
#include "lock.h"
#include "witness.h"
#include "cpu.h"
#include "cpufunc.h"
#include "bootopt.h"
#include "proc.h"

#define WITNESS_NCLASS		128
#define WITNESS_NWORDS		(WITNESS_NCLASS / 64)
#define WITNESS_NSITES		1024
#define WITNESS_UNTRACKED	0xffff	/* lo_class when no class was free */
#define WITNESS_MAXPATH		4	/* edges printed for a reversal */

CTASSERT(WITNESS_NCLASS % 64 == 0);
CTASSERT(WITNESS_NCLASS < WITNESS_UNTRACKED);

/* Where the order es_from -> es_to was first seen. */
struct witness_site {
	uint16_t	es_from;
	uint16_t	es_to;
	const char	*es_held_file;	/* es_from's lock was taken here */
	int		es_held_line;
	const char	*es_file;	/* es_to's lock was taken here */
	int		es_line;
};

struct witness_cpu {
	struct witness_stack wcpu_spin;		/* spinlocks held [this CPU] */
	struct witness_stack wcpu_nothread;	/* other locks, before threads */
};

typedef uint64_t witness_set_t[WITNESS_NWORDS];

static volatile int witness_mode = WITNESS_ON;	/* WITNESS_OFF/ON/PANIC */
static volatile uint32_t witness_graph_lock;

/* class names: written under the lock, then published by witness_nclasses */
static const char *witness_names[WITNESS_NCLASS];
static uint32_t witness_nclasses;	/* [graph_lock; read atomically] */
/* direct orders a -> b, their closure a ->* b, pairs already printed */
static witness_set_t witness_edge[WITNESS_NCLASS];	/* [graph_lock] */
static witness_set_t witness_reach[WITNESS_NCLASS];	/* [graph_lock; atomic] */
static witness_set_t witness_reported[WITNESS_NCLASS];	/* [graph_lock] */
static struct witness_site witness_sites[WITNESS_NSITES];	/* [graph_lock] */
static int witness_nsites;				/* [graph_lock] */
static uint64_t witness_nreports;			/* [atomic] */
static struct witness_report witness_last;		/* [graph_lock] */
static bool witness_have_last;				/* [graph_lock] */
static struct witness_cpu witness_cpus[MAXCPUS];

/* A report being built: formatted under the graph lock, printed after. */
struct witness_msg {
	int	wm_nlines;
	char	wm_line[WITNESS_MAXPATH + 1][200];
};

/* Take witness_graph_lock, with interrupts off until witness_graph_exit. */
static void
witness_graph_enter(void)
{
	spinlock_enter();
	while (__atomic_exchange_n(&witness_graph_lock, 1, __ATOMIC_ACQUIRE) != 0)
		while (witness_graph_lock != 0)
			cpu_pause();
}

/* Release witness_graph_lock. */
static void
witness_graph_exit(void)
{
	__atomic_store_n(&witness_graph_lock, 0, __ATOMIC_RELEASE);
	spinlock_exit();
}

/* Return true if class i is in set; safe without the graph lock. */
static bool
witness_set_has(witness_set_t *set, int i)
{
	return (__atomic_load_n(&(*set)[i / 64], __ATOMIC_RELAXED) >> (i % 64)) & 1;
}

/* Add class i to set. Caller holds witness_graph_lock. */
static void
witness_set_add(witness_set_t *set, int i)
{
	__atomic_store_n(&(*set)[i / 64], (*set)[i / 64] | (1UL << (i % 64)),
	    __ATOMIC_RELAXED);
}

/* Return true if holders of lo may sleep (mutex, rwlock). */
static bool
witness_sleepable(const struct lock_object *lo)
{
	return lo->lo_type == LO_MUTEX || lo->lo_type == LO_RWLOCK;
}

/* True if taking lo may wait, with interrupts on, for as long as its
 * holder likes: a sleeping lock, or kernel_lock (see witness_sleep_report). */
static bool
witness_waits(const struct lock_object *lo)
{
	return witness_sleepable(lo) || lo->lo_type == LO_KERNEL;
}

/* This CPU's stack of spinlocks. Caller has interrupts off. */
static struct witness_stack *
witness_spin_stack(void)
{
	return &witness_cpus[cpu_number()].wcpu_spin;
}

/* The running thread's stack of non-spin locks. Caller has interrupts off. */
static struct witness_stack *
witness_thread_stack(void)
{
	struct proc *p = curproc;

	if (p != NULL)
		return &p->p_witness;
	return &witness_cpus[cpu_number()].wcpu_nothread;
}

/* The stack lo goes on. Caller has interrupts off. */
static struct witness_stack *
witness_stack_of(const struct lock_object *lo)
{
	return lo->lo_type == LO_SPIN ? witness_spin_stack() : witness_thread_stack();
}

/* Return the class named name among the first n, or -1. */
static int
witness_class_find(const char *name, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (strcmp(witness_names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Give lo its class on first use; return it, or -1 if none is left. */
static int
witness_class_assign(struct lock_object *lo)
{
	static bool warned;
	uint32_t n;
	int c;

	KASSERT(lo->lo_name != NULL);
	n = __atomic_load_n(&witness_nclasses, __ATOMIC_ACQUIRE);
	c = witness_class_find(lo->lo_name, n);
	if (c < 0) {
		witness_graph_enter();
		n = witness_nclasses;
		c = witness_class_find(lo->lo_name, n);
		if (c < 0 && n < WITNESS_NCLASS) {
			witness_names[n] = lo->lo_name;
			__atomic_store_n(&witness_nclasses, n + 1, __ATOMIC_RELEASE);
			c = (int)n;
		}
		witness_graph_exit();
	}
	__atomic_store_n(&lo->lo_class, c < 0 ? WITNESS_UNTRACKED : c + 1,
	    __ATOMIC_RELAXED);
	if (c < 0 && !warned) {
		warned = true;
		kprintf("witness: more than %d lock classes; %s and later ones "
		    "are not checked\n", WITNESS_NCLASS, lo->lo_name);
	}
	return c;
}

/* Return lo's class, or -1 if it is not tracked. Caller has interrupts off. */
static int
witness_class_get(struct lock_object *lo)
{
	uint16_t c = __atomic_load_n(&lo->lo_class, __ATOMIC_RELAXED);

	if (likely(c != 0))
		return c == WITNESS_UNTRACKED ? -1 : c - 1;
	return witness_class_assign(lo);
}

/* Return where edge a -> b was first seen, or NULL. Caller holds the graph
 * lock. */
static const struct witness_site *
witness_site_find(int a, int b)
{
	int i;

	for (i = 0; i < witness_nsites; i++)
		if (witness_sites[i].es_from == a && witness_sites[i].es_to == b)
			return &witness_sites[i];
	return NULL;
}

/* Fill path[] with a chain of direct edges from -> ... -> to (which must be
 * reachable); return its number of classes. Caller holds the graph lock. */
static int
witness_path(int from, int to, int16_t *path)
{
	int16_t parent[WITNESS_NCLASS], queue[WITNESS_NCLASS];
	int head = 0, tail = 0, n = (int)witness_nclasses, v, w, len, i;

	for (v = 0; v < n; v++)
		parent[v] = -1;
	parent[from] = from;
	queue[tail++] = from;
	while (head < tail && parent[to] < 0) {
		v = queue[head++];
		for (w = 0; w < n; w++)
			if (parent[w] < 0 && witness_set_has(&witness_edge[v], w)) {
				parent[w] = v;
				queue[tail++] = w;
			}
	}
	if (parent[to] < 0)
		panic("witness_path: %s reaches %s in the closure only",
		    witness_names[from], witness_names[to]);
	for (len = 0, v = to; v != from; v = parent[v])
		len++;
	for (i = len, v = to; i >= 0; i--, v = parent[v])
		path[i] = v;
	return len + 1;
}

/* Append a formatted line to wm, if there is room. */
static void __printflike(2, 3)
witness_msg_add(struct witness_msg *wm, const char *fmt, ...)
{
	va_list ap;

	if (wm->wm_nlines == (int)nitems(wm->wm_line))
		return;
	va_start(ap, fmt);
	vsnprintf(wm->wm_line[wm->wm_nlines++], sizeof(wm->wm_line[0]), fmt, ap);
	va_end(ap);
}

/* Count and keep a report; return true if it should be printed (first time
 * for the pair held -> key). Caller holds the graph lock. */
static bool
witness_record(const struct witness_report *wr, int held, int key)
{
	bool first = !witness_set_has(&witness_reported[held], key);

	witness_set_add(&witness_reported[held], key);
	witness_last = *wr;
	witness_have_last = true;
	__atomic_add_fetch(&witness_nreports, 1, __ATOMIC_RELAXED);
	return first;
}

/* Print a report built under the graph lock (now dropped); panic if asked. */
static void
witness_emit(const struct witness_msg *wm, bool print)
{
	int i;

	if (print || witness_mode == WITNESS_PANIC)
		for (i = 0; i < wm->wm_nlines; i++)
			kprintf("witness: %s\n", wm->wm_line[i]);
	if (witness_mode == WITNESS_PANIC)
		panic("witness: %s", wm->wm_line[0]);
}

/* Report taking class c at file:line while holding wh (class hc), which
 * c already precedes. Caller holds the graph lock; fills wm. */
static bool
witness_reversal(struct witness_msg *wm, const struct witness_held *wh, int hc,
    int c, const char *file, int line)
{
	struct witness_report wr = {
		.wr_kind = WITNESS_LOR,
		.wr_held = witness_names[hc],
		.wr_held_file = wh->wh_file, .wr_held_line = wh->wh_line,
		.wr_acquired = witness_names[c],
		.wr_file = file, .wr_line = line,
	};
	const struct witness_site *es;
	int16_t path[WITNESS_NCLASS];
	int len, i;

	len = witness_path(c, hc, path);
	es = witness_site_find(path[0], path[1]);
	if (es != NULL) {
		wr.wr_first_held_file = es->es_held_file;
		wr.wr_first_held_line = es->es_held_line;
		wr.wr_first_file = es->es_file;
		wr.wr_first_line = es->es_line;
	}
	witness_msg_add(wm, "lock order reversal: %s taken at %s:%d while "
	    "holding %s (taken at %s:%d)", witness_names[c], file, line,
	    witness_names[hc], wh->wh_file, wh->wh_line);
	for (i = 0; i + 1 < len && i < WITNESS_MAXPATH; i++) {
		es = witness_site_find(path[i], path[i + 1]);
		if (es != NULL)
			witness_msg_add(wm, "  order %s -> %s first seen at "
			    "%s:%d (%s held since %s:%d)",
			    witness_names[path[i]], witness_names[path[i + 1]],
			    es->es_file, es->es_line, witness_names[path[i]],
			    es->es_held_file, es->es_held_line);
		else
			witness_msg_add(wm, "  order %s -> %s (site not recorded)",
			    witness_names[path[i]], witness_names[path[i + 1]]);
	}
	return witness_record(&wr, hc, c);
}

/* Slow path: hc -> c is not known yet. Record it, or report a reversal if
 * c ->* hc is known. Interrupts are off. */
static void
witness_order_add(const struct witness_held *wh, int hc, int c,
    const char *file, int line)
{
	struct witness_msg wm = { 0 };
	struct witness_site *es;
	bool print = false, lor = false;
	uint32_t x, w;

	witness_graph_enter();
	if (witness_set_has(&witness_reach[hc], c)) {
		witness_graph_exit();		/* another CPU added it */
		return;
	}
	if (witness_set_has(&witness_reach[c], hc)) {
		print = witness_reversal(&wm, wh, hc, c, file, line);
		lor = true;
	} else {
		witness_set_add(&witness_edge[hc], c);
		if (witness_nsites < WITNESS_NSITES) {
			es = &witness_sites[witness_nsites++];
			es->es_from = hc;
			es->es_to = c;
			es->es_held_file = wh->wh_file;
			es->es_held_line = wh->wh_line;
			es->es_file = file;
			es->es_line = line;
		}
		/* Whatever reaches hc now reaches c and all c reaches. */
		for (x = 0; x < witness_nclasses; x++) {
			if (x != (uint32_t)hc && !witness_set_has(&witness_reach[x], hc))
				continue;
			witness_set_add(&witness_reach[x], c);
			for (w = 0; w < WITNESS_NWORDS; w++)
				__atomic_store_n(&witness_reach[x][w],
				    witness_reach[x][w] | witness_reach[c][w],
				    __ATOMIC_RELAXED);
		}
	}
	witness_graph_exit();
	if (lor)
		witness_emit(&wm, print);
}

/* Report sleeping (lo == NULL) or taking lo, a sleeping lock or
 * kernel_lock, at file:line while holding spinlock wh. Interrupts are off.
 * kernel_lock spins, but with interrupts off: its holder may be waiting
 * for this CPU to answer a cross-call (a TLB shootdown), which it never
 * will, so it counts as a sleep here. */
static void
witness_sleep_report(const struct witness_held *wh, struct lock_object *lo,
    const char *file, int line)
{
	int held = wh->wh_lock->lo_class - 1;
	const char *what = lo != NULL ? lo->lo_name : "sleep";
	struct witness_report wr = {
		.wr_kind = WITNESS_SLEEP,
		.wr_held = wh->wh_lock->lo_name,
		.wr_held_file = wh->wh_file, .wr_held_line = wh->wh_line,
		.wr_acquired = what,
		.wr_file = file, .wr_line = line,
	};
	struct witness_msg wm = { 0 };
	bool print;

	witness_msg_add(&wm, "%s%s at %s:%d while holding spinlock %s "
	    "(taken at %s:%d)", lo == NULL ? "" : lo->lo_type == LO_KERNEL ?
	    "taking " : "taking sleeping lock ",
	    what, file, line, wh->wh_lock->lo_name, wh->wh_file, wh->wh_line);
	witness_graph_enter();
	/* printed once per pair; a sleep pairs the spinlock with itself */
	print = witness_record(&wr, held, lo != NULL ? lo->lo_class - 1 : held);
	witness_graph_exit();
	witness_emit(&wm, print);
}

/* Check the order of taking lo at file:line; call before a blocking acquire. */
void
witness_checkorder(struct lock_object *lo, const char *file, int line)
{
	struct witness_stack *stacks[2];
	struct witness_held *wh;
	struct lock_object *hlo;
	uint32_t s, i;
	int c, hc;

	if (witness_mode == WITNESS_OFF)
		return;
	spinlock_enter();
	c = witness_class_get(lo);
	if (c < 0)
		goto out;
	stacks[0] = witness_spin_stack();
	stacks[1] = witness_thread_stack();
	if (witness_waits(lo) && stacks[0]->ws_depth > 0)
		witness_sleep_report(&stacks[0]->ws_held[stacks[0]->ws_depth - 1],
		    lo, file, line);
	for (s = 0; s < 2; s++) {
		for (i = 0; i < stacks[s]->ws_depth; i++) {
			wh = &stacks[s]->ws_held[i];
			hlo = wh->wh_lock;
			if (hlo == lo)
				panic("witness_checkorder: %s taken again at %s:%d, "
				    "held since %s:%d", lo->lo_name, file, line,
				    wh->wh_file, wh->wh_line);
			hc = hlo->lo_class - 1;
			if (hc == c)
				continue;	/* same class: not checked */
			if (hlo->lo_type == LO_SPIN && witness_waits(lo))
				continue;	/* reported above */
			if ((hlo->lo_type == LO_KERNEL && witness_sleepable(lo)) ||
			    (lo->lo_type == LO_KERNEL && witness_sleepable(hlo)))
				continue;	/* kernel_lock is dropped to sleep */
			if (!witness_set_has(&witness_reach[hc], c))
				witness_order_add(wh, hc, c, file, line);
		}
	}
out:
	spinlock_exit();
}

/* Record that lo is now held (taken at file:line). */
void
witness_lock(struct lock_object *lo, const char *file, int line)
{
	struct witness_stack *ws;
	struct witness_held *wh;

	if (witness_mode == WITNESS_OFF)
		return;
	spinlock_enter();
	if (witness_class_get(lo) >= 0) {
		ws = witness_stack_of(lo);
		if (ws->ws_depth == WITNESS_MAXHELD)
			panic("witness_lock: more than %d locks held, taking %s "
			    "at %s:%d", WITNESS_MAXHELD, lo->lo_name, file, line);
		wh = &ws->ws_held[ws->ws_depth];
		wh->wh_lock = lo;
		wh->wh_file = file;
		wh->wh_line = line;
		ws->ws_depth++;
	}
	spinlock_exit();
}

/* Record that lo is no longer held; it must be. */
void
witness_unlock(struct lock_object *lo)
{
	struct witness_stack *ws;
	uint32_t i;

	if (witness_mode == WITNESS_OFF || lo->lo_class == WITNESS_UNTRACKED)
		return;
	spinlock_enter();
	ws = witness_stack_of(lo);
	for (i = ws->ws_depth; i > 0; i--)
		if (ws->ws_held[i - 1].wh_lock == lo)
			break;
	if (i == 0)
		panic("witness_unlock: %s is not held here", lo->lo_name);
	for (; i < ws->ws_depth; i++)
		ws->ws_held[i - 1] = ws->ws_held[i];
	ws->ws_depth--;
	spinlock_exit();
}

/* Report if this CPU holds a spinlock other than interlock (may be NULL):
 * the running thread is about to sleep at file:line. */
void
witness_assert_may_sleep(struct spinlock *interlock, const char *file, int line)
{
	struct witness_stack *ws;
	uint32_t i;

	if (witness_mode == WITNESS_OFF)
		return;
	spinlock_enter();
	ws = witness_spin_stack();
	for (i = ws->ws_depth; i > 0; i--) {
		if (interlock != NULL &&
		    ws->ws_held[i - 1].wh_lock == &interlock->sl_lo)
			continue;
		witness_sleep_report(&ws->ws_held[i - 1], NULL, file, line);
		break;
	}
	spinlock_exit();
}

/* Read the witness= boot option; call once after bootopt_init. */
void
witness_init(void)
{
	const char *opt = bootopt_get("witness", "on");

	if (strcmp(opt, "off") == 0) {
		witness_mode = WITNESS_OFF;
		kprintf("witness: lock-order checking off\n");
	} else if (strcmp(opt, "panic") == 0) {
		witness_mode = WITNESS_PANIC;
		kprintf("witness: reports panic\n");
	} else if (strcmp(opt, "on") != 0)
		kprintf("witness: witness=%s is not off, on or panic; using on\n",
		    opt);
}

/* Return the mode: WITNESS_OFF, WITNESS_ON or WITNESS_PANIC. */
int
witness_getmode(void)
{
	return witness_mode;
}

/* Return how many reports (reversals and sleep violations) there have been. */
uint64_t
witness_report_count(void)
{
	return __atomic_load_n(&witness_nreports, __ATOMIC_RELAXED);
}

/* Copy the last report to *wr; return false if there was none. */
bool
witness_last_report(struct witness_report *wr)
{
	bool have;

	witness_graph_enter();
	have = witness_have_last;
	if (have)
		*wr = witness_last;
	witness_graph_exit();
	return have;
}

/* Forget every order to or from the class named name; return 0, or -1 if
 * there is no such class. No lock of that class may be held. */
int
witness_class_reset(const char *name)
{
	uint32_t n, i, k;
	int c, j;

	witness_graph_enter();
	n = witness_nclasses;
	c = witness_class_find(name, n);
	if (c < 0) {
		witness_graph_exit();
		return -1;
	}
	for (i = 0; i < n; i++) {
		witness_edge[i][c / 64] &= ~(1UL << (c % 64));
		witness_reported[i][c / 64] &= ~(1UL << (c % 64));
	}
	memset(witness_edge[c], 0, sizeof(witness_edge[c]));
	memset(witness_reported[c], 0, sizeof(witness_reported[c]));
	for (i = 0, j = 0; (int)i < witness_nsites; i++)
		if (witness_sites[i].es_from != c && witness_sites[i].es_to != c)
			witness_sites[j++] = witness_sites[i];
	witness_nsites = j;
	/* Rebuild the closure from the edges (Warshall over bit sets). */
	for (i = 0; i < n; i++)
		for (k = 0; k < WITNESS_NWORDS; k++)
			__atomic_store_n(&witness_reach[i][k], witness_edge[i][k],
			    __ATOMIC_RELAXED);
	for (k = 0; k < n; k++)
		for (i = 0; i < n; i++) {
			if (!witness_set_has(&witness_reach[i], k))
				continue;
			for (j = 0; j < WITNESS_NWORDS; j++)
				__atomic_store_n(&witness_reach[i][j],
				    witness_reach[i][j] | witness_reach[k][j],
				    __ATOMIC_RELAXED);
		}
	witness_graph_exit();
	return 0;
}
