/* tests/unit/test_syscall.c — core/syscall.c and the generated name
 * table: argument decoding by the x86-64 syscall ABI, syscall names,
 * and which syscalls the kernel implements. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <cmocka.h>

#include "core/syscall.h"

#define NWORDS (sizeof(struct user_regs_struct) / sizeof(unsigned long))

/* Every field of the register set gets its own value: a decoder that
 * reads the wrong field cannot get the right answer by accident. */
static void fill_regs(struct user_regs_struct *r)
{
	unsigned long *w = (unsigned long *)r;

	for (size_t i = 0; i < NWORDS; i++)
		w[i] = 0x1111000000000000UL + (i << 8) + i;
}

static void test_decode_abi(void **state)
{
	struct user_regs_struct r;
	uint64_t a[6];

	fill_regs(&r);
	r.orig_rax = __NR_openat;
	r.rax = (unsigned long)-38; /* -ENOSYS at syscall entry, not the nr */
	assert_int_equal(syscall_decode(&r, a), __NR_openat);
	assert_int_equal(a[0], r.rdi);
	assert_int_equal(a[1], r.rsi);
	assert_int_equal(a[2], r.rdx);
	assert_int_equal(a[3], r.r10);
	assert_int_equal(a[4], r.r8);
	assert_int_equal(a[5], r.r9);
	/* rcx holds the return address after `syscall`: never an argument */
	for (int i = 0; i < 6; i++)
		assert_int_not_equal(a[i], r.rcx);
}

/* Changing any register other than the seven the ABI names leaves the
 * decoded syscall unchanged; changing one of them changes exactly the
 * matching output. */
static void test_decode_only_abi_registers(void **state)
{
	static const size_t abi[7] = {
		offsetof(struct user_regs_struct, orig_rax),
		offsetof(struct user_regs_struct, rdi),
		offsetof(struct user_regs_struct, rsi),
		offsetof(struct user_regs_struct, rdx),
		offsetof(struct user_regs_struct, r10),
		offsetof(struct user_regs_struct, r8),
		offsetof(struct user_regs_struct, r9),
	};
	struct user_regs_struct r;
	uint64_t base[7], out[7];

	fill_regs(&r);
	base[0] = (uint64_t)syscall_decode(&r, &base[1]);
	for (size_t w = 0; w < NWORDS; w++) {
		struct user_regs_struct m = r;
		int which = -1;
		((unsigned long *)&m)[w] ^= 0xdead0000UL;
		for (int k = 0; k < 7; k++)
			if (abi[k] == w * sizeof(unsigned long))
				which = k;
		out[0] = (uint64_t)syscall_decode(&m, &out[1]);
		for (int k = 0; k < 7; k++)
			if (k == which)
				assert_int_equal(out[k], base[k] ^ 0xdead0000UL);
			else
				assert_int_equal(out[k], base[k]);
	}
}

static void test_names(void **state)
{
	assert_string_equal(syscall_name(0), "read");
	assert_string_equal(syscall_name(1), "write");
	assert_string_equal(syscall_name(60), "exit");
	assert_string_equal(syscall_name(231), "exit_group");
	assert_string_equal(syscall_name(257), "openat");
	assert_string_equal(syscall_name(425), "io_uring_setup");
	assert_string_equal(syscall_name(__NR_clock_gettime), "clock_gettime");
	assert_null(syscall_name(-1));
	assert_null(syscall_name(100000));
	assert_null(syscall_name(400)); /* the unused 335..423 hole */
}

static void test_implemented(void **state)
{
	assert_true(syscall_implemented(__NR_read));
	assert_true(syscall_implemented(__NR_openat));
	assert_true(syscall_implemented(__NR_mmap));
	assert_true(syscall_implemented(__NR_clock_gettime));
	assert_true(syscall_implemented(__NR_exit_group));
	assert_false(syscall_implemented(__NR_io_uring_setup));
	assert_true(syscall_implemented(__NR_fork));
	assert_false(syscall_implemented(__NR_kexec_load));
	assert_false(syscall_implemented(-1));
	assert_false(syscall_implemented(100000));
	assert_false(syscall_implemented(1L << 40));
}

/* Every implemented syscall has a name (the dispatcher's warnings and
 * the strace-like output rely on it). */
static void test_implemented_have_names(void **state)
{
	int n = 0;

	for (long nr = -8; nr < 1024; nr++) {
		if (!syscall_implemented(nr))
			continue;
		assert_true(nr >= 0);
		assert_non_null(syscall_name(nr));
		n++;
	}
	assert_true(n >= 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_abi),
		cmocka_unit_test(test_decode_only_abi_registers),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_implemented),
		cmocka_unit_test(test_implemented_have_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
