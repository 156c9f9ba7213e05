/* replay/replay.h — the replaying implementation of the logging layer:
 * answers each nd_call from the trace, never touching host files, clocks
 * or devices, and checks every guest syscall against the trace. */
#ifndef DEJA_REPLAY_H
#define DEJA_REPLAY_H

#include <stdbool.h>

#include "core/nondet.h"
#include "traces/trace.h"

/* QUIET: do not reproduce the guest's terminal output. */
struct nd *replay_nd_new(struct trace_reader *r, bool quiet);
void replay_nd_free(struct nd *nd);
/* After kernel_run: fail if events remain unconsumed. */
void replay_nd_finish(struct nd *nd);

#endif
