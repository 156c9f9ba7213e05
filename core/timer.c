/* core/timer.c — guest time and timer expiry (see core/timer.h). */
#include "core/timer.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "core/signal.h"
#include "core/task.h"

uint64_t kernel_now(struct kernel *k)
{
	struct timespec ts = { 0, 0 };
	struct nd_call c = { .op = ND_CLOCK, .a = { CLOCK_MONOTONIC },
			     .out = &ts, .out_cap = sizeof(ts) };

	nd_call(k->nd, &c);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* The clock whose reading ABS is compared with; -1: CLOCK_MONOTONIC's
 * own (other clocks count as it). */
static int base_clock(int clock)
{
	switch (clock) {
	case CLOCK_REALTIME: case CLOCK_REALTIME_ALARM: return CLOCK_REALTIME;
	case CLOCK_BOOTTIME: case CLOCK_BOOTTIME_ALARM: return CLOCK_BOOTTIME;
	case CLOCK_TAI: return CLOCK_TAI;
	default: return -1;
	}
}

uint64_t abs_to_mono(struct kernel *k, int clock, uint64_t abs)
{
	struct timespec ts = { 0, 0 };
	struct nd_call c = { .op = ND_CLOCK, .a = { base_clock(clock) },
			     .out = &ts, .out_cap = sizeof(ts) };
	uint64_t now, r;

	if (c.a[0] < 0)
		return abs ? abs : 1;
	now = kernel_now(k);
	nd_call(k->nd, &c);
	r = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (abs >= r)
		return now + (abs - r);
	/* in the past: as long ago on CLOCK_MONOTONIC (intervals count) */
	return now > r - abs ? now - (r - abs) : 1;
}

static bool alive(const struct task *t)
{
	return t->state == TASK_RUNNABLE || t->state == TASK_BLOCKED;
}

static void earliest(uint64_t *first, uint64_t when)
{
	if (when && (!*first || when < *first))
		*first = when;
}

uint64_t timers_next(struct kernel *k)
{
	uint64_t first = 0;

	for (struct task *t = k->tasks; t; t = t->next) {
		if (!alive(t))
			continue;
		if (t->state == TASK_BLOCKED) {
			earliest(&first, t->block_until);
			earliest(&first, t->wake_at);
		}
		for (int i = 0; i < 3; i++)
			earliest(&first, t->timers.itimer[i].expiry);
		for (int i = 0; i < TIMERS_MAX; i++)
			earliest(&first, t->timers.posix[i].expiry);
	}
	return first;
}

static void fire_one(struct task *t, struct gtimer *g, int id, uint64_t now)
{
	siginfo_t si;

	if (!g->expiry || g->expiry > now)
		return;
	if (g->interval) {
		uint64_t missed = (now - g->expiry) / g->interval;
		g->overrun = (int)missed;
		g->expiry += (missed + 1) * g->interval;
	} else {
		g->expiry = 0;
	}
	if (!g->sig)
		return;
	memset(&si, 0, sizeof(si));
	si.si_signo = g->sig;
	if (id < 0) {
		si.si_code = SI_KERNEL;
	} else {
		si.si_code = SI_TIMER;
		si.si_timerid = id;
		si.si_overrun = g->overrun;
		si.si_value.sival_ptr = (void *)(uintptr_t)g->value;
	}
	signal_send_info(t, &si);
}

void timers_fire(struct kernel *k, uint64_t now)
{
	for (struct task *t = k->tasks; t; t = t->next) {
		if (!alive(t))
			continue;
		if (t->state == TASK_BLOCKED && t->block_until && t->block_until <= now)
			t->timed_out = true;
		for (int i = 0; i < 3; i++)
			fire_one(t, &t->timers.itimer[i], -1, now);
		for (int i = 0; i < TIMERS_MAX; i++)
			fire_one(t, &t->timers.posix[i], i, now);
	}
}

void timers_poll(struct kernel *k)
{
	if (timers_next(k))
		timers_fire(k, kernel_now(k));
}
