/* replay/tl_internal.h — the timeline's private structures, shared by
 * its files: positions (tl_pos.c), running the live guest (tl_run.c),
 * checkpoints (tl_checkpoint.c), watchpoints (tl_watch.c, with the
 * instruction decoding of tl_access.c) and the
 * reverse commands (tl_reverse.c). */
#ifndef DEJA_TL_INTERNAL_H
#define DEJA_TL_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "replay/timeline.h"
#include "replay/tl_access.h"

/* A position: in interval STOP (after STOP stops handled by the kernel),
 * reached from the interval's first instruction by SEGS in order:
 * SEG_BP "continue to the COUNT-th arrival at ADDR", SEG_STEP "COUNT
 * single steps". No segments: the interval's first instruction. */
enum { SEG_BP = 1, SEG_STEP = 2 };
#define TL_MAX_SEGS 16

struct tl_seg {
	uint8_t kind;
	uint64_t addr;
	uint64_t count;
};

struct tl_pos {
	uint64_t stop;
	int nseg;
	struct tl_seg seg[TL_MAX_SEGS];
};

/* What we learnt about each interval the live guest went through. */
struct tl_interval {
	uint64_t start_pc;   /* pc of its first instruction */
	uint64_t stop_pc;    /* pc of the instruction that ended it */
	uint64_t events;     /* trace events consumed before it starts */
	bool same_boundary;  /* the stop ending it left the guest at stop_pc
				(a signal to deliver): its end and the next
				interval's start are one boundary */
	bool exit_stop;      /* it ends by the guest's exit syscall */
};

/* Arrivals at an address since the current interval started. */
struct tl_count {
	uint64_t addr;
	uint64_t count;
	bool valid;
};

struct tl_checkpoint {
	struct tl_pos pos;
	struct guest *g;
	uint64_t events;      /* nd->events there */
	uint64_t used;        /* for eviction of mid-interval ones */
};

struct tl_watch {
	uint64_t addr, len;
	enum tl_point type;   /* TL_POINT_WATCH, _RWATCH or _AWATCH */
	uint8_t old[64];      /* value at the last boundary */
};

#define TL_MAX_POINTS 64
#define TL_MAX_COUNTS 128

struct timeline {
	struct nd *nd;
	const struct kernel_config *cfg;
	struct guest *live;
	struct tl_pos pos;
	bool ended;             /* live has exited */
	bool at_end;            /* live is before its exit syscall */
	int wait_status;
	uint64_t bps[TL_MAX_POINTS];   /* user breakpoints */
	int nbps;
	struct tl_watch watch[TL_MAX_POINTS];
	int nwatch;
	struct tl_count counts[TL_MAX_COUNTS];
	int ncounts;
	struct tl_interval *iv;        /* indexed by stop number */
	uint64_t niv, iv_cap;
	struct tl_checkpoint *cps;
	size_t ncps, cps_cap;
	uint64_t clock;                /* use counter for checkpoints */
	uint64_t n_steps, n_conts, n_stops, n_forks;
	const char *err;
};

/* Interval start checkpoints are made every this many stops. */
#define TL_CHECKPOINT_EVERY 100
/* While single-stepping, a checkpoint every this many steps. */
#define TL_STEP_CHECKPOINT_EVERY 64
#define TL_MAX_STEP_CHECKPOINTS 64

/* tl_pos.c */
void pos_start(struct tl_pos *p, uint64_t stop);
int pos_append_step(struct tl_pos *p);
int pos_append_bp(struct tl_pos *p, uint64_t addr, uint64_t count);
/* If C lies on the way to T: the index of the first segment of T still
 * to execute from C and how much of it C has done already; else -1. */
int pos_prefix(const struct tl_pos *c, const struct tl_pos *t,
	       uint64_t *done);
bool pos_equal(const struct tl_pos *a, const struct tl_pos *b);
void pos_format(const struct tl_pos *p, char *buf, size_t cap);

/* tl_run.c: moving the live guest forwards */
struct tl_hit_one {
	bool found;
	struct tl_pos pos;
	enum tl_stop_kind kind;
	uint64_t addr;
	uint64_t moves;      /* the guest's move count when it was here */
};
/* The last two hits of a search (the last may be where it ended). */
struct tl_hit {
	struct tl_hit_one last, prev;
};
/* The last hit strictly before where the live guest is now, or NULL. */
const struct tl_hit_one *hit_before_here(struct timeline *tl,
					 const struct tl_hit *rec);
int run_step(struct timeline *tl, struct tl_stop *out);
/* run_step for the user: reports the watchpoints the step triggers. */
int run_step_watched(struct timeline *tl, struct tl_stop *out);
/* Execute the segments of T from index FIRST (DONE of it already done),
 * with user breakpoints/watchpoints active if RECORD is given: every hit
 * before reaching T is stored there (the last one wins). */
int run_segments(struct timeline *tl, const struct tl_pos *t, int first,
		 uint64_t done, struct tl_hit *record);
/* Continue to interval STOP's start (no breakpoints unless RECORD). */
int run_to_interval(struct timeline *tl, uint64_t stop, struct tl_hit *record,
		    tl_poll_fn stop_now, void *ctx);
/* Forward continue for the user. */
int run_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
		 struct tl_stop *out);
void counts_reset(struct timeline *tl);
/* Count arrivals at every user breakpoint from now on. */
void counts_track_bps(struct timeline *tl);
uint64_t live_pc(struct timeline *tl);
/* Go to T exactly (restoring the best checkpoint first). */
int seek(struct timeline *tl, const struct tl_pos *t);

/* tl_checkpoint.c */
int cp_take(struct timeline *tl);
int cp_restore_for(struct timeline *tl, const struct tl_pos *t, int *first,
		   uint64_t *done);
/* The latest interval-start checkpoint strictly before position T. */
struct tl_checkpoint *cp_before(struct timeline *tl, const struct tl_pos *t);
int cp_restore(struct timeline *tl, struct tl_checkpoint *c);
void cp_free_all(struct timeline *tl);
bool cp_exists(struct timeline *tl, const struct tl_pos *p);

/* tl_watch.c */
void watch_snapshot(struct timeline *tl);
/* The memory the next instruction accesses (read/access watchpoints). */
struct watch_step {
	int n;
	struct tl_access acc[TL_ACCESS_MAX];
};
/* What one step did to the watched locations: CHANGED, the first write
 * watch whose value changed (a hit at the boundary before the step);
 * ACCESSED, the first read/access watch it hit (after the step), with
 * its stop KIND. */
struct watch_result {
	struct tl_watch *changed, *accessed;
	enum tl_stop_kind kind;
};
void watch_before_step(struct timeline *tl, struct watch_step *ws);
/* EXECUTED: the instruction completed (a plain single step). */
void watch_after_step(struct timeline *tl, const struct watch_step *ws,
		      bool executed, struct watch_result *res);

/* tl_interval bookkeeping (tl_run.c) */
int iv_note_start(struct timeline *tl, uint64_t stop, uint64_t pc);

#endif
