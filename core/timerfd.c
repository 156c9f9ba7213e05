/* core/timerfd.c — timerfd objects: an expiry (guest CLOCK_MONOTONIC),
 * an interval and the count of expirations not yet read. Time moves them
 * through ops->deadline (fileobj_tick): each expiry due by then adds to
 * the count. A read takes the whole count as 8 bytes and would block at
 * 0; the fd is readable while the count is not 0. */
#include "core/timerfd.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "core/fileobj.h"

struct timerfd {
	int clock;
	uint64_t expiry;        /* next expiry; 0: disarmed */
	uint64_t interval;      /* ns; 0: one shot */
	uint64_t count;         /* expirations not yet read */
	struct obj_wakes wakes; /* for EPOLLET */
};

static long tfd_read(struct file *f, const struct obj_io *io, void *buf,
		     size_t n)
{
	struct timerfd *tf = f->obj;

	(void)io;
	if (n < sizeof(tf->count))
		return -EINVAL;
	if (tf->count == 0)
		return -EAGAIN;
	memcpy(buf, &tf->count, sizeof(tf->count));
	tf->count = 0;
	return sizeof(tf->count);
}

static unsigned tfd_poll(struct file *f)
{
	return ((struct timerfd *)f->obj)->count ? POLLIN : 0;
}

static uint64_t tfd_gen(struct file *f, unsigned events)
{
	return obj_wakes_for(&((struct timerfd *)f->obj)->wakes, events);
}

static uint64_t tfd_deadline(struct file *f, struct obj_clock *c)
{
	struct timerfd *tf = f->obj;
	uint64_t n, now;

	if (!tf->expiry || tf->expiry > (now = obj_now(c)))
		return tf->expiry;
	n = tf->interval ? (now - tf->expiry) / tf->interval + 1 : 1;
	tf->count += n;
	tf->expiry = tf->interval ? tf->expiry + n * tf->interval : 0;
	tf->wakes.in++;
	return tf->expiry;
}

static void tfd_release(struct file *f)
{
	free(f->obj);
}

static void *tfd_clone(const struct file *old, struct file_remap *m)
{
	struct timerfd *tf = malloc(sizeof(*tf));

	(void)m;
	if (tf)
		*tf = *(const struct timerfd *)old->obj;
	return tf;
}

static const struct file_ops tfd_ops = {
	.name = "timerfd", .mode = 0600,
	.read = tfd_read, .poll = tfd_poll, .gen = tfd_gen,
	.deadline = tfd_deadline, .release = tfd_release, .clone = tfd_clone,
};

int timerfd_new(int clock, int flags, struct file **out)
{
	struct timerfd *tf = malloc(sizeof(*tf));

	if (!tf)
		return -ENOMEM;
	*tf = (struct timerfd){ .clock = clock };
	*out = fileobj_new(&tfd_ops, tf, O_RDWR | (flags & O_NONBLOCK));
	if (!*out) {
		free(tf);
		return -ENOMEM;
	}
	return 0;
}

bool file_is_timerfd(const struct file *f)
{
	return f && f->kind == FILE_OBJ && f->ops == &tfd_ops;
}

int timerfd_clock(const struct file *f)
{
	return ((const struct timerfd *)f->obj)->clock;
}

struct timerfd_spec timerfd_get(struct file *f, uint64_t now)
{
	struct timerfd *tf = f->obj;
	uint64_t next = tfd_deadline(f, &(struct obj_clock){ .known = true,
							    .now = now });

	/* a one-shot timer that expired reads as disarmed, as Linux */
	return (struct timerfd_spec){ next ? next - now : 0, tf->interval };
}

void timerfd_set(struct file *f, uint64_t expiry, uint64_t interval)
{
	struct timerfd *tf = f->obj;

	tf->count = 0;
	tf->expiry = expiry;
	tf->interval = interval; /* kept when disarmed: gettime says it */
}
