/* core/timerfd.h — timerfd objects (core/timerfd.c): a timer in guest
 * time behind an fd. Its expirations are counted when the timer is
 * looked at (a read, a poll), from the guest's CLOCK_MONOTONIC given by
 * the caller, so a timerfd never reads the clock itself. */
#ifndef DEJA_TIMERFD_H
#define DEJA_TIMERFD_H

#include <stdbool.h>
#include <stdint.h>

struct file;

/* What timerfd_settime sets and timerfd_gettime reports, in ns. */
struct timerfd_spec {
	uint64_t value;     /* settime: the first expiry (see below);
			       gettime: time left, 0 when disarmed */
	uint64_t interval;  /* 0: one shot */
};

/* timerfd_create(): a disarmed timer on CLOCK; FLAGS O_NONBLOCK. */
int timerfd_new(int clock, int flags, struct file **out);
/* True if F is a timerfd. */
bool file_is_timerfd(const struct file *f);
/* The clock F was created on. */
int timerfd_clock(const struct file *f);
/* F's setting at guest time NOW (F must be a timerfd). */
struct timerfd_spec timerfd_get(struct file *f, uint64_t now);
/* Arm F: it first expires at the CLOCK_MONOTONIC time EXPIRY (0:
 * disarm), then every INTERVAL ns; pending expirations are dropped. */
void timerfd_set(struct file *f, uint64_t expiry, uint64_t interval);

#endif
