/* replay/tl_checkpoint.c — checkpoints: forked copies of the whole guest
 * system kept stopped, with the trace position they belong to. One at
 * the start, one every TL_CHECKPOINT_EVERY kernel stops, and a bounded
 * set inside intervals left by long runs of single steps (for
 * reverse-stepi). Restoring forks a checkpoint again, so each one can be
 * used any number of times. */
#include <errno.h>
#include <stdlib.h>

#include "replay/replay.h"
#include "replay/tl_internal.h"

static size_t count_mid(const struct timeline *tl, size_t *oldest)
{
	size_t n = 0;

	for (size_t i = 0; i < tl->ncps; i++) {
		if (!tl->cps[i].pos.nseg)
			continue;
		if (!n || tl->cps[i].used < tl->cps[*oldest].used)
			*oldest = i;
		n++;
	}
	return n;
}

static void drop(struct timeline *tl, size_t i)
{
	guest_free(tl->cps[i].g);
	tl->cps[i] = tl->cps[--tl->ncps];
}

int cp_take(struct timeline *tl)
{
	struct tl_checkpoint c = { .pos = tl->pos, .events = tl->nd->events,
				   .used = ++tl->clock };
	size_t oldest = 0;
	int rc;

	if (tl->ended || tl->at_end)
		return 0;
	if (tl->pos.nseg && count_mid(tl, &oldest) >= TL_MAX_STEP_CHECKPOINTS)
		drop(tl, oldest);
	if (tl->ncps == tl->cps_cap) {
		size_t cap = tl->cps_cap ? tl->cps_cap * 2 : 64;
		struct tl_checkpoint *n = realloc(tl->cps, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		tl->cps = n;
		tl->cps_cap = cap;
	}
	rc = guest_fork(tl->live, &c.g);
	if (rc < 0)
		return rc;
	tl->n_forks++;
	tl->cps[tl->ncps++] = c;
	return 0;
}

bool cp_exists(struct timeline *tl, const struct tl_pos *p)
{
	for (size_t i = 0; i < tl->ncps; i++)
		if (pos_equal(&tl->cps[i].pos, p))
			return true;
	return false;
}

struct tl_checkpoint *cp_before(struct timeline *tl, const struct tl_pos *t)
{
	struct tl_checkpoint *best = NULL;

	for (size_t i = 0; i < tl->ncps; i++) {
		struct tl_checkpoint *c = &tl->cps[i];
		if (c->pos.nseg || c->pos.stop > t->stop ||
		    (c->pos.stop == t->stop && !t->nseg))
			continue;
		if (!best || c->pos.stop > best->pos.stop)
			best = c;
	}
	return best;
}

int cp_restore(struct timeline *tl, struct tl_checkpoint *c)
{
	struct guest *g;
	int rc = guest_fork(c->g, &g);

	if (rc < 0)
		return rc;
	tl->n_forks++;
	rc = replay_nd_seek(tl->nd, c->events);
	if (rc < 0) {
		guest_free(g);
		return -EIO;
	}
	guest_free(tl->live);
	tl->live = g;
	tl->pos = c->pos;
	tl->ended = tl->at_end = false;
	c->used = ++tl->clock;
	counts_track_bps(tl);
	counts_reset(tl);
	if (c->pos.nseg) /* counts from the interval start are unknown */
		for (int i = 0; i < tl->ncounts; i++)
			tl->counts[i].valid = false;
	return 0;
}

int cp_restore_for(struct timeline *tl, const struct tl_pos *t, int *first,
		   uint64_t *done)
{
	struct tl_checkpoint *best = NULL;
	int best_first = -1;
	uint64_t best_done = 0, d;

	for (size_t i = 0; i < tl->ncps; i++) {
		int f = pos_prefix(&tl->cps[i].pos, t, &d);
		if (f < 0 || (best && (f < best_first ||
				       (f == best_first && d < best_done))))
			continue;
		best = &tl->cps[i];
		best_first = f;
		best_done = d;
	}
	if (!best) {
		best = cp_before(tl, t);
		best_first = -1;
		best_done = 0;
	}
	if (!best)
		return -ENOENT;
	*first = best_first;
	*done = best_done;
	return cp_restore(tl, best);
}

void cp_free_all(struct timeline *tl)
{
	while (tl->ncps)
		drop(tl, tl->ncps - 1);
	free(tl->cps);
	tl->cps = NULL;
	tl->cps_cap = 0;
}
