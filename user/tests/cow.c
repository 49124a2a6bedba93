/*
 * cow: copy-on-write after fork. Parent and child see the pre-fork data,
 * then each sees only its own writes to the same pages: in .data, .bss,
 * the heap, the stack and a large anonymous mapping; with both sides
 * writing at once, down a chain of forks, and after the other side has
 * exited (its teardown must not take the survivor's pages). The fill
 * patterns depend on EXEUNT_SEED.
 */
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ktest.h"

#define PAGE		4096
#define LARGE		(4u << 20)	/* twice this fits the low-memory boot */
#define WRITERS		8

static unsigned long data_buf[2 * PAGE / sizeof(long)] = { 1 };
static unsigned long bss_buf[3 * PAGE / sizeof(long)];

/* Return the word at index i of the pattern named tag. */
static unsigned long
pattern(unsigned long tag, size_t i)
{
	return (tag + 1) * 0x9e3779b97f4a7c15ul ^ (i + 1) * 0x100000001b3ul ^
	    kt_seed();
}

/* Fill words [from, to) of buf with pattern tag. */
static void
fill(unsigned long *buf, size_t from, size_t to, unsigned long tag)
{
	size_t i;

	for (i = from; i < to; i++)
		buf[i] = pattern(tag, i);
}

/* Check words [from, to) of buf against pattern tag; on a mismatch fail
 * the case with one diagnostic naming what and where. */
static bool
check(const unsigned long *buf, size_t from, size_t to, unsigned long tag,
    const char *what)
{
	size_t i;

	for (i = from; i < to; i++) {
		if (buf[i] != pattern(tag, i)) {
			kt_diag("%s (pid %d): word %zu (page %zu) is %#lx, "
			    "expected %#lx", what, getpid(), i,
			    i * sizeof(long) / PAGE, buf[i], pattern(tag, i));
			kt_failed = true;
			return false;
		}
	}
	return true;
}

/* Wait for pid and fail the case unless it exited with status 0 (a child
 * that fails prints its own diagnostics first). */
static void
expect_child_ok(pid_t pid)
{
	char why[64];
	int status = -1;

	if (waitpid(pid, &status, 0) != pid || status != 0) {
		kt_diag("child %d: %s", (int)pid,
		    kt_status_str(status, why, sizeof(why)));
		kt_failed = true;
	}
}

/* The regions of every kind that isolation() fills and checks at once
 * (with .data and .bss, which are global). */
struct regions {
	unsigned long	*heap;
	unsigned long	*stack;
};
#define HEAP_WORDS	(16 * PAGE / sizeof(long))
#define STACK_WORDS	(2 * PAGE / sizeof(long))
#define DATA_WORDS	(sizeof(data_buf) / sizeof(long))
#define BSS_WORDS	(sizeof(bss_buf) / sizeof(long))

/* Fill every region with pattern tag. */
static void
regions_fill(struct regions *r, unsigned long tag)
{
	fill(data_buf, 0, DATA_WORDS, tag);
	fill(bss_buf, 0, BSS_WORDS, tag);
	fill(r->heap, 0, HEAP_WORDS, tag);
	fill(r->stack, 0, STACK_WORDS, tag);
}

/* Check every region against pattern tag; return whether all matched. */
static bool
regions_check(struct regions *r, unsigned long tag)
{
	return check(data_buf, 0, DATA_WORDS, tag, ".data") &&
	    check(bss_buf, 0, BSS_WORDS, tag, ".bss") &&
	    check(r->heap, 0, HEAP_WORDS, tag, "heap") &&
	    check(r->stack, 0, STACK_WORDS, tag, "stack");
}

/* Both sides see the pre-fork data, then write their own pattern while the
 * other is alive and has written too; each sees only its own. */
static void
isolation(void)
{
	unsigned long stack[STACK_WORDS];
	struct regions r = { malloc(HEAP_WORDS * sizeof(long)), stack };
	int p2c[2], c2p[2];
	char c;
	pid_t pid;

	KT_ASSERT(r.heap != NULL);
	KT_ASSERT(pipe(p2c) == 0 && pipe(c2p) == 0);
	regions_fill(&r, 0);
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		regions_check(&r, 0);
		regions_fill(&r, 2);
		if (write(c2p[1], "w", 1) != 1 || read(p2c[0], &c, 1) != 1)
			_exit(3);
		regions_check(&r, 2);
		_exit(kt_failed);
	}
	regions_check(&r, 0);
	regions_fill(&r, 1);
	KT_EXPECT(write(p2c[1], "w", 1) == 1 && read(c2p[0], &c, 1) == 1);
	regions_check(&r, 1);
	expect_child_ok(pid);
	regions_check(&r, 1);
	free(r.heap);
}

/* A large mapping: the parent overwrites the even pages while the child
 * lives; the child still sees the pre-fork data everywhere, overwrites
 * every page and exits; the parent's pages are its own throughout. */
static void
large_region(void)
{
	const size_t words = LARGE / sizeof(long), pw = PAGE / sizeof(long);
	unsigned long *buf;
	int go[2];
	size_t i;
	char c;
	pid_t pid;

	buf = mmap(NULL, LARGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(buf != MAP_FAILED);
	KT_ASSERT_EQ(pipe(go), 0);
	fill(buf, 0, words, 0);
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		if (read(go[0], &c, 1) != 1)
			_exit(3);
		check(buf, 0, words, 0, "child before its writes");
		fill(buf, 0, words, 2);
		check(buf, 0, words, 2, "child after its writes");
		_exit(kt_failed);
	}
	for (i = 0; i < words; i += 2 * pw)
		fill(buf, i, i + pw, 1);
	KT_EXPECT_EQ(write(go[1], "g", 1), 1);
	expect_child_ok(pid);
	for (i = 0; i < words; i += 2 * pw) {
		if (!check(buf, i, i + pw, 1, "parent's own page") ||
		    !check(buf, i + pw, i + 2 * pw, 0, "parent's other page"))
			break;
	}
	KT_EXPECT_EQ(munmap(buf, LARGE), 0);
}

/* The child only reads the shared pages and exits; the parent's data
 * survives the child's teardown, and the parent can then write it. */
static void
parent_after_child_exit(void)
{
	const size_t words = LARGE / sizeof(long);
	unsigned long *buf;
	pid_t pid;

	buf = mmap(NULL, LARGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(buf != MAP_FAILED);
	fill(buf, 0, words, 3);
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		check(buf, 0, words, 3, "child");
		_exit(kt_failed);
	}
	expect_child_ok(pid);
	check(buf, 0, words, 3, "parent after the child's exit");
	fill(buf, 0, words, 4);
	check(buf, 0, words, 4, "parent after its writes");
	KT_EXPECT_EQ(munmap(buf, LARGE), 0);
}

/* A chain: the child overwrites the first half and forks a grandchild,
 * which sees the child's first half and the parent's second half, then
 * overwrites everything; nobody up the chain sees the writes below it. */
static void
nested(void)
{
	const size_t words = 64 * PAGE / sizeof(long), half = words / 2;
	unsigned long *buf = malloc(words * sizeof(long));
	pid_t pid, gpid;

	KT_ASSERT(buf != NULL);
	fill(buf, 0, words, 5);
	fflush(stdout);
	pid = fork();
	KT_ASSERT(pid >= 0);
	if (pid == 0) {
		fill(buf, 0, half, 6);
		fflush(stdout);
		gpid = fork();
		if (gpid == 0) {
			check(buf, 0, half, 6, "grandchild, first half");
			check(buf, half, words, 5, "grandchild, second half");
			fill(buf, 0, words, 7);
			check(buf, 0, words, 7, "grandchild after its writes");
			_exit(kt_failed);
		}
		if (gpid < 0)
			_exit(3);
		expect_child_ok(gpid);
		check(buf, 0, half, 6, "child, first half");
		check(buf, half, words, 5, "child, second half");
		_exit(kt_failed);
	}
	expect_child_ok(pid);
	check(buf, 0, words, 5, "parent");
	free(buf);
}

/* WRITERS children write their own patterns into the same pages at once;
 * each sees its own, the parent sees the original. */
static void
many_writers(void)
{
	const size_t words = 256 * PAGE / sizeof(long);
	unsigned long *buf = malloc(words * sizeof(long));
	pid_t pids[WRITERS];
	int go[2], i, n;
	char c;

	KT_ASSERT(buf != NULL);
	KT_ASSERT_EQ(pipe(go), 0);
	fill(buf, 0, words, 8);
	fflush(stdout);
	for (n = 0; n < WRITERS; n++) {
		pids[n] = fork();
		if (pids[n] == 0) {
			close(go[1]);
			if (read(go[0], &c, 1) != 0)	/* all start together */
				_exit(3);
			check(buf, 0, words, 8, "writer before its writes");
			fill(buf, 0, words, 9 + n);
			check(buf, 0, words, 9 + n, "writer after its writes");
			_exit(kt_failed);
		}
		if (!KT_EXPECT(pids[n] > 0))
			break;
	}
	close(go[1]);
	for (i = 0; i < n; i++)
		expect_child_ok(pids[i]);
	check(buf, 0, words, 8, "parent");
	free(buf);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(isolation),
	KT_CASE_FORK(large_region),
	KT_CASE_FORK(parent_after_child_exit),
	KT_CASE_FORK(nested),
	KT_CASE_FORK(many_writers),
};

int
main(void)
{
	return kt_main("cow", cases, KT_NCASES(cases));
}
