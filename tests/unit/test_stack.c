/* tests/unit/test_stack.c — core/stack.c: the initial stack that execve
 * builds. Reads the image back as the guest would (through addresses in
 * [sp, top)) and checks argc/argv/envp/auxv, the order of the strings,
 * alignment, the argument limit and empty vectors. */
#include <elf.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/stack.h"

#define TOP 0x7ffffffff000ULL

/* ---- reading the image as guest memory ---- */

static void check_inside(const struct stack_image *img, uint64_t addr,
			 size_t n)
{
	assert_true(addr >= img->sp);
	assert_true(addr + n <= img->sp + img->len);
}

static uint64_t rd64(const struct stack_image *img, uint64_t addr)
{
	uint64_t v;

	check_inside(img, addr, 8);
	memcpy(&v, img->bytes + (addr - img->sp), 8);
	return v;
}

/* The NUL-terminated string at ADDR, checked to end inside the image. */
static const char *rdstr(const struct stack_image *img, uint64_t addr)
{
	const char *s;

	check_inside(img, addr, 1);
	s = (const char *)img->bytes + (addr - img->sp);
	assert_non_null(memchr(s, 0, img->sp + img->len - addr));
	return s;
}

/* Value of auxv entry TYPE (fails if absent). */
static uint64_t auxv_get(const struct stack_image *img, uint64_t type)
{
	for (size_t i = 0; i < img->auxv_count; i++)
		if (rd64(img, img->auxv_addr + 16 * i) == type)
			return rd64(img, img->auxv_addr + 16 * i + 8);
	fail_msg("auxv type %llu missing", (unsigned long long)type);
	return 0;
}

static struct stack_input basic_input(char *const *argv, char *const *envp)
{
	struct stack_input in = {
		.argv = argv, .envp = envp,
		.execfn = "/usr/bin/prog", .platform = "x86_64",
		.auxv = { { AT_PAGESZ, 4096 }, { AT_ENTRY, 0x401000 },
			  { AT_UID, 1000 } },
		.nauxv = 3,
	};

	for (int i = 0; i < 16; i++)
		in.random[i] = (uint8_t)(0xa0 + i);
	return in;
}

static char *const ARGV[] = { "prog", "-x", "arg two", NULL };
static char *const ENVP[] = { "A=1", "HOME=/home/u", NULL };

/* ---- tests ---- */

static void test_vectors(void **state)
{
	struct stack_input in = basic_input(ARGV, ENVP);
	struct stack_image img;

	assert_int_equal(stack_build(&in, TOP, &img), 0);
	assert_int_equal(img.sp % 16, 0);
	assert_int_equal(img.len, TOP - img.sp);
	assert_int_equal(rd64(&img, img.sp), 3);            /* argc */
	assert_int_equal(img.argv_addr, img.sp + 8);
	for (int i = 0; i < 3; i++)
		assert_string_equal(rdstr(&img, rd64(&img, img.argv_addr + 8 * i)),
				    ARGV[i]);
	assert_int_equal(rd64(&img, img.argv_addr + 24), 0);
	assert_int_equal(img.envp_addr, img.argv_addr + 8 * 4);
	for (int i = 0; i < 2; i++)
		assert_string_equal(rdstr(&img, rd64(&img, img.envp_addr + 8 * i)),
				    ENVP[i]);
	assert_int_equal(rd64(&img, img.envp_addr + 16), 0);
	assert_int_equal(img.auxv_addr, img.envp_addr + 8 * 3);
	/* the string areas /proc/self/cmdline and environ show */
	assert_int_equal(img.arg_start, rd64(&img, img.argv_addr));
	assert_int_equal(img.env_start, rd64(&img, img.envp_addr));
	assert_int_equal(img.env_start - img.arg_start,
			 sizeof("prog") + sizeof("-x") + sizeof("arg two"));
	assert_int_equal(img.env_end - img.env_start,
			 sizeof("A=1") + sizeof("HOME=/home/u"));
	assert_int_equal(img.env_end, auxv_get(&img, AT_EXECFN));
	assert_int_equal(memcmp(img.bytes + (img.arg_start - img.sp),
				"prog\0-x\0arg two\0A=1\0HOME=/home/u\0", 33), 0);
	stack_image_free(&img);
	assert_null(img.bytes);
}

static void test_auxv(void **state)
{
	struct stack_input in = basic_input(ARGV, ENVP);
	struct stack_image img;
	const uint64_t want_types[] = { AT_PAGESZ, AT_ENTRY, AT_UID, AT_RANDOM,
					AT_EXECFN, AT_PLATFORM, AT_NULL };
	uint64_t a = 0;

	assert_int_equal(stack_build(&in, TOP, &img), 0);
	assert_int_equal(img.auxv_count, 7);
	for (size_t i = 0; i < 7; i++)
		assert_int_equal(rd64(&img, img.auxv_addr + 16 * i), want_types[i]);
	/* the caller's entries keep their values, in order */
	assert_int_equal(rd64(&img, img.auxv_addr + 8), 4096);
	assert_int_equal(rd64(&img, img.auxv_addr + 24), 0x401000);
	assert_int_equal(rd64(&img, img.auxv_addr + 40), 1000);
	assert_int_equal(rd64(&img, img.auxv_addr + 6 * 16 + 8), 0); /* AT_NULL */

	a = auxv_get(&img, AT_RANDOM);
	check_inside(&img, a, 16);
	assert_memory_equal(img.bytes + (a - img.sp), in.random, 16);
	assert_string_equal(rdstr(&img, auxv_get(&img, AT_EXECFN)),
			    "/usr/bin/prog");
	assert_string_equal(rdstr(&img, auxv_get(&img, AT_PLATFORM)), "x86_64");
	/* the table ends below the string area */
	assert_true(img.auxv_addr + 16 * img.auxv_count <= a);
	stack_image_free(&img);
}

/* From the top: 8 zero bytes, execfn, env strings, argv strings,
 * platform, random bytes; each block packed against the one above. */
static void test_string_order(void **state)
{
	struct stack_input in = basic_input(ARGV, ENVP);
	struct stack_image img;
	uint64_t execfn, env[2], arg[3], plat, rnd;

	assert_int_equal(stack_build(&in, TOP, &img), 0);
	execfn = auxv_get(&img, AT_EXECFN);
	plat = auxv_get(&img, AT_PLATFORM);
	rnd = auxv_get(&img, AT_RANDOM);
	for (int i = 0; i < 2; i++)
		env[i] = rd64(&img, img.envp_addr + 8 * i);
	for (int i = 0; i < 3; i++)
		arg[i] = rd64(&img, img.argv_addr + 8 * i);

	assert_int_equal(rd64(&img, TOP - 8), 0);
	assert_int_equal(execfn + strlen("/usr/bin/prog") + 1, TOP - 8);
	assert_int_equal(env[1] + strlen(ENVP[1]) + 1, execfn);
	assert_int_equal(env[0] + strlen(ENVP[0]) + 1, env[1]);
	assert_int_equal(arg[2] + strlen(ARGV[2]) + 1, env[0]);
	assert_int_equal(arg[1] + strlen(ARGV[1]) + 1, arg[2]);
	assert_int_equal(arg[0] + strlen(ARGV[0]) + 1, arg[1]);
	assert_int_equal(plat + strlen("x86_64") + 1, arg[0]);
	assert_int_equal(rnd + 16, plat);
	stack_image_free(&img);
}

static void check_empty(char *const *argv, char *const *envp)
{
	struct stack_input in = basic_input(argv, envp);
	struct stack_image img;

	assert_int_equal(stack_build(&in, TOP, &img), 0);
	assert_int_equal(img.sp % 16, 0);
	assert_int_equal(rd64(&img, img.sp), 0);
	assert_int_equal(img.argv_addr, img.sp + 8);
	assert_int_equal(rd64(&img, img.argv_addr), 0);
	assert_int_equal(img.envp_addr, img.sp + 16);
	assert_int_equal(rd64(&img, img.envp_addr), 0);
	assert_int_equal(img.auxv_addr, img.sp + 24);
	assert_int_equal(img.auxv_count, 7);
	assert_string_equal(rdstr(&img, auxv_get(&img, AT_EXECFN)),
			    "/usr/bin/prog");
	/* nothing between platform and execfn but execfn's own bytes */
	assert_int_equal(auxv_get(&img, AT_PLATFORM) + 7,
			 auxv_get(&img, AT_EXECFN));
	stack_image_free(&img);
}

static void test_empty_vectors(void **state)
{
	char *const none[] = { NULL };

	check_empty(none, none);
	check_empty(NULL, NULL);
}

/* Alignment and containment for many string lengths, counts and tops. */
static void test_alignment_sweep(void **state)
{
	static char buf[64];
	char *argv[5] = { buf, "b", "cc", "ddd", NULL };
	char *envp[3] = { "E=1", NULL, NULL };
	const uint64_t tops[] = { TOP, TOP - 8, 0x40001238ULL };

	memset(buf, 'a', sizeof(buf) - 1);
	for (size_t t = 0; t < 3; t++)
	for (int len = 0; len < 40; len++)
	for (int argc = 1; argc <= 4; argc++) {
		struct stack_input in = basic_input(argv, envp);
		struct stack_image img;
		char *saved = argv[argc];

		buf[len] = 0;
		argv[argc] = NULL;
		envp[1] = len & 1 ? "F=22" : NULL;
		assert_int_equal(stack_build(&in, tops[t], &img), 0);
		assert_int_equal(img.sp % 16, 0);
		assert_int_equal(img.sp + img.len, tops[t]);
		assert_int_equal(rd64(&img, img.sp), argc);
		assert_int_equal(strlen(rdstr(&img, rd64(&img, img.argv_addr))),
				 len);
		assert_true(img.auxv_addr + 16 * img.auxv_count <=
			    auxv_get(&img, AT_RANDOM));
		assert_int_equal(rd64(&img, img.auxv_addr +
					    16 * (img.auxv_count - 1)), AT_NULL);
		stack_image_free(&img);
		argv[argc] = saved;
		buf[len] = 'a';
	}
}

static void test_e2big(void **state)
{
	size_t big = (1UL << 20) + 1;
	char *s = malloc(big + 1), *half = malloc(600 * 1024);
	char *argv[3] = { "prog", s, NULL };
	char *envp[3] = { half, half, NULL };
	struct stack_input in = basic_input(argv, NULL);
	struct stack_image img = { 0 };

	assert_non_null(s);
	assert_non_null(half);
	memset(s, 'x', big);
	s[big] = 0;
	memset(half, 'y', 600 * 1024 - 1);
	half[600 * 1024 - 1] = 0;

	/* one argument over the limit */
	assert_int_equal(stack_build(&in, TOP, &img), -E2BIG);
	assert_null(img.bytes);
	/* the environment counts too: two halves over the limit */
	in = basic_input(ARGV, envp);
	assert_int_equal(stack_build(&in, TOP, &img), -E2BIG);
	/* half a MiB of argument is fine */
	s[512 * 1024] = 0;
	in = basic_input(argv, NULL);
	assert_int_equal(stack_build(&in, TOP, &img), 0);
	assert_int_equal(strlen(rdstr(&img, rd64(&img, img.argv_addr + 8))),
			 512 * 1024);
	stack_image_free(&img);
	free(s);
	free(half);
}

static void test_auxv_limit(void **state)
{
	struct stack_input in = basic_input(ARGV, ENVP);
	struct stack_image img;

	for (size_t i = 0; i < STACK_MAX_AUXV; i++)
		in.auxv[i] = (struct auxv_entry){ 100 + i, 7 * i };
	in.nauxv = STACK_MAX_AUXV;
	assert_int_equal(stack_build(&in, TOP, &img), 0);
	assert_int_equal(img.auxv_count, STACK_MAX_AUXV + 4);
	assert_int_equal(rd64(&img, img.auxv_addr + 16 * 31), 131);
	assert_int_equal(rd64(&img, img.auxv_addr + 16 * 31 + 8), 7 * 31);
	assert_int_equal(rd64(&img, img.auxv_addr + 16 * 32), AT_RANDOM);
	stack_image_free(&img);

	in.nauxv = STACK_MAX_AUXV + 1;
	assert_int_equal(stack_build(&in, TOP, &img), -E2BIG);
}

/* Many small arguments and variables (pointers count against the
 * limit too: 30k of each fit, 70k of each do not). */
static void test_many_args(void **state)
{
	enum { N = 70000, FIT = 30000 };
	char **argv = calloc(N + 1, sizeof(char *));
	char *pool = malloc(N * 8);
	struct stack_input in;
	struct stack_image img;

	assert_non_null(argv);
	assert_non_null(pool);
	for (int i = 0; i < N; i++) {
		argv[i] = pool + 8 * i;
		snprintf(argv[i], 8, "%u", (unsigned)i % 1000000u);
	}
	in = basic_input(argv, argv);
	assert_int_equal(stack_build(&in, TOP, &img), -E2BIG);
	argv[FIT] = NULL;
	assert_int_equal(stack_build(&in, TOP, &img), 0);
	assert_int_equal(rd64(&img, img.sp), FIT);
	assert_int_equal(rd64(&img, img.argv_addr + 8 * FIT), 0);
	assert_int_equal(rd64(&img, img.envp_addr + 8 * FIT), 0);
	for (int i = 0; i < FIT; i += 997) {
		assert_string_equal(rdstr(&img, rd64(&img, img.argv_addr + 8 * i)),
				    argv[i]);
		assert_string_equal(rdstr(&img, rd64(&img, img.envp_addr + 8 * i)),
				    argv[i]);
	}
	stack_image_free(&img);
	free(pool);
	free(argv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_auxv),
		cmocka_unit_test(test_string_order),
		cmocka_unit_test(test_empty_vectors),
		cmocka_unit_test(test_alignment_sweep),
		cmocka_unit_test(test_e2big),
		cmocka_unit_test(test_auxv_limit),
		cmocka_unit_test(test_many_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
