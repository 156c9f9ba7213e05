/* core/timer.h — the guest's time and its timers: the current guest
 * CLOCK_MONOTONIC (read through the logging layer), and per-process
 * interval timers (alarm, setitimer, timer_create) that generate signals
 * in guest time. Expired timers are noticed at the guest's stops and when
 * every process waits (the kernel then sleeps until the next expiry). */
#ifndef DEJA_TIMER_H
#define DEJA_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define TIMERS_MAX 16 /* timer_create timers per process */

struct gtimer {
	bool used;           /* timer_create'd (always for the itimers) */
	uint64_t expiry;     /* CLOCK_MONOTONIC ns; 0: disarmed */
	uint64_t interval;   /* ns; 0: one shot */
	int sig;             /* 0: SIGEV_NONE */
	int clock;           /* the clock it was created on */
	uint64_t value;      /* sigev_value */
	int overrun;
};

struct timers {
	struct gtimer itimer[3];        /* ITIMER_REAL, _VIRTUAL, _PROF */
	struct gtimer posix[TIMERS_MAX];
};

struct kernel;
struct task;

/* Guest timespecs as nanoseconds and back (the syscall layer's). */
#define NS 1000000000ULL

static inline uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * NS + (uint64_t)ts->tv_nsec;
}

static inline struct timespec ns_ts(uint64_t ns)
{
	return (struct timespec){ (time_t)(ns / NS), (long)(ns % NS) };
}

static inline bool ts_valid(const struct timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < (long)NS;
}

/* The guest's CLOCK_MONOTONIC in ns (one logged clock reading). */
uint64_t kernel_now(struct kernel *k);
/* A guest clock's absolute time ABS (ns) as a CLOCK_MONOTONIC deadline
 * (never 0): CLOCK_REALTIME, CLOCK_BOOTTIME (and their _ALARM) and
 * CLOCK_TAI through two clock readings (a time in the past stays as far
 * in the past); other clocks count as CLOCK_MONOTONIC. */
uint64_t abs_to_mono(struct kernel *k, int clock, uint64_t abs);
/* The earliest expiry of any armed timer or blocked task's timeout or
 * wake-up (0: none). */
uint64_t timers_next(struct kernel *k);
/* Fire every timer due at NOW and mark blocked tasks whose timeout has
 * passed. */
void timers_fire(struct kernel *k, uint64_t now);
/* A nanosleep/clock_nanosleep of T is interrupted by a signal: write
 * the time left where the guest asked for it (sys_timer.c). */
void sleep_interrupted(struct task *t);
/* At a stop: if anything waits for a time, read the clock and fire. */
void timers_poll(struct kernel *k);

#endif
