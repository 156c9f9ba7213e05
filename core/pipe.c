/* core/pipe.c — pipes: one byte queue of PIPE_CAPACITY bytes shared by a
 * read end and a write end. Each end is one open file description; the
 * pipe counts the descriptions (not the fds) of each side, so dup, fork
 * and close-on-exec, which share or drop references to descriptions,
 * decide when readers see end of file and writers get EPIPE. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "core/fileobj.h"
#include "core/pipebuf.h"

struct pipe {
	struct pipebuf buf;
	int readers, writers;   /* open descriptions of each end */
	struct obj_wakes wakes; /* for EPOLLET */
};

static long pipe_read(struct file *f, const struct obj_io *io, void *buf,
		      size_t n)
{
	struct pipe *p = f->obj;

	(void)io;
	if (n == 0)
		return 0;
	if (p->buf.len == 0)
		return p->writers ? -EAGAIN : 0;
	p->wakes.out++;
	return (long)pipebuf_read(&p->buf, buf, n);
}

static long pipe_write(struct file *f, const struct obj_io *io,
		       const void *buf, size_t n)
{
	struct pipe *p = f->obj;

	if (n == 0) /* as Linux: even with no reader, no EPIPE */
		return 0;
	if (!p->readers) {
		size_t done = pipebuf_abort(&p->buf, io);
		return done ? (long)done : -EPIPE;
	}
	p->wakes.in++;
	return pipebuf_write(&p->buf, io, buf, n,
			     (f->flags & O_NONBLOCK ? PB_NONBLOCK : 0) |
			     (f->flags & O_DIRECT ? PB_PACKET : 0));
}

static unsigned pipe_poll_rd(struct file *f)
{
	struct pipe *p = f->obj;

	return (p->buf.len ? POLLIN : 0) | (p->writers ? 0 : POLLHUP);
}

static unsigned pipe_poll_wr(struct file *f)
{
	struct pipe *p = f->obj;

	return (pipebuf_room(&p->buf) ? POLLOUT : 0) |
	       (p->readers ? 0 : POLLERR);
}

static long pipe_nread(struct file *f)
{
	return (long)((struct pipe *)f->obj)->buf.len;
}

static uint64_t pipe_gen(struct file *f, unsigned events)
{
	return obj_wakes_for(&((struct pipe *)f->obj)->wakes, events);
}

static void pipe_drop(struct pipe *p)
{
	p->wakes.in++;
	p->wakes.out++;
	if (p->readers == 0 && p->writers == 0) {
		pipebuf_free(&p->buf);
		free(p);
	}
}

static void pipe_release_rd(struct file *f)
{
	struct pipe *p = f->obj;

	p->readers--;
	pipe_drop(p);
}

static void pipe_release_wr(struct file *f)
{
	struct pipe *p = f->obj;

	p->writers--;
	pipe_drop(p);
}

static void *pipe_copy(const void *oldp, struct file_remap *m)
{
	const struct pipe *old = oldp;
	struct pipe *p = malloc(sizeof(*p));

	(void)m;
	if (!p)
		return NULL;
	*p = *old;
	if (pipebuf_copy(&p->buf, &old->buf) < 0) {
		free(p);
		return NULL;
	}
	return p;
}

static void *pipe_clone(const struct file *old, struct file_remap *m)
{
	return file_remap_obj(m, old->obj, pipe_copy);
}

static const struct file_ops pipe_rd_ops = {
	.name = "pipe", .mode = S_IFIFO | 0600,
	.read = pipe_read, .poll = pipe_poll_rd, .gen = pipe_gen,
	.nread = pipe_nread,
	.release = pipe_release_rd, .clone = pipe_clone,
};

static const struct file_ops pipe_wr_ops = {
	.name = "pipe", .mode = S_IFIFO | 0600,
	.write = pipe_write, .poll = pipe_poll_wr, .gen = pipe_gen,
	.nread = pipe_nread,
	.release = pipe_release_wr, .clone = pipe_clone,
};

int pipe_new(int flags, struct file **rd, struct file **wr)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	pipebuf_init(&p->buf, PIPE_CAPACITY);
	flags &= O_NONBLOCK | O_DIRECT;
	*rd = fileobj_new(&pipe_rd_ops, p, O_RDONLY | flags);
	*wr = fileobj_new(&pipe_wr_ops, p, O_WRONLY | flags);
	if (!*rd || !*wr) {
		free(*rd);
		free(*wr);
		free(p);
		return -ENOMEM;
	}
	p->readers = p->writers = 1;
	return 0;
}
