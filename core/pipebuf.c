/* core/pipebuf.c — the paged byte queue behind pipes and stream socket
 * pairs (see pipebuf.h) and the progress of blocked writers. */
#include "core/pipebuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void pipebuf_init(struct pipebuf *b, size_t cap)
{
	*b = (struct pipebuf){ .nslots = cap / PIPEBUF_PAGE };
}

void pipebuf_free(struct pipebuf *b)
{
	for (size_t i = 0; b->slot && i < b->nslots; i++)
		free(b->slot[i].page);
	free(b->slot);
	free(b->wp);
	*b = (struct pipebuf){ .nslots = b->nslots };
}

int pipebuf_copy(struct pipebuf *dst, const struct pipebuf *src)
{
	*dst = *src;
	dst->slot = NULL;
	dst->wp = NULL;
	if (src->slot && !(dst->slot = calloc(src->nslots, sizeof(*dst->slot))))
		goto nomem;
	for (size_t i = 0; src->slot && i < src->nslots; i++) {
		dst->slot[i] = src->slot[i];
		if (!src->slot[i].page)
			continue;
		dst->slot[i].page = malloc(PIPEBUF_PAGE);
		if (!dst->slot[i].page)
			goto nomem;
		memcpy(dst->slot[i].page, src->slot[i].page, PIPEBUF_PAGE);
	}
	if (src->nwp && !(dst->wp = malloc(src->nwp * sizeof(*dst->wp))))
		goto nomem;
	if (src->nwp)
		memcpy(dst->wp, src->wp, src->nwp * sizeof(*dst->wp));
	return 0;
nomem:
	pipebuf_free(dst);
	return -ENOMEM;
}

size_t pipebuf_read(struct pipebuf *b, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n && b->used && !(got && b->slot[b->tail].packet)) {
		struct pb_slot *s = &b->slot[b->tail];
		size_t k = n - got < s->len ? n - got : s->len;
		memcpy((uint8_t *)buf + got, s->page + s->off, k);
		s->off += k;
		s->len -= k;
		got += k;
		b->len -= k;
		if (s->packet) { /* a packet is read whole or its rest lost */
			b->len -= s->len;
			s->len = 0;
		}
		if (s->len == 0) { /* the page is free again */
			b->tail = (b->tail + 1) % b->nslots;
			b->used--;
		}
	}
	return got;
}

/* Top up the last page with all of BUF[N], if it fits there. */
static bool merge(struct pipebuf *b, const void *buf, size_t n)
{
	struct pb_slot *s;

	if (!b->used)
		return false;
	s = &b->slot[(b->tail + b->used - 1) % b->nslots];
	if (s->packet || s->off + s->len + n > PIPEBUF_PAGE)
		return false;
	memcpy(s->page + s->off + s->len, buf, n);
	s->len += n;
	b->len += n;
	return true;
}

/* Fill fresh pages from BUF[N] while slots are free; returns bytes. */
static long fill(struct pipebuf *b, const uint8_t *buf, size_t n,
		 bool packet)
{
	size_t done = 0;

	if (!b->slot && !(b->slot = calloc(b->nslots, sizeof(*b->slot))))
		return -ENOMEM;
	while (done < n && b->used < b->nslots) {
		struct pb_slot *s = &b->slot[(b->tail + b->used) % b->nslots];
		size_t k = n - done < PIPEBUF_PAGE ? n - done : PIPEBUF_PAGE;
		if (!s->page && !(s->page = malloc(PIPEBUF_PAGE)))
			return done ? (long)done : -ENOMEM;
		memcpy(s->page, buf + done, k);
		s->off = 0;
		s->len = (uint16_t)k;
		s->packet = packet;
		b->used++;
		b->len += k;
		done += k;
	}
	return (long)done;
}

/* Remove IO's saved progress; returns it if this is IO's retry. */
static size_t take_progress(struct pipebuf *b, const struct obj_io *io)
{
	for (size_t i = 0; i < b->nwp; i++) {
		if (b->wp[i].tid != io->tid)
			continue;
		size_t done = b->wp[i].done;
		b->wp[i] = b->wp[--b->nwp];
		return io->retry ? done : 0;
	}
	return 0;
}

static long save_progress(struct pipebuf *b, const struct obj_io *io,
			  size_t done)
{
	struct pb_progress *wp = realloc(b->wp, (b->nwp + 1) * sizeof(*wp));

	if (!wp)
		return -ENOMEM;
	b->wp = wp;
	wp[b->nwp++] = (struct pb_progress){ io->tid, done };
	return -EAGAIN;
}

long pipebuf_write(struct pipebuf *b, const struct obj_io *io,
		   const void *buf, size_t n, int flags)
{
	size_t done = take_progress(b, io), head = n % PIPEBUF_PAGE;
	long k;

	/* as Linux: the first n % 4096 bytes top up the last page if they
	 * all fit there, the rest goes into fresh pages */
	if (done == 0 && head && !(flags & PB_PACKET) && merge(b, buf, head))
		done = head;
	k = fill(b, (const uint8_t *)buf + done, n - done, flags & PB_PACKET);
	if (k < 0)
		return done ? (long)done : k;
	done += (size_t)k;
	if (done == n)
		return (long)n;
	if (flags & PB_NONBLOCK)
		return done ? (long)done : -EAGAIN;
	return save_progress(b, io, done);
}

size_t pipebuf_abort(struct pipebuf *b, const struct obj_io *io)
{
	return take_progress(b, io);
}
