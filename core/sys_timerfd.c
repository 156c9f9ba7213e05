/* core/sys_timerfd.c — timerfd_create, timerfd_settime, timerfd_gettime
 * on timerfd objects (core/timerfd.h), in guest time: the guest's
 * CLOCK_MONOTONIC (kernel_now); absolute CLOCK_REALTIME times become
 * CLOCK_MONOTONIC deadlines when set (abs_to_mono). CLOCK_BOOTTIME counts
 * as CLOCK_MONOTONIC (the guest never suspends). read, poll and epoll
 * are the generic object paths (core/fileobj.c, core/ready.c). */
#include <errno.h>
#include <fcntl.h>
#include <sys/timerfd.h>
#include <time.h>

#include "core/fileobj.h"
#include "core/syscall.h"
#include "core/task.h"
#include "core/timer.h"
#include "core/timerfd.h"

#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

long sys_timerfd_create(struct task *t, const uint64_t a[6])
{
	int clk = (int)a[0], flags = (int)a[1];
	struct file *f;
	long rc;

	if (flags & ~(TFD_NONBLOCK | TFD_CLOEXEC))
		return -EINVAL;
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC &&
	    clk != CLOCK_BOOTTIME && clk != CLOCK_REALTIME_ALARM &&
	    clk != CLOCK_BOOTTIME_ALARM)
		return -EINVAL;
	if ((clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM) &&
	    t->id.euid != 0)
		return -EPERM; /* CAP_WAKE_ALARM: root only, roughly */
	rc = timerfd_new(clk, flags & TFD_NONBLOCK ? O_NONBLOCK : 0, &f);
	if (rc < 0)
		return rc;
	fileobj_number(t, f);
	file_get(f);
	rc = fd_install(t->files, f, 0, flags & TFD_CLOEXEC);
	file_release(t, f);
	return rc;
}

/* The timerfd behind FD: -EBADF, or -EINVAL for another file. */
static long timerfd_of(struct task *t, int fd, struct file **out)
{
	*out = fd_get(t->files, fd);
	if (!*out)
		return -EBADF;
	return file_is_timerfd(*out) ? 0 : -EINVAL;
}

static long put_spec(struct task *t, uint64_t addr, struct timerfd_spec s)
{
	struct itimerspec v = { ns_ts(s.interval), ns_ts(s.value) };

	return task_write(t, addr, &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

long sys_timerfd_settime(struct task *t, const uint64_t a[6])
{
	int flags = (int)a[1];
	struct itimerspec v;
	struct timerfd_spec old;
	struct file *f;
	uint64_t now, expiry = 0;
	long rc;

	if (task_read(t, a[2], &v, sizeof(v)) < 0)
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !ts_valid(&v.it_value) || !ts_valid(&v.it_interval))
		return -EINVAL;
	rc = timerfd_of(t, (int)a[0], &f);
	if (rc < 0)
		return rc;
	now = kernel_now(t->k);
	old = timerfd_get(f, now);
	if (ts_ns(&v.it_value) && (flags & TFD_TIMER_ABSTIME))
		expiry = abs_to_mono(t->k, timerfd_clock(f), ts_ns(&v.it_value));
	else if (ts_ns(&v.it_value))
		expiry = now + ts_ns(&v.it_value);
	/* the guest's realtime clock is never set: CANCEL_ON_SET never
	 * cancels */
	timerfd_set(f, expiry, ts_ns(&v.it_interval));
	return a[3] ? put_spec(t, a[3], old) : 0;
}

long sys_timerfd_gettime(struct task *t, const uint64_t a[6])
{
	struct file *f;
	long rc = timerfd_of(t, (int)a[0], &f);

	if (rc < 0)
		return rc;
	return put_spec(t, a[1], timerfd_get(f, kernel_now(t->k)));
}
