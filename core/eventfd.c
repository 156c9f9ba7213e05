/* core/eventfd.c — eventfd objects: a 64-bit counter. A read takes the
 * whole count (or 1 with EFD_SEMAPHORE) and would block at 0; a write
 * adds and would block past 0xfffffffffffffffe. Both move exactly 8
 * bytes. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/fileobj.h"

#define EFD_MAX 0xfffffffffffffffeull

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct obj_wakes wakes; /* for EPOLLET */
};

static long efd_read(struct file *f, const struct obj_io *io, void *buf,
		     size_t n)
{
	struct eventfd *e = f->obj;
	uint64_t v;

	(void)io;
	if (n < sizeof(v))
		return -EINVAL;
	if (e->count == 0)
		return -EAGAIN;
	v = e->semaphore ? 1 : e->count;
	e->count -= v;
	e->wakes.out++;
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

static long efd_write(struct file *f, const struct obj_io *io,
		      const void *buf, size_t n)
{
	struct eventfd *e = f->obj;
	uint64_t v;

	(void)io;
	if (n < sizeof(v))
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == UINT64_MAX)
		return -EINVAL;
	if (v > EFD_MAX - e->count)
		return -EAGAIN;
	e->count += v;
	e->wakes.in++;
	return sizeof(v);
}

static unsigned efd_poll(struct file *f)
{
	struct eventfd *e = f->obj;

	return (e->count ? POLLIN : 0) | (e->count < EFD_MAX ? POLLOUT : 0);
}

static uint64_t efd_gen(struct file *f, unsigned events)
{
	return obj_wakes_for(&((struct eventfd *)f->obj)->wakes, events);
}

static void efd_release(struct file *f)
{
	free(f->obj);
}

static void *efd_clone(const struct file *old, struct file_remap *m)
{
	struct eventfd *e = malloc(sizeof(*e));

	(void)m;
	if (e)
		*e = *(const struct eventfd *)old->obj;
	return e;
}

static const struct file_ops efd_ops = {
	.name = "eventfd", .mode = 0600,
	.read = efd_read, .write = efd_write, .poll = efd_poll, .gen = efd_gen,
	.release = efd_release, .clone = efd_clone,
};

int eventfd_new(uint64_t initval, bool semaphore, int flags,
		struct file **out)
{
	struct eventfd *e = malloc(sizeof(*e));

	if (!e)
		return -ENOMEM;
	*e = (struct eventfd){ .count = initval, .semaphore = semaphore };
	*out = fileobj_new(&efd_ops, e, O_RDWR | (flags & O_NONBLOCK));
	if (!*out) {
		free(e);
		return -ENOMEM;
	}
	return 0;
}
