/* core/ready.c — readiness of file sets and the timeouts of poll,
 * select and epoll_wait (see ready.h). */
#include "core/ready.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <time.h>

#include "core/fileobj.h"
#include "core/syscall.h"
#include "core/task.h"

static int is_host(const struct file *f)
{
	return f && f->kind != FILE_OBJ;
}

int ready_host_only(const struct ready_q *q, size_t n)
{
	size_t hosts = 0;

	for (size_t i = 0; i < n; i++) {
		if (q[i].f && !is_host(q[i].f))
			return 0;
		hosts += is_host(q[i].f);
	}
	return hosts > 0;
}

/* One HOSTOP POLL for the N host files listed in IDX. */
static long ask_host(struct task *t, struct ready_q *q, const size_t *idx,
		     size_t n, int host_ms)
{
	int *fds = malloc(n * sizeof(*fds));
	short *ev = malloc(n * sizeof(*ev)), *rev = calloc(n, sizeof(*rev));
	struct nd_call c = { .op = ND_POLL, .a = { host_ms } };
	long rc = -ENOMEM;

	if (fds && ev && rev) {
		for (size_t i = 0; i < n; i++) {
			fds[i] = q[idx[i]].f->hostfd;
			ev[i] = (short)q[idx[i]].events;
		}
		c.a[1] = (long)(uintptr_t)fds;
		c.in = ev;
		c.in_len = n * sizeof(*ev);
		c.out = rev;
		c.out_cap = n * sizeof(*rev);
		nd_call(t->k->nd, &c);
		rc = c.result;
		if (rc >= 0 && c.out_len != c.out_cap)
			rc = -EIO;
		for (size_t i = 0; rc >= 0 && i < n; i++)
			q[idx[i]].revents = (unsigned short)rev[i];
	}
	free(fds);
	free(ev);
	free(rev);
	return rc;
}

long ready_scan(struct task *t, struct ready_q *q, size_t n, int host_ms)
{
	size_t *idx = malloc((n ? n : 1) * sizeof(*idx)), nhost = 0;
	struct obj_clock clock = { .k = t->k };
	long rc = 0, count = 0;

	if (!idx)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		q[i].revents = 0;
		if (is_host(q[i].f))
			idx[nhost++] = i;
		else if (q[i].f) {
			fileobj_tick(t, q[i].f, &clock);
			q[i].revents = fileobj_poll(q[i].f) &
				       (q[i].events | POLLHUP | POLLERR);
		}
	}
	if (nhost)
		rc = ask_host(t, q, idx, nhost,
			      ready_host_only(q, n) ? host_ms : 0);
	free(idx);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < n; i++)
		count += q[i].revents != 0;
	return count;
}

uint64_t ready_now(struct task *t)
{
	struct timespec ts = { 0, 0 };
	struct nd_call c = { .op = ND_CLOCK, .a = { CLOCK_MONOTONIC },
			     .out = &ts, .out_cap = sizeof(ts) };

	nd_call(t->k->nd, &c);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

long ready_wait(struct task *t, int64_t timeout_ns)
{
	if (timeout_ns == 0 || t->timed_out)
		return 0;
	if (!t->retry)
		t->block_until = timeout_ns < 0 ? 0 :
				 ready_now(t) + (uint64_t)timeout_ns;
	return SYS_BLOCK;
}
