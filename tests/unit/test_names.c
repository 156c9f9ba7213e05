/* tests/unit/test_names.c — core/names.c: interning gives one pointer
 * per distinct string or byte string, copies the bytes, keeps NULs and
 * survives growth of its table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/names.h"

static void test_same_pointer(void **state)
{
	char a[] = "/lib/x86_64-linux-gnu/libc.so.6", b[sizeof(a)];
	const char *p, *q;

	memcpy(b, a, sizeof(a));
	p = name_intern(a);
	q = name_intern(b);
	assert_non_null(p);
	assert_ptr_equal(p, q);
	assert_ptr_not_equal(p, a);           /* a copy, not the caller's */
	a[0] = 'X';
	assert_string_equal(p, "/lib/x86_64-linux-gnu/libc.so.6");
	assert_ptr_not_equal(name_intern("/lib/other"), p);
	assert_null(name_intern(NULL));
}

static void test_bytes(void **state)
{
	static const char x[] = { 'a', 0, 'b' }, y[] = { 'a', 0, 'c' };
	const char *p = bytes_intern(x, 3), *q = bytes_intern(y, 3);

	assert_ptr_not_equal(p, q);           /* differ after the NUL */
	assert_memory_equal(p, x, 3);
	assert_int_equal(p[3], 0);            /* NUL-terminated copy */
	assert_ptr_equal(bytes_intern(x, 3), p);
	assert_ptr_not_equal(bytes_intern(x, 1), p); /* "a" is another */
	assert_ptr_equal(bytes_intern("a", 1), name_intern("a"));
	assert_non_null(bytes_intern("", 0));
}

static void test_growth(void **state)
{
	const char *first[1000];
	char s[32];

	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "/name/%d", i);
		first[i] = name_intern(s);
		assert_non_null(first[i]);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(s, sizeof(s), "/name/%d", i);
		assert_ptr_equal(name_intern(s), first[i]);
		assert_string_equal(first[i], s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_pointer),
		cmocka_unit_test(test_bytes),
		cmocka_unit_test(test_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
