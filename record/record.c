/* record/record.c — the recording logging layer: every nd_call is
 * answered by the host (record/hostops.c) and appended to the trace;
 * file contents the guest maps or executes go to the blob store. */
#include "record/record.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

struct record_nd {
	struct nd base;
	struct trace_writer *w;
	int64_t last_flush_ns;
};

/* Flush buffered events before an op that may block for long (a read
 * from a terminal, pipe or socket, a sleep, accept, connect) if the last
 * flush is older than this: a recorder killed while its guest waits
 * keeps nearly all. */
#define FLUSH_INTERVAL_NS 500000000LL

static void flush_if_stale(struct record_nd *rn, const struct nd_call *c)
{
	struct timespec ts;
	int64_t now;

	if (c->op != ND_READ && c->op != ND_SLEEP && c->op != ND_ACCEPT &&
	    c->op != ND_CONNECT && c->op != ND_RECVMSG)
		return;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	now = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
	if (now - rn->last_flush_ns < FLUSH_INTERVAL_NS)
		return;
	rn->last_flush_ns = now;
	if (trace_writer_flush(rn->w) < 0)
		nd_fail(&rn->base, ND_HOST_ERR, "cannot write the trace");
}

static void put(struct record_nd *rn, struct trace_event *ev)
{
	int rc = trace_writer_put(rn->w, ev);

	if (rc < 0)
		nd_fail(&rn->base, ND_HOST_ERR, "cannot write the trace: %s",
			trace_strerror(rc));
	rn->base.events++;
}

static void rec_call(struct nd *nd, struct nd_call *c)
{
	struct record_nd *rn = (struct record_nd *)nd;
	struct trace_event ev = { .type = EV_HOST, .op = c->op,
				  .rip = c->guest_ip };
	int rc;

	flush_if_stale(rn, c);
	host_exec(c);
	ev.result = c->result;
	if (c->input_hash) {
		ev.nargs = 1;
		ev.args[0] = c->input_hash;
	}
	if (c->blob) {
		rc = trace_writer_put_blob(rn->w, c->blob, c->blob_len, ev.blob);
		if (rc < 0) {
			nd_fail(nd, ND_HOST_ERR, "cannot write the trace: %s",
				trace_strerror(rc));
			return;
		}
		ev.has_blob = true;
	} else if (c->out_len) {
		ev.data = c->out;
		ev.data_len = (uint32_t)c->out_len;
	}
	put(rn, &ev);
}

static void rec_syscall(struct nd *nd, const struct nd_syscall *s)
{
	struct trace_event ev = { .type = EV_SYSCALL, .tid = s->tid,
				  .op = (uint32_t)s->nr, .nargs = 6,
				  .rip = s->rip, .result = s->result };

	memcpy(ev.args, s->args, sizeof(ev.args));
	put((struct record_nd *)nd, &ev);
}

static void rec_exit(struct nd *nd, uint32_t tid, int status)
{
	struct trace_event ev = { .type = EV_EXIT, .tid = tid, .result = status };

	put((struct record_nd *)nd, &ev);
}

static const struct nd_ops record_ops = {
	.call = rec_call,
	.syscall_done = rec_syscall,
	.guest_exit = rec_exit,
};

struct nd *record_nd_new(struct trace_writer *w)
{
	struct record_nd *rn = calloc(1, sizeof(*rn));

	if (!rn)
		return NULL;
	rn->base.ops = &record_ops;
	rn->w = w;
	return &rn->base;
}

void record_nd_free(struct nd *nd)
{
	free(nd);
}
