/* core/epoll.c — epoll sets (see epoll.h). Each entry is linked both
 * into its set's array and into the watched file's list (file->watch),
 * so that either side going away unlinks it. */
#include "core/epoll.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "core/fileobj.h"

struct epitem {
	struct epoll *ep;
	struct file *file;           /* not referenced */
	int fd;
	uint32_t events;
	uint64_t data;
	bool disabled;               /* EPOLLONESHOT entry reported */
	bool seen;                   /* EPOLLET: reported at seen_gen */
	uint64_t seen_gen;
	struct epitem *wnext, **wprev; /* in file->watch */
};

struct epoll {
	struct epitem **it;          /* report order */
	size_t n, cap;
};

static const struct file_ops epoll_ops;

int file_is_epoll(const struct file *f)
{
	return f->kind == FILE_OBJ && f->ops == &epoll_ops;
}

static void unwatch(struct epitem *e)
{
	*e->wprev = e->wnext;
	if (e->wnext)
		e->wnext->wprev = e->wprev;
}

static void watch(struct epitem *e)
{
	struct epitem **head = (struct epitem **)&e->file->watch;

	e->wnext = *head;
	e->wprev = head;
	if (*head)
		(*head)->wprev = &e->wnext;
	*head = e;
}

static void remove_at(struct epoll *ep, size_t i)
{
	unwatch(ep->it[i]);
	free(ep->it[i]);
	memmove(&ep->it[i], &ep->it[i + 1], (ep->n - i - 1) * sizeof(*ep->it));
	ep->n--;
}

void epoll_file_gone(struct file *f)
{
	while (f->watch) {
		struct epitem *e = f->watch;
		struct epoll *ep = e->ep;
		for (size_t i = 0; i < ep->n; i++)
			if (ep->it[i] == e) {
				remove_at(ep, i);
				break;
			}
	}
}

static int add(struct epoll *ep, int fd, struct file *f, uint32_t events,
	       uint64_t data)
{
	struct epitem *e;

	if (ep->n == ep->cap) {
		size_t cap = ep->cap ? ep->cap * 2 : 8;
		struct epitem **it = realloc(ep->it, cap * sizeof(*it));
		if (!it)
			return -ENOMEM;
		ep->it = it;
		ep->cap = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	*e = (struct epitem){ .ep = ep, .file = f, .fd = fd,
			      .events = events, .data = data };
	watch(e);
	ep->it[ep->n++] = e;
	return 0;
}

int epoll_ctl_op(struct file *epf, int op, int fd, struct file *f,
		 uint32_t events, uint64_t data)
{
	struct epoll *ep = epf->obj;
	size_t i;

	if (f == epf || file_is_epoll(f)) /* no nesting, hence no loops */
		return -EINVAL;
	for (i = 0; i < ep->n; i++)
		if (ep->it[i]->file == f && ep->it[i]->fd == fd)
			break;
	switch (op) {
	case EPOLL_CTL_ADD:
		return i < ep->n ? -EEXIST : add(ep, fd, f, events, data);
	case EPOLL_CTL_MOD:
		if (i == ep->n)
			return -ENOENT;
		ep->it[i]->events = events;
		ep->it[i]->data = data;
		ep->it[i]->disabled = false;
		ep->it[i]->seen = false;
		return 0;
	case EPOLL_CTL_DEL:
		if (i == ep->n)
			return -ENOENT;
		remove_at(ep, i);
		return 0;
	default:
		return -EINVAL;
	}
}

size_t epoll_active(struct file *epf)
{
	struct epoll *ep = epf->obj;
	size_t n = 0;

	for (size_t i = 0; i < ep->n; i++)
		n += !ep->it[i]->disabled;
	return n;
}

void epoll_query(struct file *epf, struct ready_q *q)
{
	struct epoll *ep = epf->obj;

	for (size_t i = 0; i < ep->n; i++)
		if (!ep->it[i]->disabled)
			*q++ = (struct ready_q){ ep->it[i]->file,
						 ep->it[i]->events, 0 };
}

/* Move the entries marked in MOVE to the end, keeping their order. */
static void rotate(struct epoll *ep, const bool *move)
{
	struct epitem **tmp = malloc(ep->n * sizeof(*tmp));
	size_t k = 0;

	if (!tmp)
		return; /* the order is only fairness */
	for (size_t i = 0; i < ep->n; i++)
		if (!move[i])
			tmp[k++] = ep->it[i];
	for (size_t i = 0; i < ep->n; i++)
		if (move[i])
			tmp[k++] = ep->it[i];
	memcpy(ep->it, tmp, ep->n * sizeof(*tmp));
	free(tmp);
}

/* EPOLLET: report E only if its object changed since the last report
 * (Linux reports at each wake-up; a change is deja's wake-up). */
static bool edge(struct epitem *e)
{
	struct file *f = e->file;
	uint64_t gen;

	if (!(e->events & EPOLLET) || f->kind != FILE_OBJ || !f->ops->gen)
		return true;
	gen = f->ops->gen(f, e->events);
	if (e->seen && gen == e->seen_gen)
		return false;
	e->seen = true;
	e->seen_gen = gen;
	return true;
}

size_t epoll_collect(struct file *epf, const struct ready_q *q, size_t n,
		     struct epoll_report *out, size_t max)
{
	struct epoll *ep = epf->obj;
	bool *move = calloc(ep->n ? ep->n : 1, sizeof(*move));
	size_t got = 0, j = 0;

	for (size_t i = 0; i < ep->n && j < n && got < max; i++) {
		struct epitem *e = ep->it[i];
		if (e->disabled)
			continue;
		if (q[j++].revents && edge(e)) {
			out[got].events = q[j - 1].revents;
			out[got++].data = e->data;
			if (e->events & EPOLLONESHOT)
				e->disabled = true;
			if (move)
				move[i] = true;
		}
	}
	if (move)
		rotate(ep, move);
	free(move);
	return got;
}

static unsigned epoll_poll(struct file *f)
{
	struct epoll *ep = f->obj;

	for (size_t i = 0; i < ep->n; i++) {
		struct epitem *e = ep->it[i];
		if (!e->disabled && (fileobj_poll(e->file) &
				     (e->events | POLLHUP | POLLERR)))
			return POLLIN;
	}
	return 0;
}

/* Entries that change with time change with the set's readiness. */
static uint64_t epoll_deadline(struct file *f, struct obj_clock *c)
{
	struct epoll *ep = f->obj;
	uint64_t first = 0, d;

	for (size_t i = 0; i < ep->n; i++) {
		struct file *x = ep->it[i]->file;
		if (ep->it[i]->disabled || x->kind != FILE_OBJ ||
		    !x->ops->deadline)
			continue;
		d = x->ops->deadline(x, c);
		if (d && (!first || d < first))
			first = d;
	}
	return first;
}

static void epoll_release(struct file *f)
{
	struct epoll *ep = f->obj;

	while (ep->n)
		remove_at(ep, ep->n - 1);
	free(ep->it);
	free(ep);
}

static void *epoll_clone(const struct file *old, struct file_remap *m)
{
	const struct epoll *o = old->obj;
	struct epoll *ep = calloc(1, sizeof(*ep));

	if (!ep)
		return NULL;
	for (size_t i = 0; i < o->n; i++) {
		const struct epitem *e = o->it[i];
		struct file *f = file_remap_get(m, e->file);
		if (!f || add(ep, e->fd, f, e->events, e->data) < 0) {
			struct file tmp = { .obj = ep };
			epoll_release(&tmp);
			return NULL;
		}
		ep->it[ep->n - 1]->disabled = e->disabled;
		ep->it[ep->n - 1]->seen = e->seen;
		ep->it[ep->n - 1]->seen_gen = e->seen_gen;
	}
	return ep;
}

static const struct file_ops epoll_ops = {
	.name = "epoll", .mode = 0600,
	.poll = epoll_poll, .deadline = epoll_deadline,
	.release = epoll_release, .clone = epoll_clone,
};

int epoll_new(struct file **out)
{
	struct epoll *ep = calloc(1, sizeof(*ep));

	if (!ep)
		return -ENOMEM;
	*out = fileobj_new(&epoll_ops, ep, O_RDWR);
	if (!*out) {
		free(ep);
		return -ENOMEM;
	}
	return 0;
}
