/* core/sys_time.c — clocks and sleeping. Every reading of a clock comes
 * through the logging layer (ND_CLOCK); sleeps are ND_SLEEP so that replay
 * can skip the waiting and reproduce the outcome. */
#include <errno.h>
#include <time.h>
#include <sys/time.h>

#include "core/syscall.h"
#include "core/task.h"

/* CPU-time clocks must measure the guest's host process, not deja:
 * translate them to that process's clock id (a handle, like a host fd).
 * Sets *HOST; -EINVAL for another process's clock. */
#define CPUCLOCK_SCHED 2
#define CPUCLOCK_PERTHREAD 4
static int host_clockid(struct task *t, long clk, long *host)
{
	long pid = plat_host_pid(t->plat), who;

	if (clk == CLOCK_PROCESS_CPUTIME_ID)
		*host = (~pid << 3) | CPUCLOCK_SCHED;
	else if (clk == CLOCK_THREAD_CPUTIME_ID)
		*host = (~pid << 3) | CPUCLOCK_SCHED | CPUCLOCK_PERTHREAD;
	else if (clk >= 0)
		*host = clk;
	else {
		who = ~(clk >> 3); /* clock_getcpuclockid(): 0 = self */
		if (who != 0 && who != (long)t->pid)
			return -EINVAL;
		*host = (~pid << 3) | (clk & 7);
	}
	return 0;
}

static long read_clock(struct task *t, enum nd_op op, long clk,
		       struct timespec *ts)
{
	struct nd_call c = { .op = op, .out = ts, .out_cap = sizeof(*ts) };

	if (host_clockid(t, clk, &c.a[0]) < 0)
		return -EINVAL;
	nd_call(t->k->nd, &c);
	if (c.result == 0 && c.out_len != sizeof(*ts))
		return -EIO;
	return c.result;
}

long sys_clock_gettime(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	long r = read_clock(t, ND_CLOCK, (long)(int)a[0], &ts);

	if (r < 0)
		return r;
	return task_write(t, a[1], &ts, sizeof(ts)) < 0 ? -EFAULT : 0;
}

long sys_clock_getres(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	long r = read_clock(t, ND_CLOCK_RES, (long)(int)a[0], &ts);

	if (r < 0 || !a[1])
		return r;
	return task_write(t, a[1], &ts, sizeof(ts)) < 0 ? -EFAULT : 0;
}

long sys_gettimeofday(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	struct timeval tv;
	struct timezone tz = { 0, 0 };
	long r;

	if (a[0]) {
		r = read_clock(t, ND_CLOCK, CLOCK_REALTIME, &ts);
		if (r < 0)
			return r;
		tv.tv_sec = ts.tv_sec;
		tv.tv_usec = ts.tv_nsec / 1000;
		if (task_write(t, a[0], &tv, sizeof(tv)) < 0)
			return -EFAULT;
	}
	if (a[1] && task_write(t, a[1], &tz, sizeof(tz)) < 0)
		return -EFAULT;
	return 0;
}

long sys_time(struct task *t, const uint64_t a[6])
{
	struct timespec ts;
	long r = read_clock(t, ND_CLOCK, CLOCK_REALTIME, &ts);

	if (r < 0)
		return r;
	if (a[0] && task_write(t, a[0], &ts.tv_sec, sizeof(ts.tv_sec)) < 0)
		return -EFAULT;
	return ts.tv_sec;
}

/* A scheduling point: the other runnable processes go first. */
long sys_sched_yield(struct task *t, const uint64_t a[6])
{
	t->yielded = true;
	return 0;
}
