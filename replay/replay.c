/* replay/replay.c — the replaying logging layer: answers every nd_call
 * from the next trace event and checks that the kernel asks for exactly
 * what it asked for during recording; checks every guest syscall and the
 * exit status. Never touches host files, clocks or devices; the only
 * host effect is showing the guest's terminal output. */
#include "replay/replay.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/syscall.h"

struct replay_nd {
	struct nd base;
	struct trace_reader *r;
	bool quiet;
	uint64_t shown;         /* output of events before this was shown */
	bool peeked;            /* 'ahead' holds the next event, unconsumed */
	int ahead_rc;
	struct trace_event ahead;
};

static int read_event(struct replay_nd *rn, struct trace_event *ev)
{
	if (rn->peeked) {
		rn->peeked = false;
		*ev = rn->ahead;
		return rn->ahead_rc;
	}
	return trace_reader_next(rn->r, ev);
}

static const char *sysname(long nr, char *buf, size_t cap)
{
	const char *n = syscall_name(nr);

	if (n)
		return n;
	snprintf(buf, cap, "syscall_%ld", nr);
	return buf;
}

static void describe(const struct trace_event *ev, char *buf, size_t cap)
{
	char tmp[32];

	switch (ev->type) {
	case EV_SYSCALL:
		snprintf(buf, cap, "syscall %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) = %lld at rip %#llx",
			 sysname(ev->op, tmp, sizeof(tmp)),
			 (unsigned long long)ev->args[0], (unsigned long long)ev->args[1],
			 (unsigned long long)ev->args[2], (unsigned long long)ev->args[3],
			 (unsigned long long)ev->args[4], (unsigned long long)ev->args[5],
			 (long long)ev->result, (unsigned long long)ev->rip);
		break;
	case EV_HOST:
		snprintf(buf, cap, "host input %s", nd_op_name(ev->op));
		break;
	case EV_EXIT:
		snprintf(buf, cap, "exit of pid %u with wait status %#llx", ev->tid,
			 (unsigned long long)ev->result);
		break;
	default:
		snprintf(buf, cap, "event of unknown type %u", ev->type);
	}
}

/* Read the next event; false (and the run failed) if there is none. */
static bool next(struct replay_nd *rn, struct trace_event *ev,
		 const char *observed)
{
	int rc = read_event(rn, ev);
	struct nd *nd = &rn->base;

	if (rc == TRACE_E_END && !trace_reader_complete(rn->r))
		nd_fail(nd, ND_TRACE_BAD, "the trace is truncated (the recording was interrupted): it ends at event #%llu, where the guest asks for %s",
			(unsigned long long)nd->events, observed);
	else if (rc == TRACE_E_END)
		nd_fail(nd, ND_DIVERGED, "replay diverged after the last event #%llu: the guest goes on with %s",
			(unsigned long long)nd->events, observed);
	else if (rc < 0)
		nd_fail(nd, ND_TRACE_BAD, "cannot read the trace at event #%llu: %s",
			(unsigned long long)nd->events, trace_strerror(rc));
	if (rc < 0)
		return false;
	nd->events++;
	return true;
}

static void diverged(struct replay_nd *rn, const struct trace_event *ev,
		     const char *observed)
{
	char expected[512];

	describe(ev, expected, sizeof(expected));
	nd_fail(&rn->base, ND_DIVERGED,
		"replay diverged at event #%llu%s%s: expected %s; observed %s",
		(unsigned long long)ev->index, rn->base.context ? " in " : "",
		rn->base.context ? rn->base.context : "", expected, observed);
}

static void show_output(const struct nd_call *c)
{
	const char *p = c->in;
	size_t left = (size_t)c->result;

	while (left > 0) {
		ssize_t n = write((int)c->a[0], p, left);
		if (n <= 0)
			return;
		p += n;
		left -= (size_t)n;
	}
}

static void rep_call(struct nd *nd, struct nd_call *c)
{
	struct replay_nd *rn = (struct replay_nd *)nd;
	struct trace_event ev;
	char obs[128];

	snprintf(obs, sizeof(obs), "host input %s", nd_op_name(c->op));
	c->result = -EIO;
	if (!next(rn, &ev, obs))
		return;
	if (ev.type != EV_HOST || ev.op != (uint32_t)c->op ||
	    (c->guest_ip && ev.rip != c->guest_ip)) {
		if (c->guest_ip)
			snprintf(obs + strlen(obs), sizeof(obs) - strlen(obs),
				 " at rip %#llx", (unsigned long long)c->guest_ip);
		diverged(rn, &ev, obs);
		return;
	}
	if ((ev.nargs ? ev.args[0] : 0) != c->input_hash) {
		snprintf(obs + strlen(obs), sizeof(obs) - strlen(obs),
			 " with other %s (input hash %016llx, recorded %016llx)",
			 c->in_len ? "bytes" : "paths",
			 (unsigned long long)c->input_hash,
			 (unsigned long long)(ev.nargs ? ev.args[0] : 0));
		diverged(rn, &ev, obs);
		return;
	}
	if (ev.has_blob) {
		int rc = trace_reader_blob(rn->r, ev.blob, &c->blob, &c->blob_len);
		if (rc < 0) {
			nd_fail(nd, ND_TRACE_BAD, "event #%llu: %s",
				(unsigned long long)ev.index, trace_strerror(rc));
			return;
		}
	} else if (ev.data_len) {
		if (ev.data_len > c->out_cap) {
			snprintf(obs + strlen(obs), sizeof(obs) - strlen(obs),
				 " with room for %zu bytes, not %u", c->out_cap, ev.data_len);
			diverged(rn, &ev, obs);
			return;
		}
		memcpy(c->out, ev.data, ev.data_len);
		c->out_len = ev.data_len;
	}
	c->result = ev.result;
	/* show output once, even when a debugger re-executes it */
	if (c->op == ND_WRITE && c->console && !rn->quiet && c->result > 0 &&
	    (size_t)c->result <= c->in_len && ev.index >= rn->shown)
		show_output(c);
	if (ev.index + 1 > rn->shown)
		rn->shown = ev.index + 1;
}

static void rep_syscall(struct nd *nd, const struct nd_syscall *s)
{
	struct replay_nd *rn = (struct replay_nd *)nd;
	struct trace_event ev, seen = { .type = EV_SYSCALL, .op = (uint32_t)s->nr,
					.rip = s->rip, .result = s->result, .nargs = 6 };
	char obs[512];

	memcpy(seen.args, s->args, sizeof(seen.args));
	describe(&seen, obs, sizeof(obs));
	if (!next(rn, &ev, obs))
		return;
	if (ev.type != EV_SYSCALL || ev.op != (uint32_t)s->nr || ev.rip != s->rip ||
	    ev.result != s->result || ev.tid != s->tid ||
	    memcmp(ev.args, s->args, sizeof(s->args)))
		diverged(rn, &ev, obs);
}

static void rep_exit(struct nd *nd, uint32_t tid, int status)
{
	struct replay_nd *rn = (struct replay_nd *)nd;
	struct trace_event ev, seen = { .type = EV_EXIT, .tid = tid, .result = status };
	char obs[128];

	describe(&seen, obs, sizeof(obs));
	if (!next(rn, &ev, obs))
		return;
	if (ev.type != EV_EXIT || ev.result != status || ev.tid != tid)
		diverged(rn, &ev, obs);
}

static int rep_outside_kill(struct nd *nd)
{
	struct replay_nd *rn = (struct replay_nd *)nd;
	int st;

	if (!rn->peeked) {
		rn->ahead_rc = trace_reader_next(rn->r, &rn->ahead);
		rn->peeked = true;
	}
	if (rn->ahead_rc == 0 && rn->ahead.type == EV_EXIT) {
		st = (int)rn->ahead.result; /* kill -9 from outside: no stop */
		return WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL ?
		       -(int)(rn->ahead.tid << 8 | SIGKILL) : 0;
	}
	if (rn->ahead_rc < 0 || rn->ahead.type != EV_HOST ||
	    rn->ahead.op != ND_OUTSIDE_SIGNAL)
		return 0;
	st = (int)rn->ahead.result;
	rn->peeked = false; /* consumed */
	nd->events++;
	if (rn->ahead.index + 1 > rn->shown)
		rn->shown = rn->ahead.index + 1;
	return st;
}

static const struct nd_ops replay_ops = {
	.call = rep_call,
	.syscall_done = rep_syscall,
	.guest_exit = rep_exit,
	.outside_kill = rep_outside_kill,
};

struct nd *replay_nd_new(struct trace_reader *r, bool quiet)
{
	struct replay_nd *rn = calloc(1, sizeof(*rn));

	if (!rn)
		return NULL;
	rn->base.ops = &replay_ops;
	rn->r = r;
	rn->quiet = quiet;
	return &rn->base;
}

void replay_nd_finish(struct nd *nd)
{
	struct replay_nd *rn = (struct replay_nd *)nd;
	struct trace_event ev;
	char what[512];

	if (nd->failed)
		return;
	if (read_event(rn, &ev) == 0) {
		describe(&ev, what, sizeof(what));
		nd_fail(nd, ND_DIVERGED, "replay diverged: the guest system ended but the trace goes on at event #%llu (%s)",
			(unsigned long long)ev.index, what);
	}
}

int replay_nd_seek(struct nd *nd, uint64_t index)
{
	struct replay_nd *rn = (struct replay_nd *)nd;
	int rc = trace_reader_seek(rn->r, index);

	if (rc < 0)
		return rc;
	rn->peeked = false;
	nd->events = index;
	nd->failed = ND_OK;
	nd->err[0] = 0;
	return 0;
}

uint64_t replay_nd_event_count(struct nd *nd)
{
	return trace_reader_event_count(((struct replay_nd *)nd)->r);
}

void replay_nd_free(struct nd *nd)
{
	free(nd);
}
