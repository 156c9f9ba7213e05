/* core/unixsock.c — socketpair(AF_UNIX): two connected sockets, each
 * with a receive queue written by its peer. SOCK_STREAM queues bytes (a
 * pipebuf); SOCK_DGRAM and SOCK_SEQPACKET queue whole messages, which a
 * read takes one at a time (the rest of a message too long for the
 * buffer is dropped). shutdown() and the closing of one end follow
 * Linux: on connection sockets a SHUT_WR is the peer's SHUT_RD, and
 * closing an end shuts the peer down both ways. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/fileobj.h"
#include "core/pipebuf.h"

/* Queued messages per direction, and the largest message (Linux: the
 * default net.unix.max_dgram_qlen and send buffer). */
#define DGRAM_QLEN 512
#define DGRAM_MAX (212992 - 32)

#define SHUT_R 1
#define SHUT_W 2

struct msg {
	struct msg *next;
	size_t len;
	uint8_t data[];
};

struct usock_end {
	struct pipebuf bytes;        /* SOCK_STREAM receive queue */
	struct msg *head, **tail;    /* message receive queue */
	size_t nmsg;
	int shut;                    /* SHUT_R | SHUT_W of this socket */
	struct obj_wakes wakes;      /* of this socket, for EPOLLET */
	bool open;
	bool refused;                /* datagram: told once that the peer
					is gone, not connected since */
};

struct usock_pair {
	int type;
	struct usock_end end[2];
};

struct usock {                   /* one socket: its file's object */
	struct usock_pair *pair;
	int side;
};

static struct usock_end *self(struct file *f)
{
	struct usock *s = f->obj;
	return &s->pair->end[s->side];
}

static struct usock_end *peer(struct file *f)
{
	struct usock *s = f->obj;
	return &s->pair->end[!s->side];
}

static bool is_stream(struct file *f)
{
	return ((struct usock *)f->obj)->pair->type == SOCK_STREAM;
}

static bool connected_type(struct file *f)
{
	return ((struct usock *)f->obj)->pair->type != SOCK_DGRAM;
}

static long read_msg(struct usock_end *e, void *buf, size_t n)
{
	struct msg *m = e->head;
	size_t k = n < m->len ? n : m->len;

	memcpy(buf, m->data, k);
	e->head = m->next;
	if (!e->head)
		e->tail = &e->head;
	e->nmsg--;
	free(m);
	return (long)k;
}

static uint64_t usock_gen(struct file *f, unsigned events)
{
	return obj_wakes_for(&self(f)->wakes, events);
}

static long usock_read(struct file *f, const struct obj_io *io, void *buf,
		       size_t n)
{
	struct usock_end *e = self(f);

	(void)io;
	peer(f)->wakes.out++; /* room for the peer's writes */
	if (is_stream(f)) {
		if (e->bytes.len && n)
			return (long)pipebuf_read(&e->bytes, buf, n);
		if (n == 0)
			return 0;
	} else if (e->head) {
		return read_msg(e, buf, n);
	} else if (!connected_type(f) && (f->flags & O_NONBLOCK)) {
		return -EAGAIN; /* Linux: before looking at shutdown */
	}
	return e->shut & SHUT_R ? 0 : -EAGAIN;
}

static long write_msg(struct usock_end *to, const void *buf, size_t n)
{
	struct msg *m;

	if (n > DGRAM_MAX)
		return -EMSGSIZE;
	if (to->nmsg >= DGRAM_QLEN)
		return -EAGAIN;
	m = malloc(sizeof(*m) + n);
	if (!m)
		return -ENOMEM;
	m->next = NULL;
	m->len = n;
	memcpy(m->data, buf, n);
	*to->tail = m;
	to->tail = &m->next;
	to->nmsg++;
	return (long)n;
}

static long usock_write(struct file *f, const struct obj_io *io,
			const void *buf, size_t n)
{
	struct usock_end *e = self(f), *to = peer(f);

	if (n == 0 && is_stream(f)) /* nothing to send: no error either */
		return 0;
	to->wakes.in++;
	if (e->shut & SHUT_W)
		return -EPIPE;
	if (!to->open && connected_type(f))
		return -EPIPE;
	if (!to->open) { /* as Linux: refused once, then disconnected */
		if (e->refused)
			return -ENOTCONN;
		e->refused = true;
		return -ECONNREFUSED;
	}
	if (to->shut & SHUT_R) /* datagrams too: Linux checks the receiver */
		return -EPIPE;
	if (!is_stream(f))
		return write_msg(to, buf, n);
	return pipebuf_write(&to->bytes, io, buf, n,
			     f->flags & O_NONBLOCK ? PB_NONBLOCK : 0);
}

static unsigned usock_poll(struct file *f)
{
	struct usock_end *e = self(f), *to = peer(f);
	unsigned m = 0;
	bool room = is_stream(f) ? pipebuf_room(&to->bytes)
				 : to->nmsg < DGRAM_QLEN;

	if (e->bytes.len || e->head)
		m |= POLLIN;
	if (e->shut & SHUT_R)
		m |= POLLIN | POLLRDHUP;
	if (e->shut == (SHUT_R | SHUT_W))
		m |= POLLHUP;
	if (room || !to->open)
		m |= POLLOUT;
	return m;
}

static long usock_nread(struct file *f)
{
	struct usock_end *e = self(f);

	if (is_stream(f))
		return (long)e->bytes.len;
	return e->head ? (long)e->head->len : 0;
}

static int usock_shutdown(struct file *f, int how)
{
	int mode = how == SHUT_RD ? SHUT_R : how == SHUT_WR ? SHUT_W :
		   how == SHUT_RDWR ? SHUT_R | SHUT_W : -1;

	if (mode < 0)
		return -EINVAL;
	self(f)->wakes.in++, self(f)->wakes.out++;
	peer(f)->wakes.in++, peer(f)->wakes.out++;
	self(f)->shut |= mode;
	if (connected_type(f) && peer(f)->open) /* the peer's mirror image */
		peer(f)->shut |= (mode & SHUT_R ? SHUT_W : 0) |
				 (mode & SHUT_W ? SHUT_R : 0);
	return 0;
}

static void end_clear(struct usock_end *e)
{
	pipebuf_free(&e->bytes);
	while (e->head) {
		struct msg *m = e->head;
		e->head = m->next;
		free(m);
	}
	e->tail = &e->head;
	e->nmsg = 0;
}

static void usock_release(struct file *f)
{
	struct usock *s = f->obj;
	struct usock_pair *p = s->pair;

	p->end[!s->side].wakes.in++;
	p->end[!s->side].wakes.out++;
	p->end[s->side].open = false;
	end_clear(&p->end[s->side]);
	if (p->type != SOCK_DGRAM && p->end[!s->side].open)
		p->end[!s->side].shut = SHUT_R | SHUT_W;
	if (!p->end[!s->side].open)
		free(p);
	free(s);
}

static int copy_end(struct usock_end *dst, const struct usock_end *src)
{
	*dst = *src;
	dst->head = NULL;
	dst->tail = &dst->head;
	dst->nmsg = 0;
	if (pipebuf_copy(&dst->bytes, &src->bytes) < 0)
		return -ENOMEM;
	for (const struct msg *m = src->head; m; m = m->next)
		if (write_msg(dst, m->data, m->len) < 0)
			return -ENOMEM;
	return 0;
}

static void *pair_copy(const void *oldp, struct file_remap *m)
{
	const struct usock_pair *old = oldp;
	struct usock_pair *p = calloc(1, sizeof(*p));

	(void)m;
	if (!p)
		return NULL;
	p->type = old->type;
	for (int i = 0; i < 2; i++) {
		p->end[i].tail = &p->end[i].head;
		if (copy_end(&p->end[i], &old->end[i]) < 0) {
			end_clear(&p->end[0]);
			end_clear(&p->end[1]);
			free(p);
			return NULL;
		}
	}
	return p;
}

static void *usock_clone(const struct file *old, struct file_remap *m)
{
	const struct usock *o = old->obj;
	struct usock *s = malloc(sizeof(*s));

	if (!s)
		return NULL;
	s->side = o->side;
	s->pair = file_remap_obj(m, o->pair, pair_copy);
	if (!s->pair) {
		free(s);
		return NULL;
	}
	return s;
}

static const struct file_ops usock_ops = {
	.name = "socket", .mode = S_IFSOCK | 0777,
	.read = usock_read, .write = usock_write, .poll = usock_poll,
	.gen = usock_gen,
	.nread = usock_nread, .shutdown = usock_shutdown,
	.release = usock_release, .clone = usock_clone,
};

int unixsock_pair(int type, int flags, struct file *f[2])
{
	struct usock_pair *p;
	struct usock *s[2] = { NULL, NULL };

	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	f[0] = f[1] = NULL;
	for (int i = 0; p && i < 2; i++) {
		s[i] = malloc(sizeof(*s[i]));
		if (s[i])
			*s[i] = (struct usock){ p, i };
		f[i] = s[i] ? fileobj_new(&usock_ops, s[i], O_RDWR | (flags & O_NONBLOCK)) : NULL;
	}
	if (!p || !f[0] || !f[1]) {
		for (int i = 0; i < 2; i++) {
			free(f[i]);
			free(s[i]);
		}
		free(p);
		return -ENOMEM;
	}
	p->type = type;
	for (int i = 0; i < 2; i++) {
		pipebuf_init(&p->end[i].bytes, PIPE_CAPACITY);
		p->end[i].tail = &p->end[i].head;
		p->end[i].open = true;
	}
	return 0;
}

int unixsock_type(struct file *f)
{
	if (f->kind != FILE_OBJ || !f->ops->shutdown)
		return -ENOTSOCK;
	return ((struct usock *)f->obj)->pair->type;
}
