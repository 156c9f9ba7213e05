/* core/sched.c — which task runs next. One task runs at a time; it keeps
 * the CPU until it blocks, ends, yields or has had SCHED_QUANTUM stops in
 * a row (counted in stops, not time, so that replay switches at the same
 * points). Then the tasks after it (creation
 * order, wrapping) are considered: a runnable one is taken, a blocked one
 * has its syscall handler run again and is taken if that completes. When
 * all are blocked, the kernel sleeps (through the logging layer) until
 * the earliest timeout. */
#include "core/sched.h"

#include <errno.h>
#include <signal.h>
#include <time.h>

#include "core/kernel.h"
#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"
#include "core/timer.h"

/* Stops a runnable process may have in a row while others wait. */
#define SCHED_QUANTUM 64

/* A blocked task gets its syscall's result, or stays blocked. */
static int try_unblock(struct task *t)
{
	int rc;

	if (t->dying == SIGKILL) { /* dies as soon as it is resumed */
		t->state = TASK_RUNNABLE;
		return 0;
	}
	t->retry = true;
	rc = syscall_run(t);
	if (rc < 0)
		return rc;
	/* a vfork parent waits for its child whatever comes (as Linux) */
	if (t->state == TASK_BLOCKED && !t->vfork_child && signal_wakes(t))
		return signal_interrupt(t);
	return 0;
}

/* The tasks after START in round-robin order; START itself last. */
static struct task *after(struct kernel *k, struct task *x)
{
	return x->next ? x->next : k->tasks;
}

static int pick(struct kernel *k)
{
	struct task *start = k->cur ? k->cur : k->tasks, *x = start;

	do {
		x = after(k, x);
		if (x->state == TASK_BLOCKED) {
			int rc = try_unblock(x);
			if (rc < 0)
				return KERNEL_E_PLATFORM;
		}
		if (x->state == TASK_RUNNABLE) {
			k->cur = x;
			return 1;
		}
	} while (x != start);
	return 0;
}

/* Name every blocked process and its syscall (a warning each). */
static void report_deadlock(struct kernel *k)
{
	for (struct task *t = k->tasks; t; t = t->next) {
		const char *name;
		if (t->state != TASK_BLOCKED)
			continue;
		name = syscall_name((long)t->regs.orig_rax);
		kernel_warn(k, "deadlock: pid %u waits in %s for ever", (unsigned)t->pid,
			    name ? name : "a syscall");
	}
}

/* Everyone is blocked: sleep until the earliest timeout and mark the
 * tasks whose timeout has passed. */
static int wait_for_timeout(struct kernel *k)
{
	uint64_t first = timers_next(k);
	struct timespec ts;
	struct nd_call c = { .op = ND_SLEEP, .a = { CLOCK_MONOTONIC, TIMER_ABSTIME },
			     .in = &ts, .in_len = sizeof(ts) };

	if (!first) {
		report_deadlock(k);
		return KERNEL_E_DEADLOCK;
	}
	ts.tv_sec = (time_t)(first / 1000000000);
	ts.tv_nsec = (long)(first % 1000000000);
	nd_call(k->nd, &c);
	if (k->nd->failed)
		return KERNEL_E_ND;
	timers_fire(k, first);
	return 0;
}

int sched_next(struct kernel *k)
{
	for (;;) {
		int rc;

		if (k->cur && k->cur->state == TASK_RUNNABLE) {
			if (!k->cur->yielded && ++k->cur_run < SCHED_QUANTUM)
				return 0;
			/* the others first, if any can run: a process that never
			 * blocks must not starve the rest */
			k->cur->yielded = false;
			k->cur_run = 0;
			rc = pick(k);
			return rc < 0 ? rc : 0;
		}
		k->cur_run = 0;
		if (!tasks_alive(k))
			return 1;
		rc = pick(k);
		if (rc != 0)
			return rc < 0 ? rc : 0;
		rc = wait_for_timeout(k);
		if (rc < 0)
			return rc;
	}
}
