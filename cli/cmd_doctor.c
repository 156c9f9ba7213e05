/* cli/cmd_doctor.c — `deja doctor [--json]`: runs the host probes of
 * core/probe.h and prints one screen (or one JSON object) with the kernel,
 * the CPU, which mechanisms really work here, what they cost, and which
 * of them deja relies on as a result. Printing only; probing is core's. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <time.h>

#include "cli/cli.h"
#include "core/probe.h"

struct mech {
	const char *key;   /* JSON key */
	const char *name;  /* screen label */
	size_t off;        /* offsetof(struct probe_report, ...) */
};

static const struct mech mechs[] = {
	{ "ptrace", "ptrace", offsetof(struct probe_report, ptrace) },
	{ "seccomp_trace", "seccomp-bpf + PTRACE_O_TRACESECCOMP",
	  offsetof(struct probe_report, seccomp) },
	{ "sysemu", "PTRACE_SYSEMU", offsetof(struct probe_report, sysemu) },
	{ "syscall_user_dispatch", "syscall user dispatch",
	  offsetof(struct probe_report, sud) },
	{ "rdtsc_trap", "rdtsc trapping (PR_SET_TSC)",
	  offsetof(struct probe_report, tsc_trap) },
	{ "cpuid_faulting", "CPUID faulting (ARCH_SET_CPUID)",
	  offsetof(struct probe_report, cpuid_fault) },
	{ "perf_counters", "hardware perf counters",
	  offsetof(struct probe_report, perf) },
	{ "debug_registers", "debug registers (watchpoints)",
	  offsetof(struct probe_report, debugreg) },
};
#define NMECHS (sizeof(mechs) / sizeof(mechs[0]))

static const struct probe_result *mech_of(const struct probe_report *r,
					  const struct mech *m)
{
	return (const struct probe_result *)((const char *)r + m->off);
}

struct decisions {
	char intercept[160];
	char insns[320];
	char watch[160];
	int usable;        /* some interception mechanism works */
};

static void decide_insns(const struct probe_report *r, struct decisions *d)
{
	int tsc = r->tsc_trap.state == PROBE_WORKS;
	int cpuid = r->cpuid_fault.state == PROBE_WORKS;
	const char *tsc_why = r->tsc_trap.state == PROBE_BROKEN
				      ? "PR_SET_TSC is accepted but rdtsc does "
					"not fault"
				      : "PR_SET_TSC is unavailable";
	const char *cpuid_why = r->cpuid_fault.state == PROBE_BROKEN
					? "CPUID faulting is accepted but cpuid "
					  "does not fault"
					: "CPUID faulting is unavailable";

	if (!tsc && !cpuid)
		snprintf(d->insns, sizeof(d->insns),
			 "rdtsc/rdtscp/cpuid/rdrand/rdseed/xgetbv/rdpid: binary "
			 "rewriting to ud2 traps (because %s, %s, and "
			 "rdrand/rdseed/xgetbv/rdpid cannot be trapped)",
			 tsc_why, cpuid_why);
	else
		snprintf(d->insns, sizeof(d->insns),
			 "rdtsc/rdtscp: %s; cpuid: %s; rdrand/rdseed/xgetbv/rdpid: "
			 "binary rewriting to ud2 traps (they cannot be "
			 "trapped)",
			 tsc ? "PR_SET_TSC trap" : "binary rewriting to ud2",
			 cpuid ? "CPUID faulting" : "binary rewriting to ud2");
}

static void decide(const struct probe_report *r, struct decisions *d)
{
	d->usable = 1;
	if (r->seccomp.state == PROBE_WORKS)
		snprintf(d->intercept, sizeof(d->intercept),
			 "seccomp RET_TRACE + ptrace (1 stop per intercepted "
			 "syscall)");
	else if (r->sysemu.state == PROBE_WORKS)
		snprintf(d->intercept, sizeof(d->intercept),
			 "PTRACE_SYSEMU (1 stop per syscall; seccomp RET_TRACE "
			 "does not work here)");
	else {
		snprintf(d->intercept, sizeof(d->intercept),
			 "none: deja cannot intercept syscalls on this host");
		d->usable = 0;
	}
	decide_insns(r, d);
	if (r->debugreg.state == PROBE_WORKS)
		snprintf(d->watch, sizeof(d->watch), "debug registers");
	else
		snprintf(d->watch, sizeof(d->watch),
			 "page protection/single-step (debug registers %s)",
			 r->debugreg.state == PROBE_BROKEN ? "do not fire here"
							   : "are unavailable");
}

static void print_cost(const char *label, double v, const char *unit)
{
	if (v < 0)
		printf("  %-36s not measured\n", label);
	else
		printf("  %-36s %8.2f %s\n", label, v, unit);
}

static void print_screen(const struct probe_report *r,
			 const struct decisions *d)
{
	size_t i;

	printf("deja doctor: what this host offers deja\n\n");
	printf("  kernel  %s\n", r->kernel);
	printf("  cpu     %s%s (rdrand %s, rdseed %s)\n", r->cpu,
	       r->virtualized ? ", virtual machine" : "",
	       r->has_rdrand ? "yes" : "no", r->has_rdseed ? "yes" : "no");
	printf("\nmechanisms (each tried in a child process)\n");
	for (i = 0; i < NMECHS; i++) {
		const struct probe_result *m = mech_of(r, &mechs[i]);

		printf("  %-36s %s\n", mechs[i].name,
		       probe_state_name(m->state));
		printf("      %s\n", m->why);
	}
	printf("\ncosts (median of 3 runs)\n");
	print_cost("native syscall (getppid)", r->native_syscall_ns, "ns");
	print_cost("ptrace stop (seccomp RET_TRACE)", r->ptrace_stop_us,
		   "µs per stop");
	print_cost("ptrace stop (PTRACE_SYSEMU)", r->sysemu_stop_us,
		   "µs per stop");
	print_cost("single step (PTRACE_SINGLESTEP)", r->singlestep_us,
		   "µs per step");
	printf("\ndecisions\n");
	printf("  interception: %s\n", d->intercept);
	printf("  %s\n", d->insns);
	printf("  watchpoints: %s\n", d->watch);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_num(const char *key, double v, int last)
{
	printf("  \"%s\": ", key);
	if (v < 0)
		printf("null");
	else
		printf("%.3f", v);
	printf("%s\n", last ? "" : ",");
}

static void json_kv(const char *key, const char *v, int comma)
{
	printf("    \"%s\": ", key);
	json_str(v);
	printf("%s\n", comma ? "," : "");
}

static void print_json(const struct probe_report *r,
		       const struct decisions *d)
{
	size_t i;

	printf("{\n  \"kernel\": ");
	json_str(r->kernel);
	printf(",\n  \"cpu\": ");
	json_str(r->cpu);
	printf(",\n  \"virtualized\": %s,\n", r->virtualized ? "true" : "false");
	printf("  \"rdrand\": %s,\n  \"rdseed\": %s,\n",
	       r->has_rdrand ? "true" : "false",
	       r->has_rdseed ? "true" : "false");
	printf("  \"perf_event_paranoid\": %d,\n", r->perf_paranoid);
	printf("  \"mechanisms\": {\n");
	for (i = 0; i < NMECHS; i++) {
		const struct probe_result *m = mech_of(r, &mechs[i]);

		printf("    \"%s\": {\"state\": ", mechs[i].key);
		json_str(probe_state_name(m->state));
		printf(", \"why\": ");
		json_str(m->why);
		printf("}%s\n", i + 1 < NMECHS ? "," : "");
	}
	printf("  },\n");
	json_num("native_syscall_ns", r->native_syscall_ns, 0);
	json_num("native_syscall_us", r->native_syscall_ns < 0 ? -1
				      : r->native_syscall_ns / 1e3, 0);
	json_num("ptrace_stop_us", r->ptrace_stop_us, 0);
	json_num("sysemu_stop_us", r->sysemu_stop_us, 0);
	json_num("singlestep_us", r->singlestep_us, 0);
	printf("  \"stop_iterations\": %d,\n  \"step_iterations\": %d,\n",
	       PROBE_STOP_ITERATIONS, PROBE_STEP_ITERATIONS);
	printf("  \"decisions\": {\n");
	json_kv("interception", d->intercept, 1);
	json_kv("cpu_instructions", d->insns, 1);
	json_kv("watchpoints", d->watch, 0);
	printf("  }\n}\n");
}

static void usage(FILE *f)
{
	fprintf(f, "usage: deja doctor [--json]\n"
		   "\n"
		   "Tries each tracing mechanism deja could use (ptrace, "
		   "seccomp RET_TRACE,\n"
		   "PTRACE_SYSEMU, syscall user dispatch, rdtsc/CPUID "
		   "trapping, perf counters,\n"
		   "debug registers) in a child process, measures syscall and "
		   "ptrace-stop costs,\n"
		   "and prints which mechanisms deja uses on this host.\n"
		   "\n"
		   "  --json   print the same facts as one JSON object\n"
		   "  --help   show this help\n");
}

/* The stopwatch for the probes' measurements and timeouts. */
static double monotonic_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int cmd_doctor(int argc, char **argv)
{
	struct probe_report r;
	struct decisions d;
	int json = 0, i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--help") ||
			   !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			cli_error("doctor: unknown argument '%s'", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	probe_use_clock(monotonic_s);
	probe_all(&r);
	decide(&r, &d);
	if (json)
		print_json(&r, &d);
	else
		print_screen(&r, &d);
	fflush(stdout);
	return d.usable ? 0 : EXIT_HOST;
}
