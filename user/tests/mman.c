/*
 * mman: mmap, munmap and mprotect on anonymous private memory: zero fill,
 * fixed and chosen addresses, holes punched by munmap, protections that
 * fault (checked in a child, which must die by SIGSEGV), MAP_FIXED over
 * existing pages, bad arguments, and the unmapped gap below the stack.
 * Bad arguments go through syscall(2) so that libc cannot intercept them.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ktest.h"

#define PAGE	4096

/* Map n anonymous private read-write pages; return them or NULL. */
static char *
map_pages(size_t n)
{
	void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Read one byte at addr (in a child expected to die). */
static void
read_byte(void *addr)
{
	(void)*(volatile char *)addr;
}

/* Write one byte at addr (in a child expected to die). */
static void
write_byte(void *addr)
{
	*(volatile char *)addr = 1;
}

/* Fail the case unless fn(addr) in a child dies by SIGSEGV. */
static void
expect_segv(void (*fn)(void *), void *addr, const char *what)
{
	char why[64];
	int status = kt_child_status(fn, addr);

	if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV)) {
		kt_diag("%s %p: child %s, expected SIGSEGV", what, addr,
		    kt_status_str(status, why, sizeof(why)));
		kt_failed = true;
	}
}

/* Fail the case unless fn(addr) in a child survives. */
static void
expect_ok(void (*fn)(void *), void *addr, const char *what)
{
	char why[64];
	int status = kt_child_status(fn, addr);

	if (status != 0) {
		kt_diag("%s %p: child %s, expected exit status 0", what, addr,
		    kt_status_str(status, why, sizeof(why)));
		kt_failed = true;
	}
}

/* Anonymous memory comes zero-filled, page aligned, and holds what is
 * written to it; munmap succeeds. */
static void
anon_private(void)
{
	char *p = map_pages(8);
	size_t i;

	KT_ASSERT(p != NULL);
	KT_EXPECT_EQ((uintptr_t)p % PAGE, 0);
	for (i = 0; i < 8 * PAGE; i++)
		if (!KT_EXPECT_EQ(p[i], 0))
			break;
	for (i = 0; i < 8 * PAGE; i += 512)
		p[i] = (char)(i / 512 + 1);
	for (i = 0; i < 8 * PAGE; i += 512)
		if (!KT_EXPECT_EQ(p[i], (char)(i / 512 + 1)))
			break;
	KT_EXPECT_EQ(munmap(p, 8 * PAGE), 0);
	expect_segv(read_byte, p, "read after munmap");
}

/* MAP_FIXED at an address inside a reserved range returns exactly it. */
static void
fixed(void)
{
	char *base, *p;

	base = mmap(NULL, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	KT_ASSERT(base != MAP_FAILED);
	p = mmap(base + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	KT_ASSERT(p == base + PAGE);
	p[0] = 'a';
	p[2 * PAGE - 1] = 'b';
	KT_EXPECT(p[0] == 'a' && p[2 * PAGE - 1] == 'b');
	expect_segv(read_byte, base, "PROT_NONE page below");
	expect_segv(read_byte, base + 3 * PAGE, "PROT_NONE page above");
	KT_EXPECT_EQ(munmap(base, 4 * PAGE), 0);
}

/* munmap of the middle page leaves a hole; the pages around it keep
 * their data. */
static void
munmap_partial(void)
{
	char *p = map_pages(3);

	KT_ASSERT(p != NULL);
	memset(p, 'x', 3 * PAGE);
	KT_ASSERT_EQ(munmap(p + PAGE, PAGE), 0);
	KT_EXPECT(p[0] == 'x' && p[PAGE - 1] == 'x');
	KT_EXPECT(p[2 * PAGE] == 'x' && p[3 * PAGE - 1] == 'x');
	expect_segv(read_byte, p + PAGE, "read in the hole");
	expect_segv(write_byte, p + 2 * PAGE - 1, "write in the hole");
	KT_EXPECT_EQ(munmap(p, 3 * PAGE), 0);	/* a range with a hole */
}

/* mprotect to read-only: reads work, a write faults; back to read-write,
 * writes work again. */
static void
mprotect_readonly(void)
{
	char *p = map_pages(2);

	KT_ASSERT(p != NULL);
	memset(p, 'r', 2 * PAGE);
	KT_ASSERT_EQ(mprotect(p, PAGE, PROT_READ), 0);
	KT_EXPECT(p[0] == 'r' && p[PAGE - 1] == 'r');
	expect_segv(write_byte, p, "write to a read-only page");
	expect_ok(write_byte, p + PAGE, "write to the read-write page");
	KT_ASSERT_EQ(mprotect(p, PAGE, PROT_READ | PROT_WRITE), 0);
	p[0] = 'w';
	KT_EXPECT(p[0] == 'w' && p[1] == 'r');
	KT_EXPECT_EQ(munmap(p, 2 * PAGE), 0);
}

/* PROT_NONE memory faults on read and on write; mprotect back makes its
 * earlier contents visible again. */
static void
prot_none(void)
{
	char *p = map_pages(1);

	KT_ASSERT(p != NULL);
	p[10] = 42;
	KT_ASSERT_EQ(mprotect(p, PAGE, PROT_NONE), 0);
	expect_segv(read_byte, p, "read of PROT_NONE");
	expect_segv(write_byte, p, "write of PROT_NONE");
	KT_ASSERT_EQ(mprotect(p, PAGE, PROT_READ), 0);
	KT_EXPECT_EQ(p[10], 42);
	KT_EXPECT_EQ(munmap(p, PAGE), 0);
}

/* MAP_FIXED over the middle of a mapping replaces those pages with fresh
 * zero pages; the neighbours keep their data. */
static void
fixed_over_existing(void)
{
	char *p = map_pages(3), *q;

	KT_ASSERT(p != NULL);
	memset(p, 'o', 3 * PAGE);
	q = mmap(p + PAGE, PAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	KT_ASSERT(q == p + PAGE);
	KT_EXPECT(q[0] == 0 && q[PAGE - 1] == 0);
	KT_EXPECT(p[PAGE - 1] == 'o' && p[2 * PAGE] == 'o');
	KT_EXPECT_EQ(munmap(p, 3 * PAGE), 0);
}

/* Bad arguments fail with the errno Linux gives, and change nothing. */
static void
bad_args(void)
{
	const long rw = PROT_READ | PROT_WRITE;
	const long anon = MAP_PRIVATE | MAP_ANONYMOUS;
	char *p = map_pages(2);

	KT_ASSERT(p != NULL);
	p[0] = 'k';
	KT_EXPECT_ERR(syscall(SYS_mmap, 0, 0, rw, anon, -1, 0), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_mmap, p + 1, PAGE, rw, anon | MAP_FIXED,
	    -1, 0), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_mmap, 0, PAGE, rw, MAP_ANONYMOUS, -1, 0),
	    EINVAL);			/* neither private nor shared */
	KT_EXPECT_ERR(syscall(SYS_mmap, 0, PAGE, rw, MAP_PRIVATE, -1, 0),
	    EBADF);			/* a file mapping without a file */
	KT_EXPECT_ERR(syscall(SYS_mmap, 0, PAGE, rw, anon, -1, 1), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_mmap, 0, 1ul << 47, rw, anon, -1, 0),
	    ENOMEM);		/* larger than the user address space */
	KT_EXPECT_ERR(syscall(SYS_munmap, p + 1, PAGE), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_munmap, p, 0), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_mprotect, p + 1, PAGE, PROT_READ), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_mprotect, p, PAGE, 0x1000), EINVAL);
	KT_EXPECT_EQ(p[0], 'k');
	p[1] = 'w';			/* still writable */
	KT_EXPECT_EQ(munmap(p, 2 * PAGE), 0);
}

/* Kernel addresses are never user memory: MAP_FIXED there fails with
 * ENOMEM, munmap with EINVAL, mprotect with ENOMEM (Linux's errnos). */
static void
kernel_addresses(void)
{
	const unsigned long k = 0xffff800000000000ul;
	const long anon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

	KT_EXPECT_ERR(syscall(SYS_mmap, k, PAGE, PROT_READ, anon, -1, 0),
	    ENOMEM);
	KT_EXPECT_ERR(syscall(SYS_munmap, k, PAGE), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_mprotect, k, PAGE, PROT_READ), ENOMEM);
}

/* munmap from address 0 succeeds (page 0 is never mapped, there is
 * nothing to remove) as on Linux; a length of 0 or past the top of user
 * space is still EINVAL. */
static void
munmap_page_zero(void)
{
	const unsigned long top = 0x7ffffffff000ul;	/* Linux's TASK_SIZE */

	KT_EXPECT_EQ(syscall(SYS_munmap, 0, PAGE), 0);
	KT_EXPECT_EQ(syscall(SYS_munmap, 0, 1), 0);
	KT_EXPECT_ERR(syscall(SYS_munmap, 0, 0), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_munmap, 0, top + PAGE), EINVAL);
	KT_EXPECT_ERR(syscall(SYS_munmap, top, PAGE), EINVAL);
}

/* Touch 64 KiB of stack below the current frame (it must be mapped). */
static void __attribute__((noinline))
stack_use(void *unused)
{
	volatile char buf[64 * 1024];
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(buf); i += PAGE)
		buf[i] = (char)i;
}

/* The stack holds 64 KiB; far below it (32 MiB) nothing is mapped and a
 * touch faults. exeunt maps a fixed stack with a gap below; Linux grows
 * the stack on demand up to RLIMIT_STACK, so the child caps that at
 * 8 MiB first (exeunt's stack is mapped whole at exec: no change). */
static void
stack_guard_gap(void)
{
	struct rlimit rl = { 8u << 20, 8u << 20 };
	char here;
	uintptr_t below = (uintptr_t)&here - (32u << 20);

	expect_ok(stack_use, NULL, "64 KiB of stack");
	setrlimit(RLIMIT_STACK, &rl);
	expect_segv(write_byte, (void *)below, "32 MiB below the stack");
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(anon_private),
	KT_CASE_FORK(fixed),
	KT_CASE_FORK(munmap_partial),
	KT_CASE_FORK(mprotect_readonly),
	KT_CASE_FORK(prot_none),
	KT_CASE_FORK(fixed_over_existing),
	KT_CASE_FORK(bad_args),
	KT_CASE_FORK(kernel_addresses),
	KT_CASE_FORK(munmap_page_zero),
	KT_CASE_FORK(stack_guard_gap),
};

int
main(void)
{
	return kt_main("mman", cases, KT_NCASES(cases));
}
