/* core/probe.h — what this host really offers deja: each tracing and
 * trapping mechanism is tried in a forked child (not just set up), and the
 * costs that decide the design are measured. Used by `deja doctor`.
 * Implemented in core/platform_probe.c, one of the two files behind the
 * platform wall (the other is core/platform.c). Every probe is bounded in
 * time and reaps all children it forks. The caller supplies the stopwatch:
 * core/ reads no clock of its own. */
#ifndef DEJA_PROBE_H
#define DEJA_PROBE_H

enum probe_state {
	PROBE_WORKS = 0,       /* tried and it did what it should */
	PROBE_BROKEN,          /* set up fine, but did not do it */
	PROBE_UNAVAILABLE,     /* the kernel or CPU refused to set it up */
};
const char *probe_state_name(int state); /* "works", "does not work", ... */

struct probe_result {
	int state;             /* enum probe_state */
	char why[200];         /* one line: what was observed */
};

struct probe_report {
	char kernel[320];      /* uname: sysname release version machine */
	char cpu[128];         /* /proc/cpuinfo "model name" */
	int virtualized;       /* cpuinfo "hypervisor" flag */
	int has_rdrand, has_rdseed;
	int perf_paranoid;     /* /proc/sys/kernel/perf_event_paranoid, or -99 */

	struct probe_result ptrace;       /* PTRACE_TRACEME + stop + GETREGS */
	struct probe_result seccomp;      /* RET_TRACE + PTRACE_O_TRACESECCOMP */
	struct probe_result sysemu;       /* PTRACE_SYSEMU skips the syscall */
	struct probe_result sud;          /* syscall user dispatch -> SIGSYS */
	struct probe_result tsc_trap;     /* PR_TSC_SIGSEGV: rdtsc faults */
	struct probe_result cpuid_fault;  /* ARCH_SET_CPUID 0: cpuid faults */
	struct probe_result perf;         /* HW counter counts a child */
	struct probe_result debugreg;     /* DR0/DR7 write watch fires */

	/* Costs; negative when not measured (the mechanism failed). */
	double native_syscall_ns;  /* getppid, median of 3 runs */
	double ptrace_stop_us;     /* seccomp RET_TRACE stop + PTRACE_CONT */
	double sysemu_stop_us;     /* PTRACE_SYSEMU stop round trip */
	double singlestep_us;      /* PTRACE_SINGLESTEP round trip */
};

/* Fills kernel, cpu and the cpuinfo flags. */
void probe_host_info(struct probe_report *r);

/* Each fills R and returns its state. */
int probe_ptrace(struct probe_result *r);
int probe_seccomp_trace(struct probe_result *r);
int probe_sysemu(struct probe_result *r);
int probe_syscall_user_dispatch(struct probe_result *r);
int probe_tsc_trap(struct probe_result *r);
int probe_cpuid_fault(struct probe_result *r);
int probe_perf_counters(struct probe_result *r);
int probe_debug_registers(struct probe_result *r);

/* Measurements: median of 3 runs, or a negative errno. */
double probe_bench_native_syscall_ns(void);
double probe_bench_seccomp_stop_us(int iterations);
double probe_bench_sysemu_stop_us(int iterations);
double probe_bench_singlestep_us(int iterations);

/* Round trips per measured run in probe_all(). */
#define PROBE_STOP_ITERATIONS 20000
#define PROBE_STEP_ITERATIONS 5000

/* Seconds on a monotonic clock; must be set before any probe runs. */
typedef double (*probe_clock_fn)(void);
void probe_use_clock(probe_clock_fn now_s);

/* Everything above, in order; takes a few seconds at most. */
void probe_all(struct probe_report *r);

#endif
