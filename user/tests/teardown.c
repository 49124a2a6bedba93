/*
 * teardown: what an exiting process gives back, and when (DESIGN.md
 * section 4, docs/teardown.md).
 *
 *  - pages_back_at_wait: a child touches N MiB (16, less when memory is
 *    small) and waits; the parent reads the counters of /proc/exeunt while
 *    the child still holds its pages, lets it exit, and when wait4 returns
 *    every user page, page-table page and pmap of the child is free again
 *    (under both purge modes: exit_reap wakes the parent only after
 *    uvm_exit dropped the last pin).
 *  - purged_where_the_mode_says: from /proc/exeunt_trace, the child's
 *    address space was purged by the child itself in exit1, before the
 *    reaper reaped it, under purge=exit; by the reaper, after the reap
 *    began, under purge=reaper; purged once with its entries and once
 *    more (empty) by the last pin before pmap_destroy.
 *  - vfork_exit_keeps_parent: a vfork child's _exit leaves the parent's
 *    memory (a pattern in an mmap region and on the stack) and its user
 *    pages intact, and the trace shows no purge of the shared space.
 *
 * The counters and the trace are exeunt's: on Linux (no /proc/exeunt)
 * the first two cases skip and the third checks only the memory.
 */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "ktest.h"

#define MIB		(1024 * 1024)
#define PAGE		4096
#define N_MIB_MAX	16
#define VREGION		(1 << 20)

static char buf[16384];			/* a /proc snapshot (static: reading
					 * one allocates no page) */

/* Read path into buf, NUL-terminated; return its length or -1. */
static ssize_t
read_file(const char *path)
{
	ssize_t n, len = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return n < 0 ? -1 : len;
}

/* Return the value of "key: value" in buf, or -1. */
static long
field(const char *key)
{
	size_t klen = strlen(key);
	const char *p;

	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
	return -1;
}

struct counters {
	long	free, user, ptpages, pmaps, live;
	char	purge[16];
};

/* Read /proc/exeunt into *c; return false if it is not there (Linux). */
static bool
counters_read(struct counters *c)
{
	const char *p;

	if (read_file("/proc/exeunt") < 0)
		return false;
	c->free = field("pages.free");
	c->user = field("pages.user");
	c->ptpages = field("pmap.ptpages");
	c->pmaps = field("pmap.pmaps");
	c->live = field("vmspaces.live");
	p = strstr(buf, "purge: ");
	snprintf(c->purge, sizeof(c->purge), "%.*s", p == NULL ? 0 :
	    (int)strcspn(p + 7, "\n"), p == NULL ? "" : p + 7);
	return c->free >= 0 && c->user >= 0 && c->ptpages >= 0 && c->pmaps >= 0;
}

/* counters_read, skipping the case when there is no /proc/exeunt. */
static bool
counters_get(struct counters *c)
{
	if (counters_read(c))
		return true;
	kt_skip("no /proc/exeunt (not exeunt: Linux has no such counters)");
	return false;
}

/* How many MiB the child touches: 16, or a quarter of free memory. */
static int
child_mib(const struct counters *c)
{
	long mib = c->free * PAGE / MIB / 4;

	return mib < N_MIB_MAX ? (mib < 1 ? 1 : (int)mib) : N_MIB_MAX;
}

/* Fork a child that touches mib MiB, says so on a pipe and exits when the
 * parent writes a byte; with the child holding its pages, read *during;
 * return the child's pid after letting it go, or -1. */
static pid_t
spawn_toucher(int mib, struct counters *during)
{
	int ready[2], go[2];
	char c = 0;
	pid_t pid;

	if (pipe(ready) != 0 || pipe(go) != 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		size_t len = (size_t)mib * MIB;
		char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			_exit(2);
		for (size_t off = 0; off < len; off += PAGE)
			p[off] = 1;
		if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(3);
		_exit(0);		/* with every page still mapped */
	}
	close(ready[1]);
	close(go[0]);
	if (pid < 0 || read(ready[0], &c, 1) != 1 || !counters_get(during) ||
	    write(go[1], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	close(go[1]);
	return pid;
}

/* Every page of the child is back when wait4 returns. */
static void
pages_back_at_wait(void)
{
	struct counters before, during, after;
	int mib, status;
	pid_t pid;

	memset(buf, 0, sizeof(buf));	/* every page of it touched */
	if (!counters_get(&before))
		return;
	mib = child_mib(&before);
	pid = spawn_toucher(mib, &during);
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT_EQ(status, 0);
	KT_ASSERT(counters_get(&after));
	kt_diag("purge=%s, %d MiB: user pages %ld -> %ld -> %ld, free %ld -> "
	    "%ld -> %ld, ptpages %ld -> %ld -> %ld", before.purge, mib,
	    before.user, during.user, after.user, before.free, during.free,
	    after.free, before.ptpages, during.ptpages, after.ptpages);
	/* the child held its pages when it said it was ready */
	KT_EXPECT(during.user - before.user >= (long)mib * MIB / PAGE);
	KT_EXPECT(during.ptpages > before.ptpages);
	/* all back: the parent touched nothing new meanwhile */
	KT_EXPECT_EQ(after.user, before.user);
	KT_EXPECT_EQ(after.ptpages, before.ptpages);
	KT_EXPECT_EQ(after.pmaps, before.pmaps);
	KT_EXPECT_EQ(after.live, before.live);
	KT_EXPECT(after.free - during.free >= (long)mib * MIB / PAGE);
}

struct trace_event {
	unsigned long	seq, vm, arg;
	int		pid;
	char		kind[16];
};

/* Parse the trace line at p into *e; return false if it is not one. */
static bool
trace_parse(const char *p, struct trace_event *e)
{
	unsigned long ns;
	int cpu;

	return sscanf(p, "%lu %lu %d %d %15s %lx %lu", &e->seq, &ns, &cpu,
	    &e->pid, e->kind, &e->vm, &e->arg) == 7;
}

/* Call fn on every event of the snapshot in buf, in order. */
static void
trace_walk(void (*fn)(const struct trace_event *, void *), void *arg)
{
	struct trace_event e;
	const char *p;

	for (p = buf; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p)
		if (*p != '#' && trace_parse(p, &e))
			fn(&e, arg);
}

/* What the trace says about one child's address space. */
struct child_story {
	int		pid;
	unsigned long	vm;		/* from its exit1 event */
	unsigned long	exit_seq, reap_seq, destroy_seq;
	int		purges, purge_pid[4];
	unsigned long	purge_seq[4], purge_entries[4];
};

static void
story_event(const struct trace_event *e, void *arg)
{
	struct child_story *s = arg;

	if (strcmp(e->kind, "exit1") == 0 && e->pid == s->pid) {
		s->vm = e->vm;
		s->exit_seq = e->seq;
	} else if (strcmp(e->kind, "reap") == 0 && (int)e->arg == s->pid) {
		s->reap_seq = e->seq;
	} else if (s->vm != 0 && e->vm == s->vm &&
	    strcmp(e->kind, "purge_end") == 0 && s->purges < 4) {
		s->purge_entries[s->purges] = e->arg;
		s->purges++;
	} else if (s->vm != 0 && e->vm == s->vm &&
	    strcmp(e->kind, "purge_begin") == 0 && s->purges < 4) {
		s->purge_pid[s->purges] = e->pid;
		s->purge_seq[s->purges] = e->seq;
	} else if (s->vm != 0 && e->vm == s->vm &&
	    strcmp(e->kind, "pmap_destroy") == 0) {
		s->destroy_seq = e->seq;
	}
}

/* Read the trace and tell pid's story; return false if it is not whole
 * in the snapshot. */
static bool
story_get(pid_t pid, struct child_story *s)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	if (read_file("/proc/exeunt_trace") < 0)
		return false;
	trace_walk(story_event, s);
	return s->exit_seq != 0 && s->reap_seq != 0;
}

/* The child purged its own space in exit1 (purge=exit) or the reaper did
 * (purge=reaper); the last pin purged again, finding nothing, then
 * destroyed the pmap. */
static void
purged_where_the_mode_says(void)
{
	struct counters before, during;
	struct child_story s;
	int status;
	pid_t pid;

	if (!counters_get(&before))
		return;
	pid = spawn_toucher(1, &during);
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_ASSERT(story_get(pid, &s));
	kt_diag("purge=%s: child %d exit1 #%lu, reap #%lu, purges by %d "
	    "(#%lu, %lu entries) and %d (#%lu, %lu entries), pmap_destroy #%lu",
	    before.purge, pid, s.exit_seq, s.reap_seq, s.purge_pid[0],
	    s.purge_seq[0], s.purge_entries[0], s.purge_pid[1], s.purge_seq[1],
	    s.purge_entries[1], s.destroy_seq);
	KT_ASSERT_EQ(s.purges, 2);
	KT_EXPECT(s.purge_entries[0] > 0);
	KT_EXPECT_EQ(s.purge_entries[1], 0);
	KT_EXPECT(s.purge_seq[1] < s.destroy_seq);
	if (strcmp(before.purge, "exit") == 0) {
		KT_EXPECT_EQ(s.purge_pid[0], pid);
		KT_EXPECT(s.exit_seq < s.purge_seq[0] &&
		    s.purge_seq[0] < s.reap_seq);
	} else {
		KT_EXPECT_EQ(strcmp(before.purge, "reaper"), 0);
		KT_EXPECT(s.purge_pid[0] != pid);
		KT_EXPECT(s.reap_seq < s.purge_seq[0]);
	}
}

/* Fill n bytes with the pattern of seed; return whether they hold it. */
static void
pattern_fill(volatile unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(i * 7 + seed);
}

static bool
pattern_ok(const volatile unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + seed))
			return false;
	return true;
}

/* A vfork child's _exit (it is not the last user) purges nothing: the
 * parent's memory and user pages are intact. */
static void
vfork_exit_keeps_parent(void)
{
	volatile unsigned char stack_buf[8192];
	struct counters before, after;
	struct child_story s;
	unsigned char *region;
	bool exeunt;
	int status;
	pid_t pid;

	region = mmap(NULL, VREGION, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	KT_ASSERT(region != MAP_FAILED);
	pattern_fill(region, VREGION, 3);
	pattern_fill(stack_buf, sizeof(stack_buf), 5);
	exeunt = counters_read(&before);	/* Linux: the memory only */
	fflush(stdout);
	pid = vfork();
	if (pid == 0)
		_exit(0);
	KT_ASSERT(pid > 0);
	KT_ASSERT_EQ(waitpid(pid, &status, 0), pid);
	KT_EXPECT_EQ(status, 0);
	KT_EXPECT(pattern_ok(region, VREGION, 3));
	KT_EXPECT(pattern_ok(stack_buf, sizeof(stack_buf), 5));
	if (exeunt) {
		KT_ASSERT(counters_get(&after));
		/* none of the parent's pages went (the child may have
		 * touched a new page of the shared stack) */
		KT_EXPECT(after.user >= before.user);
		KT_ASSERT(story_get(pid, &s));
		KT_EXPECT_EQ(s.purges, 0);	/* of the shared space */
		KT_EXPECT(s.purge_seq[0] == 0);
	}
	memset(region, 0, VREGION);		/* still writable */
	KT_EXPECT_EQ(munmap(region, VREGION), 0);
}

static const struct kt_case cases[] = {
	KT_CASE_FORK(pages_back_at_wait),
	KT_CASE_FORK(purged_where_the_mode_says),
	KT_CASE_FORK(vfork_exit_keeps_parent),
};

int
main(void)
{
	return kt_main("teardown", cases, KT_NCASES(cases));
}
