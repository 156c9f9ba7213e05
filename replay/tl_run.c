/* replay/tl_run.c — moving the live guest forwards: single steps,
 * continuing with deja's int3 breakpoints in place (inserted only while
 * the guest runs, so nobody else ever sees them), the kernel's handling
 * of each stop, and the bookkeeping that keeps the current position and
 * the arrival counts exact. */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/platform.h"
#include "replay/tl_internal.h"

uint64_t live_pc(struct timeline *tl)
{
	guest_regs r;

	return guest_get_regs(tl->live, &r) < 0 ? 0 : r.rip;
}

/* ---- arrival counts of addresses in the current interval ---- */

void counts_reset(struct timeline *tl)
{
	for (int i = 0; i < tl->ncounts; i++)
		tl->counts[i] = (struct tl_count){ tl->counts[i].addr, 0, true };
}

static struct tl_count *count_of(struct timeline *tl, uint64_t addr)
{
	for (int i = 0; i < tl->ncounts; i++)
		if (tl->counts[i].addr == addr)
			return &tl->counts[i];
	if (tl->ncounts == TL_MAX_COUNTS)
		return NULL;
	/* counted from now on: exact only if nothing ran in this interval */
	tl->counts[tl->ncounts] = (struct tl_count){ addr, 0, tl->pos.nseg == 0 };
	return &tl->counts[tl->ncounts++];
}

void counts_track_bps(struct timeline *tl)
{
	for (int i = 0; i < tl->nbps; i++)
		count_of(tl, tl->bps[i]);
}

static void count_arrival(struct timeline *tl, uint64_t pc)
{
	for (int i = 0; i < tl->ncounts; i++)
		if (tl->counts[i].addr == pc)
			tl->counts[i].count++;
}

static bool is_user_bp(struct timeline *tl, uint64_t addr)
{
	for (int i = 0; i < tl->nbps; i++)
		if (tl->bps[i] == addr)
			return true;
	return false;
}

/* ---- int3s, present only while the guest runs ---- */

struct inserted {
	uint64_t addr[TL_MAX_POINTS + 1];
	uint8_t orig[TL_MAX_POINTS + 1];
	int n;
};

static void bp_insert(struct timeline *tl, struct inserted *ins, uint64_t addr)
{
	struct plat_task *p = guest_plat(tl->live);
	static const uint8_t int3 = 0xcc;

	for (int i = 0; i < ins->n; i++)
		if (ins->addr[i] == addr)
			return;
	if (ins->n == TL_MAX_POINTS + 1 ||
	    plat_mem_read(p, addr, &ins->orig[ins->n], 1) < 0 ||
	    plat_mem_write(p, addr, &int3, 1) < 0)
		return; /* unmapped: it cannot be reached either */
	ins->addr[ins->n++] = addr;
}

static void bp_remove_all(struct timeline *tl, struct inserted *ins)
{
	struct plat_task *p = guest_plat(tl->live);

	for (int i = ins->n - 1; i >= 0; i--)
		plat_mem_write(p, ins->addr[i], &ins->orig[i], 1);
}

static bool was_inserted(const struct inserted *ins, uint64_t addr)
{
	for (int i = 0; i < ins->n; i++)
		if (ins->addr[i] == addr)
			return true;
	return false;
}

/* ---- the kernel's stops ---- */

int iv_note_start(struct timeline *tl, uint64_t stop, uint64_t pc)
{
	if (stop >= tl->iv_cap) {
		uint64_t cap = tl->iv_cap ? tl->iv_cap * 2 : 1024;
		struct tl_interval *n;
		while (cap <= stop)
			cap *= 2;
		n = realloc(tl->iv, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		memset(n + tl->iv_cap, 0, (cap - tl->iv_cap) * sizeof(*n));
		tl->iv = n;
		tl->iv_cap = cap;
	}
	if (stop >= tl->niv) {
		tl->iv[stop] = (struct tl_interval){ .start_pc = pc,
						     .events = tl->nd->events };
		tl->niv = stop + 1;
	}
	return 0;
}

enum handled { H_NEXT, H_SIGNAL, H_EXITED, H_END };

static bool is_exit_syscall(const guest_regs *r)
{
	return r->orig_rax == SYS_exit || r->orig_rax == SYS_exit_group;
}

/* Put the guest back before the syscall instruction it just made. */
static int unexecute_syscall(struct timeline *tl, guest_regs *r)
{
	r->rip -= 2;
	r->rax = r->orig_rax;
	r->orig_rax = (uint64_t)-1;
	return guest_set_regs(tl->live, r);
}

/* The kernel handles STOP, which ends the current interval. The guest's
 * exit is not handled the first time it is reached: that is the end of
 * the recording's history, where the user may still go back. */
static int handle(struct timeline *tl, const struct plat_stop *st,
		  enum handled *h)
{
	uint64_t s = tl->pos.stop;
	guest_regs r;
	int rc;

	if (st->kind != PLAT_STOP_EXITED && guest_get_regs(tl->live, &r) < 0)
		return -ESRCH;
	if (st->kind == PLAT_STOP_SYSCALL && is_exit_syscall(&r) && !tl->at_end) {
		tl->iv[s].stop_pc = r.rip - 2;
		tl->iv[s].exit_stop = true;
		tl->at_end = true;
		*h = H_END;
		return unexecute_syscall(tl, &r);
	}
	tl->at_end = false;
	if (st->kind != PLAT_STOP_EXITED)
		tl->iv[s].stop_pc = st->kind == PLAT_STOP_SYSCALL ? r.rip - 2 : r.rip;
	tl->n_stops++;
	rc = guest_handle(tl->live, st);
	if (rc < 0)
		return rc;
	if (guest_process_count(tl->live) > 1) { /* not yet: one process */
		nd_fail(tl->nd, ND_HOST_ERR, "the recording starts a second process at event #%llu: the debugger follows single-process recordings only so far",
			(unsigned long long)tl->nd->events);
		return -EOPNOTSUPP;
	}
	if (rc == 1) {
		guest_has_ended(tl->live, &tl->wait_status);
		tl->ended = true;
		*h = H_EXITED;
		return 0;
	}
	pos_start(&tl->pos, s + 1);
	counts_reset(tl);
	rc = iv_note_start(tl, s + 1, live_pc(tl));
	if (rc < 0)
		return rc;
	*h = guest_pending_signal(tl->live) ? H_SIGNAL : H_NEXT;
	if (*h == H_SIGNAL && live_pc(tl) == tl->iv[s].stop_pc)
		tl->iv[s].same_boundary = true;
	if ((s + 1) % TL_CHECKPOINT_EVERY == 0 && !cp_exists(tl, &tl->pos))
		rc = cp_take(tl);
	return rc;
}

static int fill_handled(struct timeline *tl, enum handled h,
			struct tl_stop *out)
{
	memset(out, 0, sizeof(*out));
	switch (h) {
	case H_NEXT: out->kind = TL_STEPPED; break;
	case H_SIGNAL:
		out->kind = TL_SIGNAL;
		out->sig = guest_pending_signal(tl->live);
		break;
	case H_EXITED:
		out->kind = TL_EXITED;
		out->wait_status = tl->wait_status;
		break;
	case H_END: out->kind = TL_END; break;
	}
	return 0;
}

/* ---- one instruction ---- */

/* Execute one instruction; *h tells whether a kernel stop ended the
 * interval (and how), or H_NEXT with *stepped for a plain step. */
static int step_once(struct timeline *tl, bool *stepped, enum handled *h)
{
	struct plat_stop st;
	int rc;

	*stepped = false;
	if (tl->ended)
		return -ESRCH;
	rc = guest_resume(tl->live, GUEST_STEP, &st);
	if (rc < 0)
		return rc;
	tl->n_steps++;
	if (st.kind == PLAT_STOP_SIGNAL && st.trap == PLAT_TRAP_STEP) {
		*stepped = true;
		count_arrival(tl, live_pc(tl));
		return pos_append_step(&tl->pos);
	}
	return handle(tl, &st, h);
}

int run_step(struct timeline *tl, struct tl_stop *out)
{
	bool stepped;
	enum handled h = H_NEXT;
	int rc = step_once(tl, &stepped, &h);

	if (rc < 0)
		return rc;
	return fill_handled(tl, stepped ? H_NEXT : h, out);
}

/* ---- continuing ---- */

/* Resume with int3s at the user's breakpoints (if USER) and at EXTRA;
 * returns the address of the int3 that stopped it (0 for another stop,
 * which was handled: *h). */
static int cont_once(struct timeline *tl, bool user, uint64_t extra,
		     uint64_t *hit, enum handled *h)
{
	struct inserted ins = { .n = 0 };
	struct plat_stop st;
	guest_regs r;
	int rc;

	*hit = 0;
	if (user)
		for (int i = 0; i < tl->nbps; i++) {
			count_of(tl, tl->bps[i]);
			bp_insert(tl, &ins, tl->bps[i]);
		}
	if (extra)
		bp_insert(tl, &ins, extra);
	rc = guest_resume(tl->live, GUEST_CONT, &st);
	tl->n_conts++;
	bp_remove_all(tl, &ins);
	if (rc < 0)
		return rc;
	for (int i = 0; i < tl->ncounts; i++)
		if (!was_inserted(&ins, tl->counts[i].addr))
			tl->counts[i].valid = false;
	if (st.kind == PLAT_STOP_SIGNAL && st.trap == PLAT_TRAP_INT3 &&
	    guest_get_regs(tl->live, &r) == 0 && was_inserted(&ins, r.rip - 1)) {
		r.rip--;
		rc = guest_set_regs(tl->live, &r);
		*hit = r.rip;
		count_arrival(tl, r.rip);
		return rc;
	}
	return handle(tl, &st, h);
}

static uint64_t moves(const struct timeline *tl)
{
	return tl->n_steps + tl->n_conts;
}

static void record_hit(struct timeline *tl, struct tl_hit *rec,
		       const struct tl_pos *p, enum tl_stop_kind kind,
		       uint64_t addr, bool here)
{
	if (!rec)
		return;
	rec->prev = rec->last;
	rec->last = (struct tl_hit_one){ true, *p, kind, addr,
					 here ? moves(tl) : (uint64_t)-1 };
}

const struct tl_hit_one *hit_before_here(struct timeline *tl,
					 const struct tl_hit *rec)
{
	if (rec->last.found && rec->last.moves == moves(tl))
		return rec->prev.found ? &rec->prev : NULL;
	return rec->last.found ? &rec->last : NULL;
}

/* A user breakpoint reached in a search: its position from the
 * interval's start is exact when its count is. */
static void record_bp(struct timeline *tl, struct tl_hit *rec, uint64_t addr)
{
	struct tl_count *c;
	struct tl_pos p;

	if (!rec || !is_user_bp(tl, addr))
		return;
	c = count_of(tl, addr);
	if (!c || !c->valid)
		return;
	pos_start(&p, tl->pos.stop);
	if (c->count)
		pos_append_bp(&p, addr, c->count);
	record_hit(tl, rec, &p, TL_BREAK, addr, true);
}

/* One step with the search's checks: a watched value changed by it is a
 * hit at the boundary before it; a read/access watchpoint it hit, or else
 * a user breakpoint after it, is a hit at the boundary after it. */
static int checked_step(struct timeline *tl, struct tl_hit *rec,
			bool *stepped, enum handled *h)
{
	struct tl_pos before = tl->pos;
	struct watch_step ws = { .n = 0 };
	struct watch_result res = { 0 };
	int rc;

	if (rec && tl->nwatch)
		watch_before_step(tl, &ws);
	rc = step_once(tl, stepped, h);
	if (rc < 0 || !rec)
		return rc;
	if (tl->nwatch)
		watch_after_step(tl, &ws, *stepped, &res);
	if (res.changed)
		record_hit(tl, rec, &before, TL_WATCH, res.changed->addr, false);
	if (res.accessed && !tl->ended)
		record_hit(tl, rec, &tl->pos, res.kind, res.accessed->addr, true);
	else if (*stepped || (*h == H_NEXT && !tl->ended))
		record_bp(tl, rec, live_pc(tl));
	return 0;
}

/* Move to the next arrival at ADDR within this interval; *PC is where
 * we arrived (ADDR, or a user breakpoint in a search). */
static int next_arrival(struct timeline *tl, uint64_t addr, struct tl_hit *rec,
			uint64_t *pc)
{
	bool stepped;
	enum handled h = H_NEXT;
	uint64_t hit;
	int rc;

	*pc = live_pc(tl);
	if ((rec && tl->nwatch) || *pc == addr || (rec && is_user_bp(tl, *pc))) {
		rc = checked_step(tl, rec, &stepped, &h);
		if (rc == 0 && !stepped)
			rc = -EPROTO; /* left the interval: not this history */
		*pc = live_pc(tl);
		return rc;
	}
	rc = cont_once(tl, rec != NULL, addr, &hit, &h);
	if (rc == 0 && !hit)
		rc = -EPROTO;
	if (rc == 0) /* the anchor may be a user breakpoint too */
		record_bp(tl, rec, hit);
	*pc = hit;
	return rc;
}

static int to_arrival(struct timeline *tl, uint64_t addr, struct tl_hit *rec,
		      const struct tl_pos *prefix, uint64_t nth)
{
	uint64_t pc;
	int rc;

	do {
		rc = next_arrival(tl, addr, rec, &pc);
	} while (rc == 0 && pc != addr);
	if (rc < 0)
		return rc;
	tl->pos = *prefix;
	return pos_append_bp(&tl->pos, addr, nth);
}

int run_segments(struct timeline *tl, const struct tl_pos *t, int first,
		 uint64_t done, struct tl_hit *rec)
{
	bool stepped;
	enum handled h = H_NEXT;
	int rc = 0;

	if (rec && tl->nwatch)
		watch_snapshot(tl);
	for (int i = first < 0 ? 0 : first; i < t->nseg && rc == 0; i++) {
		const struct tl_seg *s = &t->seg[i];
		struct tl_pos prefix = *t;
		uint64_t k = i == first ? done : 0;

		prefix.nseg = i;
		if (k == 0)
			tl->pos = prefix;
		for (; k < s->count && rc == 0; k++) {
			if (s->kind == SEG_BP) {
				rc = to_arrival(tl, s->addr, rec, &prefix, k + 1);
				continue;
			}
			rc = checked_step(tl, rec, &stepped, &h);
			if (rc == 0 && !stepped)
				rc = -EPROTO;
			if (rc == 0 && (k + 1) % TL_STEP_CHECKPOINT_EVERY == 0 &&
			    !cp_exists(tl, &tl->pos))
				rc = cp_take(tl);
		}
	}
	if (rc == 0)
		tl->pos = *t;
	return rc;
}

int run_to_interval(struct timeline *tl, uint64_t stop, struct tl_hit *rec,
		    tl_poll_fn stop_now, void *ctx)
{
	bool stepped;
	enum handled h;
	uint64_t hit, pc;
	int rc = 0;

	if (rec && tl->nwatch)
		watch_snapshot(tl);
	while (rc == 0 && tl->pos.stop < stop) {
		h = H_NEXT;
		if (tl->ended || tl->at_end)
			return -EPROTO;
		pc = live_pc(tl);
		if ((rec && tl->nwatch) || (rec && is_user_bp(tl, pc))) {
			rc = checked_step(tl, rec, &stepped, &h);
			continue;
		}
		rc = cont_once(tl, rec != NULL, 0, &hit, &h);
		if (rc == 0)
			record_bp(tl, rec, hit ? hit : live_pc(tl));
		if (rc == 0 && stop_now && stop_now(ctx))
			rc = -EINTR;
	}
	return rc;
}

/* ---- the user's forward continue ---- */

static int stop_at(struct tl_stop *out, enum tl_stop_kind kind, uint64_t addr)
{
	memset(out, 0, sizeof(*out));
	out->kind = kind;
	out->addr = addr;
	return 0;
}

static int watch_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
			  struct tl_stop *out)
{
	bool stepped;
	enum handled h;
	struct watch_step ws;
	struct watch_result res;
	int rc;

	watch_snapshot(tl);
	for (uint64_t i = 1;; i++) {
		h = H_NEXT;
		watch_before_step(tl, &ws);
		rc = step_once(tl, &stepped, &h);
		if (rc < 0)
			return rc;
		watch_after_step(tl, &ws, stepped, &res);
		if (res.accessed && !tl->ended)
			return stop_at(out, res.kind, res.accessed->addr);
		if (res.changed && !tl->ended)
			return stop_at(out, TL_WATCH, res.changed->addr);
		if (!stepped && h != H_NEXT)
			return fill_handled(tl, h, out);
		if (is_user_bp(tl, live_pc(tl)))
			return stop_at(out, TL_BREAK, live_pc(tl));
		if (i % 256 == 0 && stop_now && stop_now(ctx))
			return stop_at(out, TL_INTERRUPTED, 0);
	}
}

/* Stopped at user breakpoint PC: name the position exactly if we can. */
static int at_user_bp(struct timeline *tl, uint64_t pc, struct tl_stop *out)
{
	struct tl_count *c = count_of(tl, pc);

	if (c && c->valid && c->count) {
		pos_start(&tl->pos, tl->pos.stop);
		pos_append_bp(&tl->pos, pc, c->count);
	}
	return stop_at(out, TL_BREAK, pc);
}

int run_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
		 struct tl_stop *out)
{
	bool stepped;
	enum handled h;
	uint64_t hit;
	int rc;

	if (tl->ended)
		return -ESRCH;
	if (tl->nwatch)
		return watch_continue(tl, stop_now, ctx, out);
	if (is_user_bp(tl, live_pc(tl))) { /* step off the breakpoint */
		h = H_NEXT;
		rc = step_once(tl, &stepped, &h);
		if (rc < 0 || (!stepped && h != H_NEXT))
			return rc < 0 ? rc : fill_handled(tl, h, out);
		if (is_user_bp(tl, live_pc(tl)))
			return at_user_bp(tl, live_pc(tl), out);
	}
	for (;;) {
		h = H_NEXT;
		rc = cont_once(tl, true, 0, &hit, &h);
		if (rc < 0)
			return rc;
		if (hit) {
			struct tl_count *c = count_of(tl, hit);
			if (!(c && c->valid)) /* first arrival since we started */
				pos_append_bp(&tl->pos, hit, 1);
			return at_user_bp(tl, hit, out);
		}
		if (h != H_NEXT)
			return fill_handled(tl, h, out);
		if (is_user_bp(tl, live_pc(tl))) /* right after a syscall */
			return stop_at(out, TL_BREAK, live_pc(tl));
		if (stop_now && stop_now(ctx))
			return stop_at(out, TL_INTERRUPTED, 0);
	}
}

/* The user's stepi: as run_step, but a watchpoint the instruction
 * triggers is the stop's reason, as with a hardware watchpoint. */
int run_step_watched(struct timeline *tl, struct tl_stop *out)
{
	struct watch_step ws;
	struct watch_result res;
	bool stepped;
	enum handled h = H_NEXT;
	int rc;

	if (!tl->nwatch)
		return run_step(tl, out);
	watch_snapshot(tl);
	watch_before_step(tl, &ws);
	rc = step_once(tl, &stepped, &h);
	if (rc < 0)
		return rc;
	watch_after_step(tl, &ws, stepped, &res);
	if (res.accessed && !tl->ended)
		return stop_at(out, res.kind, res.accessed->addr);
	if (res.changed && !tl->ended)
		return stop_at(out, TL_WATCH, res.changed->addr);
	return fill_handled(tl, stepped ? H_NEXT : h, out);
}

/* ---- going to a position ---- */

int seek(struct timeline *tl, const struct tl_pos *t)
{
	uint64_t done = 0;
	int first = -1, rc = 0;

	if (!tl->ended && pos_equal(&tl->pos, t))
		return 0;
	struct tl_checkpoint *c = cp_before(tl, t);

	if (tl->ended || tl->at_end || tl->pos.stop > t->stop ||
	    (tl->pos.stop == t->stop && (first = pos_prefix(&tl->pos, t, &done)) < 0) ||
	    (tl->pos.stop < t->stop && c && c->pos.stop > tl->pos.stop))
		rc = cp_restore_for(tl, t, &first, &done); /* nearer than going on */
	if (rc == 0 && tl->pos.stop < t->stop) {
		rc = run_to_interval(tl, t->stop, NULL, NULL, NULL);
		first = 0;
		done = 0;
	}
	if (rc == 0)
		rc = run_segments(tl, t, first, done, NULL);
	return rc;
}
