/* core/shmap.c — write-back tracking of shared writable file mappings
 * (see core/shmap.h). */
#include "core/shmap.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/task.h"

int shmap_add(struct task *t, uint64_t start, uint64_t end, struct file *f,
	      uint64_t off, uint64_t f_len)
{
	struct shmaps *s = &t->shmaps;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct shmap *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	file_get(f);
	s->v[s->n++] = (struct shmap){ start, end, f, off, f_len };
	return 0;
}

/* Copy guest [start,end) of entry M back to its file. */
static long write_back(struct task *t, const struct shmap *m, uint64_t start,
		       uint64_t end)
{
	uint64_t off = m->off + (start - m->start), len = end - start;
	struct nd_call c = { .op = ND_PWRITE };
	void *buf;

	if (off >= m->off + m->file_len) /* past the end of the file */
		return 0;
	if (off + len > m->off + m->file_len)
		len = m->off + m->file_len - off;
	buf = malloc(len ? len : 1);
	if (!buf)
		return -ENOMEM;
	if (plat_mem_read(t->plat, start, buf, len) < 0) {
		free(buf);
		return -EFAULT;
	}
	c.a[0] = m->file->hostfd;
	c.a[1] = (long)off;
	c.in = buf;
	c.in_len = len;
	nd_call(t->k->nd, &c);
	free(buf);
	return c.result < 0 ? c.result : 0;
}

/* Stop tracking [start,end) of entry I, which may split it in two. */
static int forget_part(struct task *t, size_t i, uint64_t start, uint64_t end)
{
	struct shmaps *s = &t->shmaps;
	struct shmap m = s->v[i];

	if (start > m.start && end < m.end) {
		int rc = shmap_add(t, end, m.end, m.file, m.off + (end - m.start),
				   m.file_len > end - m.start ? m.file_len - (end - m.start) : 0);
		if (rc < 0)
			return rc;
		s->v[i].end = start;
		return 0;
	}
	if (start > m.start) {
		s->v[i].end = start;
	} else if (end < m.end) {
		s->v[i].start = end;
		s->v[i].off += end - m.start;
		s->v[i].file_len = m.file_len > end - m.start ? m.file_len - (end - m.start) : 0;
	} else {
		file_release(t, m.file);
		s->v[i] = s->v[--s->n];
		return 1; /* entry I is now another one */
	}
	return 0;
}

long shmap_writeback(struct task *t, uint64_t start, uint64_t end, int forget)
{
	struct shmaps *s = &t->shmaps;
	long first = 0;

	for (size_t i = 0; i < s->n;) {
		struct shmap *m = &s->v[i];
		uint64_t a = m->start > start ? m->start : start;
		uint64_t b = m->end < end ? m->end : end;
		int moved = 0;

		if (a < b) {
			long r = write_back(t, m, a, b);
			if (r < 0 && !first)
				first = r;
			if (forget)
				moved = forget_part(t, i, a, b);
		}
		if (moved <= 0)
			i++;
	}
	return first;
}

void shmap_prepare_move(struct task *t, uint64_t old, uint64_t oldlen,
			uint64_t newlen)
{
	bool exact = false;

	for (size_t i = 0; i < t->shmaps.n; i++)
		if (t->shmaps.v[i].start == old && t->shmaps.v[i].end == old + oldlen)
			exact = true;
	if (!exact) /* part of a mapping moves: it stops being written back */
		shmap_writeback(t, old, old + oldlen, 1);
	else if (newlen < oldlen)
		shmap_writeback(t, old + newlen, old + oldlen, 1);
}

void shmap_move(struct task *t, uint64_t old, uint64_t dst, uint64_t newlen)
{
	struct shmaps *s = &t->shmaps;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].start == old) {
			s->v[i].start = dst;
			s->v[i].end = dst + newlen;
		}
}

void shmap_clear(struct task *t)
{
	shmaps_drop(&t->shmaps);
}

void shmaps_drop(struct shmaps *s)
{
	for (size_t i = 0; i < s->n; i++)
		if (file_put(s->v[i].file))
			file_free(s->v[i].file);
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int shmaps_clone(struct shmaps *dst, const struct shmaps *src,
		 struct file_remap *m)
{
	memset(dst, 0, sizeof(*dst));
	if (!src->n)
		return 0;
	dst->v = malloc(src->n * sizeof(*dst->v));
	if (!dst->v)
		return -ENOMEM;
	dst->cap = src->n;
	for (size_t i = 0; i < src->n; i++) {
		struct file *f = file_remap_get(m, src->v[i].file);

		if (!f) {
			shmaps_drop(dst);
			return -ENOMEM;
		}
		file_get(f);
		dst->v[i] = src->v[i];
		dst->v[i].file = f;
		dst->n++;
	}
	return 0;
}
