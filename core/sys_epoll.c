/* core/sys_epoll.c — epoll_create, epoll_create1, epoll_ctl,
 * epoll_wait, epoll_pwait, epoll_pwait2 on epoll sets (core/epoll.h).
 * The signal mask of epoll_pwait applies while it waits
 * (signal_wait_with_mask); epoll_pwait2's is ignored. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <time.h>

#include "core/epoll.h"
#include "core/fileobj.h"
#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"

/* struct epoll_event as x86-64 lays it out: packed, 12 bytes. */
struct guest_epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

#define EPOLL_MAXEVENTS (INT32_MAX / (int)sizeof(struct guest_epoll_event))

static long do_create(struct task *t, int flags)
{
	struct file *f;
	long rc;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	rc = epoll_new(&f);
	if (rc < 0)
		return rc;
	fileobj_number(t, f);
	file_get(f);
	rc = fd_install(t->files, f, 0, flags & EPOLL_CLOEXEC);
	file_release(t, f);
	return rc;
}

long sys_epoll_create(struct task *t, const uint64_t a[6])
{
	return (int)a[0] <= 0 ? -EINVAL : do_create(t, 0);
}

long sys_epoll_create1(struct task *t, const uint64_t a[6])
{
	return do_create(t, (int)a[0]);
}

/* Linux refuses files that cannot be polled (regular files, /dev/null)
 * in epoll sets: ask the host's epoll about a host file (recorded). */
static long host_pollable(struct task *t, struct file *f, uint32_t events)
{
	struct nd_call c = { .op = ND_EPOLL_CHECK,
			     .a = { f->hostfd, (long)events } };

	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_epoll_ctl(struct task *t, const uint64_t a[6])
{
	struct file *ep = fd_get(t->files, (int)a[0]);
	struct file *f = fd_get(t->files, (int)a[2]);
	struct guest_epoll_event ev = { 0, 0 };
	int op = (int)a[1];

	if (op != EPOLL_CTL_DEL && task_read(t, a[3], &ev, sizeof(ev)) < 0)
		return -EFAULT;
	if (!ep || !f)
		return -EBADF;
	if (!file_is_epoll(ep))
		return -EINVAL;
	if (op == EPOLL_CTL_ADD && f->kind != FILE_OBJ) {
		long rc = host_pollable(t, f, ev.events);
		if (rc < 0)
			return rc;
	}
	return epoll_ctl_op(ep, op, (int)a[2], f, ev.events, ev.data);
}

static long do_wait(struct task *t, int epfd, uint64_t addr, int max,
		    int64_t timeout_ns)
{
	struct file *ep = fd_get(t->files, epfd);
	size_t n;
	struct ready_q *q;
	struct epoll_report *rep;
	struct guest_epoll_event *out;
	long r = -ENOMEM;

	if (!ep)
		return -EBADF;
	if (!file_is_epoll(ep) || max <= 0 || max > EPOLL_MAXEVENTS)
		return -EINVAL;
	n = epoll_active(ep);
	q = calloc(n ? n : 1, sizeof(*q));
	rep = calloc(n ? n : 1, sizeof(*rep));
	out = calloc(n ? n : 1, sizeof(*out));
	if (q && rep && out) {
		bool host;
		epoll_query(ep, q);
		host = ready_host_only(q, n);
		r = ready_scan(t, q, n, !host ? 0 : timeout_ns < 0 ? -1 :
				(int)((timeout_ns + 999999) / 1000000));
		if (r > 0) /* edge-triggered entries may have nothing new */
			r = (long)epoll_collect(ep, q, n, rep, (size_t)max);
		if (r == 0 && !host)
			r = ready_wait(t, timeout_ns);
	}
	if (r > 0) {
		for (long i = 0; i < r; i++)
			out[i] = (struct guest_epoll_event){ rep[i].events, rep[i].data };
		if (task_write(t, addr, out, (size_t)r * sizeof(*out)) < 0)
			r = -EFAULT;
	}
	free(q);
	free(rep);
	free(out);
	return r;
}

long sys_epoll_wait(struct task *t, const uint64_t a[6])
{
	int ms = (int)a[3];

	return do_wait(t, (int)a[0], a[1], (int)a[2], ms < 0 ? -1 : ms * 1000000LL);
}

long sys_epoll_pwait(struct task *t, const uint64_t a[6])
{
	long rc = signal_wait_with_mask(t, a[4], a[5]);

	return rc != 0 ? rc : sys_epoll_wait(t, a);
}

long sys_epoll_pwait2(struct task *t, const uint64_t a[6])
{
	struct timespec ts;

	if (!a[3])
		return do_wait(t, (int)a[0], a[1], (int)a[2], -1);
	if (task_read(t, a[3], &ts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000)
		return -EINVAL;
	return do_wait(t, (int)a[0], a[1], (int)a[2],
		       ts.tv_sec * 1000000000LL + ts.tv_nsec);
}
