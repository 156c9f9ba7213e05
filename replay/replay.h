/* replay/replay.h — the replaying implementation of the logging layer:
 * answers each nd_call from the trace, never touching host files, clocks
 * or devices, and checks every guest syscall against the trace. */
#ifndef DEJA_REPLAY_H
#define DEJA_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include "core/nondet.h"
#include "traces/trace.h"

/* QUIET: do not reproduce the guest's terminal output. */
struct nd *replay_nd_new(struct trace_reader *r, bool quiet);
void replay_nd_free(struct nd *nd);
/* Time travel: the next event consumed is #INDEX (a checkpoint's). The
 * guest's terminal output is shown only the first time it is replayed. */
int replay_nd_seek(struct nd *nd, uint64_t index);
uint64_t replay_nd_event_count(struct nd *nd);
/* After kernel_run: fail if events remain unconsumed. */
void replay_nd_finish(struct nd *nd);

#endif
