/* replay/timeline.h — time travel over a replay: the live guest system
 * can be moved forwards and backwards to any instruction boundary of the
 * recording, exactly, without performance counters. Positions, the
 * checkpoints and the algorithms are described in docs/TIME-TRAVEL.md.
 * The gdb stub drives it through replay/debug_target.c. */
#ifndef DEJA_TIMELINE_H
#define DEJA_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/debug.h"
#include "core/nondet.h"

struct timeline;

enum tl_stop_kind {
	TL_STEPPED,    /* a step finished */
	TL_BREAK,      /* at a breakpoint (addr) */
	TL_WATCH,      /* a watched location changed (addr) */
	TL_RWATCH,     /* a read watchpoint's location was read (addr) */
	TL_AWATCH,     /* an access watchpoint's location was read or
			  written (addr) */
	TL_SIGNAL,     /* a signal is about to be delivered (sig) */
	TL_EXITED,     /* the guest system ended (wait_status) */
	TL_BEGIN,      /* backwards: the start of the recording */
	TL_END,        /* forwards: the end of the recording (before exit) */
	TL_INTERRUPTED,/* the user interrupted a long run */
};

struct tl_stop {
	enum tl_stop_kind kind;
	uint64_t addr;
	int sig;
	int wait_status;
};

/* Breakpoints; watchpoints on writes (a value change), reads and any
 * access (read, write or a value change). */
enum tl_point { TL_POINT_BREAK, TL_POINT_WATCH, TL_POINT_RWATCH,
		TL_POINT_AWATCH };

/* Boot the replay (nd must be a replaying logging layer) and stop at the
 * first instruction. */
int tl_open(struct nd *nd, const struct kernel_config *cfg,
	    struct timeline **out);
void tl_free(struct timeline *tl);
/* The live guest system, at the current position. */
struct guest *tl_guest(struct timeline *tl);

int tl_add_point(struct timeline *tl, enum tl_point kind, uint64_t addr,
		 uint64_t len);
int tl_remove_point(struct timeline *tl, enum tl_point kind, uint64_t addr,
		    uint64_t len);

typedef bool (*tl_poll_fn)(void *ctx);
int tl_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
		struct tl_stop *out);
int tl_step(struct timeline *tl, struct tl_stop *out);
int tl_reverse_continue(struct timeline *tl, tl_poll_fn stop_now, void *ctx,
			struct tl_stop *out);
int tl_reverse_step(struct timeline *tl, struct tl_stop *out);
/* Go to the moment the guest is about to cause trace event #EVENT. */
int tl_seek_event(struct timeline *tl, uint64_t event, struct tl_stop *out);
/* Back to the first instruction. */
int tl_restart(struct timeline *tl, struct tl_stop *out);

/* Where we are: the next trace event, the number of kernel stops so far,
 * and the position as text (for `monitor when`). */
void tl_when(struct timeline *tl, uint64_t *next_event, uint64_t *stops,
	     char *desc, size_t cap);
/* Statistics for `monitor info`: checkpoints alive, steps and stops run. */
void tl_stats(struct timeline *tl, char *buf, size_t cap);
/* The logging layer's failure message after an error, or NULL. */
const char *tl_error(struct timeline *tl);

#endif
