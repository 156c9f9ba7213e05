/* core/procmaps.c — /proc/self/maps generated from the kernel's own
 * bookkeeping of the guest address space (core/mm.h), in Linux's format:
 * adjacent ranges Linux would hold as one mapping are printed as one,
 * file mappings carry the file's guest path and offset, the brk area is
 * [heap] and the initial stack [stack]. Device and inode numbers are 0:
 * deja does not ask the host for them (the output stays deterministic). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/procself.h"
#include "core/task.h"

#define MAPS_NAME_COL 73 /* where Linux starts the name column */

struct buf {
	char *b;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4096;
		while (cap < o->len + n + 1)
			cap *= 2;
		char *b = realloc(o->b, cap);
		if (!b) {
			o->oom = true;
			return;
		}
		o->b = b;
		o->cap = cap;
	}
	memcpy(o->b + o->len, s, n);
	o->len += n;
	o->b[o->len] = 0;
}

static const char *name_of(const struct task *t, const struct vma *v)
{
	const struct mm *mm = t->mm;

	if (v->name)
		return v->name;
	if (v->start >= mm->brk_start && v->end <= mm->brk_mapped &&
	    mm->brk_mapped > mm->brk_start)
		return "[heap]";
	return NULL;
}

static bool is_file(const char *name)
{
	return name && name[0] == '/';
}

/* True if B continues A as one Linux mapping. */
static bool continues(const struct task *t, const struct vma *a,
		      const struct vma *b)
{
	const char *na = name_of(t, a), *nb = name_of(t, b);

	if (a->end != b->start || a->prot != b->prot || a->flags != b->flags ||
	    na != nb)
		return false;
	return !is_file(na) || a->off + (a->end - a->start) == b->off;
}

static void line(struct buf *o, uint64_t start, uint64_t end, int prot,
		 int flags, uint64_t off, const char *name)
{
	char s[128];
	int n = snprintf(s, sizeof(s), "%08lx-%08lx %c%c%c%c %08lx 00:00 0 ",
			 (unsigned long)start, (unsigned long)end,
			 prot & PROT_READ ? 'r' : '-', prot & PROT_WRITE ? 'w' : '-',
			 prot & PROT_EXEC ? 'x' : '-', flags & MAP_SHARED ? 's' : 'p',
			 (unsigned long)(is_file(name) ? off : 0));

	if (name) {
		while (n < MAPS_NAME_COL)
			s[n++] = ' ';
		put(o, s, (size_t)n);
		put(o, name, strlen(name));
	} else {
		put(o, s, (size_t)n);
	}
	put(o, "\n", 1);
}

char *procself_maps(const struct task *t, size_t *len)
{
	const struct mm *mm = t->mm;
	struct buf o = { 0 };

	for (size_t i = 0; i < mm->n;) {
		const struct vma *v = &mm->v[i];
		uint64_t end = v->end;
		size_t j = i + 1;
		while (j < mm->n && continues(t, &mm->v[j - 1], &mm->v[j]))
			end = mm->v[j++].end;
		line(&o, v->start, end, v->prot, v->flags, v->off, name_of(t, v));
		i = j;
	}
	/* the legacy vsyscall page Linux maps in every x86-64 process */
	line(&o, 0xffffffffff600000ul, 0xffffffffff601000ul, PROT_EXEC,
	     MAP_PRIVATE, 0, "[vsyscall]");
	if (o.oom || !o.b) {
		free(o.b);
		return NULL;
	}
	*len = o.len;
	return o.b;
}
