/* replay/tl_watch.c — watchpoints without debug registers. While any
 * exist the guest runs by single steps, and at every boundary:
 *   - the watched bytes are compared with their previous value, so any
 *     change is seen, whether the guest's instruction or deja's kernel
 *     (a read() into the buffer) made it: write watchpoints, and the
 *     write half of access watchpoints;
 *   - before each step the instruction's memory operands are decoded
 *     (tl_access.c): an operand that reads a watched range hits a read or
 *     access watchpoint, one that writes it an access watchpoint. */
#include <string.h>

#include "replay/tl_internal.h"

static void read_value(struct timeline *tl, const struct tl_watch *w,
		       uint8_t *buf)
{
	memset(buf, 0, sizeof(w->old));
	if (guest_read_mem(tl->live, w->addr, buf, w->len) < 0)
		memset(buf, 0, sizeof(w->old));
}

void watch_snapshot(struct timeline *tl)
{
	for (int i = 0; i < tl->nwatch; i++)
		read_value(tl, &tl->watch[i], tl->watch[i].old);
}

static bool wants_accesses(struct timeline *tl)
{
	for (int i = 0; i < tl->nwatch; i++)
		if (tl->watch[i].type != TL_POINT_WATCH)
			return true;
	return false;
}

void watch_before_step(struct timeline *tl, struct watch_step *ws)
{
	uint8_t code[15];
	guest_regs r;
	long got;
	int n;

	ws->n = 0;
	if (!wants_accesses(tl) || guest_get_regs(tl->live, &r) < 0)
		return;
	got = guest_read_mem(tl->live, r.rip, code, sizeof(code));
	if (got <= 0)
		return; /* unmapped: the step faults, no access */
	n = tl_access_decode(code, (size_t)got, &r, ws->acc, TL_ACCESS_MAX);
	ws->n = n < 0 ? 0 : n;
}

/* Whether the step's accesses hit read/access watch W. */
static bool accessed(const struct tl_watch *w, const struct watch_step *ws)
{
	for (int i = 0; i < ws->n; i++) {
		const struct tl_access *a = &ws->acc[i];
		if (!tl_access_overlaps(a, w->addr, w->len))
			continue;
		if (a->read || w->type == TL_POINT_AWATCH)
			return true;
	}
	return false;
}

void watch_after_step(struct timeline *tl, const struct watch_step *ws,
		      bool executed, struct watch_result *res)
{
	uint8_t now[sizeof(tl->watch[0].old)];

	memset(res, 0, sizeof(*res));
	for (int i = 0; i < tl->nwatch; i++) {
		struct tl_watch *w = &tl->watch[i];
		bool changed, hit;

		read_value(tl, w, now);
		changed = memcmp(now, w->old, w->len) != 0;
		if (changed)
			memcpy(w->old, now, sizeof(now));
		if (w->type == TL_POINT_WATCH) {
			if (changed && !res->changed)
				res->changed = w;
			continue;
		}
		hit = (executed && accessed(w, ws)) ||
		      (changed && w->type == TL_POINT_AWATCH);
		if (hit && !res->accessed) {
			res->accessed = w;
			res->kind = w->type == TL_POINT_RWATCH ? TL_RWATCH : TL_AWATCH;
		}
	}
}
