/*
 * kern/kern_exec.c: execve of static ELF executables, and pid 1.
 *
 * kern_execve builds the new image in a new vmspace while the old one is
 * still the caller's, so that every failure (no file, a bad ELF: ENOEXEC,
 * bad pointers: EFAULT, too many arguments: E2BIG, ENOMEM, also for an
 * image beyond RLIMIT_AS) leaves the process as it was:
 *  1. look the file up, check it (a regular file with an execute bit),
 *     read and check the ELF header and program headers;
 *  2. map each PT_LOAD as anonymous private memory and copy the file's
 *     bytes in through uvm_io (the rest stays zero: .bss);
 *  3. map the user stack below USER_MAX with a guard region under it,
 *     and write there, in two passes over the caller's argv and envp
 *     (count and measure, then copy), the strings, the pointer block
 *     (argc, argv, envp, auxv: AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ,
 *     AT_ENTRY, AT_RANDOM) and 16 random bytes.
 * Then the point of no return, once every other thread has exited
 * (kern_single.c): the thread takes the pid as its tid if it was not the
 * main one (Linux's de_thread) and moves to the new vmspace and its
 * pmap; the old vmspace loses this user (purged if it was the last:
 * proc_vmspace_drop_user) and its pin (uvm_exit); close-on-exec
 * descriptors close; a vfork parent is released; caught signals reset;
 * the registers are set for the entry point (setregs).
 *
 * pid 1 is made by proc_start_init: an empty process whose first code
 * runs kern_execve on kernel strings, then leaves for user mode.
 *
 * Locks: none held across the work; the vmspace swap is the process's own
 * business (one thread), published with a release store for readers,
 * which pin under SMR; the vmspace and the range of its argv strings
 * (/proc/<pid>/cmdline) are published together under ps_lock, which
 * also guards ps_comm.
 */
#include "lib.h"
#include "param.h"
#include "errno.h"
#include "cpu.h"
#include "cpufunc.h"
#include "malloc.h"
#include "vfs.h"
#include "file.h"
#include "pmap.h"
#include "proc.h"
#include "resource.h"
#include "sched.h"
#include "signal.h"
#include "syscall.h"
#include "uvm_km.h"
#include "uvm_map.h"
#include "uvm_vmspace.h"

/* ELF64 (System V gABI), the parts a static executable needs */
struct elf64_ehdr {
	uint8_t		e_ident[16];
	uint16_t	e_type, e_machine;
	uint32_t	e_version;
	uint64_t	e_entry, e_phoff, e_shoff;
	uint32_t	e_flags;
	uint16_t	e_ehsize, e_phentsize, e_phnum;
	uint16_t	e_shentsize, e_shnum, e_shstrndx;
};
struct elf64_phdr {
	uint32_t	p_type, p_flags;
	uint64_t	p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1
#define ET_EXEC		2
#define EM_X86_64	62
#define PT_LOAD		1
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define EXEC_PHNUM_MAX	64

/* auxiliary vector types */
#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_ENTRY	9
#define AT_RANDOM	25
#define EXEC_NAUX	7		/* pairs, AT_NULL included */

#define EXEC_STACK_SIZE	(8UL << 20)	/* the user stack, faulted in on use */
#define EXEC_STACK_TOP	VM_MAX_ADDRESS
#define EXEC_ARG_MAX	(256UL << 10)	/* argv + envp string bytes */
#define EXEC_STR_MAX	PAGE_SIZE	/* one string, with its NUL */

/* A NULL-terminated string vector, the caller's (user) or the kernel's. */
struct exec_strv {
	bool		user;
	const void	*vec;		/* char *const[]; NULL: empty */
};

/* One execve in the making. */
struct exec_ctx {
	struct vnode	*vp;
	struct elf64_ehdr eh;
	struct elf64_phdr *ph;		/* kmalloc'd, eh.e_phnum entries */
	struct vmspace	*vm;		/* the new space */
	char		*buf;		/* a bounce page */
	uint64_t	*words;		/* the pointer block, a page at a time */
	size_t		nwords;		/* words in it not yet written */
	vaddr_t		wordva;		/* where words[0] goes */
	vaddr_t		phdr, brk;
	size_t		argc, envc, strbytes;
	vaddr_t		argstart, argend; /* argv's strings (/proc cmdline) */
};

/* Read len bytes of the file at off into buf; return 0 or ENOEXEC. */
static int
exec_read(struct exec_ctx *ec, uint64_t off, void *buf, size_t len)
{
	struct iovec iov;
	struct uio uio;

	if (ec->vp->v_op->vop_read == NULL)
		return EACCES;
	uio_init_kernel(&uio, &iov, buf, len, off, UIO_READ);
	if (ec->vp->v_op->vop_read(ec->vp, &uio, 0) != 0 || uio.uio_resid != 0)
		return ENOEXEC;
	return 0;
}

/* Read and check the ELF and program headers; return 0 or ENOEXEC. */
static int
exec_check_elf(struct exec_ctx *ec)
{
	struct elf64_ehdr *eh = &ec->eh;
	struct vattr va;
	size_t i, phsize;
	int error;

	vn_stat(ec->vp, &va);
	if (va.va_size < sizeof(*eh) || exec_read(ec, 0, eh, sizeof(*eh)) != 0)
		return ENOEXEC;
	if (memcmp(eh->e_ident, "\177ELF", 4) != 0 ||
	    eh->e_ident[4] != ELFCLASS64 || eh->e_ident[5] != ELFDATA2LSB ||
	    eh->e_ident[6] != EV_CURRENT || eh->e_type != ET_EXEC ||
	    eh->e_machine != EM_X86_64 ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) ||
	    eh->e_phnum == 0 || eh->e_phnum > EXEC_PHNUM_MAX ||
	    eh->e_entry >= VM_MAX_ADDRESS)
		return ENOEXEC;
	phsize = eh->e_phnum * sizeof(struct elf64_phdr);
	if (eh->e_phoff > va.va_size || phsize > va.va_size - eh->e_phoff)
		return ENOEXEC;
	if ((ec->ph = kmalloc(phsize, M_NOWAIT)) == NULL)
		return ENOMEM;
	if ((error = exec_read(ec, eh->e_phoff, ec->ph, phsize)) != 0)
		return error;
	for (i = 0; i < eh->e_phnum; i++) {
		struct elf64_phdr *ph = &ec->ph[i];

		if (ph->p_type != PT_LOAD)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > va.va_size ||
		    ph->p_filesz > va.va_size - ph->p_offset ||
		    ph->p_vaddr < VM_MIN_ADDRESS ||
		    ph->p_vaddr >= EXEC_STACK_TOP - VM_MAXSSIZ ||
		    ph->p_memsz > EXEC_STACK_TOP - VM_MAXSSIZ - ph->p_vaddr)
			return ENOEXEC;
		/* the program headers, in the image: AT_PHDR */
		if (eh->e_phoff >= ph->p_offset &&
		    eh->e_phoff + phsize <= ph->p_offset + ph->p_filesz)
			ec->phdr = ph->p_vaddr + (eh->e_phoff - ph->p_offset);
	}
	return 0;
}

/* Map and fill each PT_LOAD; return 0, ENOEXEC (overlap) or ENOMEM. */
static int
exec_load(struct exec_ctx *ec)
{
	size_t i, done;
	int error;

	for (i = 0; i < ec->eh.e_phnum; i++) {
		struct elf64_phdr *ph = &ec->ph[i];
		vaddr_t start = trunc_page(ph->p_vaddr);
		vaddr_t end = round_page(ph->p_vaddr + ph->p_memsz);
		vm_prot_t prot = ((ph->p_flags & PF_R) ? PROT_READ : 0) |
		    ((ph->p_flags & PF_W) ? PROT_WRITE : 0) |
		    ((ph->p_flags & PF_X) ? PROT_EXEC : 0);
		uint64_t off;

		if (ph->p_type != PT_LOAD || ph->p_memsz == 0)
			continue;
		error = uvm_map_enter(&ec->vm->vm_map, &start, end - start, 0,
		    prot, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_INHERIT_COPY,
		    UVM_MAP_FIXED);
		if (error != 0)
			return error == ENOMEM ? ENOMEM : ENOEXEC;
		for (off = 0; off < ph->p_filesz; off += done) {
			size_t n = MIN(PAGE_SIZE, ph->p_filesz - off);

			if ((error = exec_read(ec, ph->p_offset + off, ec->buf, n)) != 0)
				return error;
			if ((error = uvm_io(ec->vm, ph->p_vaddr + off, ec->buf, n,
			    true, &done)) != 0)
				return error == ENOMEM ? ENOMEM : ENOEXEC;
		}
		ec->brk = MAX(ec->brk, end);
	}
	return 0;
}

/* Copy string i of sv into buf; return 0 with *lenp (NUL included),
 * ENOENT past the end, EFAULT or E2BIG. */
static int
exec_str(const struct exec_strv *sv, size_t i, char *buf, size_t *lenp)
{
	const char *ks;
	uint64_t us;
	int error;

	if (sv->vec == NULL)
		return ENOENT;
	if (!sv->user) {
		if ((ks = ((const char *const *)sv->vec)[i]) == NULL)
			return ENOENT;
		*lenp = strlen(ks) + 1;
		if (*lenp > EXEC_STR_MAX)
			return E2BIG;
		memcpy(buf, ks, *lenp);
		return 0;
	}
	if (i >= EXEC_ARG_MAX || copyin((const uint64_t *)sv->vec + i, &us,
	    sizeof(us)) != 0)
		return EFAULT;
	if (us == 0)
		return ENOENT;
	error = copyinstr((const char *)us, buf, EXEC_STR_MAX, lenp);
	return error == ENAMETOOLONG ? E2BIG : error;
}

/* Pass 1: count the strings of sv into *np and their bytes into
 * ec->strbytes; return 0, EFAULT or E2BIG. */
static int
exec_count(struct exec_ctx *ec, const struct exec_strv *sv, size_t *np)
{
	size_t len;
	int error;

	for (*np = 0; (error = exec_str(sv, *np, ec->buf, &len)) == 0; (*np)++) {
		ec->strbytes += len;
		if (ec->strbytes > EXEC_ARG_MAX)
			return E2BIG;
	}
	return error == ENOENT ? 0 : error;
}

/* Append a word to the pointer block, writing out a full page. */
static int
exec_push(struct exec_ctx *ec, uint64_t w)
{
	size_t done;
	int error;

	ec->words[ec->nwords++] = w;
	if (ec->nwords < PAGE_SIZE / 8)
		return 0;
	error = uvm_io(ec->vm, ec->wordva, ec->words, PAGE_SIZE, true, &done);
	ec->wordva += PAGE_SIZE;
	ec->nwords = 0;
	return error;
}

/* Pass 2: copy n strings of sv to *strvap on, pushing their addresses and
 * a NULL. Return 0 or an errno (E2BIG
 * if the strings changed since pass 1). */
static int
exec_copy_strs(struct exec_ctx *ec, const struct exec_strv *sv, size_t n,
    vaddr_t *strvap, vaddr_t strend)
{
	size_t i, len, done;
	int error;

	for (i = 0; i < n; i++) {
		if ((error = exec_str(sv, i, ec->buf, &len)) != 0)
			return error == ENOENT ? E2BIG : error;
		if (len > strend - *strvap)
			return E2BIG;
		if ((error = uvm_io(ec->vm, *strvap, ec->buf, len, true, &done)) != 0 ||
		    (error = exec_push(ec, *strvap)) != 0)
			return error;
		*strvap += len;
	}
	return exec_push(ec, 0);
}

/* 16 bytes for AT_RANDOM: RDRAND when the CPU has it, else the TSC
 * stirred (splitmix64). */
static void
exec_random(uint64_t out[2])
{
	static uint64_t state;		/* [atomic] */
	uint32_t r[4];
	int i;

	cpuid(1, 0, r);
	for (i = 0; i < 2; i++) {
		uint64_t z = 0;
		bool ok = false;

		if (r[2] & (1U << 30))
			__asm__ volatile("rdrand %0; setc %1" : "=r"(z), "=qm"(ok));
		if (!ok || z == 0) {
			z = __atomic_add_fetch(&state, rdtsc() +
			    0x9e3779b97f4a7c15UL, __ATOMIC_RELAXED);
			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9UL;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebUL;
			z ^= z >> 31;
		}
		out[i] = z;
	}
}

/* Map the stack and its guard, and write the strings, the pointer block
 * and the random bytes; return 0 and the initial stack pointer in *spp,
 * or an errno. */
static int
exec_stack(struct exec_ctx *ec, const struct exec_strv *argv,
    const struct exec_strv *envp, vaddr_t *spp)
{
	vaddr_t top = EXEC_STACK_TOP, stack = top - EXEC_STACK_SIZE;
	vaddr_t guard = top - VM_MAXSSIZ, rnd, strva, sp;
	uint64_t random[2];
	size_t nwords, done;
	int error;

	if ((error = uvm_map_enter(&ec->vm->vm_map, &guard, stack - guard, 0,
	    PROT_NONE, PROT_NONE, MAP_INHERIT_COPY, UVM_MAP_FIXED |
	    UVM_MAP_GUARD)) != 0 ||
	    (error = uvm_map_enter(&ec->vm->vm_map, &stack, top - stack, 0,
	    PROT_READ | PROT_WRITE, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_INHERIT_COPY, UVM_MAP_FIXED | UVM_MAP_STACK)) != 0)
		return error;
	if ((error = exec_count(ec, argv, &ec->argc)) != 0 ||
	    (error = exec_count(ec, envp, &ec->envc)) != 0)
		return error;

	rnd = top - sizeof(random);
	strva = rnd - ec->strbytes;
	nwords = 1 + ec->argc + 1 + ec->envc + 1 + 2 * EXEC_NAUX;
	sp = (strva - nwords * 8) & ~15UL;
	ec->wordva = sp;
	exec_random(random);
	if ((error = uvm_io(ec->vm, rnd, random, sizeof(random), true, &done)) != 0 ||
	    (error = exec_push(ec, ec->argc)) != 0)
		return error;
	ec->argstart = strva;
	if ((error = exec_copy_strs(ec, argv, ec->argc, &strva, rnd)) != 0)
		return error;
	ec->argend = strva;
	if ((error = exec_copy_strs(ec, envp, ec->envc, &strva, rnd)) != 0)
		return error;
	if ((error = exec_push(ec, AT_PHDR)) != 0 ||
	    (error = exec_push(ec, ec->phdr)) != 0 ||
	    (error = exec_push(ec, AT_PHENT)) != 0 ||
	    (error = exec_push(ec, sizeof(struct elf64_phdr))) != 0 ||
	    (error = exec_push(ec, AT_PHNUM)) != 0 ||
	    (error = exec_push(ec, ec->eh.e_phnum)) != 0 ||
	    (error = exec_push(ec, AT_PAGESZ)) != 0 ||
	    (error = exec_push(ec, PAGE_SIZE)) != 0 ||
	    (error = exec_push(ec, AT_ENTRY)) != 0 ||
	    (error = exec_push(ec, ec->eh.e_entry)) != 0 ||
	    (error = exec_push(ec, AT_RANDOM)) != 0 ||
	    (error = exec_push(ec, rnd)) != 0 ||
	    (error = exec_push(ec, AT_NULL)) != 0 ||
	    (error = exec_push(ec, 0)) != 0)
		return error;
	if (ec->nwords > 0 && (error = uvm_io(ec->vm, ec->wordva, ec->words,
	    ec->nwords * 8, true, &done)) != 0)
		return error;
	*spp = sp;
	return 0;
}

/* Give up what ec holds (on failure, the new vmspace too). */
static void
exec_ctx_free(struct exec_ctx *ec, bool failed)
{
	if (failed && ec->vm != NULL) {
		proc_vmspace_drop_user(ec->vm);
		uvm_exit(ec->vm);
	}
	if (ec->ph != NULL)
		kfree(ec->ph, ec->eh.e_phnum * sizeof(struct elf64_phdr));
	kfree(ec->words, PAGE_SIZE);
	kfree(ec->buf, PAGE_SIZE);
	if (ec->vp != NULL)
		vrele(ec->vp);
}

/* The point of no return: p (curproc) takes the new image. */
static void
exec_commit(struct proc *p, struct exec_ctx *ec, const char *path, vaddr_t sp)
{
	struct process *pr = p->p_p;
	struct vmspace *old = pr->ps_vmspace;
	const char *base = path, *c;

	/* as Linux: the exec'ing thread becomes the main one, its tid the
	 * pid; its clear_child_tid word was in the old image */
	proc_tid_exec(p);
	p->p_tidaddr = 0;

	/* readers pin the vmspace and take the argv range with it */
	spinlock_acquire(&pr->ps_lock);
	__atomic_store_n(&pr->ps_vmspace, ec->vm, __ATOMIC_RELEASE);
	pr->ps_argstart = ec->argstart;
	pr->ps_argend = ec->argend;
	spinlock_release(&pr->ps_lock);
	spinlock_enter();
	p->p_md.md_pmap = &ec->vm->vm_pmap;
	pmap_activate(&ec->vm->vm_pmap);
	spinlock_exit();
	ec->vm = NULL;
	proc_vmspace_drop_user(old);
	uvm_exit(old);

	fdcloseexec(pr->ps_fd);
	vfork_release(pr);
	sigactsexec(pr);
	/* as Linux: a traced process stops with SIGTRAP after exec */
	if (__atomic_load_n(&pr->ps_flags, __ATOMIC_RELAXED) & PS_TRACED)
		psignal(pr, SIGTRAP);
	setregs(p, ec->eh.e_entry, sp);
	pr->ps_brkbase = pr->ps_brk = ec->brk;

	for (c = path; *c != '\0'; c++)
		if (*c == '/')
			base = c + 1;
	spinlock_acquire(&pr->ps_lock);
	strlcpy(pr->ps_comm, base, sizeof(pr->ps_comm));
	spinlock_release(&pr->ps_lock);
	strlcpy(p->p_name, pr->ps_comm, sizeof(p->p_name));
}

/* Replace the calling thread p's image by the executable at path with
 * argv and envp; return 0 (p returns to the new image) or an errno, with
 * nothing changed. */
static int
kern_execve(struct proc *p, const char *path, const struct exec_strv *argv,
    const struct exec_strv *envp)
{
	struct exec_ctx ec;
	struct vattr va;
	vaddr_t sp;
	int error;

	KASSERT(p == curproc && !(p->p_flag & P_SYSTEM));
	memset(&ec, 0, sizeof(ec));
	ec.buf = kmalloc(PAGE_SIZE, M_NOWAIT);
	ec.words = kmalloc(PAGE_SIZE, M_NOWAIT);
	if (ec.buf == NULL || ec.words == NULL) {
		error = ENOMEM;
		goto out;
	}
	if (path[0] == '\0') {
		error = ENOENT;
		goto out;
	}
	if ((error = vfs_lookup(rootvnode, rootvnode, path, &ec.vp)) != 0)
		goto out;
	vn_stat(ec.vp, &va);
	if (va.va_type != VREG || !(va.va_mode & 0111)) {
		error = EACCES;
		goto out;
	}
	if ((error = exec_check_elf(&ec)) != 0)
		goto out;
	if ((ec.vm = uvmspace_alloc()) == NULL) {
		error = ENOMEM;
		goto out;
	}
	if ((error = exec_load(&ec)) != 0 ||
	    (error = exec_stack(&ec, argv, envp, &sp)) != 0)
		goto out;
	/* the new image must fit in RLIMIT_AS (kern_resource.c) */
	if (ec.vm->vm_map.m_size > resource_limit(p->p_p, RLIMIT_AS)) {
		error = ENOMEM;
		goto out;
	}
	/* threads (kern_single.c): the other threads exit first; EINTR if
	 * another one is ending the process (userret then exits this one) */
	if (single_thread_set(p, SINGLE_EXIT) != 0) {
		error = EINTR;
		goto out;
	}
	exec_commit(p, &ec, path, sp);
	single_thread_clear(p);
out:
	exec_ctx_free(&ec, error != 0);
	return error;
}

/* execve(path, argv, envp) */
long
sys_execve(struct proc *p, const uint64_t *args)
{
	struct exec_strv argv = { true, (const void *)args[1] };
	struct exec_strv envp = { true, (const void *)args[2] };
	char *path = kmalloc(PATH_MAX, M_NOWAIT);
	int error;

	if (path == NULL)
		return -ENOMEM;
	error = copyinstr((const char *)args[0], path, PATH_MAX, NULL);
	if (error == 0)
		error = kern_execve(p, path, &argv, &envp);
	kfree(path, PATH_MAX);
	return -error;		/* 0: rax of the new image */
}

/* ---- pid 1 ---- */

static const char *init_path;
static const char *const *init_envp;

/* pid 1's first code: exec init_path, then user mode. */
static void
proc_init_start(void *arg __unused)
{
	struct proc *p = curproc;
	const char *argv_k[] = { init_path, NULL };
	struct exec_strv argv = { false, argv_k }, envp = { false, init_envp };
	int error;

	if ((error = kern_execve(p, init_path, &argv, &envp)) != 0)
		panic("proc_init_start: cannot exec %s: error %d", init_path,
		    error);
	cpu_user_return(p);
}

/* Make pid 1, which execs path; return it with a reference, or NULL. */
struct process *
proc_start_init(const char *path, const char *const *envp)
{
	struct process *pr;
	struct proc *p;
	struct filedesc *fdp;
	struct vmspace *vm;
	vaddr_t kstack;
	int fd, i;

	KASSERT(initprocess == NULL);
	if ((pr = process_alloc(true)) == NULL)
		return NULL;
	p = proc_alloc();
	kstack = uvm_km_kstack_alloc();
	fdp = fdinit();
	vm = uvmspace_alloc();
	if (p == NULL || kstack == 0 || fdp == NULL || vm == NULL)
		panic("proc_start_init: no memory for pid 1");
	for (i = 0; i < 3; i++)
		if (doopen(fdp, "/dev/console", O_RDWR, &fd) != 0 || fd != i)
			panic("proc_start_init: cannot open /dev/console");
	syscall_init_cpu();
	proc_procfs_init();
	init_path = path;
	init_envp = envp;

	p->p_p = pr;
	p->p_tid = pr->ps_pid;
	strlcpy(p->p_name, "init", sizeof(p->p_name));
	p->p_kstack = kstack;
	p->p_pcb.pcb_rsp0 = kstack + KSTACK_SIZE;
	p->p_stat = SIDL;
	p->p_md.md_pmap = &vm->vm_pmap;
	cpu_user_thread_setup(p, proc_init_start, NULL);
	setregs(p, 0, 0);		/* a clean FPU image until exec */
	pr->ps_threads = p;
	pr->ps_nthreads = 1;
	pr->ps_vmspace = vm;
	pr->ps_fd = fdp;
	resource_limits_init(pr);	/* the default limits, counted */
	strlcpy(pr->ps_comm, "init", sizeof(pr->ps_comm));
	if (sigactsinit(pr) != 0)
		panic("proc_start_init: no memory for pid 1's signal actions");
	pr->ps_refcnt++;		/* the caller's */
	initprocess = pr;
	process_hash(pr);
	sched_start_thread(p);
	return pr;
}
