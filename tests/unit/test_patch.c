/* tests/unit/test_patch.c — core/patch.c (finding and trapping rdtsc,
 * rdtscp, cpuid, rdrand, rdseed, xgetbv; cloning the table) and
 * core/insn.c (emulating them through a fake logging layer). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/insn.h"
#include "core/patch.h"

#define BASE 0x401000ULL

/* A hand-assembled buffer: the sites, and decoys holding 0f 31 / 0f a2 /
 * 0f c7 inside longer instructions. */
static const uint8_t code1[] = {
	0xb8, 0x0f, 0x31, 0x00, 0x00,             /*  0 mov eax, 0x310f   */
	0x0f, 0x31,                               /*  5 rdtsc             */
	0x0f, 0x01, 0xf9,                         /*  7 rdtscp            */
	0x0f, 0xa2,                               /* 10 cpuid             */
	0x0f, 0xc7, 0xf0,                         /* 12 rdrand eax        */
	0x48, 0x0f, 0xc7, 0xf1,                   /* 15 rdrand rcx        */
	0x66, 0x0f, 0xc7, 0xf2,                   /* 19 rdrand dx         */
	0x49, 0x0f, 0xc7, 0xfb,                   /* 23 rdseed r11        */
	0x0f, 0x01, 0xd0,                         /* 27 xgetbv            */
	0x48, 0x8b, 0x05, 0x0f, 0x31, 0x00, 0x00, /* 30 mov rax,[rip+0x310f] */
	0x41, 0x0f, 0xc7, 0xf7,                   /* 37 rdrand r15d       */
	0x0f, 0xc7, 0x0e,                         /* 41 cmpxchg8b [rsi]   */
	0x66, 0x0f, 0xa2, 0x90, 0x90, 0x90,       /* 44 cpuid (66 ignored) */
	0xc7, 0xc0, 0x0f, 0xa2, 0x0f, 0x31,       /* 50 mov eax, 0x310fa20f */
	0x0f, 0xc7, 0xfa,                         /* 56 rdseed edx        */
	0xc3,                                     /* 59 ret               */
};

struct want {
	unsigned off, len, kind, reg, width;
};

static const struct want want1[] = {
	{ 5, 2, PATCH_RDTSC, 0, 0 },
	{ 7, 3, PATCH_RDTSCP, 0, 0 },
	{ 10, 2, PATCH_CPUID, 0, 0 },
	{ 12, 3, PATCH_RDRAND, 0, 4 },
	{ 15, 4, PATCH_RDRAND, 1, 8 },
	{ 19, 4, PATCH_RDRAND, 2, 2 },
	{ 23, 4, PATCH_RDSEED, 11, 8 },
	{ 27, 3, PATCH_XGETBV, 0, 0 },
	{ 37, 4, PATCH_RDRAND, 15, 4 },
	{ 44, 3, PATCH_CPUID, 0, 0 },
	{ 56, 3, PATCH_RDSEED, 2, 4 },
};
#define NWANT1 (sizeof(want1) / sizeof(want1[0]))

static struct patch_table *scan1(void)
{
	struct patch_table *pt = patch_table_new();

	assert_non_null(pt);
	assert_int_equal(patch_scan(pt, BASE, code1, sizeof(code1), NULL, 0),
			 NWANT1);
	return pt;
}

static void test_scan_finds_sites(void **state)
{
	struct patch_table *pt = scan1();
	size_t i;

	assert_int_equal(patch_count(pt), NWANT1);
	for (i = 0; i < NWANT1; i++) {
		const struct patch_site *s = patch_lookup(pt, BASE + want1[i].off);

		assert_non_null(s);
		assert_int_equal(s->addr, BASE + want1[i].off);
		assert_int_equal(s->len, want1[i].len);
		assert_int_equal(s->kind, want1[i].kind);
		if (s->kind == PATCH_RDRAND || s->kind == PATCH_RDSEED) {
			assert_int_equal(s->reg, want1[i].reg);
			assert_int_equal(s->width, want1[i].width);
		}
		assert_memory_equal(s->orig, code1 + want1[i].off,
				    PATCH_TRAP_LEN);
	}
	/* Decoy positions are not sites. */
	assert_null(patch_lookup(pt, BASE + 1));
	assert_null(patch_lookup(pt, BASE + 33));
	assert_null(patch_lookup(pt, BASE + 41));
	assert_null(patch_lookup(pt, BASE + 52));
	assert_null(patch_lookup(pt, BASE + 54));
	assert_string_equal(patch_kind_name(PATCH_RDSEED), "rdseed");
	assert_string_equal(patch_kind_name(99), "?");
	patch_table_free(pt);
}

static void test_rescan_adds_nothing(void **state)
{
	struct patch_table *pt = scan1();

	assert_int_equal(patch_scan(pt, BASE, code1, sizeof(code1), NULL, 0),
			 0);
	assert_int_equal(patch_count(pt), NWANT1);
	/* The same code mapped elsewhere adds a second set. */
	assert_int_equal(patch_scan(pt, BASE - 0x1000, code1, sizeof(code1),
				    NULL, 0), NWANT1);
	assert_int_equal(patch_count(pt), 2 * NWANT1);
	assert_non_null(patch_lookup(pt, BASE - 0x1000 + 5));
	patch_table_free(pt);
}

static void test_undecodable_bytes(void **state)
{
	/* 06 (push es) and d6 are invalid in 64-bit mode; 0f 31 truncated
	 * at the end is no site. */
	static const uint8_t code[] = { 0x06, 0xd6, 0x0f, 0x31, 0x06, 0x0f };
	struct patch_table *pt = patch_table_new();

	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), NULL, 0), 1);
	assert_non_null(patch_lookup(pt, BASE + 2));
	assert_int_equal(patch_scan(pt, BASE, code, 0, NULL, 0), 0);
	patch_table_free(pt);
}

static void test_resync_with_starts(void **state)
{
	/* Data before a function makes the sweep swallow its rdtsc into a
	 * mov immediate; the function symbol at +1 resynchronises it. */
	static const uint8_t code[] = {
		0xb8, 0x0f, 0x31, 0x90, 0x90, /* or: [data] rdtsc nop nop */
		0x0f, 0xa2, 0xc3,
	};
	uint64_t starts[] = { BASE + 5, 0x1234, BASE + 1, BASE + 100 };
	struct patch_table *pt = patch_table_new();

	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), NULL, 0), 1);
	assert_null(patch_lookup(pt, BASE + 1));
	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), starts, 4),
			 1);
	assert_non_null(patch_lookup(pt, BASE + 1));
	assert_int_equal(patch_lookup(pt, BASE + 1)->kind, PATCH_RDTSC);
	assert_non_null(patch_lookup(pt, BASE + 5));
	patch_table_free(pt);
}

static void test_resync_start_mid_instruction(void **state)
{
	/* mov rax, imm64 whose immediate holds rdtsc and cpuid. With a
	 * start at +2 the sweep drops the mov and decodes from there; with
	 * one at +4 only the cpuid is an instruction. */
	static const uint8_t code[] = {
		0x48, 0xb8, 0x0f, 0x31, 0x0f, 0xa2, 0x90, 0x90, 0x90, 0x90,
		0xc3,
	};
	uint64_t at2 = BASE + 2, at4 = BASE + 4;
	struct patch_table *pt = patch_table_new();

	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), NULL, 0), 0);
	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), &at4, 1), 1);
	assert_int_equal(patch_lookup(pt, BASE + 4)->kind, PATCH_CPUID);
	assert_null(patch_lookup(pt, BASE + 2));
	patch_table_free(pt);

	pt = patch_table_new();
	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), &at2, 1), 2);
	assert_int_equal(patch_lookup(pt, BASE + 2)->kind, PATCH_RDTSC);
	assert_int_equal(patch_lookup(pt, BASE + 4)->kind, PATCH_CPUID);
	patch_table_free(pt);
}

static void test_apply_unpatch_roundtrip(void **state)
{
	struct patch_table *pt = scan1();
	uint8_t full[sizeof(code1)], view[sizeof(code1)];
	size_t i, lo, hi;

	memcpy(full, code1, sizeof(full));
	patch_apply(pt, BASE, full, sizeof(full));
	for (i = 0; i < NWANT1; i++) {
		assert_int_equal(full[want1[i].off], 0x0f);
		assert_int_equal(full[want1[i].off + 1], 0x0b);
		/* The rest of the instruction is untouched. */
		assert_memory_equal(full + want1[i].off + 2,
				    code1 + want1[i].off + 2, want1[i].len - 2);
	}
	assert_memory_equal(full, code1, 5); /* the decoy mov */
	/* Every sub-range, straddling sites at either edge or not, patches
	 * and unpatches exactly like the same bytes of the whole buffer. */
	for (lo = 0; lo < sizeof(code1); lo++) {
		for (hi = lo; hi <= sizeof(code1); hi++) {
			memcpy(view, code1 + lo, hi - lo);
			patch_apply(pt, BASE + lo, view, hi - lo);
			assert_memory_equal(view, full + lo, hi - lo);
			patch_unpatch_view(pt, BASE + lo, view, hi - lo);
			assert_memory_equal(view, code1 + lo, hi - lo);
		}
	}
	/* A buffer away from every site is untouched. */
	memset(view, 0xcc, sizeof(view));
	patch_apply(pt, BASE + 0x10000, view, sizeof(view));
	patch_apply(pt, 0, view, 16);
	for (i = 0; i < sizeof(view); i++)
		assert_int_equal(view[i], 0xcc);
	patch_table_free(pt);
}

static void test_remove_range(void **state)
{
	struct patch_table *pt = scan1();

	/* [8, 13): removes rdtscp at 7 (overlaps), cpuid at 10 and the
	 * rdrand at 12; keeps rdtsc at 5 (ends at 7) and rdrand at 15. */
	patch_remove_range(pt, BASE + 8, 5);
	assert_null(patch_lookup(pt, BASE + 7));
	assert_null(patch_lookup(pt, BASE + 10));
	assert_null(patch_lookup(pt, BASE + 12));
	assert_non_null(patch_lookup(pt, BASE + 5));
	assert_non_null(patch_lookup(pt, BASE + 15));
	assert_int_equal(patch_count(pt), NWANT1 - 3);
	patch_remove_range(pt, BASE + 7, 0);
	assert_int_equal(patch_count(pt), NWANT1 - 3);
	/* Removed sites are no longer patched. */
	{
		uint8_t buf[sizeof(code1)];

		memcpy(buf, code1, sizeof(buf));
		patch_apply(pt, BASE, buf, sizeof(buf));
		assert_memory_equal(buf + 7, code1 + 7, 8);
		assert_int_equal(buf[6], 0x0b);
	}
	patch_remove_range(pt, 0, UINT64_MAX);
	assert_int_equal(patch_count(pt), 0);
	assert_null(patch_lookup(pt, BASE + 5));
	patch_table_free(pt);
}

/* Every address in [BASE - 8, BASE + sizeof(code1) + 8) looks up the same
 * site (or none) in A and B. */
static void assert_same_lookups(const struct patch_table *a,
				const struct patch_table *b)
{
	assert_int_equal(patch_count(a), patch_count(b));
	for (uint64_t x = BASE - 8; x < BASE + sizeof(code1) + 8; x++) {
		const struct patch_site *sa = patch_lookup(a, x);
		const struct patch_site *sb = patch_lookup(b, x);

		assert_int_equal(sa != NULL, sb != NULL);
		if (sa) {
			assert_ptr_not_equal(sa, sb);
			assert_memory_equal(sa, sb, sizeof(*sa));
		}
	}
}

/* A clone holds the same sites and skip mask; removing or adding sites in
 * either one afterwards leaves the other as it was. */
static void test_clone(void **state)
{
	struct patch_table *pt = patch_table_new(), *c, *e;
	uint8_t buf[sizeof(code1)];

	assert_non_null(pt);
	patch_table_skip(pt, PATCH_CPUID);
	assert_int_equal(patch_scan(pt, BASE, code1, sizeof(code1), NULL, 0),
			 NWANT1 - 2);         /* the two cpuids are skipped */
	c = patch_table_clone(pt);
	assert_non_null(c);
	assert_same_lookups(pt, c);
	memcpy(buf, code1, sizeof(buf));
	patch_apply(c, BASE, buf, sizeof(buf));
	assert_memory_equal(buf + 10, code1 + 10, 2);   /* cpuid untouched */
	assert_int_equal(buf[5], 0x0f);
	assert_int_equal(buf[6], 0x0b);

	/* the original loses sites: the clone keeps them */
	patch_remove_range(pt, BASE, 16);
	assert_null(patch_lookup(pt, BASE + 5));
	assert_non_null(patch_lookup(c, BASE + 5));
	assert_int_equal(patch_count(c), NWANT1 - 2);

	/* the clone loses and regains sites, keeping its skip mask; the
	 * original is unaffected */
	patch_remove_range(c, 0, UINT64_MAX);
	assert_int_equal(patch_count(c), 0);
	assert_non_null(patch_lookup(pt, BASE + 23));
	assert_int_equal(patch_scan(c, BASE, code1, sizeof(code1), NULL, 0),
			 NWANT1 - 2);
	assert_null(patch_lookup(c, BASE + 10));
	assert_int_equal(patch_count(pt), NWANT1 - 2 - 4); /* 5, 7, 12, 15 */
	patch_table_free(pt);

	/* an empty table clones to one that works */
	pt = patch_table_new();
	assert_non_null(pt);
	e = patch_table_clone(pt);
	assert_non_null(e);
	assert_int_equal(patch_count(e), 0);
	assert_int_equal(patch_scan(e, BASE, code1, sizeof(code1), NULL, 0),
			 NWANT1);
	assert_int_equal(patch_count(pt), 0);
	patch_table_free(pt);
	patch_table_free(e);
	patch_table_free(c);
}

/* A real compiled function with inline rdtsc, cpuid, rdrand and xgetbv;
 * the global labels mark where each one starts. */
extern const char tp_at_rdtsc[], tp_at_cpuid[], tp_at_rdrand[],
	tp_at_rdtscp[];

__attribute__((noinline, noclone, used)) static uint64_t
tp_func(uint32_t leaf, uint64_t x)
{
	uint32_t lo, hi, a, b, c, d;
	uint64_t r;

	if (x == 12345) /* never: keeps the asm out of the fast path */
		return 0;
	__asm__ volatile(".globl tp_at_rdtsc\ntp_at_rdtsc: rdtsc"
			 : "=a"(lo), "=d"(hi));
	x += ((uint64_t)hi << 32) | lo;
	__asm__ volatile(".globl tp_at_cpuid\ntp_at_cpuid: cpuid"
			 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
			 : "a"(leaf), "c"(0));
	x ^= a + b + c + d;
	if (x & 1)
		__asm__ volatile(".globl tp_at_rdrand\ntp_at_rdrand: rdrand %0"
				 : "=r"(r) : : "cc");
	else
		__asm__ volatile(".globl tp_at_rdtscp\ntp_at_rdtscp: rdtscp"
				 : "=a"(lo), "=d"(hi), "=c"(c));
	return x;
}

static void test_scan_compiled_function(void **state)
{
	const uint8_t *fn = (const uint8_t *)(uintptr_t)tp_func;
	uint64_t base = (uint64_t)(uintptr_t)fn, start = base;
	const char *labels[] = { tp_at_rdtsc, tp_at_cpuid, tp_at_rdrand,
				 tp_at_rdtscp };
	const uint8_t *end = fn;
	struct patch_table *pt = patch_table_new();
	const struct patch_site *s;
	size_t i;

	/* The asm blocks may be laid out in any order after the entry. */
	for (i = 0; i < 4; i++) {
		assert_true((const uint8_t *)labels[i] > fn);
		if ((const uint8_t *)labels[i] + 16 > end)
			end = (const uint8_t *)labels[i] + 16;
	}
	assert_true(patch_scan(pt, base, fn, (size_t)(end - fn), &start, 1) >=
		    4);
	s = patch_lookup(pt, (uint64_t)(uintptr_t)tp_at_rdtsc);
	assert_non_null(s);
	assert_int_equal(s->kind, PATCH_RDTSC);
	assert_int_equal(s->len, 2);
	s = patch_lookup(pt, (uint64_t)(uintptr_t)tp_at_cpuid);
	assert_non_null(s);
	assert_int_equal(s->kind, PATCH_CPUID);
	s = patch_lookup(pt, (uint64_t)(uintptr_t)tp_at_rdtscp);
	assert_non_null(s);
	assert_int_equal(s->kind, PATCH_RDTSCP);
	assert_int_equal(s->len, 3);
	s = patch_lookup(pt, (uint64_t)(uintptr_t)tp_at_rdrand);
	assert_non_null(s);
	assert_int_equal(s->kind, PATCH_RDRAND);
	assert_int_equal(s->width, 8);
	assert_true(s->reg < 16 && s->reg != 4);
	/* Check the register against the encoding itself. */
	{
		const uint8_t *p = (const uint8_t *)tp_at_rdrand;
		unsigned rex = (p[0] & 0xf0) == 0x40 ? p[0] : 0;
		const uint8_t *m = rex ? p + 3 : p + 2;

		assert_int_equal(s->reg, (*m & 7) | ((rex & 1) << 3));
	}
	patch_table_free(pt);
	(void)tp_func;
}

/* --- insn_emulate with a fake logging layer --- */

struct fake_nd {
	struct nd nd;
	struct nd_call last;
	int ncalls;
	size_t short_by;  /* answer this many bytes fewer */
	long rdrand_result;
};

static void fake_call(struct nd *nd, struct nd_call *c)
{
	struct fake_nd *f = (struct fake_nd *)nd;
	uint8_t out[16];
	size_t n = 0;
	uint64_t v;
	uint32_t w[4];

	f->ncalls++;
	c->result = 0;
	switch (c->op) {
	case ND_RDTSC:
		v = 0x1122334455667788ULL;
		w[0] = c->a[0] ? 0x9abcdef0 : 0;
		memcpy(out, &v, 8);
		memcpy(out + 8, &w[0], 4);
		n = 12;
		break;
	case ND_CPUID:
		w[0] = 0xa0000000 | (uint32_t)c->a[0];
		w[1] = 0xb0000000 | (uint32_t)c->a[1];
		w[2] = 0xc0c0c0c0;
		w[3] = 0xd0d0d0d0;
		memcpy(out, w, 16);
		n = 16;
		break;
	case ND_XGETBV:
		v = 0x80000000000000e7ULL;
		memcpy(out, &v, 8);
		n = 8;
		break;
	case ND_RDRAND:
		v = c->a[0] ? 0x5eed5eed5eed5eedULL : 0xfedcba9876543210ULL;
		memcpy(out, &v, 8);
		n = 8;
		c->result = f->rdrand_result;
		break;
	default:
		c->result = -ENOSYS;
		break;
	}
	n = n > f->short_by ? n - f->short_by : 0;
	assert_true(n <= c->out_cap);
	memcpy(c->out, out, n);
	c->out_len = n;
	f->last = *c;
}

static void fake_noop(struct nd *nd, const struct nd_syscall *s) {}
static void fake_exit(struct nd *nd, uint32_t tid, int st) {}

static const struct nd_ops fake_ops = {
	.call = fake_call, .syscall_done = fake_noop, .guest_exit = fake_exit,
};

static void fake_init(struct fake_nd *f)
{
	memset(f, 0, sizeof(*f));
	f->nd.ops = &fake_ops;
	f->rdrand_result = 1;
}

static void regs_fill(guest_regs *r)
{
	memset(r, 0xff, sizeof(*r));
	r->rip = 0;
	r->eflags = 0x202;
}

static struct patch_site site(uint64_t addr, int kind, int len, int reg,
			      int width)
{
	struct patch_site s = { .addr = addr, .len = (uint8_t)len,
				.kind = (uint8_t)kind, .reg = (uint8_t)reg,
				.width = (uint8_t)width };
	return s;
}

static void test_emulate_rdtsc(void **state)
{
	struct fake_nd f;
	guest_regs r;
	struct patch_site s = site(BASE + 5, PATCH_RDTSC, 2, 0, 0);

	fake_init(&f);
	regs_fill(&r);
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.op, ND_RDTSC);
	assert_int_equal(f.last.a[0], 0);
	assert_int_equal(f.last.guest_ip, BASE + 5);
	assert_int_equal(r.rax, 0x55667788ULL);
	assert_int_equal(r.rdx, 0x11223344ULL);
	assert_int_equal(r.rcx, ~0ULL);
	assert_int_equal(r.rip, BASE + 7);
	assert_int_equal(r.eflags, 0x202);

	s = site(BASE + 7, PATCH_RDTSCP, 3, 0, 0);
	regs_fill(&r);
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.a[0], 1);
	assert_int_equal(r.rax, 0x55667788ULL);
	assert_int_equal(r.rdx, 0x11223344ULL);
	assert_int_equal(r.rcx, 0x9abcdef0ULL);
	assert_int_equal(r.rip, BASE + 10);
}

/* rdpid r64 (f3 0f c7 /7, mod 3): found with its register, emulated from
 * the TSC_AUX part of an ND_RDTSC answer (a0 = 2), zero-extended. */
static void test_rdpid(void **state)
{
	static const uint8_t code[] = {
		0xf3, 0x0f, 0xc7, 0xf8,       /* 0 rdpid rax */
		0xf3, 0x41, 0x0f, 0xc7, 0xfb, /* 4 rdpid r11 */
		0xc3,                         /* 9 ret */
	};
	struct patch_table *pt = patch_table_new();
	const struct patch_site *s;
	struct fake_nd f;
	guest_regs r;

	assert_int_equal(patch_scan(pt, BASE, code, sizeof(code), NULL, 0), 2);
	s = patch_lookup(pt, BASE);
	assert_non_null(s);
	assert_int_equal(s->kind, PATCH_RDPID);
	assert_int_equal(s->len, 4);
	assert_int_equal(s->reg, 0);
	s = patch_lookup(pt, BASE + 4);
	assert_non_null(s);
	assert_int_equal(s->kind, PATCH_RDPID);
	assert_int_equal(s->len, 5);
	assert_int_equal(s->reg, 11);

	fake_init(&f);
	regs_fill(&r);
	assert_int_equal(insn_emulate(&f.nd, s, &r), 0);
	assert_int_equal(f.last.op, ND_RDTSC);
	assert_int_equal(f.last.a[0], 2);
	assert_int_equal(r.r11, 0x9abcdef0ULL);
	assert_int_equal(r.rax, ~0ULL);
	assert_int_equal(r.rdx, ~0ULL);
	assert_int_equal(r.rip, BASE + 9);
	patch_table_free(pt);
}

static void test_emulate_cpuid_xgetbv(void **state)
{
	struct fake_nd f;
	guest_regs r;
	struct patch_site s = site(BASE + 10, PATCH_CPUID, 2, 0, 0);

	fake_init(&f);
	regs_fill(&r);
	r.rax = 0xffffffff00000007ULL;
	r.rcx = 0xdead000000000001ULL;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.op, ND_CPUID);
	assert_int_equal(f.last.a[0], 7);
	assert_int_equal(f.last.a[1], 1);
	assert_int_equal(r.rax, 0xa0000007ULL);
	assert_int_equal(r.rbx, 0xb0000001ULL);
	assert_int_equal(r.rcx, 0xc0c0c0c0ULL);
	assert_int_equal(r.rdx, 0xd0d0d0d0ULL);
	assert_int_equal(r.rip, BASE + 12);

	s = site(BASE + 27, PATCH_XGETBV, 3, 0, 0);
	regs_fill(&r);
	r.rcx = 0x1234567800000000ULL;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.op, ND_XGETBV);
	assert_int_equal(f.last.a[0], 0);
	assert_int_equal(r.rax, 0xe7ULL);
	assert_int_equal(r.rdx, 0x80000000ULL);
	assert_int_equal(r.rcx, 0x1234567800000000ULL);
	assert_int_equal(r.rip, BASE + 30);
}

static void test_emulate_rdrand_widths(void **state)
{
	struct fake_nd f;
	guest_regs r;
	struct patch_site s;

	fake_init(&f);
	/* 64-bit into rcx, success: CF set, OF SF ZF AF PF clear. */
	s = site(BASE + 15, PATCH_RDRAND, 4, 1, 8);
	regs_fill(&r);
	r.eflags = 0x202 | 0x8d4; /* OF SF ZF AF PF */
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.op, ND_RDRAND);
	assert_int_equal(f.last.a[0], 0);
	assert_int_equal(f.last.a[1], 8);
	assert_int_equal(r.rcx, 0xfedcba9876543210ULL);
	assert_int_equal(r.eflags, 0x203);
	assert_int_equal(r.rax, ~0ULL);
	assert_int_equal(r.rip, BASE + 19);

	/* 32-bit into eax: zero-extends. */
	s = site(BASE + 12, PATCH_RDRAND, 3, 0, 4);
	regs_fill(&r);
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.a[1], 4);
	assert_int_equal(r.rax, 0x76543210ULL);

	/* 16-bit into dx: keeps the upper 48 bits. */
	s = site(BASE + 19, PATCH_RDRAND, 4, 2, 2);
	regs_fill(&r);
	r.rdx = 0x1111222233334444ULL;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.a[1], 2);
	assert_int_equal(r.rdx, 0x1111222233333210ULL);

	/* rdseed r11, failing: CF clear, value still written. */
	f.rdrand_result = 0;
	s = site(BASE + 23, PATCH_RDSEED, 4, 11, 8);
	regs_fill(&r);
	r.eflags = 0x203;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(f.last.a[0], 1);
	assert_int_equal(r.r11, 0x5eed5eed5eed5eedULL);
	assert_int_equal(r.eflags, 0x202);

	/* r15d and rsp-numbered registers land where the encoding says. */
	f.rdrand_result = 1;
	s = site(BASE + 37, PATCH_RDRAND, 4, 15, 4);
	regs_fill(&r);
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(r.r15, 0x76543210ULL);
	assert_int_equal(r.r14, ~0ULL);
	s = site(BASE, PATCH_RDRAND, 3, 5, 8);
	regs_fill(&r);
	assert_int_equal(insn_emulate(&f.nd, &s, &r), 0);
	assert_int_equal(r.rbp, 0xfedcba9876543210ULL);
	assert_int_equal(r.rsp, ~0ULL);
}

static void test_emulate_errors(void **state)
{
	struct fake_nd f;
	guest_regs r, before;
	struct patch_site s = site(BASE + 5, PATCH_RDTSC, 2, 0, 0);

	fake_init(&f);
	regs_fill(&r);
	before = r;
	/* Short answer. */
	f.short_by = 4;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), -EIO);
	assert_memory_equal(&r, &before, sizeof(r));
	/* Failed logging layer: no call reaches the implementation. */
	f.short_by = 0;
	f.ncalls = 0;
	f.nd.failed = ND_DIVERGED;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), -EIO);
	assert_int_equal(f.ncalls, 0);
	assert_memory_equal(&r, &before, sizeof(r));
	/* Unknown kind. */
	f.nd.failed = 0;
	s.kind = 42;
	assert_int_equal(insn_emulate(&f.nd, &s, &r), -EINVAL);
	assert_int_equal(f.ncalls, 0);
	/* rdrand with a bad width. */
	s = site(BASE, PATCH_RDRAND, 3, 0, 3);
	assert_int_equal(insn_emulate(&f.nd, &s, &r), -EINVAL);
	assert_memory_equal(&r, &before, sizeof(r));
}

/* Scan, then emulate each site found in code1 in order. */
static void test_scan_then_emulate(void **state)
{
	struct patch_table *pt = scan1();
	struct fake_nd f;
	guest_regs r;
	size_t i;

	fake_init(&f);
	for (i = 0; i < NWANT1; i++) {
		const struct patch_site *s = patch_lookup(pt, BASE + want1[i].off);

		regs_fill(&r);
		assert_int_equal(insn_emulate(&f.nd, s, &r), 0);
		assert_int_equal(r.rip, BASE + want1[i].off + want1[i].len);
	}
	assert_int_equal(f.ncalls, NWANT1);
	patch_table_free(pt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_finds_sites),
		cmocka_unit_test(test_rescan_adds_nothing),
		cmocka_unit_test(test_undecodable_bytes),
		cmocka_unit_test(test_resync_with_starts),
		cmocka_unit_test(test_resync_start_mid_instruction),
		cmocka_unit_test(test_apply_unpatch_roundtrip),
		cmocka_unit_test(test_remove_range),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_scan_compiled_function),
		cmocka_unit_test(test_emulate_rdtsc),
		cmocka_unit_test(test_rdpid),
		cmocka_unit_test(test_emulate_cpuid_xgetbv),
		cmocka_unit_test(test_emulate_rdrand_widths),
		cmocka_unit_test(test_emulate_errors),
		cmocka_unit_test(test_scan_then_emulate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
