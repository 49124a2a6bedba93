/*
 * peek: reading another process's memory. A child writes a pattern over
 * a 16 MiB buffer (its own pages: it writes them after the fork), asks to
 * be traced (PTRACE_TRACEME), tells the parent how that went through a
 * pipe and stops itself (SIGSTOP). The parent reads the buffer, checking
 * every word against the pattern:
 *   - method=ptrace: --peeks PTRACE_PEEKDATA calls, one word each, walking
 *     the buffer (throughput in MiB/s and the latency of one call); only
 *     if the child could be traced;
 *   - method=process_vm_readv: --passes passes over the whole buffer in
 *     1 MiB process_vm_readv calls (throughput in MiB/s).
 * Then it kills the child. A method that fails is reported and the other
 * still measured; the exit status is then 1. Both paths pin the target's
 * address space and copy under its map lock on exeunt (uvm_io), as
 * Linux's access_remote_vm does.
 */
#define _GNU_SOURCE
#include <sys/ptrace.h>
#include <sys/uio.h>
#include "bench.h"

#define BUF_LEN		(16 * BENCH_MIB)
#define CHUNK_LEN	BENCH_MIB
#define PATTERN		0x5eed0000cafe0000ULL

static struct bench_opt opts[] = {
	{ "peeks",	65536,	4096,	1L << 30 },
	{ "passes",	8,	1,	1L << 20 },
};
#define PEEKS	(opts[0].value)
#define PASSES	(opts[1].value)

/* Return the pattern word at index i of the child's buffer. */
static inline uint64_t
peek_word(size_t i)
{
	return PATTERN ^ i;
}

/* Child: fill buf with the pattern, try to be traced, send the errno of
 * that (0: traced) on ready, stop if traced; wait to be killed. */
static void __attribute__((noreturn))
peek_child(uint64_t *buf, int ready)
{
	unsigned char err = 0;
	size_t i;

	for (i = 0; i < BUF_LEN / sizeof(*buf); i++)
		buf[i] = peek_word(i);
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) != 0)
		err = errno ? errno : EINVAL;
	while (write(ready, &err, 1) != 1)
		if (errno != EINTR)
			_exit(1);
	if (err == 0)
		raise(SIGSTOP);
	for (;;)
		sleep(1);
}

/* Time PEEKS PTRACE_PEEKDATA calls over the child's buffer, checking
 * each word; print the throughput and the latency of one call. Return
 * false (said why) on a failure. */
static bool
peek_ptrace(pid_t pid, uint64_t *buf)
{
	size_t nwords = BUF_LEN / sizeof(*buf), w;
	char params[64];
	uint64_t t0, ns;
	long i, word;

	t0 = bench_now_ns();
	for (i = 0; i < PEEKS; i++) {
		w = (size_t)i % nwords;
		errno = 0;
		word = ptrace(PTRACE_PEEKDATA, pid, &buf[w], NULL);
		if (errno != 0) {
			bench_error("PTRACE_PEEKDATA %p: %s", (void *)&buf[w],
			    strerror(errno));
			return false;
		}
		if ((uint64_t)word != peek_word(w)) {
			bench_error("PTRACE_PEEKDATA word %zu: %#lx, expected "
			    "%#llx", w, word, (unsigned long long)peek_word(w));
			return false;
		}
	}
	ns = bench_now_ns() - t0;
	snprintf(params, sizeof(params), "method=ptrace words=%ld", PEEKS);
	bench_result(params, "rate", PEEKS * 8.0 / BENCH_MIB / (ns / 1e9),
	    "MiB/s");
	bench_result(params, "latency", ns / 1e3 / PEEKS, "us");
	return true;
}

/* Time PASSES passes of 1 MiB process_vm_readv calls over the child's
 * buffer, checking every word; print the throughput. Return false (said
 * why) on a failure. */
static bool
peek_vm_readv(pid_t pid, uint64_t *buf, uint64_t *local)
{
	struct iovec liov = { local, CHUNK_LEN }, riov;
	uint64_t t0, ns = 0;
	char params[80];
	size_t off, i, base;
	ssize_t n;
	long pass;

	for (pass = 0; pass < PASSES; pass++) {
		for (off = 0; off < BUF_LEN; off += CHUNK_LEN) {
			riov.iov_base = (char *)buf + off;
			riov.iov_len = CHUNK_LEN;
			t0 = bench_now_ns();
			n = process_vm_readv(pid, &liov, 1, &riov, 1, 0);
			ns += bench_now_ns() - t0;
			if (n != (ssize_t)CHUNK_LEN) {
				bench_error("process_vm_readv at %zu: %zd (%s)",
				    off, n, n < 0 ? strerror(errno) : "short");
				return false;
			}
			base = off / sizeof(*buf);
			for (i = 0; i < CHUNK_LEN / sizeof(*buf); i++)
				if (local[i] != peek_word(base + i)) {
					bench_error("process_vm_readv word %zu: "
					    "wrong", base + i);
					return false;
				}
		}
	}
	snprintf(params, sizeof(params),
	    "method=process_vm_readv chunk_kib=%lu mib=%ld",
	    CHUNK_LEN / 1024, PASSES * (long)(BUF_LEN / BENCH_MIB));
	bench_result(params, "rate",
	    PASSES * (double)(BUF_LEN / BENCH_MIB) / (ns / 1e9), "MiB/s");
	return true;
}

int
main(int argc, char **argv)
{
	uint64_t *buf, *local;
	bool ok = true;
	unsigned char err;
	int ready[2], status;
	pid_t pid;

	bench_init(argc, argv, "peek",
	    "reading a stopped child's memory: ptrace, process_vm_readv",
	    opts, sizeof(opts) / sizeof(opts[0]));
	buf = mmap(NULL, BUF_LEN, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED || (local = malloc(CHUNK_LEN)) == NULL)
		bench_die("mmap, malloc: %s", strerror(errno));
	if (pipe(ready) != 0)
		bench_die("pipe: %s", strerror(errno));
	pid = bench_fork();
	if (pid == 0) {
		close(ready[0]);
		peek_child(buf, ready[1]);
	}
	close(ready[1]);
	while (read(ready[0], &err, 1) != 1)
		if (errno != EINTR)
			bench_die("the child died before it was ready");
	if (err != 0) {
		bench_error("method=ptrace skipped: the child's "
		    "PTRACE_TRACEME: %s", strerror(err));
		ok = false;
	} else {
		status = bench_wait(pid);
		if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
			bench_die("the child did not stop: status %#x",
			    status);
		ok = peek_ptrace(pid, buf);
	}
	ok = peek_vm_readv(pid, buf, local) && ok;
	kill(pid, SIGKILL);
	status = bench_wait(pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		bench_die("the child was not killed: status %#x", status);
	return ok ? 0 : 1;
}
