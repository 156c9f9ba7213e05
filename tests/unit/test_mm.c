/* tests/unit/test_mm.c — core/mm.c: the guest address-space bookkeeping.
 * Insert/remove with splitting and replacement, mm_protect, the overlap
 * and full-mapping queries (with deja's reserved stub page), the
 * deterministic top-down placement of mm_find_free and mm_clone. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "core/mm.h"
#include "core/platform.h"

#define PG PAGE_SIZE_G
#define A 0x10000000UL /* an arbitrary page-aligned base for ranges */
#define R PROT_READ
#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)

static int setup(void **state)
{
	*state = mm_new();
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	mm_free(*state);
	return 0;
}

/* MM holds exactly the N ranges WANT (start, end, prot), in order, and
 * they neither overlap nor are empty. */
struct want {
	uint64_t start, end;
	int prot;
};

static void check_ranges(const struct mm *mm, const struct want *want,
			 size_t n)
{
	assert_int_equal(mm->n, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(mm->v[i].start, want[i].start);
		assert_int_equal(mm->v[i].end, want[i].end);
		assert_int_equal(mm->v[i].prot, want[i].prot);
		assert_true(mm->v[i].start < mm->v[i].end);
		if (i)
			assert_true(mm->v[i - 1].end <= mm->v[i].start);
	}
}

/* ---- insert and remove ---- */

static void test_insert_sorted(void **state)
{
	struct mm *mm = *state;
	const struct want w[] = {
		{ A, A + PG, R }, { A + 4 * PG, A + 6 * PG, RW },
		{ A + 8 * PG, A + 9 * PG, RX },
	};

	assert_int_equal(mm_insert(mm, A + 8 * PG, A + 9 * PG, RX, PRIV), 0);
	assert_int_equal(mm_insert(mm, A, A + PG, R, PRIV), 0);
	assert_int_equal(mm_insert(mm, A + 4 * PG, A + 6 * PG, RW, MAP_SHARED), 0);
	check_ranges(mm, w, 3);
	assert_int_equal(mm->v[1].flags, MAP_SHARED);
	assert_ptr_equal(mm_find(mm, A + 5 * PG + 17), &mm->v[1]);
	assert_ptr_equal(mm_find(mm, A + 4 * PG), &mm->v[1]);
	assert_null(mm_find(mm, A + 6 * PG));   /* end is exclusive */
	assert_null(mm_find(mm, A + 4 * PG - 1));
	assert_null(mm_find(mm, 0));
}

/* Inserting over existing ranges replaces the overlapped parts. */
static void test_insert_replaces(void **state)
{
	struct mm *mm = *state;
	const struct want middle[] = {
		{ A, A + 2 * PG, RW }, { A + 2 * PG, A + 3 * PG, RX },
		{ A + 3 * PG, A + 8 * PG, RW },
	};
	const struct want spanning[] = {
		{ A, A + PG, RW }, { A + PG, A + 5 * PG, R },
		{ A + 5 * PG, A + 8 * PG, RW },
	};
	const struct want all[] = { { A - PG, A + 9 * PG, RX } };

	mm_insert(mm, A, A + 8 * PG, RW, PRIV);
	assert_int_equal(mm_insert(mm, A + 2 * PG, A + 3 * PG, RX, PRIV), 0);
	check_ranges(mm, middle, 3);
	/* straddling the three pieces */
	assert_int_equal(mm_insert(mm, A + PG, A + 5 * PG, R, PRIV), 0);
	check_ranges(mm, spanning, 3);
	/* covering everything */
	assert_int_equal(mm_insert(mm, A - PG, A + 9 * PG, RX, PRIV), 0);
	check_ranges(mm, all, 1);
}

static void test_remove(void **state)
{
	struct mm *mm = *state;
	const struct want split[] = {
		{ A, A + 3 * PG, RW }, { A + 5 * PG, A + 10 * PG, RW },
	};
	const struct want trimmed[] = {
		{ A + PG, A + 3 * PG, RW }, { A + 5 * PG, A + 9 * PG, RW },
	};
	const struct want across[] = {
		{ A + PG, A + 2 * PG, RW }, { A + 6 * PG, A + 9 * PG, RW },
	};

	mm_insert(mm, A, A + 10 * PG, RW, PRIV);
	assert_int_equal(mm_remove(mm, A + 3 * PG, A + 5 * PG), 0);
	check_ranges(mm, split, 2);
	assert_int_equal(mm->v[1].flags, PRIV); /* the tail keeps its flags */
	mm_remove(mm, A - PG, A + PG);             /* head */
	mm_remove(mm, A + 9 * PG, A + 20 * PG);    /* tail */
	check_ranges(mm, trimmed, 2);
	mm_remove(mm, A + 2 * PG, A + 6 * PG);     /* across the hole */
	check_ranges(mm, across, 2);
	assert_int_equal(mm_remove(mm, A + 3 * PG, A + 5 * PG), 0); /* nothing */
	check_ranges(mm, across, 2);
	mm_remove(mm, 0, ~0UL);
	assert_int_equal(mm->n, 0);
}

/* Adjacent ranges behave as one mapping for every query. */
static void test_adjacent(void **state)
{
	struct mm *mm = *state;

	mm_insert(mm, A, A + PG, RW, PRIV);
	mm_insert(mm, A + PG, A + 2 * PG, RW, PRIV);
	mm_insert(mm, A + 2 * PG, A + 4 * PG, RW, PRIV);
	assert_true(mm_fully_mapped(mm, A, A + 4 * PG, RW));
	assert_true(mm_overlaps(mm, A + 2 * PG - 1, A + 2 * PG + 1));
	/* removing a range that spans the seams leaves the outer halves */
	mm_remove(mm, A + PG, A + 3 * PG);
	assert_true(mm_fully_mapped(mm, A, A + PG, RW));
	assert_false(mm_overlaps(mm, A + PG, A + 3 * PG));
	assert_true(mm_fully_mapped(mm, A + 3 * PG, A + 4 * PG, RW));
}

/* ---- mm_protect ---- */

static void test_protect_split(void **state)
{
	struct mm *mm = *state;
	const struct want three[] = {
		{ A, A + PG, RW }, { A + PG, A + 2 * PG, R },
		{ A + 2 * PG, A + 4 * PG, RW },
	};
	const struct want edges[] = {
		{ A, A + PG, RX }, { A + PG, A + 2 * PG, R },
		{ A + 2 * PG, A + 3 * PG, RW }, { A + 3 * PG, A + 4 * PG, RX },
	};

	mm_insert(mm, A, A + 4 * PG, RW, MAP_SHARED);
	assert_int_equal(mm_protect(mm, A + PG, A + 2 * PG, R), 0);
	check_ranges(mm, three, 3);
	for (size_t i = 0; i < mm->n; i++)
		assert_int_equal(mm->v[i].flags, MAP_SHARED);
	mm_protect(mm, A + 3 * PG, A + 4 * PG, RX);
	mm_protect(mm, A - 8 * PG, A + PG, RX); /* starts below the mapping */
	check_ranges(mm, edges, 4);
}

/* Unmapped parts of the range stay unmapped. */
static void test_protect_holes(void **state)
{
	struct mm *mm = *state;
	const struct want w[] = {
		{ A, A + PG, RW }, { A + PG, A + 2 * PG, PROT_NONE },
		{ A + 4 * PG, A + 5 * PG, PROT_NONE },
		{ A + 5 * PG, A + 6 * PG, RW },
	};

	mm_insert(mm, A, A + 2 * PG, RW, PRIV);
	mm_insert(mm, A + 4 * PG, A + 6 * PG, RW, PRIV);
	assert_int_equal(mm_protect(mm, A + PG, A + 5 * PG, PROT_NONE), 0);
	check_ranges(mm, w, 4);
	assert_null(mm_find(mm, A + 3 * PG));
	assert_int_equal(mm_protect(mm, A + 10 * PG, A + 20 * PG, R), 0);
	check_ranges(mm, w, 4);
}

/* ---- queries ---- */

static void test_overlaps(void **state)
{
	struct mm *mm = *state;
	const uint64_t stub_end = PLAT_STUB_ADDR + PLAT_STUB_SIZE;

	assert_false(mm_overlaps(mm, A, A + PG));
	mm_insert(mm, A, A + 2 * PG, RW, PRIV);
	assert_true(mm_overlaps(mm, A, A + PG));
	assert_true(mm_overlaps(mm, A - PG, A + 1));
	assert_true(mm_overlaps(mm, A + 2 * PG - 1, A + 3 * PG));
	assert_true(mm_overlaps(mm, A - PG, A + 3 * PG)); /* covers it */
	assert_false(mm_overlaps(mm, A - PG, A));          /* touches below */
	assert_false(mm_overlaps(mm, A + 2 * PG, A + 3 * PG)); /* above */

	/* deja's stub page is reserved though the guest never mapped it */
	assert_null(mm_find(mm, PLAT_STUB_ADDR));
	assert_true(mm_overlaps(mm, PLAT_STUB_ADDR, stub_end));
	assert_true(mm_overlaps(mm, stub_end - 1, stub_end + PG));
	assert_true(mm_overlaps(mm, PLAT_STUB_ADDR - PG, PLAT_STUB_ADDR + 1));
	assert_true(mm_overlaps(mm, 0, A));
	assert_false(mm_overlaps(mm, stub_end, stub_end + PG));
	assert_false(mm_overlaps(mm, PLAT_STUB_ADDR - PG, PLAT_STUB_ADDR));
}

static void test_fully_mapped(void **state)
{
	struct mm *mm = *state;

	assert_false(mm_fully_mapped(mm, A, A + PG, 0));
	mm_insert(mm, A, A + PG, RW, PRIV);
	mm_insert(mm, A + PG, A + 2 * PG, RX, PRIV);
	mm_insert(mm, A + 3 * PG, A + 4 * PG, RW, PRIV);

	assert_true(mm_fully_mapped(mm, A, A + 2 * PG, 0));
	assert_true(mm_fully_mapped(mm, A, A + 2 * PG, R));
	assert_false(mm_fully_mapped(mm, A, A + 2 * PG, PROT_WRITE));
	assert_false(mm_fully_mapped(mm, A, A + 2 * PG, PROT_EXEC));
	assert_true(mm_fully_mapped(mm, A + 10, A + PG - 10, RW));
	assert_true(mm_fully_mapped(mm, A + PG + 8, A + 2 * PG, RX));
	assert_false(mm_fully_mapped(mm, A, A + 3 * PG, 0));     /* hole */
	assert_false(mm_fully_mapped(mm, A, A + 4 * PG, R));     /* hole */
	assert_false(mm_fully_mapped(mm, A - 1, A + PG, 0));     /* below */
	assert_false(mm_fully_mapped(mm, A + 3 * PG, A + 4 * PG + 1, 0));
	assert_false(mm_fully_mapped(mm, A + 2 * PG, A + 2 * PG + 1, 0));
	/* only the guest's ranges count, not the stub */
	assert_false(mm_fully_mapped(mm, PLAT_STUB_ADDR, PLAT_STUB_ADDR + 1, 0));
}

/* ---- mm_find_free ---- */

static void test_find_free_top_down(void **state)
{
	struct mm *mm = *state;
	uint64_t a, b;

	a = mm_find_free(mm, 2 * PG);
	assert_int_equal(a, MM_MMAP_BASE - 2 * PG);
	mm_insert(mm, a, a + 2 * PG, RW, PRIV);
	b = mm_find_free(mm, PG);
	assert_int_equal(b, a - PG);
	mm_insert(mm, b, b + PG, RW, PRIV);
	/* a hole left by munmap is reused when the request fits */
	mm_remove(mm, a, a + PG);
	assert_int_equal(mm_find_free(mm, PG), a);
	/* ... and skipped when it does not */
	assert_int_equal(mm_find_free(mm, 2 * PG), b - 2 * PG);
	/* ranges above MM_MMAP_BASE do not matter */
	mm_insert(mm, MM_MMAP_BASE, MM_MMAP_BASE + 16 * PG, RW, PRIV);
	assert_int_equal(mm_find_free(mm, PG), a);
}

/* The stack lies above MM_MMAP_BASE, with room to grow: mappings start
 * at MM_MMAP_BASE whatever is mapped above it or low in memory. */
static void test_find_free_below_stack(void **state)
{
	struct mm *mm = *state;
	uint64_t lo = MM_STACK_TOP - MM_STACK_SIZE;

	assert_true(lo > MM_MMAP_BASE);
	mm_insert(mm, lo, MM_STACK_TOP, RW, PRIV | MAP_GROWSDOWN);
	assert_int_equal(mm_find_free(mm, PG), MM_MMAP_BASE - PG);
	mm_insert(mm, 0x400000, 0x500000, RX, MAP_PRIVATE);
	assert_int_equal(mm_find_free(mm, 3 * PG), MM_MMAP_BASE - 3 * PG);
	/* a mapping straddling MM_MMAP_BASE pushes placement below it */
	mm_insert(mm, MM_MMAP_BASE - 2 * PG, MM_MMAP_BASE + PG, RW, PRIV);
	assert_int_equal(mm_find_free(mm, PG), MM_MMAP_BASE - 3 * PG);
}

/* Gaps between ranges are searched from the highest down. */
static void test_find_free_gaps(void **state)
{
	struct mm *mm = *state;
	const uint64_t top = MM_MMAP_BASE;

	/* occupied: [top-2, top), [top-5, top-4), [top-20, top-8) pages;
	 * free gaps: 2 pages at top-4, 3 pages at top-8 */
	mm_insert(mm, top - 2 * PG, top, RW, PRIV);
	mm_insert(mm, top - 20 * PG, top - 8 * PG, RW, PRIV);
	mm_insert(mm, top - 5 * PG, top - 4 * PG, RW, PRIV);
	assert_int_equal(mm_find_free(mm, PG), top - 3 * PG);
	assert_int_equal(mm_find_free(mm, 2 * PG), top - 4 * PG);
	assert_int_equal(mm_find_free(mm, 3 * PG), top - 8 * PG);
	assert_int_equal(mm_find_free(mm, 4 * PG), top - 24 * PG);
	/* the result never overlaps anything */
	for (uint64_t len = PG; len <= 8 * PG; len += PG) {
		uint64_t at = mm_find_free(mm, len);
		assert_int_not_equal(at, 0);
		assert_false(mm_overlaps(mm, at, at + len));
		assert_true(at + len <= MM_MMAP_BASE);
	}
}

/* Nothing goes on or below the stub page; a full space gives 0. */
static void test_find_free_exhausted(void **state)
{
	struct mm *mm = *state;
	const uint64_t stub_end = PLAT_STUB_ADDR + PLAT_STUB_SIZE;

	mm_insert(mm, stub_end + PG, MM_MMAP_BASE, RW, PRIV);
	assert_int_equal(mm_find_free(mm, PG), stub_end); /* the last page */
	assert_int_equal(mm_find_free(mm, 2 * PG), 0);
	mm_insert(mm, stub_end, stub_end + PG, RW, PRIV);
	assert_int_equal(mm_find_free(mm, PG), 0);
	mm_remove(mm, 0, ~0UL);
	assert_int_equal(mm_find_free(mm, MM_MMAP_BASE), 0); /* too big */
	assert_int_equal(mm_find_free(mm, MM_MMAP_BASE - stub_end), stub_end);
}

/* The same sequence of calls gives the same addresses, every time. */
static uint64_t run_sequence(uint64_t out[16])
{
	struct mm *mm = mm_new();
	uint64_t sum = 0;

	assert_non_null(mm);
	mm_insert(mm, MM_STACK_TOP - MM_STACK_SIZE, MM_STACK_TOP, RW, PRIV);
	for (int i = 0; i < 16; i++) {
		uint64_t len = (uint64_t)(1 + (i * 7) % 5) * PG;
		out[i] = mm_find_free(mm, len);
		assert_int_not_equal(out[i], 0);
		mm_insert(mm, out[i], out[i] + len, RW, PRIV);
		if (i % 3 == 2)
			mm_remove(mm, out[i - 1], out[i - 1] + PG);
		sum += out[i];
	}
	mm_free(mm);
	return sum;
}

static void test_find_free_deterministic(void **state)
{
	uint64_t a[16], b[16];

	run_sequence(a);
	run_sequence(b);
	assert_memory_equal(a, b, sizeof(a));
	assert_true(a[0] < MM_STACK_TOP - MM_STACK_SIZE);
	assert_true(a[1] < a[0]);
}

/* ---- clone ---- */

/* A clone holds the same ranges and brk fields, and changes to either
 * side never show in the other. */
static void test_clone_independent(void **state)
{
	struct mm *mm = *state, *c;
	const struct want before[] = {
		{ A, A + 2 * PG, R }, { A + 4 * PG, A + 8 * PG, RW },
	};
	const struct want orig_after[] = {
		{ A, A + 2 * PG, R }, { A + 4 * PG, A + 5 * PG, RW },
		{ A + 5 * PG, A + 6 * PG, RX }, { A + 7 * PG, A + 8 * PG, RW },
	};
	const struct want clone_after[] = {
		{ A + 4 * PG, A + 8 * PG, RW }, { A + 20 * PG, A + 21 * PG, RX },
	};

	assert_int_equal(mm_insert(mm, A, A + 2 * PG, R, PRIV), 0);
	assert_int_equal(mm_insert(mm, A + 4 * PG, A + 8 * PG, RW, MAP_SHARED), 0);
	mm->brk_start = A + 100 * PG;
	mm->brk = A + 100 * PG + 123;
	mm->brk_mapped = A + 101 * PG;
	c = mm_clone(mm);
	assert_non_null(c);
	assert_ptr_not_equal(c->v, mm->v);
	check_ranges(c, before, 2);
	assert_int_equal(c->v[1].flags, MAP_SHARED);
	assert_int_equal(c->brk_start, A + 100 * PG);
	assert_int_equal(c->brk, A + 100 * PG + 123);
	assert_int_equal(c->brk_mapped, A + 101 * PG);

	/* the original changes; the clone does not */
	assert_int_equal(mm_protect(mm, A + 5 * PG, A + 6 * PG, RX), 0);
	assert_int_equal(mm_remove(mm, A + 6 * PG, A + 7 * PG), 0);
	mm->brk = A + 100 * PG + 999;
	check_ranges(mm, orig_after, 4);
	check_ranges(c, before, 2);
	assert_int_equal(c->brk, A + 100 * PG + 123);

	/* the clone grows past its capacity; the original does not see it */
	for (uint64_t i = 0; i < 40; i++)
		assert_int_equal(mm_insert(c, A + (200 + 2 * i) * PG,
					   A + (201 + 2 * i) * PG, R, PRIV), 0);
	assert_int_equal(c->n, 42);
	assert_int_equal(mm_remove(c, A + 200 * PG, A + 300 * PG), 0);
	assert_int_equal(mm_remove(c, A, A + 2 * PG), 0);
	assert_int_equal(mm_insert(c, A + 20 * PG, A + 21 * PG, RX, PRIV), 0);
	c->brk_mapped = 0;
	check_ranges(c, clone_after, 2);
	check_ranges(mm, orig_after, 4);
	assert_int_equal(mm->brk_mapped, A + 101 * PG);
	assert_false(mm_overlaps(mm, A + 20 * PG, A + 21 * PG));
	assert_true(mm_overlaps(c, A + 20 * PG, A + 21 * PG));
	mm_free(c);
}

/* An empty address space clones to an empty one that works. */
static void test_clone_empty(void **state)
{
	struct mm *mm = *state, *c = mm_clone(mm);
	const struct want one[] = { { A, A + PG, RW } };

	assert_non_null(c);
	assert_int_equal(c->n, 0);
	assert_int_equal(mm_find_free(c, PG), mm_find_free(mm, PG));
	assert_int_equal(mm_insert(c, A, A + PG, RW, PRIV), 0);
	check_ranges(c, one, 1);
	assert_int_equal(mm->n, 0);
	mm_free(c);
}

/* File names and offsets follow the pages through splits and mprotect,
 * and a new mapping over a named range is anonymous again. */
static void test_file_names(void **state)
{
	struct mm *mm = *state;
	static const char lib[] = "/lib/libx.so";
	const struct vma *v;

	mm_insert(mm, A, A + 8 * PG, R, MAP_PRIVATE);
	mm_set_file(mm, A, A + 8 * PG, lib, 0x3000);
	mm_remove(mm, A + 2 * PG, A + 3 * PG);          /* a hole */
	mm_protect(mm, A + 5 * PG, A + 6 * PG, RX);      /* a split */
	v = mm_find(mm, A + PG);
	assert_ptr_equal(v->name, lib);
	assert_int_equal(v->off, 0x3000);
	v = mm_find(mm, A + 3 * PG);
	assert_ptr_equal(v->name, lib);
	assert_int_equal(v->start, A + 3 * PG);
	assert_int_equal(v->off, 0x3000 + 3 * PG);
	v = mm_find(mm, A + 5 * PG);
	assert_int_equal(v->prot, RX);
	assert_ptr_equal(v->name, lib);
	assert_int_equal(v->off, 0x3000 + 5 * PG);
	v = mm_find(mm, A + 7 * PG);
	assert_int_equal(v->start, A + 6 * PG);
	assert_int_equal(v->off, 0x3000 + 6 * PG);
	mm_insert(mm, A + 7 * PG, A + 8 * PG, RW, PRIV);
	v = mm_find(mm, A + 7 * PG);
	assert_null(v->name);
	assert_int_equal(v->off, 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_insert_sorted),
		T(test_insert_replaces),
		T(test_remove),
		T(test_adjacent),
		T(test_protect_split),
		T(test_protect_holes),
		T(test_overlaps),
		T(test_fully_mapped),
		T(test_find_free_top_down),
		T(test_find_free_below_stack),
		T(test_find_free_gaps),
		T(test_find_free_exhausted),
		cmocka_unit_test(test_find_free_deterministic),
		T(test_clone_independent),
		T(test_clone_empty),
		T(test_file_names),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
