/* core/sys_poll.c — poll, ppoll, select, pselect6: readiness of the
 * guest's fds (core/ready.h), with timeouts in guest time. The signal
 * masks of ppoll and pselect6 apply while they wait
 * (signal_wait_with_mask in core/signal.h). */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "core/ready.h"
#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"

#define NS_PER_MS 1000000LL

/* Milliseconds for a host wait from ns (<0: forever), rounded up. */
static int host_ms(int64_t ns)
{
	if (ns < 0)
		return -1;
	if (ns / NS_PER_MS >= INT_MAX)
		return INT_MAX;
	return (int)((ns + NS_PER_MS - 1) / NS_PER_MS);
}

/* Read a guest timespec (or timeval if USEC) at ADDR as ns; 0 = none
 * (*ns = -1). */
static long read_timeout(struct task *t, uint64_t addr, bool usec,
			 int64_t *ns)
{
	struct timespec ts;

	*ns = -1;
	if (!addr)
		return 0;
	if (task_read(t, addr, &ts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 ||
	    ts.tv_nsec >= (usec ? 1000000 : 1000000000))
		return -EINVAL;
	if (ts.tv_sec > INT64_MAX / 1000000000 - 1)
		ts.tv_sec = INT64_MAX / 1000000000 - 1;
	*ns = ts.tv_sec * 1000000000LL + ts.tv_nsec * (usec ? 1000 : 1);
	return 0;
}

/* A timeout and what is left of it: ppoll, select and pselect6 write
 * the rest back (Linux); poll does not (addr 0). */
struct timeout {
	int64_t ns;             /* < 0: none */
	uint64_t addr;          /* the guest's timespec/timeval, or 0 */
	bool usec;              /* a timeval */
	int64_t left;           /* set by scan_or_wait */
};

/* Scan Q; if nothing is ready, wait as TO says. Returns the count, 0
 * (timed out), SYS_BLOCK or -errno; sets to->left, from the guest's
 * clock at the first try and at the end (ND_CLOCK, only when the time
 * left is written back). */
static long scan_or_wait(struct task *t, struct ready_q *q, size_t n,
			 struct timeout *to)
{
	bool host = ready_host_only(q, n);
	bool timed = to->addr && to->ns > 0;
	uint64_t end = 0, now;
	long r;

	if (timed)
		end = t->retry && t->block_until ? t->block_until :
		      ready_now(t) + (uint64_t)to->ns;
	r = ready_scan(t, q, n, host ? host_ms(to->ns) : 0);
	if (r == 0 && !host)
		r = ready_wait(t, to->ns);
	to->left = r == 0 ? 0 : to->ns;
	if (r > 0 && timed) {
		now = ready_now(t);
		to->left = now < end ? (int64_t)(end - now) : 0;
	}
	return r;
}

static void write_left(struct task *t, const struct timeout *to)
{
	struct timespec ts = { to->left / 1000000000, to->left % 1000000000 };

	if (!to->addr || to->ns < 0)
		return;
	if (to->usec)
		ts.tv_nsec /= 1000;
	task_write(t, to->addr, &ts, sizeof(ts)); /* Linux ignores EFAULT */
}

/* ---- poll ---- */

static long do_poll(struct task *t, uint64_t addr, uint64_t nfds,
		    struct timeout *to)
{
	struct pollfd *p = NULL;
	struct ready_q *q = NULL;
	long r = -ENOMEM, nval = 0;

	if (nfds > FDTABLE_MAX)
		return -EINVAL;
	p = malloc((nfds ? nfds : 1) * sizeof(*p));
	q = calloc(nfds ? nfds : 1, sizeof(*q));
	if (!p || !q)
		goto out;
	r = task_read(t, addr, p, nfds * sizeof(*p)) < 0 ? -EFAULT : 0;
	for (size_t i = 0; r == 0 && i < nfds; i++) {
		q[i].f = p[i].fd < 0 ? NULL : fd_get(t->files, p[i].fd);
		q[i].events = (unsigned short)p[i].events;
		nval += p[i].fd >= 0 && !q[i].f;
	}
	if (r == 0)
		r = nval ? ready_scan(t, q, nfds, 0) : scan_or_wait(t, q, nfds, to);
	if (r < 0 || r == SYS_BLOCK)
		goto out;
	for (size_t i = 0; i < nfds; i++)
		p[i].revents = p[i].fd >= 0 && !q[i].f ? POLLNVAL : (short)q[i].revents;
	r += nval;
	if (task_write(t, addr, p, nfds * sizeof(*p)) < 0)
		r = -EFAULT;
	else if (!nval)
		write_left(t, to);
out:
	free(p);
	free(q);
	return r;
}

long sys_poll(struct task *t, const uint64_t a[6])
{
	int ms = (int)a[2];
	struct timeout to = { ms < 0 ? -1 : ms * NS_PER_MS, 0, false, 0 };

	return do_poll(t, a[0], a[1], &to);
}

long sys_ppoll(struct task *t, const uint64_t a[6])
{
	struct timeout to = { -1, a[2], false, 0 };
	long rc = signal_wait_with_mask(t, a[3], a[4]);

	if (rc != 0)
		return rc;
	rc = read_timeout(t, a[2], false, &to.ns);
	return rc < 0 ? rc : do_poll(t, a[0], a[1], &to);
}

/* ---- select ---- */

#define LONG_BITS (8 * sizeof(unsigned long))

struct fdsets {
	unsigned long set[3][FDTABLE_MAX / LONG_BITS]; /* read, write, except */
	uint64_t addr[3];
};

static bool bit(const unsigned long *s, int fd)
{
	return s[fd / LONG_BITS] >> (fd % LONG_BITS) & 1;
}

static const unsigned set_events[3] = { POLLIN, POLLOUT, POLLPRI };
static const unsigned set_ready[3] = { POLLIN | POLLHUP | POLLERR,
				       POLLOUT | POLLERR, POLLPRI };

/* The fds of the sets as a query; -EBADF for a closed fd in a set. */
static long select_query(struct task *t, const struct fdsets *s, int nfds,
			 struct ready_q *q)
{
	for (int fd = 0; fd < nfds; fd++) {
		q[fd] = (struct ready_q){ 0 };
		for (int k = 0; k < 3; k++)
			if (bit(s->set[k], fd))
				q[fd].events |= set_events[k];
		if (!q[fd].events)
			continue;
		q[fd].f = fd_get(t->files, fd);
		if (!q[fd].f)
			return -EBADF;
	}
	return 0;
}

/* Rewrite the sets with what is ready; returns the number of bits. */
static long select_answer(struct task *t, struct fdsets *s, int nfds,
			  const struct ready_q *q)
{
	size_t bytes = (nfds + LONG_BITS - 1) / LONG_BITS * sizeof(long);
	unsigned long res[FDTABLE_MAX / LONG_BITS];
	long n = 0;

	for (int k = 0; k < 3; k++) {
		memset(res, 0, sizeof(res)); /* bits >= nfds come back clear */
		for (int fd = 0; fd < nfds; fd++) {
			if (!bit(s->set[k], fd) || !(q[fd].revents & set_ready[k]))
				continue;
			res[fd / LONG_BITS] |= 1UL << (fd % LONG_BITS);
			n++;
		}
		if (s->addr[k] && task_write(t, s->addr[k], res, bytes) < 0)
			return -EFAULT;
	}
	return n;
}

static long do_select(struct task *t, int nfds, const uint64_t sets[3],
		      struct timeout *to)
{
	struct fdsets *s = calloc(1, sizeof(*s));
	struct ready_q *q = calloc(FDTABLE_MAX, sizeof(*q));
	long r = -ENOMEM;

	if (nfds < 0)
		r = -EINVAL;
	if (nfds < 0 || !s || !q)
		goto out;
	if (nfds > FDTABLE_MAX)
		nfds = FDTABLE_MAX;
	r = 0;
	for (int k = 0; k < 3 && r == 0; k++) {
		s->addr[k] = sets[k];
		if (sets[k] && task_read(t, sets[k], s->set[k],
			(nfds + LONG_BITS - 1) / LONG_BITS * sizeof(long)) < 0)
			r = -EFAULT;
	}
	if (r == 0)
		r = select_query(t, s, nfds, q);
	if (r == 0)
		r = scan_or_wait(t, q, (size_t)nfds, to);
	if (r >= 0)
		r = select_answer(t, s, nfds, q);
	if (r >= 0)
		write_left(t, to);
out:
	free(s);
	free(q);
	return r;
}

long sys_select(struct task *t, const uint64_t a[6])
{
	struct timeout to = { -1, a[4], true, 0 };
	long rc = read_timeout(t, a[4], true, &to.ns);

	return rc < 0 ? rc : do_select(t, (int)a[0], a + 1, &to);
}

long sys_pselect6(struct task *t, const uint64_t a[6])
{
	struct timeout to = { -1, a[4], false, 0 };
	uint64_t ss[2] = { 0, 0 }; /* { const sigset_t *, size_t } */
	long rc = 0;

	if (a[5] && task_read(t, a[5], ss, sizeof(ss)) < 0)
		return -EFAULT;
	rc = signal_wait_with_mask(t, ss[0], ss[1]);
	if (rc != 0)
		return rc;
	rc = read_timeout(t, a[4], false, &to.ns);
	return rc < 0 ? rc : do_select(t, (int)a[0], a + 1, &to);
}
