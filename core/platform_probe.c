/* core/platform_probe.c — `deja doctor`'s view of the host: tries each
 * tracing and trapping mechanism in a forked child and measures the costs
 * that decide deja's design (see core/probe.h). Behind the platform wall
 * with core/platform.c: the only other file that may include
 * <sys/ptrace.h>. It never touches a guest and prints nothing.
 *
 * Every child arms alarm() and PR_SET_PDEATHSIG, probes wait with a
 * deadline, and every fork is reaped (SIGKILL first) before returning. */
#include "core/probe.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/perf_event.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef PR_SET_SYSCALL_USER_DISPATCH
#define PR_SET_SYSCALL_USER_DISPATCH 59
#define PR_SYS_DISPATCH_ON 1
#define SYSCALL_DISPATCH_FILTER_ALLOW 0
#define SYSCALL_DISPATCH_FILTER_BLOCK 1
#endif
#ifndef SYS_USER_DISPATCH
#define SYS_USER_DISPATCH 2
#endif
#define PROBE_ARCH_SET_CPUID 0x1012

#define CHILD_ALARM_S 10      /* a child that outlives this is killed */
#define WAIT_MS 5000          /* the longest a probe waits for one event */
#define SECCOMP_PROBE_DATA 0x5ec

/* Exit codes of probe children. */
#define CX_OK 0
#define CX_NOPE 1             /* the mechanism did not act */
#define CX_ERRNO 100          /* + errno of the setup call that failed */

const char *probe_state_name(int state)
{
	switch (state) {
	case PROBE_WORKS: return "works";
	case PROBE_BROKEN: return "does not work";
	case PROBE_UNAVAILABLE: return "unavailable";
	}
	return "?";
}

static int set(struct probe_result *r, int state, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int set(struct probe_result *r, int state, const char *fmt, ...)
{
	va_list ap;

	r->state = state;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return state;
}

/* The caller's stopwatch (deja doctor's): time here is a measurement of
 * the host, never an input to a guest. */
static probe_clock_fn stopwatch;

void probe_use_clock(probe_clock_fn now_s)
{
	stopwatch = now_s;
}

static double now_s(void)
{
	if (!stopwatch) /* a caller bug: timeouts would never expire */
		abort();
	return stopwatch();
}

static inline long raw_getppid(void)
{
	long r;

	__asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_getppid)
			 : "rcx", "r11", "memory");
	return r;
}

/* --- children ------------------------------------------------------ */

static void child_setup(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	alarm(CHILD_ALARM_S);
}

/* Become traced and stop; the tracer resumes us. Raw kill(): glibc's
 * raise() makes more syscalls after the signal, which SYSEMU would eat. */
static void child_traceme_stop(void)
{
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) < 0)
		_exit(CX_ERRNO + errno);
	syscall(SYS_kill, syscall(SYS_getpid), SIGSTOP);
}

static int install_trace_filter(long nr, unsigned data)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE | data),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
		return -errno;
	return 0;
}

/* --- waiting ------------------------------------------------------- */

/* waitpid with a deadline (polls, so a stuck child cannot hang us). */
static int wait_for(pid_t pid, int *status, int timeout_ms)
{
	double end = now_s() + timeout_ms / 1e3;
	struct timespec nap = { 0, 200000 };

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG | __WALL);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_s() > end)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
	}
}

/* Kill and reap PID (no-op for pid <= 0). */
static void reap(pid_t pid)
{
	int st;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
		;
}

/* Describes a finished child's status in R as UNAVAILABLE (setup errno),
 * BROKEN or WORKS; WHAT names the setup call. */
static int verdict(struct probe_result *r, int st, const char *what,
		   const char *ok, const char *nope)
{
	if (WIFSIGNALED(st))
		return set(r, PROBE_BROKEN, "probe child killed by signal %d",
			   WTERMSIG(st));
	if (!WIFEXITED(st))
		return set(r, PROBE_BROKEN, "probe child in odd state %#x", st);
	if (WEXITSTATUS(st) == CX_OK)
		return set(r, PROBE_WORKS, "%s", ok);
	if (WEXITSTATUS(st) >= CX_ERRNO)
		return set(r, PROBE_UNAVAILABLE, "%s: %s", what,
			   strerror(WEXITSTATUS(st) - CX_ERRNO));
	return set(r, PROBE_BROKEN, "%s", nope);
}

/* Forks a child that becomes traced, stops itself, then runs BODY (which
 * must not return). Returns its pid in that first stop, or -1 with R
 * saying why. */
static pid_t spawn_traced(void (*body)(void), struct probe_result *r)
{
	int st, rc;
	pid_t pid = fork();

	if (pid < 0) {
		set(r, PROBE_UNAVAILABLE, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		child_setup();
		child_traceme_stop();
		body();
		_exit(CX_OK);
	}
	rc = wait_for(pid, &st, WAIT_MS);
	if (rc < 0) {
		set(r, PROBE_BROKEN, "waiting for the first stop: %s",
		    strerror(-rc));
		reap(pid);
		return -1;
	}
	if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP)
		return pid;
	verdict(r, st, "PTRACE_TRACEME", "child exited before stopping",
		"child exited before stopping");
	if (r->state == PROBE_WORKS)
		r->state = PROBE_BROKEN;
	if (WIFSTOPPED(st))
		reap(pid);
	return -1;
}

/* Resumes a traced child with REQ (passing on real signals) until it
 * exits or stops with SIGTRAP; returns 0 and the status, or -errno. */
static int run_to_trap_or_exit(pid_t pid, int req, int *st)
{
	int sig = 0, rc;

	for (;;) {
		if (ptrace(req, pid, 0, (void *)(long)sig) < 0)
			return -errno;
		rc = wait_for(pid, st, WAIT_MS);
		if (rc < 0)
			return rc;
		if (!WIFSTOPPED(*st) || WSTOPSIG(*st) == SIGTRAP)
			return 0;
		sig = WSTOPSIG(*st);
	}
}

/* --- host ---------------------------------------------------------- */

static int cpuinfo_flag(const char *flags, const char *name)
{
	size_t n = strlen(name);
	const char *p = flags;

	while ((p = strstr(p, name))) {
		if ((p == flags || p[-1] == ' ') && (p[n] == ' ' ||
		     p[n] == '\n' || p[n] == 0))
			return 1;
		p += n;
	}
	return 0;
}

void probe_host_info(struct probe_report *r)
{
	struct utsname u;
	char line[4096];
	FILE *f;

	snprintf(r->kernel, sizeof(r->kernel), "unknown");
	snprintf(r->cpu, sizeof(r->cpu), "unknown");
	r->perf_paranoid = -99;
	if (uname(&u) == 0)
		snprintf(r->kernel, sizeof(r->kernel), "%s %s %s %s",
			 u.sysname, u.release, u.version, u.machine);
	f = fopen("/proc/cpuinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		char *v = strchr(line, ':');

		if (!v)
			continue;
		if (!strncmp(line, "model name", 10)) {
			snprintf(r->cpu, sizeof(r->cpu), "%s", v + 2);
			r->cpu[strcspn(r->cpu, "\n")] = 0;
		} else if (!strncmp(line, "flags", 5)) {
			r->virtualized = cpuinfo_flag(v + 1, "hypervisor");
			r->has_rdrand = cpuinfo_flag(v + 1, "rdrand");
			r->has_rdseed = cpuinfo_flag(v + 1, "rdseed");
			break;
		}
	}
	if (f)
		fclose(f);
	f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f && fscanf(f, "%d", &r->perf_paranoid) != 1)
		r->perf_paranoid = -99;
	if (f)
		fclose(f);
}

/* --- mechanisms ---------------------------------------------------- */

static void body_exit(void)
{
	_exit(CX_OK);
}

int probe_ptrace(struct probe_result *r)
{
	struct user_regs_struct regs;
	pid_t pid = spawn_traced(body_exit, r);
	int st = 0, rc;

	if (pid < 0)
		return r->state;
	if (ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0) {
		set(r, PROBE_BROKEN, "PTRACE_GETREGS: %s", strerror(errno));
		reap(pid);
		return r->state;
	}
	rc = run_to_trap_or_exit(pid, PTRACE_CONT, &st);
	if (rc < 0 || !WIFEXITED(st))
		set(r, PROBE_BROKEN, "child did not run to its exit after "
		    "PTRACE_CONT (%s)", rc < 0 ? strerror(-rc) : "stopped");
	else
		set(r, PROBE_WORKS, "PTRACE_TRACEME, stop, GETREGS, CONT");
	reap(rc == 0 && !WIFSTOPPED(st) ? 0 : pid);
	return r->state;
}

static void body_seccomp_once(void)
{
	int rc = install_trace_filter(SYS_getppid, SECCOMP_PROBE_DATA);

	if (rc < 0)
		_exit(CX_ERRNO - rc);
	raw_getppid();
	_exit(CX_OK);
}

int probe_seccomp_trace(struct probe_result *r)
{
	pid_t pid = spawn_traced(body_seccomp_once, r);
	unsigned long msg = 0;
	int st = 0, rc = 0, events = 0, sig = 0, gone = 0;

	if (pid < 0)
		return r->state;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)(long)
		   (PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL)) < 0) {
		set(r, PROBE_UNAVAILABLE, "PTRACE_O_TRACESECCOMP: %s",
		    strerror(errno));
		reap(pid);
		return r->state;
	}
	for (;;) {
		if (ptrace(PTRACE_CONT, pid, 0, (void *)(long)sig) < 0)
			break;
		sig = 0;
		rc = wait_for(pid, &st, WAIT_MS);
		if (rc < 0)
			break;
		if (!WIFSTOPPED(st)) {
			gone = 1;
			break;
		}
		if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_SECCOMP << 8))) {
			ptrace(PTRACE_GETEVENTMSG, pid, 0, &msg);
			events++;
		} else if (WSTOPSIG(st) != SIGTRAP) {
			sig = WSTOPSIG(st);
		}
	}
	if (!gone)
		set(r, PROBE_BROKEN, "child did not run to its exit (%s)",
		    rc < 0 ? strerror(-rc) : "PTRACE_CONT failed");
	else if (WIFEXITED(st) && WEXITSTATUS(st) >= CX_ERRNO)
		verdict(r, st, "installing the seccomp filter", "", "");
	else if (events == 1 && msg == SECCOMP_PROBE_DATA)
		set(r, PROBE_WORKS, "RET_TRACE filter on getppid: one "
		    "PTRACE_EVENT_SECCOMP stop, data %#lx", msg);
	else
		set(r, PROBE_BROKEN, "filter installed, %d seccomp stops "
		    "seen (data %#lx)", events, msg);
	reap(gone ? 0 : pid);
	return r->state;
}

#define SYSEMU_MAGIC 4242

static void body_sysemu_once(void)
{
	_exit(raw_getppid() == SYSEMU_MAGIC ? CX_OK : CX_NOPE);
}

int probe_sysemu(struct probe_result *r)
{
	struct user_regs_struct regs;
	pid_t pid = spawn_traced(body_sysemu_once, r);
	int st, rc;

	if (pid < 0)
		return r->state;
	if (ptrace(PTRACE_SYSEMU, pid, 0, 0) < 0) {
		set(r, PROBE_UNAVAILABLE, "PTRACE_SYSEMU: %s", strerror(errno));
		reap(pid);
		return r->state;
	}
	rc = wait_for(pid, &st, WAIT_MS);
	if (rc < 0 || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGTRAP ||
	    ptrace(PTRACE_GETREGS, pid, 0, &regs) < 0 ||
	    regs.orig_rax != SYS_getppid) {
		set(r, PROBE_BROKEN, "no syscall stop for getppid under "
		    "PTRACE_SYSEMU");
		reap(pid);
		return r->state;
	}
	/* The syscall is skipped: whatever rax we set is its result. */
	regs.rax = SYSEMU_MAGIC;
	ptrace(PTRACE_SETREGS, pid, 0, &regs);
	rc = run_to_trap_or_exit(pid, PTRACE_CONT, &st);
	if (rc < 0 || WIFSTOPPED(st)) {
		set(r, PROBE_BROKEN, "child did not exit after the stop");
		reap(pid);
		return r->state;
	}
	return verdict(r, st, "PTRACE_SYSEMU",
		       "syscall stopped and skipped; tracer chose the result",
		       "the syscall ran despite PTRACE_SYSEMU");
}

/* Forks an untraced child running FN; returns its exit status in *ST. */
static int run_child(void (*fn)(void), int *st, struct probe_result *r)
{
	pid_t pid = fork();
	int rc;

	if (pid < 0)
		return set(r, PROBE_UNAVAILABLE, "fork: %s", strerror(errno)),
		       -1;
	if (pid == 0) {
		child_setup();
		fn();
		_exit(CX_OK);
	}
	rc = wait_for(pid, st, WAIT_MS);
	if (rc < 0) {
		set(r, PROBE_BROKEN, "probe child hung: %s", strerror(-rc));
		reap(pid);
		return -1;
	}
	return 0;
}

static volatile char sud_selector;
static volatile int sud_hits;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	if (si->si_code == SYS_USER_DISPATCH)
		sud_hits++;
}

static void child_sud(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigsys,
				.sa_flags = SA_SIGINFO };

	sigaction(SIGSYS, &sa, NULL);
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	/* The always-allowed region [1, 2) holds no code of ours. */
	if (prctl(PR_SET_SYSCALL_USER_DISPATCH, PR_SYS_DISPATCH_ON, 1UL, 1UL,
		  &sud_selector) < 0)
		_exit(CX_ERRNO + errno);
	sud_selector = SYSCALL_DISPATCH_FILTER_BLOCK;
	raw_getppid();
	sud_selector = SYSCALL_DISPATCH_FILTER_ALLOW;
	_exit(sud_hits == 1 ? CX_OK : CX_NOPE);
}

int probe_syscall_user_dispatch(struct probe_result *r)
{
	int st;

	if (run_child(child_sud, &st, r) < 0)
		return r->state;
	return verdict(r, st, "PR_SET_SYSCALL_USER_DISPATCH",
		       "blocked syscall raised SIGSYS (SYS_USER_DISPATCH)",
		       "selector BLOCK but the syscall ran without SIGSYS");
}

static void on_sigsegv_ok(int sig)
{
	(void)sig;
	_exit(CX_OK);
}

static void child_tsc(void)
{
	uint32_t lo, hi;

	if (prctl(PR_SET_TSC, PR_TSC_SIGSEGV, 0, 0, 0) < 0)
		_exit(CX_ERRNO + errno);
	signal(SIGSEGV, on_sigsegv_ok);
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	_exit(CX_NOPE);
}

int probe_tsc_trap(struct probe_result *r)
{
	int st;

	if (run_child(child_tsc, &st, r) < 0)
		return r->state;
	return verdict(r, st, "PR_SET_TSC",
		       "rdtsc raised SIGSEGV after PR_SET_TSC(PR_TSC_SIGSEGV)",
		       "PR_SET_TSC(PR_TSC_SIGSEGV) succeeded but rdtsc ran "
		       "without a fault");
}

static void child_cpuid(void)
{
	uint32_t a = 0, b, c = 0, d;

	if (syscall(SYS_arch_prctl, PROBE_ARCH_SET_CPUID, 0L) < 0)
		_exit(CX_ERRNO + errno);
	signal(SIGSEGV, on_sigsegv_ok);
	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
	_exit(CX_NOPE);
}

int probe_cpuid_fault(struct probe_result *r)
{
	int st;

	if (run_child(child_cpuid, &st, r) < 0)
		return r->state;
	return verdict(r, st, "arch_prctl(ARCH_SET_CPUID, 0)",
		       "cpuid raised SIGSEGV after ARCH_SET_CPUID 0",
		       "ARCH_SET_CPUID 0 succeeded but cpuid ran without a "
		       "fault");
}

static int perf_open(pid_t pid, uint64_t config)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = PERF_TYPE_HARDWARE;
	a.config = config;
	a.exclude_kernel = 1;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, pid, -1, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

/* A child that waits for a byte on FD, then loops 1M times. */
static pid_t fork_worker(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile unsigned long sum = 0;
		char c;
		unsigned long i;

		child_setup();
		if (read(fd, &c, 1) != 1)
			_exit(CX_NOPE);
		for (i = 0; i < 1000000; i++)
			sum += i;
		_exit(CX_OK);
	}
	return pid;
}

int probe_perf_counters(struct probe_result *r)
{
	const char *name = "instructions";
	int pfd[2], fd, e, st = 0;
	uint64_t count = 0;
	pid_t pid;

	if (pipe(pfd) < 0)
		return set(r, PROBE_UNAVAILABLE, "pipe: %s", strerror(errno));
	pid = fork_worker(pfd[0]);
	if (pid < 0) {
		e = errno;
		close(pfd[0]);
		close(pfd[1]);
		return set(r, PROBE_UNAVAILABLE, "fork: %s", strerror(e));
	}
	fd = perf_open(pid, PERF_COUNT_HW_INSTRUCTIONS);
	e = errno;
	if (fd < 0) {
		fd = perf_open(pid, PERF_COUNT_HW_BRANCH_INSTRUCTIONS);
		if (fd >= 0)
			name = "branch-instructions";
	}
	if (write(pfd[1], "x", 1) != 1 || wait_for(pid, &st, WAIT_MS) < 0)
		reap(pid);
	close(pfd[0]);
	close(pfd[1]);
	if (fd < 0)
		return set(r, PROBE_UNAVAILABLE, "perf_event_open(HW "
			   "instructions or branches): %s%s", strerror(e),
			   e == ENOENT || e == EOPNOTSUPP
				   ? " (no hardware PMU exposed)"
				   : e == EACCES || e == EPERM
					   ? " (perf_event_paranoid)" : "");
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		count = 0;
	close(fd);
	if (count > 0)
		return set(r, PROBE_WORKS, "HW %s counted %llu events in a "
			   "child's 1M-iteration loop", name,
			   (unsigned long long)count);
	return set(r, PROBE_BROKEN, "HW %s counter opened but counted 0",
		   name);
}

static volatile int watched;

static void body_watch(void)
{
	watched = 1;
	_exit(CX_OK);
}

int probe_debug_registers(struct probe_result *r)
{
	size_t dr = offsetof(struct user, u_debugreg);
	/* DR7: L0 enable, RW0 = 01 (data writes), LEN0 = 11 (4 bytes). */
	unsigned long dr7 = 1UL | (1UL << 16) | (3UL << 18);
	pid_t pid = spawn_traced(body_watch, r);
	long dr6;
	int st = 0, rc;

	if (pid < 0)
		return r->state;
	if (ptrace(PTRACE_POKEUSER, pid, (void *)dr,
		   (void *)(uintptr_t)&watched) < 0 ||
	    ptrace(PTRACE_POKEUSER, pid, (void *)(dr + 7 * sizeof(long)),
		   (void *)dr7) < 0) {
		set(r, PROBE_UNAVAILABLE, "PTRACE_POKEUSER u_debugreg: %s",
		    strerror(errno));
		reap(pid);
		return r->state;
	}
	rc = run_to_trap_or_exit(pid, PTRACE_CONT, &st);
	if (rc == 0 && WIFSTOPPED(st)) {
		errno = 0;
		dr6 = ptrace(PTRACE_PEEKUSER, pid,
			     (void *)(dr + 6 * sizeof(long)), 0);
		set(r, PROBE_WORKS, "4-byte write watch on DR0 stopped the "
		    "child with SIGTRAP (DR6 %#lx)", dr6);
	} else if (rc == 0) {
		set(r, PROBE_BROKEN, "DR0/DR7 accepted, but the write to the "
		    "watched variable did not stop the child");
	} else {
		set(r, PROBE_BROKEN, "child hung: %s", strerror(-rc));
	}
	reap(rc == 0 && !WIFSTOPPED(st) ? 0 : pid);
	return r->state;
}

/* --- measurements -------------------------------------------------- */

static double median3(double v[3])
{
	double t;
	int i, j;

	for (i = 0; i < 3; i++)
		for (j = i + 1; j < 3; j++)
			if (v[j] < v[i]) {
				t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return v[1];
}

double probe_bench_native_syscall_ns(void)
{
	const int n = 200000;
	double v[3];
	int k, i;

	for (k = 0; k < 3; k++) {
		double t0 = now_s();

		for (i = 0; i < n; i++)
			raw_getppid();
		v[k] = (now_s() - t0) * 1e9 / n;
	}
	return median3(v);
}

static void body_seccomp_loop(void)
{
	int rc = install_trace_filter(SYS_getppid, SECCOMP_PROBE_DATA);

	if (rc < 0)
		_exit(CX_ERRNO - rc);
	for (;;)
		raw_getppid();
}

static void body_syscall_loop(void)
{
	for (;;)
		raw_getppid();
}

static void body_spin(void)
{
	volatile unsigned long n = 0;

	for (;;)
		n++;
}

/* One run: resume a fresh child with REQ N times; each stop must be
 * EXPECT (a wait status >> 8). Returns µs per round trip or -errno. */
static double bench_once(void (*body)(void), long opts, int req, int expect,
			 int n)
{
	struct probe_result r;
	double t0 = 0, us;
	pid_t pid = spawn_traced(body, &r);
	int i, st;

	if (pid < 0)
		return -EPERM;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, (void *)opts) < 0)
		goto fail;
	for (i = 0; i <= n; i++) {
		if (ptrace(req, pid, 0, 0) < 0)
			goto fail;
		/* Blocking wait: the child's alarm bounds it. */
		if (waitpid(pid, &st, __WALL) != pid || !WIFSTOPPED(st) ||
		    st >> 8 != expect)
			goto fail;
		if (i == 0)
			t0 = now_s();
	}
	us = (now_s() - t0) * 1e6 / n;
	reap(pid);
	return us;
fail:
	reap(pid);
	return -EPROTO;
}

static double bench3(void (*body)(void), long opts, int req, int expect,
		     int n)
{
	double v[3];
	int k;

	if (n < 1)
		return -EINVAL;
	for (k = 0; k < 3; k++) {
		v[k] = bench_once(body, opts, req, expect, n);
		if (v[k] < 0)
			return v[k];
	}
	return median3(v);
}

double probe_bench_seccomp_stop_us(int iterations)
{
	return bench3(body_seccomp_loop,
		      PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL, PTRACE_CONT,
		      SIGTRAP | (PTRACE_EVENT_SECCOMP << 8), iterations);
}

double probe_bench_sysemu_stop_us(int iterations)
{
	return bench3(body_syscall_loop, PTRACE_O_EXITKILL, PTRACE_SYSEMU,
		      SIGTRAP, iterations);
}

double probe_bench_singlestep_us(int iterations)
{
	return bench3(body_spin, PTRACE_O_EXITKILL, PTRACE_SINGLESTEP,
		      SIGTRAP, iterations);
}

void probe_all(struct probe_report *r)
{
	memset(r, 0, sizeof(*r));
	probe_host_info(r);
	probe_ptrace(&r->ptrace);
	probe_seccomp_trace(&r->seccomp);
	probe_sysemu(&r->sysemu);
	probe_syscall_user_dispatch(&r->sud);
	probe_tsc_trap(&r->tsc_trap);
	probe_cpuid_fault(&r->cpuid_fault);
	probe_perf_counters(&r->perf);
	probe_debug_registers(&r->debugreg);

	r->native_syscall_ns = probe_bench_native_syscall_ns();
	r->ptrace_stop_us = r->seccomp.state == PROBE_WORKS
				    ? probe_bench_seccomp_stop_us(
					      PROBE_STOP_ITERATIONS)
				    : -ENOSYS;
	r->sysemu_stop_us = r->sysemu.state == PROBE_WORKS
				    ? probe_bench_sysemu_stop_us(
					      PROBE_STOP_ITERATIONS)
				    : -ENOSYS;
	r->singlestep_us = r->ptrace.state == PROBE_WORKS
				   ? probe_bench_singlestep_us(
					     PROBE_STEP_ITERATIONS)
				   : -ENOSYS;
}
