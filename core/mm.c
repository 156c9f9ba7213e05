/* core/mm.c — bookkeeping of guest mappings (see core/mm.h). */
#include "core/mm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/platform.h"

struct mm *mm_new(void)
{
	return calloc(1, sizeof(struct mm));
}

void mm_free(struct mm *mm)
{
	if (mm)
		free(mm->v);
	free(mm);
}

struct mm *mm_clone(const struct mm *mm)
{
	struct mm *c = malloc(sizeof(*c));

	if (!c)
		return NULL;
	*c = *mm;
	c->v = NULL;
	c->cap = 0;
	if (mm->n) {
		c->v = malloc(mm->n * sizeof(*c->v));
		if (!c->v) {
			free(c);
			return NULL;
		}
		memcpy(c->v, mm->v, mm->n * sizeof(*c->v));
		c->cap = mm->n;
	}
	return c;
}

static int reserve(struct mm *mm, size_t extra)
{
	if (mm->n + extra <= mm->cap)
		return 0;
	size_t cap = mm->cap ? mm->cap * 2 : 32;
	while (cap < mm->n + extra)
		cap *= 2;
	struct vma *v = realloc(mm->v, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	mm->v = v;
	mm->cap = cap;
	return 0;
}

static void insert_at(struct mm *mm, size_t i, const struct vma *x)
{
	memmove(&mm->v[i + 1], &mm->v[i], (mm->n - i) * sizeof(*x));
	mm->v[i] = *x;
	mm->n++;
}

int mm_remove(struct mm *mm, uint64_t start, uint64_t end)
{
	if (reserve(mm, 1) < 0)
		return -ENOMEM;
	for (size_t i = 0; i < mm->n;) {
		struct vma *a = &mm->v[i];
		if (a->end <= start || a->start >= end) {
			i++;
			continue;
		}
		if (a->start < start && a->end > end) { /* split in two */
			struct vma tail = *a;
			tail.start = end;
			tail.off += end - a->start;
			a->end = start;
			insert_at(mm, i + 1, &tail);
			return 0;
		}
		if (a->start < start) {
			a->end = start;
			i++;
		} else if (a->end > end) {
			a->off += end - a->start;
			a->start = end;
			i++;
		} else {
			memmove(a, a + 1, (mm->n - i - 1) * sizeof(*a));
			mm->n--;
		}
	}
	return 0;
}

int mm_insert(struct mm *mm, uint64_t start, uint64_t end, int prot, int flags)
{
	struct vma x = { start, end, prot, flags, NULL, 0 };
	size_t i = 0;

	if (mm_remove(mm, start, end) < 0 || reserve(mm, 1) < 0)
		return -ENOMEM;
	while (i < mm->n && mm->v[i].start < start)
		i++;
	insert_at(mm, i, &x);
	return 0;
}

int mm_protect(struct mm *mm, uint64_t start, uint64_t end, int prot)
{
	for (size_t i = 0; i < mm->n; i++) {
		struct vma a = mm->v[i];
		if (a.end <= start || a.start >= end)
			continue;
		uint64_t s = a.start > start ? a.start : start;
		uint64_t e = a.end < end ? a.end : end;
		if (mm_insert(mm, s, e, prot, a.flags) < 0)
			return -ENOMEM;
		if (a.name)
			mm_set_file(mm, s, e, a.name, a.off + (s - a.start));
	}
	return 0;
}

void mm_set_file(struct mm *mm, uint64_t start, uint64_t end,
		 const char *name, uint64_t off)
{
	for (size_t i = 0; i < mm->n; i++) {
		struct vma *v = &mm->v[i];
		if (v->start >= start && v->end <= end) {
			v->name = name;
			v->off = off + (v->start - start);
		}
	}
}

bool mm_overlaps(const struct mm *mm, uint64_t start, uint64_t end)
{
	if (start < PLAT_STUB_ADDR + PLAT_STUB_SIZE && end > PLAT_STUB_ADDR)
		return true;
	for (size_t i = 0; i < mm->n; i++)
		if (mm->v[i].start < end && mm->v[i].end > start)
			return true;
	return false;
}

bool mm_fully_mapped(const struct mm *mm, uint64_t start, uint64_t end,
		     int prot)
{
	uint64_t at = start;

	for (size_t i = 0; i < mm->n && at < end; i++) {
		if (mm->v[i].end <= at)
			continue;
		if (mm->v[i].start > at || (mm->v[i].prot & prot) != prot)
			return false;
		at = mm->v[i].end;
	}
	return at >= end;
}

bool mm_uniform(const struct mm *mm, uint64_t start, uint64_t end,
		struct vma *one)
{
	const struct vma *first = mm_find(mm, start);

	if (!first || !mm_fully_mapped(mm, start, end, 0))
		return false;
	for (size_t i = 0; i < mm->n; i++) {
		const struct vma *v = &mm->v[i];
		if (v->start < end && v->end > start &&
		    (v->prot != first->prot || v->flags != first->flags))
			return false;
	}
	*one = *first;
	return true;
}

const struct vma *mm_find(const struct mm *mm, uint64_t addr)
{
	for (size_t i = 0; i < mm->n; i++)
		if (mm->v[i].start <= addr && addr < mm->v[i].end)
			return &mm->v[i];
	return NULL;
}

uint64_t mm_find_free(const struct mm *mm, uint64_t len)
{
	uint64_t top = MM_MMAP_BASE;

	/* walk ranges from the highest down, looking for a gap below top */
	for (size_t i = mm->n; i-- > 0;) {
		const struct vma *a = &mm->v[i];
		if (a->start >= top)
			continue;
		if (a->end <= top && top - a->end >= len)
			return top - len;
		top = a->start;
	}
	if (top >= MM_LOW_LIMIT + len &&
	    !mm_overlaps(mm, top - len, top))
		return top - len;
	return 0;
}
