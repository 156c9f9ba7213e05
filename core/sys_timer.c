/* core/sys_timer.c — timers in guest time: alarm, setitimer/getitimer
 * and the POSIX timers (timer_create and friends), and sleeps that block
 * only the sleeping process (nanosleep, clock_nanosleep). All times are
 * kept as guest CLOCK_MONOTONIC deadlines (core/timer.h). ITIMER_VIRTUAL
 * and ITIMER_PROF count elapsed time, not CPU time (an approximation). */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/syscall.h"
#include "core/task.h"
#include "core/timer.h"

static uint64_t left(struct kernel *k, const struct gtimer *g)
{
	uint64_t now;

	if (!g->expiry)
		return 0;
	now = kernel_now(k);
	return g->expiry > now ? g->expiry - now : 1;
}

/* ---- sleeping ---- */

static long do_sleep(struct task *t, int clk, int flags, uint64_t req,
		     uint64_t rem)
{
	struct timespec want;

	if (t->retry)
		return t->timed_out ? 0 : SYS_BLOCK;
	if (task_read(t, req, &want, sizeof(want)) < 0)
		return -EFAULT;
	if (!ts_valid(&want))
		return -EINVAL;
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (flags & TIMER_ABSTIME)
		t->block_until = abs_to_mono(t->k, clk, ts_ns(&want));
	else
		t->block_until = kernel_now(t->k) + ts_ns(&want);
	if (!t->block_until)
		t->block_until = 1;
	return SYS_BLOCK;
}

void sleep_interrupted(struct task *t)
{
	long nr = (long)t->regs.orig_rax;
	uint64_t rem = 0, now, left;
	struct timespec ts;

	if (nr == SYS_nanosleep)
		rem = t->regs.rsi;
	else if (nr == SYS_clock_nanosleep && !(t->regs.rsi & TIMER_ABSTIME))
		rem = t->regs.r10;
	if (!rem || !t->block_until)
		return;
	now = kernel_now(t->k);
	left = t->block_until > now ? t->block_until - now : 0;
	ts = ns_ts(left);
	task_write(t, rem, &ts, sizeof(ts)); /* EFAULT is the guest's business */
}

long sys_nanosleep(struct task *t, const uint64_t a[6])
{
	return do_sleep(t, CLOCK_MONOTONIC, 0, a[0], a[1]);
}

long sys_clock_nanosleep(struct task *t, const uint64_t a[6])
{
	return do_sleep(t, (int)a[0], (int)a[1], a[2], a[3]);
}

/* ---- alarm and the itimers ---- */

static void arm(struct task *t, struct gtimer *g, uint64_t value,
		uint64_t interval)
{
	g->expiry = value ? kernel_now(t->k) + value : 0;
	g->interval = value ? interval : 0;
	g->overrun = 0;
}

long sys_alarm(struct task *t, const uint64_t a[6])
{
	struct gtimer *g = &t->timers.itimer[ITIMER_REAL];
	uint64_t was = left(t->k, g);

	g->sig = SIGALRM;
	arm(t, g, (uint64_t)(unsigned)a[0] * NS, 0);
	return (long)((was + NS / 2) / NS) + (was && was < NS / 2);
}

static const int itimer_sig[3] = { SIGALRM, SIGVTALRM, SIGPROF };

static long put_itimer(struct task *t, uint64_t addr, const struct gtimer *g)
{
	uint64_t l = left(t->k, g);
	struct itimerval v = {
		{ (time_t)(g->interval / NS), (long)(g->interval % NS) / 1000 },
		{ (time_t)(l / NS), (long)((l % NS + 999) / 1000) },
	};

	return task_write(t, addr, &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

long sys_getitimer(struct task *t, const uint64_t a[6])
{
	if (a[0] > 2)
		return -EINVAL;
	return put_itimer(t, a[1], &t->timers.itimer[a[0]]);
}

long sys_setitimer(struct task *t, const uint64_t a[6])
{
	struct itimerval v = { { 0, 0 }, { 0, 0 } };
	struct gtimer *g;

	if (a[0] > 2)
		return -EINVAL;
	g = &t->timers.itimer[a[0]];
	if (a[1] && task_read(t, a[1], &v, sizeof(v)) < 0)
		return -EFAULT;
	if (v.it_value.tv_usec < 0 || v.it_value.tv_usec >= 1000000 ||
	    v.it_interval.tv_usec < 0 || v.it_interval.tv_usec >= 1000000)
		return -EINVAL;
	if (a[2] && put_itimer(t, a[2], g) < 0)
		return -EFAULT;
	g->sig = itimer_sig[a[0]];
	arm(t, g, (uint64_t)v.it_value.tv_sec * NS + (uint64_t)v.it_value.tv_usec * 1000,
	    (uint64_t)v.it_interval.tv_sec * NS + (uint64_t)v.it_interval.tv_usec * 1000);
	return 0;
}

/* ---- POSIX timers ---- */

static struct gtimer *ptimer(struct task *t, uint64_t id)
{
	if (id >= TIMERS_MAX || !t->timers.posix[id].used)
		return NULL;
	return &t->timers.posix[id];
}

long sys_timer_create(struct task *t, const uint64_t a[6])
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	int clk = (int)a[0], id;

	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME &&
	    clk != CLOCK_REALTIME_ALARM && clk != CLOCK_BOOTTIME_ALARM && clk != CLOCK_TAI)
		return -EINVAL; /* CPU-time clocks: not yet */
	if (a[1] && task_read(t, a[1], &ev, sizeof(ev)) < 0)
		return -EFAULT;
	if (ev.sigev_notify != SIGEV_SIGNAL && ev.sigev_notify != SIGEV_NONE &&
	    ev.sigev_notify != SIGEV_THREAD_ID)
		return -EINVAL;
	if (ev.sigev_notify != SIGEV_NONE && (ev.sigev_signo < 1 || ev.sigev_signo > 64))
		return -EINVAL;
	if (!a[1])
		ev.sigev_value.sival_int = 0;
	for (id = 0; id < TIMERS_MAX && t->timers.posix[id].used; id++)
		;
	if (id == TIMERS_MAX)
		return -EAGAIN;
	if (task_write(t, a[2], &id, sizeof(id)) < 0)
		return -EFAULT;
	t->timers.posix[id] = (struct gtimer){
		.used = true, .clock = clk,
		.sig = ev.sigev_notify == SIGEV_NONE ? 0 : ev.sigev_signo,
		.value = a[1] ? (uint64_t)(uintptr_t)ev.sigev_value.sival_ptr : (uint64_t)id,
	};
	return 0;
}

static long put_itimerspec(struct task *t, uint64_t addr, const struct gtimer *g)
{
	struct itimerspec v = { ns_ts(g->interval), ns_ts(left(t->k, g)) };

	return task_write(t, addr, &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

long sys_timer_settime(struct task *t, const uint64_t a[6])
{
	struct gtimer *g = ptimer(t, a[0]);
	struct itimerspec v;

	if (!g)
		return -EINVAL;
	if (task_read(t, a[2], &v, sizeof(v)) < 0)
		return -EFAULT;
	if (!ts_valid(&v.it_value) || !ts_valid(&v.it_interval))
		return -EINVAL;
	if (a[3] && put_itimerspec(t, a[3], g) < 0)
		return -EFAULT;
	if ((a[1] & TIMER_ABSTIME) && ts_ns(&v.it_value)) {
		g->expiry = abs_to_mono(t->k, g->clock, ts_ns(&v.it_value));
		g->interval = ts_ns(&v.it_interval);
		g->overrun = 0;
	} else {
		arm(t, g, ts_ns(&v.it_value), ts_ns(&v.it_interval));
	}
	return 0;
}

long sys_timer_gettime(struct task *t, const uint64_t a[6])
{
	struct gtimer *g = ptimer(t, a[0]);

	return g ? put_itimerspec(t, a[1], g) : -EINVAL;
}

long sys_timer_getoverrun(struct task *t, const uint64_t a[6])
{
	struct gtimer *g = ptimer(t, a[0]);

	return g ? g->overrun : -EINVAL;
}

long sys_timer_delete(struct task *t, const uint64_t a[6])
{
	struct gtimer *g = ptimer(t, a[0]);

	if (!g)
		return -EINVAL;
	*g = (struct gtimer){ 0 };
	return 0;
}
