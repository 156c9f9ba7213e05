/* replay/timeline.c — the time-travel commands over a replay: forward
 * and reverse continue and step, seeking to a trace event, breakpoints
 * and watchpoints. See docs/TIME-TRAVEL.md for the position model and
 * the algorithms; running the guest is in tl_run.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/replay.h"
#include "replay/tl_internal.h"

int tl_open(struct nd *nd, const struct kernel_config *cfg,
	    struct timeline **out)
{
	struct timeline *tl = calloc(1, sizeof(*tl));
	int rc;

	if (!tl)
		return -ENOMEM;
	tl->nd = nd;
	tl->cfg = cfg;
	rc = guest_boot(nd, cfg, &tl->live);
	if (rc == 0)
		rc = iv_note_start(tl, 0, live_pc(tl));
	if (rc == 0)
		rc = cp_take(tl);
	if (rc < 0) {
		tl_free(tl);
		return rc;
	}
	*out = tl;
	return 0;
}

void tl_free(struct timeline *tl)
{
	if (!tl)
		return;
	cp_free_all(tl);
	guest_free(tl->live);
	free(tl->iv);
	free(tl);
}

struct guest *tl_guest(struct timeline *tl)
{
	return tl->ended ? NULL : tl->live;
}

const char *tl_error(struct timeline *tl)
{
	return tl->nd->failed ? tl->nd->err : NULL;
}

int tl_add_point(struct timeline *tl, enum tl_point kind, uint64_t addr,
		 uint64_t len)
{
	if (kind == TL_POINT_BREAK) {
		for (int i = 0; i < tl->nbps; i++)
			if (tl->bps[i] == addr)
				return 0;
		if (tl->nbps == TL_MAX_POINTS)
			return -ENOSPC;
		tl->bps[tl->nbps++] = addr;
		return 0;
	}
	if (len == 0 || len > sizeof(tl->watch[0].old))
		return -EINVAL;
	if (tl->nwatch == TL_MAX_POINTS)
		return -ENOSPC;
	tl->watch[tl->nwatch++] = (struct tl_watch){ .addr = addr, .len = len,
						     .type = kind };
	return 0;
}

int tl_remove_point(struct timeline *tl, enum tl_point kind, uint64_t addr,
		    uint64_t len)
{
	if (kind == TL_POINT_BREAK) {
		for (int i = 0; i < tl->nbps; i++)
			if (tl->bps[i] == addr) {
				tl->bps[i] = tl->bps[--tl->nbps];
				return 0;
			}
		return -ENOENT;
	}
	for (int i = 0; i < tl->nwatch; i++)
		if (tl->watch[i].addr == addr && tl->watch[i].len == len &&
		    tl->watch[i].type == kind) {
			tl->watch[i] = tl->watch[--tl->nwatch];
			return 0;
		}
	return -ENOENT;
}

static int fail_code(struct timeline *tl, int rc)
{
	return tl->nd->failed ? -EIO : rc;
}

int tl_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
		struct tl_stop *out)
{
	return fail_code(tl, run_continue(tl, stop_now, ctx, out));
}

int tl_step(struct timeline *tl, struct tl_stop *out)
{
	if (tl->ended)
		return -ESRCH;
	return fail_code(tl, run_step_watched(tl, out));
}

/* The boundary just before interval S's ending stop: the syscall (or
 * faulting, or trapped) instruction about to run. */
static void end_of(struct timeline *tl, uint64_t s, struct tl_pos *p)
{
	pos_start(p, s);
	if (tl->iv[s].stop_pc != tl->iv[s].start_pc)
		pos_append_bp(p, tl->iv[s].stop_pc, 1);
}

/* Where a history search starts from: the current position, or the end
 * of the recording if the guest has exited. */
static void search_start(struct timeline *tl, struct tl_pos *p)
{
	if (tl->ended)
		end_of(tl, tl->niv - 1, p);
	else
		*p = tl->pos;
}

static int report_begin(struct timeline *tl, struct tl_stop *out)
{
	struct tl_pos start;
	int rc;

	pos_start(&start, 0);
	rc = seek(tl, &start);
	memset(out, 0, sizeof(*out));
	out->kind = TL_BEGIN;
	return rc;
}

int tl_reverse_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
			struct tl_stop *out)
{
	struct tl_pos end;
	bool first = true;
	int rc;

	search_start(tl, &end);
	for (;;) {
		struct tl_checkpoint *c = cp_before(tl, &end);
		struct tl_hit rec;
		const struct tl_hit_one *h;
		struct tl_pos from;

		if (!c)
			return fail_code(tl, report_begin(tl, out));
		/* runs may take and evict checkpoints, moving C in the array */
		from = c->pos;
		memset(&rec, 0, sizeof(rec));
		rc = cp_restore(tl, c);
		if (rc == 0 && tl->pos.stop < end.stop)
			rc = run_to_interval(tl, end.stop, &rec, stop_now, ctx);
		if (rc == 0)
			rc = run_segments(tl, &end, 0, 0, &rec);
		if (rc < 0)
			return fail_code(tl, rc == -EINTR ? 0 : rc);
		h = first ? hit_before_here(tl, &rec)
			  : (rec.last.found ? &rec.last : NULL);
		if (h) {
			struct tl_hit_one hit = *h;
			rc = seek(tl, &hit.pos);
			memset(out, 0, sizeof(*out));
			out->kind = hit.kind;
			out->addr = hit.addr;
			return fail_code(tl, rc);
		}
		end = from;
		first = false;
		if (stop_now && stop_now(ctx)) {
			memset(out, 0, sizeof(*out));
			out->kind = TL_INTERRUPTED;
			return 0;
		}
	}
}

/* The boundary before P, in P's interval or the previous one. */
static int previous_of(struct timeline *tl, const struct tl_pos *p,
		       struct tl_pos *prev)
{
	struct tl_seg *last;
	struct tl_pos q;
	uint64_t a, m = 0;
	int rc;

	if (!p->nseg) {
		if (p->stop == 0)
			return -ERANGE;
		end_of(tl, p->stop - 1, &q);
		if (tl->iv[p->stop - 1].same_boundary) /* one boundary, two names */
			return previous_of(tl, &q, prev);
		*prev = q;
		return 0;
	}
	*prev = *p;
	last = &prev->seg[prev->nseg - 1];
	if (last->kind == SEG_STEP || last->count > 1) {
		if (--last->count == 0)
			prev->nseg--;
		if (last->kind == SEG_STEP)
			return 0;
	} else {
		prev->nseg--;
	}
	/* P is an arrival at A: step from the one before to find the
	 * instruction just before it */
	a = p->seg[p->nseg - 1].addr;
	q = *prev;
	rc = seek(tl, &q);
	while (rc == 0) {
		struct tl_stop st;
		rc = run_step(tl, &st);
		if (rc == 0 && (st.kind != TL_STEPPED || tl->pos.stop != q.stop))
			rc = -EPROTO;
		if (rc < 0 || live_pc(tl) == a)
			break;
		m++;
		if (m % TL_STEP_CHECKPOINT_EVERY == 0 && !cp_exists(tl, &tl->pos))
			rc = cp_take(tl);
	}
	*prev = q;
	for (uint64_t i = 0; rc == 0 && i < m; i++)
		rc = pos_append_step(prev);
	return rc;
}

int tl_reverse_step(struct timeline *tl, struct tl_stop *out)
{
	struct tl_pos from, prev;
	int rc;

	search_start(tl, &from);
	if (tl->ended) { /* one step back from the exit: its syscall */
		rc = seek(tl, &from);
		memset(out, 0, sizeof(*out));
		out->kind = TL_STEPPED;
		return fail_code(tl, rc);
	}
	rc = previous_of(tl, &from, &prev);
	if (rc == -ERANGE)
		return fail_code(tl, report_begin(tl, out));
	if (rc == 0)
		rc = seek(tl, &prev);
	memset(out, 0, sizeof(*out));
	out->kind = TL_STEPPED;
	return fail_code(tl, rc);
}

int tl_seek_event(struct timeline *tl, uint64_t event, struct tl_stop *out)
{
	struct tl_pos t;
	uint64_t s;
	int rc = 0;

	for (s = 0; s < tl->niv && tl->iv[s].events < event; s++)
		;
	if (s == tl->niv) { /* beyond what we have seen: run forward */
		pos_start(&t, tl->niv - 1);
		rc = seek(tl, &t);
		while (rc == 0 && !tl->ended && !tl->at_end &&
		       tl->iv[tl->pos.stop].events < event)
			rc = run_to_interval(tl, tl->pos.stop + 1, NULL, NULL, NULL);
	} else {
		pos_start(&t, s);
		rc = seek(tl, &t);
	}
	memset(out, 0, sizeof(*out));
	out->kind = tl->ended ? TL_EXITED : tl->at_end ? TL_END : TL_STEPPED;
	out->wait_status = tl->wait_status;
	return fail_code(tl, rc == -EPROTO && (tl->at_end || tl->ended) ? 0 : rc);
}

int tl_restart(struct timeline *tl, struct tl_stop *out)
{
	int rc = report_begin(tl, out);

	out->kind = TL_STEPPED;
	return fail_code(tl, rc);
}

void tl_when(struct timeline *tl, uint64_t *next_event, uint64_t *stops,
	     char *desc, size_t cap)
{
	*next_event = tl->nd->events;
	*stops = tl->pos.stop;
	if (tl->ended)
		snprintf(desc, cap, "after the end (the guest has exited)");
	else if (tl->at_end)
		snprintf(desc, cap, "at the end of the recording, before the exit");
	else
		pos_format(&tl->pos, desc, cap);
}

void tl_stats(struct timeline *tl, char *buf, size_t cap)
{
	snprintf(buf, cap, "%zu checkpoints; %llu steps, %llu continues and %llu kernel stops run; %llu forks\n",
		 tl->ncps, (unsigned long long)tl->n_steps,
		 (unsigned long long)tl->n_conts, (unsigned long long)tl->n_stops,
		 (unsigned long long)tl->n_forks);
}
