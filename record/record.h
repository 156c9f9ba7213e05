/* record/record.h — the recording implementation of the logging layer:
 * answers each nd_call by asking the host, and appends the answer to the
 * trace. */
#ifndef DEJA_RECORD_H
#define DEJA_RECORD_H

#include "core/nondet.h"
#include "traces/trace.h"

struct nd *record_nd_new(struct trace_writer *w);
void record_nd_free(struct nd *nd);

/* Perform one host op for real (also used by tests). */
void host_exec(struct nd_call *c);
/* The instruction ops (RDTSC, CPUID, XGETBV, RDRAND) on this CPU. */
long host_insn(struct nd_call *c);
/* The socket ops (SOCKET..RECVMSG), record/hostops_net.c. */
long host_net(struct nd_call *c);
/* File metadata and CPU ops (STATFS, XATTR, FCHOWN, FCHMOD, AFFINITY,
 * GROUPS). */
long host_meta(struct nd_call *c);

#endif
