/* replay/tl_pos.c — positions in a replay: an interval between two
 * kernel stops plus the segments (continue to the k-th arrival at an
 * address, n single steps) that reach an instruction boundary in it. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "replay/tl_internal.h"

void pos_start(struct tl_pos *p, uint64_t stop)
{
	memset(p, 0, sizeof(*p));
	p->stop = stop;
}

int pos_append_step(struct tl_pos *p)
{
	if (p->nseg && p->seg[p->nseg - 1].kind == SEG_STEP) {
		p->seg[p->nseg - 1].count++;
		return 0;
	}
	if (p->nseg == TL_MAX_SEGS)
		return -E2BIG;
	p->seg[p->nseg++] = (struct tl_seg){ SEG_STEP, 0, 1 };
	return 0;
}

int pos_append_bp(struct tl_pos *p, uint64_t addr, uint64_t count)
{
	if (p->nseg == TL_MAX_SEGS)
		return -E2BIG;
	p->seg[p->nseg++] = (struct tl_seg){ SEG_BP, addr, count };
	return 0;
}

static bool seg_equal(const struct tl_seg *a, const struct tl_seg *b)
{
	return a->kind == b->kind && a->addr == b->addr && a->count == b->count;
}

int pos_prefix(const struct tl_pos *c, const struct tl_pos *t,
	       uint64_t *done)
{
	int last = c->nseg - 1;

	*done = 0;
	if (c->stop != t->stop || c->nseg > t->nseg)
		return -1;
	if (c->nseg == 0)
		return 0;
	for (int i = 0; i < last; i++)
		if (!seg_equal(&c->seg[i], &t->seg[i]))
			return -1;
	if (c->seg[last].kind != t->seg[last].kind ||
	    c->seg[last].addr != t->seg[last].addr ||
	    c->seg[last].count > t->seg[last].count)
		return -1;
	if (c->seg[last].count == t->seg[last].count)
		return c->nseg;
	*done = c->seg[last].count;
	return last;
}

bool pos_equal(const struct tl_pos *a, const struct tl_pos *b)
{
	if (a->stop != b->stop || a->nseg != b->nseg)
		return false;
	for (int i = 0; i < a->nseg; i++)
		if (!seg_equal(&a->seg[i], &b->seg[i]))
			return false;
	return true;
}

void pos_format(const struct tl_pos *p, char *buf, size_t cap)
{
	size_t n = (size_t)snprintf(buf, cap, "interval %llu",
				    (unsigned long long)p->stop);

	if (!p->nseg && n < cap)
		snprintf(buf + n, cap - n, ", first instruction");
	for (int i = 0; i < p->nseg && n < cap; i++) {
		const struct tl_seg *s = &p->seg[i];
		if (s->kind == SEG_BP)
			n += (size_t)snprintf(buf + n, cap - n, ", arrival %llu at %#llx",
					      (unsigned long long)s->count,
					      (unsigned long long)s->addr);
		else
			n += (size_t)snprintf(buf + n, cap - n, ", %llu step%s",
					      (unsigned long long)s->count,
					      s->count == 1 ? "" : "s");
	}
}
