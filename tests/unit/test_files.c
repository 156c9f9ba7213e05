/* tests/unit/test_files.c — core/files.c: the descriptor table (lowest
 * free fd, minfd, install-at with replacement, close-on-exec, EMFILE,
 * EBADF) and the reference counts of shared open file descriptions. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/files.h"

static int setup(void **state)
{
	*state = fdtable_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	fdtable_free(*state);
	return 0;
}

static struct file *new_file(int hostfd)
{
	struct file *f = file_new(FILE_HOST, hostfd, O_RDWR);

	assert_non_null(f);
	return f;
}

/* Close FD as close(2) does: detach and drop the reference. */
static void close_fd(struct fdtable *ft, int fd)
{
	struct file *f = fd_remove(ft, fd);

	assert_non_null(f);
	if (file_put(f))
		free(f);
}

static void test_file_new(void **state)
{
	struct file *f = file_new(FILE_STDIO, 2, O_WRONLY | O_APPEND);

	assert_non_null(f);
	assert_int_equal(f->kind, FILE_STDIO);
	assert_int_equal(f->hostfd, 2);
	assert_int_equal(f->flags, O_WRONLY | O_APPEND);
	assert_int_equal(f->refs, 0);
	file_get(f);
	file_get(f);
	assert_false(file_put(f));
	assert_true(file_put(f));
	free(f);
}

static void test_lowest_free(void **state)
{
	struct fdtable *ft = *state;
	struct file *f[4];

	for (int i = 0; i < 4; i++) {
		f[i] = new_file(100 + i);
		assert_int_equal(fd_install(ft, f[i], 0, false), i);
		assert_ptr_equal(fd_get(ft, i), f[i]);
		assert_int_equal(f[i]->refs, 1);
	}
	close_fd(ft, 1);
	assert_null(fd_get(ft, 1));
	close_fd(ft, 2);
	assert_int_equal(fd_install(ft, new_file(7), 0, false), 1);
	assert_int_equal(fd_install(ft, new_file(8), 0, false), 2);
	assert_int_equal(fd_install(ft, new_file(9), 0, false), 4);
	assert_int_equal(fd_get(ft, 2)->hostfd, 8);
}

static void test_minfd(void **state)
{
	struct fdtable *ft = *state;
	struct file *f = new_file(3);

	assert_int_equal(fd_install(ft, f, 10, false), 10);
	assert_int_equal(fd_install(ft, f, 10, false), 11);
	assert_int_equal(fd_install(ft, f, 5, false), 5);
	assert_int_equal(fd_install(ft, f, 0, false), 0);
	assert_int_equal(fd_install(ft, f, 10, false), 12);
	assert_int_equal(fd_install(ft, f, FDTABLE_MAX - 1, false),
			 FDTABLE_MAX - 1);
	assert_int_equal(fd_install(ft, f, FDTABLE_MAX - 1, false), -EMFILE);
	assert_int_equal(fd_install(ft, f, -1, false), -EINVAL);
	assert_int_equal(f->refs, 6); /* failures took no reference */
	assert_null(fd_get(ft, 1));
}

static void test_install_at(void **state)
{
	struct fdtable *ft = *state;
	struct file *a = new_file(10), *b = new_file(11);

	file_get(a); /* keep A alive across its replacement */
	assert_int_equal(fd_install(ft, a, 0, true), 0);
	assert_int_equal(a->refs, 2);
	/* dup2 onto an open fd: the old file loses that reference */
	assert_int_equal(fd_install_at(ft, 0, b, false), 0);
	assert_ptr_equal(fd_get(ft, 0), b);
	assert_int_equal(a->refs, 1);
	assert_int_equal(b->refs, 1);
	assert_int_equal(fd_get_cloexec(ft, 0), 0);
	/* dup2(fd, fd) with the same file: nothing is freed or lost */
	assert_int_equal(fd_install_at(ft, 0, b, true), 0);
	assert_ptr_equal(fd_get(ft, 0), b);
	assert_int_equal(b->refs, 1);
	assert_int_equal(b->hostfd, 11);
	assert_int_equal(fd_get_cloexec(ft, 0), 1);
	/* onto a free fd, far up: the table has no hole filling to do */
	assert_int_equal(fd_install_at(ft, 700, a, false), 700);
	assert_int_equal(a->refs, 2);
	assert_int_equal(fd_install(ft, a, 0, false), 1);
	assert_int_equal(fd_install_at(ft, FDTABLE_MAX - 1, a, false),
			 FDTABLE_MAX - 1);
	assert_int_equal(fd_install_at(ft, FDTABLE_MAX, a, false), -EBADF);
	assert_int_equal(fd_install_at(ft, -1, a, false), -EBADF);
	assert_int_equal(a->refs, 4);
	assert_false(file_put(a)); /* our own reference */
}

static void test_cloexec(void **state)
{
	struct fdtable *ft = *state;
	struct file *f = new_file(5);

	assert_int_equal(fd_install(ft, f, 0, true), 0);
	assert_int_equal(fd_install(ft, f, 0, false), 1);
	assert_int_equal(fd_get_cloexec(ft, 0), 1);
	assert_int_equal(fd_get_cloexec(ft, 1), 0); /* per fd, not per file */
	assert_int_equal(fd_set_cloexec(ft, 1, true), 0);
	assert_int_equal(fd_set_cloexec(ft, 0, false), 0);
	assert_int_equal(fd_get_cloexec(ft, 0), 0);
	assert_int_equal(fd_get_cloexec(ft, 1), 1);
	/* a reused fd gets the new flag, not the old one */
	close_fd(ft, 1);
	assert_int_equal(fd_install(ft, f, 0, false), 1);
	assert_int_equal(fd_get_cloexec(ft, 1), 0);
}

static void test_ebadf(void **state)
{
	struct fdtable *ft = *state;

	assert_int_equal(fd_get_cloexec(ft, 3), -EBADF);
	assert_int_equal(fd_set_cloexec(ft, 3, true), -EBADF);
	assert_int_equal(fd_get_cloexec(ft, -1), -EBADF);
	assert_int_equal(fd_set_cloexec(ft, -1, true), -EBADF);
	assert_int_equal(fd_get_cloexec(ft, FDTABLE_MAX), -EBADF);
	assert_int_equal(fd_set_cloexec(ft, FDTABLE_MAX, false), -EBADF);
	assert_null(fd_get(ft, 0));
	assert_null(fd_get(ft, -1));
	assert_null(fd_get(ft, FDTABLE_MAX));
	assert_null(fd_get(ft, 1 << 30));
	assert_null(fd_remove(ft, 0));
	assert_null(fd_remove(ft, -5));
	assert_null(fd_remove(ft, FDTABLE_MAX));
	/* a closed fd is bad again */
	assert_int_equal(fd_install(ft, new_file(1), 0, true), 0);
	close_fd(ft, 0);
	assert_null(fd_get(ft, 0));
	assert_null(fd_remove(ft, 0));
	assert_int_equal(fd_get_cloexec(ft, 0), -EBADF);
}

/* dup shares one open file description; it lives until the last close. */
static void test_dup_refcount(void **state)
{
	struct fdtable *ft = *state;
	struct file *f = new_file(42);
	int fd2;

	assert_int_equal(fd_install(ft, f, 0, false), 0);
	fd2 = fd_install(ft, fd_get(ft, 0), 0, false);
	assert_int_equal(fd2, 1);
	assert_ptr_equal(fd_get(ft, 1), f);
	assert_int_equal(f->refs, 2);
	f->flags |= O_APPEND; /* status flags are shared */
	assert_true(fd_get(ft, 1)->flags & O_APPEND);

	assert_ptr_equal(fd_remove(ft, 0), f);
	assert_false(file_put(f));
	assert_int_equal(fd_get(ft, 1)->hostfd, 42);
	assert_ptr_equal(fd_remove(ft, 1), f);
	assert_true(file_put(f));
	free(f);
}

/* fdtable_free drops one reference per fd (a fork's copy shares files). */
static void test_table_free_drops_refs(void **state)
{
	struct fdtable *other = fdtable_new();
	struct file *f = new_file(9);

	assert_non_null(other);
	file_get(f);
	fd_install(other, f, 0, false);
	fd_install(other, f, 0, false);
	fd_install_at(other, 900, f, true);
	assert_int_equal(f->refs, 4);
	fdtable_free(other);
	assert_int_equal(f->refs, 1);
	assert_true(file_put(f));
	free(f);
	fdtable_free(NULL);
}

static void test_emfile(void **state)
{
	struct fdtable *ft = *state;
	struct file *f = new_file(3), *g = new_file(4);

	for (int i = 0; i < FDTABLE_MAX; i++)
		assert_int_equal(fd_install(ft, f, 0, false), i);
	assert_int_equal(f->refs, FDTABLE_MAX);
	assert_int_equal(fd_install(ft, g, 0, false), -EMFILE);
	assert_int_equal(fd_install(ft, f, 500, true), -EMFILE);
	assert_int_equal(f->refs, FDTABLE_MAX);
	assert_int_equal(g->refs, 0);
	/* dup2 onto a full table still works: it replaces */
	assert_int_equal(fd_install_at(ft, 17, g, false), 17);
	assert_int_equal(f->refs, FDTABLE_MAX - 1);
	/* a close makes exactly that fd available */
	close_fd(ft, 600);
	assert_int_equal(fd_install(ft, g, 0, false), 600);
	assert_int_equal(fd_install(ft, g, 0, false), -EMFILE);
	assert_int_equal(g->refs, 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_new),
		T(test_lowest_free),
		T(test_minfd),
		T(test_install_at),
		T(test_cloexec),
		T(test_ebadf),
		T(test_dup_refcount),
		cmocka_unit_test(test_table_free_drops_refs),
		T(test_emfile),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
