/* record/insn_host.c — executes, on the host CPU, the instructions that
 * deja trapped in the guest (rdtsc, rdtscp, cpuid, xgetbv, rdrand,
 * rdseed), for the recorder to log. An instruction the CPU lacks is
 * answered -EOPNOTSUPP, so the guest gets SIGILL as it would natively. */
#include <cpuid.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>

#include "record/record.h"

static void cpuid_raw(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			 : "a"(leaf), "c"(sub));
}

static int cpu_has(uint32_t leaf, int reg, int bit)
{
	uint32_t r[4];

	cpuid_raw(leaf & 0x80000000, 0, r);
	if (r[0] < leaf)
		return 0;
	cpuid_raw(leaf, 0, r);
	return (r[reg] >> bit) & 1;
}

/* Whether the CPU executes an instruction, tested by running it once
 * under a SIGILL handler: hypervisors sometimes allow what CPUID hides
 * (rdtscp here) or hide what CPUID shows. Cached per kind. */
static sigjmp_buf probe_env;

static void probe_sigill(int sig)
{
	siglongjmp(probe_env, 1);
}

enum { PROBE_RDTSCP, PROBE_RDRAND, PROBE_RDSEED, PROBE_XGETBV, PROBE_RDPID,
       PROBE_N };

static int runs(int kind)
{
	static signed char known[PROBE_N] = { -1, -1, -1, -1, -1 };
	struct sigaction sa = { .sa_handler = probe_sigill }, old;
	volatile int ok = 0;
	uint32_t lo, hi, aux;
	uint64_t v;

	if (known[kind] >= 0)
		return known[kind];
	sigaction(SIGILL, &sa, &old);
	if (sigsetjmp(probe_env, 1) == 0) {
		switch (kind) {
		case PROBE_RDTSCP: __asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux)); break;
		case PROBE_RDRAND: __asm__ volatile("rdrand %0" : "=r"(v) : : "cc"); break;
		case PROBE_RDSEED: __asm__ volatile("rdseed %0" : "=r"(v) : : "cc"); break;
		case PROBE_XGETBV: __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0)); break;
		case PROBE_RDPID: __asm__ volatile("rdpid %0" : "=r"(v)); break;
		}
		ok = 1;
	}
	sigaction(SIGILL, &old, NULL);
	known[kind] = (signed char)ok;
	return ok;
}

static long do_rdtsc(struct nd_call *c)
{
	uint32_t lo, hi, aux = 0;
	uint64_t tsc;

	if (c->a[0] == 2) { /* rdpid: only TSC_AUX */
		uint64_t v;
		if (!runs(PROBE_RDPID))
			return -EOPNOTSUPP;
		__asm__ volatile("rdpid %0" : "=r"(v));
		lo = hi = 0;
		aux = (uint32_t)v;
	} else if (c->a[0]) {
		if (!runs(PROBE_RDTSCP))
			return -EOPNOTSUPP;
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux));
	} else {
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	}
	tsc = (uint64_t)hi << 32 | lo;
	memcpy(c->out, &tsc, 8);
	memcpy((char *)c->out + 8, &aux, 4);
	c->out_len = 12;
	return 0;
}

static long do_xgetbv(struct nd_call *c)
{
	uint32_t lo, hi;
	uint64_t v;

	uint32_t r[4];

	if (!cpu_has(1, 2, 27) || !runs(PROBE_XGETBV)) /* OSXSAVE */
		return -EOPNOTSUPP;
	/* XCR0 always; XCR1 (XINUSE) only with XGETBV_ECX_1; any other ecx
	 * is a #GP: answered -EFAULT so the guest gets its SIGSEGV. */
	cpuid_raw(0xd, 1, r);
	if (c->a[0] != 0 && !(c->a[0] == 1 && (r[0] & 4)))
		return -EFAULT;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"((uint32_t)c->a[0]));
	v = (uint64_t)hi << 32 | lo;
	memcpy(c->out, &v, 8);
	c->out_len = 8;
	return 0;
}

static long do_rdrand(struct nd_call *c)
{
	uint64_t v = 0;
	unsigned char ok;

	if (!runs(c->a[0] ? PROBE_RDSEED : PROBE_RDRAND))
		return -EOPNOTSUPP;
	if (c->a[0])
		__asm__ volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
	else
		__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
	memcpy(c->out, &v, 8);
	c->out_len = 8;
	return ok;
}

long host_insn(struct nd_call *c)
{
	uint32_t r[4];

	switch (c->op) {
	case ND_RDTSC:
		if (c->out_cap < 12)
			return -EINVAL;
		return do_rdtsc(c);
	case ND_CPUID:
		if (c->out_cap < 16)
			return -EINVAL;
		cpuid_raw((uint32_t)c->a[0], (uint32_t)c->a[1], r);
		memcpy(c->out, r, 16);
		c->out_len = 16;
		return 0;
	case ND_XGETBV:
		return c->out_cap < 8 ? -EINVAL : do_xgetbv(c);
	case ND_RDRAND:
		return c->out_cap < 8 ? -EINVAL : do_rdrand(c);
	default:
		return -ENOSYS;
	}
}
