/* core/platform.c — the platform wall, ptrace + seccomp implementation.
 * Owns the host processes that run guest code: creating an empty one,
 * stopping it at every syscall (seccomp RET_TRACE: one ptrace stop per
 * intercepted syscall), its registers and memory, and running syscalls
 * inside it through the stub page. Nothing here knows about the guest
 * kernel's semantics. */
#include "core/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <elf.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct plat_task {
	pid_t pid;
	int memfd;        /* /proc/PID/mem, read-write */
	int died;         /* the process ended during an injection ... */
	int died_status;  /* ... with this wait status, not yet reported */
	bool at_syscall;  /* stopped at a seccomp syscall stop */
};

#define RSEQ_SIG_X86 0x53053053

/* The stub page: syscall at +0, int3 at +2. */
static const unsigned char stub_code[] = {
	0x0f, 0x05, 0xcc, 0x90,  /* +0 syscall; int3 */
	0x0f, 0x31, 0xcc, 0x90,  /* +4 rdtsc; int3: does PR_SET_TSC trap? */
	0x0f, 0xa2, 0xcc,        /* +8 cpuid; int3: does CPUID fault? */
};
#define STUB_RDTSC_TRIAL 4
#define STUB_CPUID_TRIAL 8
#define STUB_SYSCALL PLAT_STUB_ADDR
#define STUB_AFTER_SYSCALL (PLAT_STUB_ADDR + 2)
#define STUB_AFTER_INT3 (PLAT_STUB_ADDR + 3)

/* seccomp data offsets */
#define SD_NR offsetof(struct seccomp_data, nr)
#define SD_ARCH offsetof(struct seccomp_data, arch)
#define SD_IP_LO offsetof(struct seccomp_data, instruction_pointer)
#define SD_IP_HI (offsetof(struct seccomp_data, instruction_pointer) + 4)

/* Trace every syscall except those made from the stub page. Syscalls of
 * the i386 ABI (int 0x80) raise SIGSYS instead (SECCOMP_RET_TRAP), so the
 * kernel can tell them apart without an extra ptrace call per syscall. */
static struct sock_filter filter_code[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_ARCH),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_IP_LO),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)STUB_AFTER_SYSCALL, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, SD_IP_HI),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)(STUB_AFTER_SYSCALL >> 32), 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE),
};

/* An XSAVE area with every component in its initial state, so guests
 * start with clean x87/SSE/AVX registers whatever deja computed before
 * the fork. 64-byte aligned; big enough for AVX-512 state. */
static unsigned char xstate_init[8192] __attribute__((aligned(64)));

static void child_reset_signals(void)
{
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t none;

	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static bool own_group;

void plat_set_own_group(bool on)
{
	own_group = on;
}

/* Runs in the forked child: becomes an empty, traced guest process. */
static void __attribute__((noreturn)) child_main(void)
{
	struct sock_fprog prog = {
		.len = sizeof(filter_code) / sizeof(filter_code[0]),
		.filter = filter_code,
	};
	void *stub;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (own_group)
		setpgid(0, 0);
	child_reset_signals();
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(127);
	raise(SIGSTOP);
	/* Detach the kernel from per-thread areas in deja's memory, which is
	 * about to disappear: rseq (the kernel would fault on it), the robust
	 * futex list and the tid to clear at exit. */
	if (__rseq_size) { /* glibc registers 32 bytes or more */
		char *area = (char *)__builtin_thread_pointer() + __rseq_offset;
		if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG_X86) < 0)
			syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER,
				RSEQ_SIG_X86);
	}
	syscall(SYS_set_robust_list, NULL, 24);
	syscall(SYS_set_tid_address, NULL);
	syscall(SYS_close_range, 0, ~0U, 0);
	/* no core dumps: a wait status must not depend on the host's limit */
	setrlimit(RLIMIT_CORE, &(struct rlimit){ 0, 0 });
	stub = mmap((void *)PLAT_STUB_ADDR, PLAT_STUB_SIZE,
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_FIXED_NOREPLACE, -1, 0);
	if (stub != (void *)PLAT_STUB_ADDR)
		_exit(126);
	memcpy(stub, stub_code, sizeof(stub_code));
	if (mprotect(stub, PLAT_STUB_SIZE, PROT_READ | PROT_EXEC) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		_exit(125);
	/* Reset the FPU/vector state, then trap into the tracer at the stub. */
	__asm__ volatile("xor %%eax, %%eax\n\t"
			 "not %%eax\n\t"
			 "mov %%eax, %%edx\n\t"
			 "xrstor (%0)\n\t"
			 "jmp *%1\n\t"
			 : : "r"(xstate_init), "r"(STUB_AFTER_SYSCALL)
			 : "rax", "rdx", "memory");
	__builtin_unreachable();
}

static int wait_stop(pid_t pid, int *status)
{
	for (;;) {
		if (waitpid(pid, status, __WALL) >= 0)
			return 0;
		if (errno != EINTR)
			return -errno;
	}
}

static int expect_sig(pid_t pid, int sig)
{
	int st;
	int rc = wait_stop(pid, &st);

	if (rc < 0)
		return rc;
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != sig)
		return -ECHILD;
	return 0;
}

static bool cpu_has_xsave(void)
{
	unsigned a, b, c, d;

	__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(1), "c"(0));
	return (c >> 26) & 1 && (c >> 27) & 1; /* XSAVE and OSXSAVE */
}

static int spawn_child(pid_t *out)
{
	long opts = PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL |
		    PTRACE_O_TRACECLONE; /* plat_fork's copies stay traced */
	pid_t pid;
	int rc;

	memset(xstate_init, 0, sizeof(xstate_init));
	*(uint32_t *)(xstate_init + 24) = 0x1f80; /* MXCSR default */
	if (!cpu_has_xsave())
		return -ENOSYS;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		child_main();
	*out = pid;
	rc = expect_sig(pid, SIGSTOP);
	if (rc < 0)
		return rc;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, opts) < 0 ||
	    ptrace(PTRACE_CONT, pid, 0, 0) < 0)
		return -errno;
	return expect_sig(pid, SIGTRAP);
}

int plat_spawn(struct plat_task **out)
{
	struct plat_task *t = calloc(1, sizeof(*t));
	char path[64];
	int rc;

	if (!t)
		return -ENOMEM;
	t->pid = -1;
	t->memfd = -1;
	rc = spawn_child(&t->pid);
	if (rc < 0)
		goto fail;
	snprintf(path, sizeof(path), "/proc/%d/mem", t->pid);
	t->memfd = open(path, O_RDWR | O_CLOEXEC);
	if (t->memfd < 0) {
		rc = -errno;
		goto fail;
	}
	/* Unmap everything deja's fork left there (deja's code, libc, stack,
	 * vdso) except the stub page. */
	rc = (int)plat_guest_syscall(t, SYS_munmap, 0, PLAT_STUB_ADDR, 0, 0, 0, 0);
	if (rc == 0)
		rc = (int)plat_guest_syscall(t, SYS_munmap,
			PLAT_STUB_ADDR + PLAT_STUB_SIZE,
			PLAT_TASK_SIZE - PLAT_STUB_ADDR - PLAT_STUB_SIZE,
			0, 0, 0, 0);
	if (rc < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	plat_destroy(t);
	return rc;
}

bool plat_alive(const struct plat_task *t)
{
	return t->pid > 0;
}

pid_t plat_host_pid(const struct plat_task *t)
{
	return t->pid;
}

void plat_destroy(struct plat_task *t)
{
	int st;

	if (!t)
		return;
	if (t->pid > 0) {
		kill(t->pid, SIGKILL);
		while (waitpid(t->pid, &st, __WALL) < 0 && errno == EINTR)
			;
	}
	if (t->memfd >= 0)
		close(t->memfd);
	free(t);
}

void plat_kill(struct plat_task *t, int sig)
{
	if (t->pid > 0)
		kill(t->pid, sig);
}

int plat_signal(struct plat_task *t, int sig)
{
	if (t->pid <= 0)
		return -ESRCH;
	return syscall(SYS_tgkill, t->pid, t->pid, sig) < 0 ? -errno : 0;
}

int plat_set_siginfo(struct plat_task *t, const void *siginfo)
{
	return ptrace(PTRACE_SETSIGINFO, t->pid, 0, siginfo) < 0 ? -errno : 0;
}

static void decode_stop(struct plat_task *t, int st, struct plat_stop *stop)
{
	siginfo_t si;

	memset(stop, 0, sizeof(*stop));
	t->at_syscall = false;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		stop->kind = PLAT_STOP_EXITED;
		stop->status = st;
		t->pid = -1;
		return;
	}
	if ((st >> 8) == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
		stop->kind = PLAT_STOP_SYSCALL;
		t->at_syscall = true;
		return;
	}
	stop->kind = PLAT_STOP_SIGNAL;
	stop->sig = WSTOPSIG(st);
	/* A group-stop (Ctrl-Z reached the guest) has no siginfo: there is
	 * nothing to deliver; resuming continues the guest. */
	if (ptrace(PTRACE_GETSIGINFO, t->pid, 0, &si) < 0) {
		if (errno == EINVAL)
			stop->sig = 0;
	} else {
		stop->fault_code = si.si_code;
		stop->fault_addr = (uint64_t)(uintptr_t)si.si_addr;
		if (si.si_signo == SIGSYS && si.si_code == 1 /* SYS_SECCOMP */)
			stop->kind = PLAT_STOP_FOREIGN_SYSCALL;
		if (si.si_signo == SIGTRAP && si.si_code == TRAP_TRACE)
			stop->trap = PLAT_TRAP_STEP;
		if (si.si_signo == SIGTRAP && si.si_code == SI_KERNEL)
			stop->trap = PLAT_TRAP_INT3;
	}
}

int plat_reap(struct plat_task *t, struct plat_stop *stop)
{
	struct timespec tick = { 0, 2 * 1000 * 1000 };
	int st;

	if (t->pid < 0)
		return t->died ? plat_resume(t, 0, stop) : -ESRCH;
	/* a killed tracee becomes a zombie promptly; give it a second */
	for (int i = 0; i < 500; i++) {
		pid_t r = waitpid(t->pid, &st, __WALL | WNOHANG);
		if (r == t->pid && (WIFEXITED(st) || WIFSIGNALED(st))) {
			decode_stop(t, st, stop);
			return 0;
		}
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r == 0 && kill(t->pid, 0) == 0 && i > 50)
			return -EBUSY; /* alive and not ending: a real error */
		nanosleep(&tick, NULL);
	}
	return -ETIMEDOUT;
}

/* Report a death or a signal an injection left over, if any. */
static bool leftover_stop(struct plat_task *t, struct plat_stop *stop)
{
	if (t->pid < 0 && t->died) {
		memset(stop, 0, sizeof(*stop));
		stop->kind = PLAT_STOP_EXITED;
		stop->status = t->died_status;
		t->died = 0;
		return true;
	}
	return false;
}

static int ptrace_wait(struct plat_task *t, int req, int sig,
		       struct plat_stop *stop)
{
	int st, rc;

	if (ptrace(req, t->pid, 0, sig) < 0)
		return -errno;
	rc = wait_stop(t->pid, &st);
	if (rc < 0)
		return rc;
	decode_stop(t, st, stop);
	return 0;
}

int plat_step(struct plat_task *t, int sig, struct plat_stop *stop)
{
	bool from_syscall = t->at_syscall;
	int rc;

	if (leftover_stop(t, stop))
		return 0;
	if (t->pid < 0)
		return -ESRCH;
	rc = ptrace_wait(t, PTRACE_SINGLESTEP, sig, stop);
	/* Stepping out of a syscall stop first reports the syscall's exit
	 * (a SIGTRAP with TRAP_BRKPT, nothing executed): skip it. */
	if (rc == 0 && from_syscall && stop->kind == PLAT_STOP_SIGNAL &&
	    stop->sig == SIGTRAP && stop->fault_code == TRAP_BRKPT)
		rc = ptrace_wait(t, PTRACE_SINGLESTEP, 0, stop);
	return rc;
}

int plat_resume(struct plat_task *t, int sig, struct plat_stop *stop)
{
	if (leftover_stop(t, stop))
		return 0;
	if (t->pid < 0)
		return -ESRCH;
	return ptrace_wait(t, PTRACE_CONT, sig, stop);
}

int plat_get_regs(struct plat_task *t, guest_regs *r)
{
	return ptrace(PTRACE_GETREGS, t->pid, 0, r) < 0 ? -errno : 0;
}

int plat_set_regs(struct plat_task *t, const guest_regs *r)
{
	return ptrace(PTRACE_SETREGS, t->pid, 0, r) < 0 ? -errno : 0;
}

int plat_finish_syscall(struct plat_task *t, guest_regs *regs, long result)
{
	regs->orig_rax = (unsigned long)-1; /* the host must not run it */
	regs->rax = (unsigned long)result;
	/* syscall copies rflags into r11: without the trap flag a debugger's
	 * single step sets, as if it had run at full speed */
	regs->r11 &= ~0x100UL;
	return plat_set_regs(t, regs);
}

int plat_refuse_foreign_syscall(struct plat_task *t, guest_regs *regs,
				long result)
{
	regs->rax = (unsigned long)result;
	return plat_set_regs(t, regs);
}

/* Run the 2-byte instruction at stub offset OFF: 1 if it faulted
 * (SIGSEGV at it), 0 if it ran to the int3 after it, or -errno. */
static int stub_trial(struct plat_task *t, unsigned off)
{
	guest_regs saved, r;
	int st, rc, faulted;

	rc = plat_get_regs(t, &saved);
	if (rc < 0)
		return rc;
	r = saved;
	r.orig_rax = (unsigned long)-1;
	r.rax = r.rcx = 0;
	r.rip = PLAT_STUB_ADDR + off;
	rc = plat_set_regs(t, &r);
	if (rc < 0)
		return rc;
	if (ptrace(PTRACE_CONT, t->pid, 0, 0) < 0)
		return -errno;
	rc = wait_stop(t->pid, &st);
	if (rc < 0 || !WIFSTOPPED(st))
		return rc < 0 ? rc : -ESRCH;
	rc = plat_get_regs(t, &r);
	if (rc < 0)
		return rc;
	faulted = WSTOPSIG(st) == SIGSEGV && r.rip == PLAT_STUB_ADDR + off;
	if (!faulted && !(WSTOPSIG(st) == SIGTRAP && r.rip == PLAT_STUB_ADDR + off + 3))
		return -EPROTO;
	rc = plat_set_regs(t, &saved);
	return rc < 0 ? rc : faulted;
}

/* Ask the host CPU to fault on rdtsc/rdtscp and cpuid in this process,
 * then test that it really does: some hypervisors accept the request
 * and ignore it. */
int plat_enable_insn_faults(struct plat_task *t, int *tsc, int *cpuid)
{
	long r;
	int rc;

	*tsc = *cpuid = 0;
	r = plat_guest_syscall(t, SYS_prctl, PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0, 0);
	if (r == 0) {
		rc = stub_trial(t, STUB_RDTSC_TRIAL);
		if (rc < 0)
			return rc;
		*tsc = rc;
		if (!rc) /* accepted but ignored: undo it */
			plat_guest_syscall(t, SYS_prctl, PR_SET_TSC, PR_TSC_ENABLE, 0, 0, 0, 0);
	}
	r = plat_guest_syscall(t, SYS_arch_prctl, 0x1012 /* ARCH_SET_CPUID */, 0,
			       0, 0, 0, 0);
	if (r == 0) {
		rc = stub_trial(t, STUB_CPUID_TRIAL);
		if (rc < 0)
			return rc;
		*cpuid = rc;
		if (!rc)
			plat_guest_syscall(t, SYS_arch_prctl, 0x1012, 1, 0, 0, 0, 0);
	}
	return 0;
}

/* A signal that stopped an injected syscall: reported at the next resume. */
/* Signals that became deliverable during an injected syscall (its
 * return delivers them) are made pending again once the stub's int3 is
 * reached: the next resume delivers them, each with a real stop, as if
 * they had come just after the guest's own syscall. */
static void requeue_signals(struct plat_task *t, uint64_t sigs)
{
	for (int sig = 1; sig <= 64; sig++)
		if (sigs & (1ULL << (sig - 1)))
			syscall(SYS_tgkill, t->pid, t->pid, sig);
}

/* Continue until the stub's int3; other signals come back afterwards. */
static int run_to_stub_trap(struct plat_task *t)
{
	uint64_t kept = 0;
	guest_regs r;
	int st, rc;

	t->at_syscall = false; /* the injection leaves any syscall stop */
	for (;;) {
		if (ptrace(PTRACE_CONT, t->pid, 0, 0) < 0)
			return -errno;
		rc = wait_stop(t->pid, &st);
		if (rc < 0)
			return rc;
		if (!WIFSTOPPED(st)) { /* killed meanwhile: report it next */
			t->pid = -1;
			t->died = 1;
			t->died_status = st;
			return -ESRCH;
		}
		if (plat_get_regs(t, &r) < 0)
			return -ESRCH;
		if (WSTOPSIG(st) == SIGTRAP && (st >> 16) == 0 &&
		    r.rip == STUB_AFTER_INT3) {
			requeue_signals(t, kept);
			return 0;
		}
		if (r.rip >= PLAT_STUB_ADDR && r.rip < PLAT_STUB_ADDR + PLAT_STUB_SIZE &&
		    (WSTOPSIG(st) == SIGSEGV || WSTOPSIG(st) == SIGBUS ||
		     WSTOPSIG(st) == SIGILL))
			return -EFAULT; /* the stub itself faulted */
		if ((st >> 16) == 0 && WSTOPSIG(st) != SIGTRAP &&
		    WSTOPSIG(st) >= 1 && WSTOPSIG(st) <= 64)
			kept |= 1ULL << (WSTOPSIG(st) - 1);
	}
}

long plat_guest_syscall(struct plat_task *t, long nr, long a0, long a1,
			long a2, long a3, long a4, long a5)
{
	guest_regs saved, r;
	int rc;

	rc = plat_get_regs(t, &saved);
	if (rc < 0)
		return rc;
	r = saved;
	r.orig_rax = (unsigned long)-1; /* skip a syscall we are stopped in */
	r.rax = (unsigned long)nr;
	r.rdi = a0, r.rsi = a1, r.rdx = a2, r.r10 = a3, r.r8 = a4, r.r9 = a5;
	r.rip = STUB_SYSCALL;
	rc = plat_set_regs(t, &r);
	if (rc == 0)
		rc = run_to_stub_trap(t);
	if (rc == 0)
		rc = plat_get_regs(t, &r);
	if (rc < 0)
		return rc;
	rc = plat_set_regs(t, &saved);
	if (rc < 0)
		return rc;
	return (long)r.rax;
}

int plat_mem_read(struct plat_task *t, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(t->memfd, (char *)buf + done, len - done,
				  (off_t)(addr + done));
		if (n <= 0)
			return n < 0 && errno != EIO ? -errno : -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

int plat_mem_write(struct plat_task *t, uint64_t addr, const void *buf,
		   size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(t->memfd, (const char *)buf + done,
				   len - done, (off_t)(addr + done));
		if (n <= 0)
			return n < 0 && errno != EIO ? -errno : -EFAULT;
		done += (size_t)n;
	}
	return 0;
}

int plat_mem_read_str(struct plat_task *t, uint64_t addr, char *buf,
		      size_t cap)
{
	size_t done = 0;

	while (done < cap) {
		/* read up to the end of the page to avoid faulting past it */
		size_t chunk = 4096 - ((addr + done) & 4095);
		ssize_t n;

		if (chunk > cap - done)
			chunk = cap - done;
		n = pread(t->memfd, buf + done, chunk, (off_t)(addr + done));
		if (n <= 0)
			return -EFAULT;
		if (memchr(buf + done, 0, (size_t)n))
			return 0;
		done += (size_t)n;
	}
	return -ENAMETOOLONG;
}

/* Wrap an auto-attached fork child, waiting for its first stop. */
static int adopt_child(pid_t pid, const guest_regs *regs,
		       struct plat_task **out)
{
	struct plat_task *c = calloc(1, sizeof(*c));
	char path[64];
	int rc;

	if (!c) {
		kill(pid, SIGKILL);
		return -ENOMEM;
	}
	c->pid = pid;
	c->memfd = -1;
	rc = expect_sig(pid, SIGSTOP);
	if (rc == 0) {
		snprintf(path, sizeof(path), "/proc/%d/mem", pid);
		c->memfd = open(path, O_RDWR | O_CLOEXEC);
		rc = c->memfd < 0 ? -errno : plat_set_regs(c, regs);
	}
	if (rc < 0) {
		plat_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}

int plat_fork(struct plat_task *t, struct plat_task **out)
{
	guest_regs regs;
	long pid;
	int rc = plat_get_regs(t, &regs);

	if (rc < 0)
		return rc;
	/* clone with no exit signal: a copy that dies later (an evicted
	 * checkpoint, a replaced live guest, a guest child) must not send the
	 * host's SIGCHLD to the process it was copied from, which may be
	 * running guest code then (the kernel sends the guest its own
	 * SIGCHLD). CLONE_PARENT makes deja the host parent, so deja reaps
	 * it. Such children are reported as PTRACE_EVENT_CLONE. */
	pid = plat_guest_syscall(t, SYS_clone, CLONE_PARENT, 0, 0, 0, 0, 0);
	if (pid <= 0)
		return pid < 0 ? (int)pid : -EPROTO;
	return adopt_child((pid_t)pid, &regs, out);
}

int plat_get_fpregs(struct plat_task *t, struct user_fpregs_struct *fp)
{
	return ptrace(PTRACE_GETFPREGS, t->pid, 0, fp) < 0 ? -errno : 0;
}

#define XSAVE_YMMH_OFFSET 576  /* component 2 in the standard format */
#define XSAVE_HEADER_OFFSET 512

int plat_get_ymmh(struct plat_task *t, uint8_t ymmh[16][16], bool *has_avx)
{
	static uint8_t area[8192] __attribute__((aligned(64)));
	static int avx = -1; /* the CPU's answer does not change */
	struct iovec io = { area, sizeof(area) };
	uint64_t bv;

	if (avx < 0) {
		unsigned a, b, c, d;
		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
				 : "a"(1), "c"(0));
		avx = (c >> 28) & 1;
	}
	*has_avx = avx;
	memset(ymmh, 0, 16 * 16);
	if (!*has_avx)
		return 0;
	if (ptrace(PTRACE_GETREGSET, t->pid, (void *)NT_X86_XSTATE, &io) < 0)
		return -errno;
	memcpy(&bv, area + XSAVE_HEADER_OFFSET, sizeof(bv));
	if ((bv & 4) && io.iov_len >= XSAVE_YMMH_OFFSET + 256)
		memcpy(ymmh, area + XSAVE_YMMH_OFFSET, 256);
	return 0;
}
