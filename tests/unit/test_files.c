/* tests/unit/test_files.c — core/files.c: the descriptor table (lowest
 * free fd, minfd, install-at with replacement, close-on-exec, EMFILE,
 * EBADF), the reference counts of shared open file descriptions, and deep
 * copies for checkpoints (file_remap, fdtable_clone, shmaps_clone). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "core/files.h"
#include "core/shmap.h"
#include "core/task.h"

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

/* ---- deep copies ---- */

static void assert_file_copy(const struct file *orig, const struct file *copy)
{
	assert_non_null(copy);
	assert_ptr_not_equal(orig, copy);
	assert_int_equal(copy->kind, orig->kind);
	assert_int_equal(copy->hostfd, orig->hostfd);
	assert_int_equal(copy->flags, orig->flags);
	assert_int_equal(copy->console, orig->console);
}

/* One copy per original, the same one on every request, refs 0; the map
 * keeps working as it grows and frees no file. */
static void test_remap(void **state)
{
	struct file_remap *m = file_remap_new();
	struct file *orig[200], *copy[200];

	assert_non_null(m);
	assert_null(file_remap_get(m, NULL));
	for (int i = 0; i < 200; i++) {
		orig[i] = new_file(100 + i);
		orig[i]->console = i & 1;
		file_get(orig[i]);
		copy[i] = file_remap_get(m, orig[i]);
		assert_file_copy(orig[i], copy[i]);
		assert_int_equal(copy[i]->refs, 0);
		assert_ptr_equal(file_remap_get(m, orig[i]), copy[i]);
		for (int j = 0; j < i; j++)
			assert_ptr_not_equal(copy[j], copy[i]);
	}
	for (int i = 199; i >= 0; i--)
		assert_ptr_equal(file_remap_get(m, orig[i]), copy[i]);
	file_remap_free(m);
	file_remap_free(NULL);
	for (int i = 0; i < 200; i++) {
		assert_int_equal(orig[i]->refs, 1); /* untouched by the copy */
		assert_int_equal(copy[i]->hostfd, 100 + i);
		assert_true(file_put(orig[i]));
		free(orig[i]);
		free(copy[i]);
	}
}

/* fdtable_clone: every fd names a copy, dup'ed fds share one copy with
 * one reference per fd, close-on-exec bits follow, and later changes to
 * either table or its files do not show in the other. */
static void test_fdtable_clone(void **state)
{
	struct fdtable *ft = *state, *c;
	struct file *f = new_file(10), *g = new_file(11), *h, *cf, *cg;
	struct file_remap *m = file_remap_new();

	assert_non_null(m);
	g->console = true;
	assert_int_equal(fd_install(ft, f, 0, true), 0);
	assert_int_equal(fd_install(ft, f, 0, false), 1);   /* dup */
	assert_int_equal(fd_install_at(ft, 900, f, true), 900);
	assert_int_equal(fd_install_at(ft, 5, g, false), 5);
	c = fdtable_clone(ft, m);
	assert_non_null(c);
	file_remap_free(m);

	cf = fd_get(c, 0);
	cg = fd_get(c, 5);
	assert_file_copy(f, cf);
	assert_file_copy(g, cg);
	assert_ptr_equal(fd_get(c, 1), cf);
	assert_ptr_equal(fd_get(c, 900), cf);
	assert_int_equal(cf->refs, 3);
	assert_int_equal(cg->refs, 1);
	assert_int_equal(f->refs, 3);
	assert_int_equal(g->refs, 1);
	for (int fd = 0; fd < FDTABLE_MAX; fd++) {
		assert_int_equal(fd_get(c, fd) != NULL, fd_get(ft, fd) != NULL);
		assert_int_equal(fd_get_cloexec(c, fd), fd_get_cloexec(ft, fd));
	}
	assert_int_equal(fd_get_cloexec(c, 0), 1);
	assert_int_equal(fd_get_cloexec(c, 1), 0);
	assert_int_equal(fd_get_cloexec(c, 900), 1);

	/* the original changes: the clone does not */
	f->flags |= O_APPEND;
	f->hostfd = 77;
	g->flags = O_WRONLY;
	assert_int_equal(cg->flags, O_RDWR);
	close_fd(ft, 5);   /* frees g */
	assert_int_equal(fd_set_cloexec(ft, 1, true), 0);
	h = new_file(12);
	assert_int_equal(fd_install(ft, h, 2, false), 2);
	assert_int_equal(cf->flags, O_RDWR);
	assert_int_equal(cf->hostfd, 10);
	assert_ptr_equal(fd_get(c, 5), cg);
	assert_null(fd_get(c, 2));
	assert_int_equal(fd_get_cloexec(c, 1), 0);

	/* the clone changes: the original does not */
	close_fd(c, 1);
	assert_int_equal(cf->refs, 2);
	assert_int_equal(f->refs, 3);
	assert_int_equal(fd_set_cloexec(c, 0, false), 0);
	assert_int_equal(fd_get_cloexec(ft, 0), 1);
	cf->flags = O_RDONLY;
	assert_int_equal(f->flags, O_RDWR | O_APPEND);
	assert_int_equal(fd_install(c, cg, 0, true), 1);
	assert_ptr_equal(fd_get(ft, 1), f);

	/* dropping the clone drops exactly its references */
	assert_int_equal(cg->refs, 2);
	file_get(cf);
	file_get(cg);
	fdtable_drop(c);
	assert_int_equal(cf->refs, 1);
	assert_int_equal(cg->refs, 1);
	assert_true(file_put(cf));
	assert_true(file_put(cg));
	free(cf);
	free(cg);
	assert_int_equal(f->refs, 3);
	assert_int_equal(h->refs, 1);
	fdtable_drop(NULL);
}

/* An fd and shared mappings of one file share one copy across
 * fdtable_clone and shmaps_clone through one map; entries are copied, not
 * shared, and shmaps_drop drops exactly the mappings' references. */
static void test_shmaps_clone(void **state)
{
	struct fdtable *ft = *state, *c;
	struct task t = { 0 };
	struct shmaps cs;
	struct file *f = new_file(20), *g = new_file(21), *cf, *cg;
	struct file_remap *m = file_remap_new();

	assert_non_null(m);
	assert_int_equal(fd_install(ft, f, 3, false), 3);
	assert_int_equal(shmap_add(&t, 0x10000, 0x12000, f, 0, 8000), 0);
	assert_int_equal(shmap_add(&t, 0x20000, 0x21000, g, 4096, 100), 0);
	assert_int_equal(shmap_add(&t, 0x30000, 0x31000, f, 8192, 0), 0);
	assert_int_equal(f->refs, 3);
	assert_int_equal(g->refs, 1);

	c = fdtable_clone(ft, m);
	assert_non_null(c);
	assert_int_equal(shmaps_clone(&cs, &t.shmaps, m), 0);
	file_remap_free(m);
	cf = fd_get(c, 3);
	assert_file_copy(f, cf);
	assert_int_equal(cs.n, 3);
	assert_ptr_not_equal(cs.v, t.shmaps.v);
	assert_ptr_equal(cs.v[0].file, cf);
	assert_ptr_equal(cs.v[2].file, cf);
	cg = cs.v[1].file;
	assert_file_copy(g, cg);
	assert_int_equal(cf->refs, 3);   /* fd 3 and two mappings */
	assert_int_equal(cg->refs, 1);
	assert_int_equal(f->refs, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(cs.v[i].start, t.shmaps.v[i].start);
		assert_int_equal(cs.v[i].end, t.shmaps.v[i].end);
		assert_int_equal(cs.v[i].off, t.shmaps.v[i].off);
		assert_int_equal(cs.v[i].file_len, t.shmaps.v[i].file_len);
	}

	/* entries are independent both ways */
	shmap_move(&t, 0x10000, 0x50000, 0x2000);
	assert_int_equal(cs.v[0].start, 0x10000);
	cs.v[1].off = 0;
	assert_int_equal(t.shmaps.v[1].off, 4096);

	shmaps_drop(&cs);
	assert_int_equal(cs.n, 0);
	assert_null(cs.v);
	assert_int_equal(cf->refs, 1);   /* the fd's; cg was freed */
	shmaps_drop(&cs);                /* an empty set drops again */
	assert_int_equal(f->refs, 3);
	fdtable_drop(c);

	/* an empty set clones to an empty set */
	shmap_clear(&t);
	m = file_remap_new();
	assert_non_null(m);
	assert_int_equal(shmaps_clone(&cs, &t.shmaps, m), 0);
	assert_int_equal(cs.n, 0);
	file_remap_free(m);
	shmaps_drop(&cs);
	assert_int_equal(f->refs, 1);    /* fd 3; g was freed by the clear */
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
		cmocka_unit_test(test_remap),
		T(test_fdtable_clone),
		T(test_shmaps_clone),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
