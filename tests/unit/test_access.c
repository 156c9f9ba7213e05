/* tests/unit/test_access.c — replay/tl_access.c: the memory an
 * instruction reads and writes, from hand-assembled bytes and known
 * register values (explicit operands, rip-relative, fs:, the implicit
 * stack slots, string instructions with and without rep). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "replay/tl_access.h"

#define RSP 0x7ffffff0e000ULL

static guest_regs regs(void)
{
	guest_regs r;

	memset(&r, 0, sizeof(r));
	r.rip = 0x401000;
	r.rsp = RSP;
	r.rbp = RSP + 0x40;
	r.rax = 0x1000;
	r.rcx = 3;
	r.rsi = 0x2000;
	r.rdi = 0x3000;
	r.fs_base = 0x7f0000001000ULL;
	return r;
}

static int decode(const uint8_t *code, size_t len, const guest_regs *r,
		  struct tl_access *out)
{
	return tl_access_decode(code, len, r, out, TL_ACCESS_MAX);
}

#define DECODE(r, out, ...) ({ \
	static const uint8_t c_[] = { __VA_ARGS__ }; \
	decode(c_, sizeof(c_), (r), (out)); })

static void expect(const struct tl_access *a, uint64_t addr, uint64_t len,
		   bool read, bool write)
{
	assert_int_equal(a->addr, addr);
	assert_int_equal(a->len, len);
	assert_int_equal(a->read, read);
	assert_int_equal(a->write, write);
}

static void test_explicit_operands(void **state)
{
	guest_regs r = regs();
	struct tl_access a[TL_ACCESS_MAX];

	/* mov eax, [rip+0x10]: after the 6-byte instruction */
	assert_int_equal(DECODE(&r, a, 0x8b, 0x05, 0x10, 0, 0, 0), 1);
	expect(&a[0], 0x401016, 4, true, false);
	/* add [rax+rcx*4+8], edx: read-modify-write */
	assert_int_equal(DECODE(&r, a, 0x01, 0x54, 0x88, 0x08), 1);
	expect(&a[0], 0x1000 + 12 + 8, 4, true, true);
	/* mov [rdi], rax */
	assert_int_equal(DECODE(&r, a, 0x48, 0x89, 0x07), 1);
	expect(&a[0], 0x3000, 8, false, true);
	/* movzx eax, byte [rdi] */
	assert_int_equal(DECODE(&r, a, 0x0f, 0xb6, 0x07), 1);
	expect(&a[0], 0x3000, 1, true, false);
	/* mov rax, fs:[0x28] */
	assert_int_equal(DECODE(&r, a, 0x64, 0x48, 0x8b, 0x04, 0x25, 0x28, 0, 0, 0), 1);
	expect(&a[0], 0x7f0000001028ULL, 8, true, false);
	/* movdqu xmm0, [rax] */
	assert_int_equal(DECODE(&r, a, 0xf3, 0x0f, 0x6f, 0x00), 1);
	expect(&a[0], 0x1000, 16, true, false);
	/* mov eax, [eax] (0x67): the address is 32 bits */
	r.rax = 0xffffffff00001234ULL;
	assert_int_equal(DECODE(&r, a, 0x67, 0x8b, 0x00), 1);
	expect(&a[0], 0x1234, 4, true, false);
}

static void test_no_access(void **state)
{
	guest_regs r = regs();
	struct tl_access a[TL_ACCESS_MAX];

	assert_int_equal(DECODE(&r, a, 0x48, 0x8d, 0x04, 0x88), 0);       /* lea */
	assert_int_equal(DECODE(&r, a, 0x0f, 0x1f, 0x44, 0x00, 0x00), 0); /* nop [rax+rax] */
	assert_int_equal(DECODE(&r, a, 0x0f, 0x18, 0x08), 0);             /* prefetcht0 */
	assert_int_equal(DECODE(&r, a, 0x48, 0x01, 0xc8), 0);             /* add rax, rcx */
	assert_int_equal(DECODE(&r, a, 0x0f, 0x05), 0);                   /* syscall */
	assert_int_equal(DECODE(&r, a, 0x0f, 0xff), -EINVAL);             /* ud0 w/o modrm */
	assert_int_equal(DECODE(&r, a, 0x48), -EINVAL);                   /* truncated */
}

static void test_stack(void **state)
{
	guest_regs r = regs();
	struct tl_access a[TL_ACCESS_MAX];

	assert_int_equal(DECODE(&r, a, 0x50), 1);                        /* push rax */
	expect(&a[0], RSP - 8, 8, false, true);
	assert_int_equal(DECODE(&r, a, 0x5b), 1);                        /* pop rbx */
	expect(&a[0], RSP, 8, true, false);
	assert_int_equal(DECODE(&r, a, 0xe8, 0, 0, 0, 0), 1);            /* call rel32 */
	expect(&a[0], RSP - 8, 8, false, true);
	assert_int_equal(DECODE(&r, a, 0xc3), 1);                        /* ret */
	expect(&a[0], RSP, 8, true, false);
	assert_int_equal(DECODE(&r, a, 0xc9), 1);                        /* leave */
	expect(&a[0], RSP + 0x40, 8, true, false);
	assert_int_equal(DECODE(&r, a, 0x9c), 1);                        /* pushfq */
	expect(&a[0], RSP - 8, 8, false, true);
	/* call [rax]: reads the target, pushes the return address */
	assert_int_equal(DECODE(&r, a, 0xff, 0x10), 2);
	expect(&a[0], 0x1000, 8, true, false);
	expect(&a[1], RSP - 8, 8, false, true);
	/* push qword [rax+8] */
	assert_int_equal(DECODE(&r, a, 0xff, 0x70, 0x08), 2);
	expect(&a[0], 0x1008, 8, true, false);
	expect(&a[1], RSP - 8, 8, false, true);
}

static void test_strings(void **state)
{
	guest_regs r = regs();
	struct tl_access a[TL_ACCESS_MAX];

	/* rep movsb: one element per step, at rdi (written) and rsi (read) */
	assert_int_equal(DECODE(&r, a, 0xf3, 0xa4), 2);
	expect(&a[0], 0x3000, 1, false, true);
	expect(&a[1], 0x2000, 1, true, false);
	/* rep stosq */
	assert_int_equal(DECODE(&r, a, 0xf3, 0x48, 0xab), 1);
	expect(&a[0], 0x3000, 8, false, true);
	/* repe cmpsb reads both */
	assert_int_equal(DECODE(&r, a, 0xf3, 0xa6), 2);
	assert_true(a[0].read && a[1].read && !a[0].write && !a[1].write);
	/* lodsd without rep */
	assert_int_equal(DECODE(&r, a, 0xad), 1);
	expect(&a[0], 0x2000, 4, true, false);
	/* with rcx = 0 a rep instruction does nothing; without rep it does */
	r.rcx = 0;
	assert_int_equal(DECODE(&r, a, 0xf3, 0xa4), 0);
	assert_int_equal(DECODE(&r, a, 0xf2, 0xae), 0);                  /* repne scasb */
	assert_int_equal(DECODE(&r, a, 0xa4), 2);                        /* movsb */
	/* xlat: [rbx + al] */
	r.rbx = 0x5000;
	r.rax = 0x1234;
	assert_int_equal(DECODE(&r, a, 0xd7), 1);
	expect(&a[0], 0x5034, 1, true, false);
}

static void test_overlaps(void **state)
{
	struct tl_access a = { .addr = 0x1000, .len = 8 };

	assert_true(tl_access_overlaps(&a, 0x1000, 1));
	assert_true(tl_access_overlaps(&a, 0x1007, 4));
	assert_true(tl_access_overlaps(&a, 0xffc, 8));
	assert_false(tl_access_overlaps(&a, 0x1008, 8));
	assert_false(tl_access_overlaps(&a, 0xff8, 8));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explicit_operands),
		cmocka_unit_test(test_no_access),
		cmocka_unit_test(test_stack),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_overlaps),
	};

	return cmocka_run_group_tests_name("access", tests, NULL, NULL);
}
