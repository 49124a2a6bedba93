/*
 * Host shim for kernel code built natively (tests/unit): the kernel's kprintf
 * and panic (lib.h), spinlocks as flags (shim lock.h), fake CPUs (shim cpu.h),
 * simulated physical memory behind the direct map (shim param.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib.h"
#include "uvm_page.h"
#include "shim.h"

uint64_t shim_dmap_base;
struct cpu_info cpu_info[MAXCPUS];
static unsigned shim_cpu;
static void *shim_arena;
static struct vm_page *shim_pages;

char shim_panic_msg[512];
int shim_panic_depth;
jmp_buf *shim_panic_jmp;

static uint64_t shim_rng_state = 1;

/* Kernel output goes to stdout as KTAP diagnostics: "# " starts each line. */
int
vkprintf(const char *fmt, va_list ap)
{
	static bool midline;
	char buf[1024], *p, *nl;
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);

	for (p = buf; *p != '\0'; p = nl + 1) {
		if (!midline)
			fputs("# ", stdout);
		nl = strchr(p, '\n');
		if (nl == NULL) {
			fputs(p, stdout);
			midline = true;
			break;
		}
		fwrite(p, 1, nl - p + 1, stdout);
		midline = false;
	}
	return n;
}

int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* Record the message; return into SHIM_PANICS if a test expects a panic,
 * else end the test program. */
void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shim_panic_msg, sizeof(shim_panic_msg), fmt, ap);
	va_end(ap);
	shim_panic_depth = curcpu()->ci_ipl_depth;
	if (shim_panic_jmp != NULL)
		longjmp(*shim_panic_jmp, 1);
	printf("Bail out! panic: %s\n", shim_panic_msg);
	fflush(stdout);
	abort();
}

void
shim_panic_recover(void)
{
	unsigned i;

	for (i = 0; i < MAXCPUS; i++)
		cpu_info[i].ci_ipl_depth = 0;
}

struct cpu_info *
curcpu(void)
{
	struct cpu_info *ci = &cpu_info[shim_cpu];

	ci->ci_self = ci;
	ci->ci_cpuid = shim_cpu;
	return ci;
}

void
shim_set_cpu(unsigned id)
{
	KASSERT(id < MAXCPUS);
	shim_cpu = id;
}

bool
shim_quiescent(void)
{
	unsigned i;

	for (i = 0; i < MAXCPUS; i++)
		if (cpu_info[i].ci_ipl_depth != 0)
			return false;
	return true;
}

void
spinlock_enter(void)
{
	curcpu()->ci_ipl_depth++;
}

void
spinlock_exit(void)
{
	struct cpu_info *ci = curcpu();

	if (ci->ci_ipl_depth <= 0)
		panic("spinlock_exit: cpu%u not inside spinlock_enter", ci->ci_cpuid);
	ci->ci_ipl_depth--;
}

void
spinlock_init(struct spinlock *sl, const char *name)
{
	*sl = (struct spinlock)SPINLOCK_INITIALIZER(name);
}

bool
spinlock_held(struct spinlock *sl)
{
	return sl->sl_locked && sl->sl_owner == curcpu();
}

bool
_spinlock_tryacquire(struct spinlock *sl, const char *file, int line)
{
	if (spinlock_held(sl))
		panic("spinlock_acquire: %s recursion at %s:%d (held since %s:%d)",
		    sl->sl_name, file, line, sl->sl_file, sl->sl_line);
	if (sl->sl_locked)
		return false;
	spinlock_enter();
	sl->sl_locked = true;
	sl->sl_owner = curcpu();
	sl->sl_file = file;
	sl->sl_line = line;
	return true;
}

void
_spinlock_acquire(struct spinlock *sl, const char *file, int line)
{
	if (!_spinlock_tryacquire(sl, file, line))
		panic("spinlock_acquire: %s held by cpu%u since %s:%d: a "
		    "single-threaded test would spin forever (at %s:%d)",
		    sl->sl_name, sl->sl_owner->ci_cpuid, sl->sl_file,
		    sl->sl_line, file, line);
}

void
spinlock_release(struct spinlock *sl)
{
	if (!spinlock_held(sl))
		panic("spinlock_release: %s not held by cpu%u", sl->sl_name,
		    cpu_number());
	sl->sl_locked = false;
	sl->sl_owner = NULL;
	spinlock_exit();
}

void
shim_mem_init(size_t npages)
{
	shim_arena = aligned_alloc(PAGE_SIZE, npages * PAGE_SIZE);
	shim_pages = calloc(npages, sizeof(struct vm_page));
	if (shim_arena == NULL || shim_pages == NULL)
		panic("shim_mem_init: no host memory for %zu pages", npages);
	shim_dmap_base = (uint64_t)shim_arena;
	uvm_page_init(npages * PAGE_SIZE, shim_pages);
}

void
shim_mem_fini(void)
{
	free(shim_arena);
	free(shim_pages);
	shim_arena = NULL;
	shim_pages = NULL;
}

void
shim_seed(int argc, char **argv)
{
	const char *s = argc > 1 ? argv[1] : getenv("TEST_SEED");

	shim_rng_state = s != NULL ? strtoull(s, NULL, 0) : 1;
	printf("# seed: %lu (rerun with: %s %lu)\n", shim_rng_state, argv[0],
	    shim_rng_state);
	if (shim_rng_state == 0)
		shim_rng_state = 1;	/* xorshift's one bad state */
}

/* xorshift64*, so a seed means the same sequence on every libc. */
uint64_t
shim_random(uint64_t n)
{
	uint64_t x = shim_rng_state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	shim_rng_state = x;
	return (x * 0x2545f4914f6cdd1dULL) % n;
}
