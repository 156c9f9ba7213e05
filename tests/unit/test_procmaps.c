/* tests/unit/test_procmaps.c — core/procmaps.c: /proc/self/maps text
 * generated from an address space's bookkeeping: Linux's line format and
 * name column, file offsets, [heap] and [stack], one line for ranges
 * Linux would hold as one mapping and separate lines otherwise. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "core/procself.h"
#include "core/task.h"

#define PG PAGE_SIZE_G
#define PRIV MAP_PRIVATE
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)

static const char lib[] = "/usr/lib/libx.so";

static char *maps_of(struct mm *mm)
{
	struct kernel k = { 0 };
	struct task t = { .k = &k, .mm = mm };
	size_t len = 0;
	char *s = procself_maps(&t, &len);

	assert_non_null(s);
	assert_int_equal(strlen(s), len);
	return s;
}

static void test_format(void **state)
{
	struct mm *mm = mm_new();
	char *s;

	/* a library in two parts with contiguous offsets, split by prot */
	mm_insert(mm, 0x7f0000000000, 0x7f0000002000, PROT_READ, PRIV);
	mm_set_file(mm, 0x7f0000000000, 0x7f0000002000, lib, 0);
	mm_insert(mm, 0x7f0000002000, 0x7f0000005000, PROT_READ | PROT_EXEC, PRIV);
	mm_set_file(mm, 0x7f0000002000, 0x7f0000005000, lib, 0x2000);
	/* the same prot twice, but offsets not contiguous: two lines */
	mm_insert(mm, 0x7f0000005000, 0x7f0000006000, PROT_READ, PRIV);
	mm_set_file(mm, 0x7f0000005000, 0x7f0000006000, lib, 0x9000);
	mm_insert(mm, 0x7f0000006000, 0x7f0000007000, PROT_READ, PRIV);
	mm_set_file(mm, 0x7f0000006000, 0x7f0000007000, lib, 0x20000);
	/* anonymous, inserted in two pieces: one line */
	mm_insert(mm, 0x7f0000007000, 0x7f0000008000, PROT_READ | PROT_WRITE, ANON);
	mm_insert(mm, 0x7f0000008000, 0x7f000000a000, PROT_READ | PROT_WRITE, ANON);
	/* the heap, grown twice */
	mm->brk_start = 0x555555560000;
	mm->brk_mapped = 0x555555562000;
	mm_insert(mm, 0x555555560000, 0x555555561000, PROT_READ | PROT_WRITE, ANON);
	mm_insert(mm, 0x555555561000, 0x555555562000, PROT_READ | PROT_WRITE, ANON);
	/* a shared mapping and the stack */
	mm_insert(mm, 0x7f1000000000, 0x7f1000001000, PROT_READ, MAP_SHARED);
	mm_set_file(mm, 0x7f1000000000, 0x7f1000001000, lib, 0);
	mm_insert(mm, 0x7ffffffde000, 0x7ffffffff000, PROT_READ | PROT_WRITE, ANON);
	mm_set_file(mm, 0x7ffffffde000, 0x7ffffffff000, MM_NAME_STACK, 0);
	s = maps_of(mm);
	assert_string_equal(s,
		"555555560000-555555562000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000000000-7f0000002000 r--p 00000000 00:00 0                          /usr/lib/libx.so\n"
		"7f0000002000-7f0000005000 r-xp 00002000 00:00 0                          /usr/lib/libx.so\n"
		"7f0000005000-7f0000006000 r--p 00009000 00:00 0                          /usr/lib/libx.so\n"
		"7f0000006000-7f0000007000 r--p 00020000 00:00 0                          /usr/lib/libx.so\n"
		"7f0000007000-7f000000a000 rw-p 00000000 00:00 0 \n"
		"7f1000000000-7f1000001000 r--s 00000000 00:00 0                          /usr/lib/libx.so\n"
		"7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
	free(s);
	mm_free(mm);
}

/* A file range that became anonymous (a new mapping over it) loses its
 * name; contiguous file pages merge again after an mprotect round trip. */
static void test_after_changes(void **state)
{
	struct mm *mm = mm_new();
	char *s;

	mm_insert(mm, 0x10000000, 0x10004000, PROT_READ, PRIV);
	mm_set_file(mm, 0x10000000, 0x10004000, lib, 0x1000);
	mm_protect(mm, 0x10001000, 0x10002000, PROT_READ | PROT_WRITE);
	mm_protect(mm, 0x10001000, 0x10002000, PROT_READ);
	mm_insert(mm, 0x10003000, 0x10004000, PROT_READ, ANON);
	s = maps_of(mm);
	assert_string_equal(s,
		"10000000-10003000 r--p 00001000 00:00 0                                  /usr/lib/libx.so\n" /* name at column 73 */
		"10003000-10004000 r--p 00000000 00:00 0 \n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
	free(s);
	mm_free(mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_after_changes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
