/* core/ready.h — readiness of a set of files and the waiting shared by
 * poll, select and epoll_wait. Internal objects answer themselves; all
 * host files of a set are asked at once through the logging layer (one
 * HOSTOP POLL, recorded like any host input). */
#ifndef DEJA_READY_H
#define DEJA_READY_H

#include <stddef.h>
#include <stdint.h>

struct file;
struct task;

struct ready_q {
	struct file *f;         /* NULL: skipped (revents 0) */
	unsigned events;        /* POLL* bits asked for */
	unsigned revents;       /* answer: asked bits and POLLHUP/POLLERR */
};

/* Fill every revents; returns how many are non-zero, or -errno. Objects
 * that change with time are brought to the present first and their next
 * deadline lowers t->wake_at (fileobj_tick): a waiting poll is tried
 * again then. When every file of Q is a host file and HOST_MS is not 0,
 * the host waits up to HOST_MS milliseconds (-1: forever) for one of
 * them. */
long ready_scan(struct task *t, struct ready_q *q, size_t n, int host_ms);
/* True if Q names host files only (the host can do the waiting). */
int ready_host_only(const struct ready_q *q, size_t n);
/* The guest's CLOCK_MONOTONIC in ns (ND_CLOCK, recorded). */
uint64_t ready_now(struct task *t);
/* Nothing was ready. Returns 0 when the call must return now (timeout 0,
 * or T's deadline passed), else SYS_BLOCK: with no timeout (TIMEOUT_NS
 * < 0) or with t->block_until set, at the first try, to the guest's
 * CLOCK_MONOTONIC plus TIMEOUT_NS. */
long ready_wait(struct task *t, int64_t timeout_ns);

#endif
