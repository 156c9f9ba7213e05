/* core/pipebuf.h — a bounded byte queue with Linux pipe rules, shared by
 * pipes and stream socket pairs. Like Linux it holds pages: up to
 * cap/4096 page slots; a write first tops up the last page with its
 * n % 4096 tail bytes if they all fit, then fills fresh pages. So writes
 * of at most PIPE_ATOMIC bytes go in whole or not at all, and a full
 * pipe stays full until a whole page is read. A bigger blocking write
 * goes in page by page as slots free up, its progress kept per writing
 * task so that the retried syscall goes on where it stopped. */
#ifndef DEJA_PIPEBUF_H
#define DEJA_PIPEBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/fileobj.h"

#define PIPEBUF_PAGE 4096

struct pipebuf {
	struct pb_slot {
		uint8_t *page;
		uint16_t off, len;
		bool packet;        /* O_DIRECT: one write, read at once */
	} *slot;
	size_t nslots, tail, used;  /* ring of used slots from tail */
	size_t len;                 /* bytes queued */
	struct pb_progress { uint32_t tid; size_t done; } *wp;
	size_t nwp;                 /* writers blocked midway */
};

/* CAP bytes: a multiple of PIPEBUF_PAGE. */
void pipebuf_init(struct pipebuf *b, size_t cap);
void pipebuf_free(struct pipebuf *b);
/* Deep copy; 0 or -ENOMEM (DST then needs no freeing). */
int pipebuf_copy(struct pipebuf *dst, const struct pipebuf *src);
/* Take up to N bytes; returns how many (0 if empty). */
size_t pipebuf_read(struct pipebuf *b, void *buf, size_t n);
/* Put BUF[N] as a pipe write. Returns N (or fewer when PB_NONBLOCK and
 * the queue fills), or -EAGAIN: nothing more fits now; a blocking write
 * then remembers what it wrote for IO->tid's retry. PB_PACKET (a pipe
 * written through O_DIRECT): every page is a packet, never topped up,
 * and a read takes at most one packet, dropping what it leaves. */
#define PB_NONBLOCK 1
#define PB_PACKET 2
long pipebuf_write(struct pipebuf *b, const struct obj_io *io,
		   const void *buf, size_t n, int flags);
/* The readers are gone: forget IO's progress; returns the bytes a
 * blocked write had already put (its result instead of -EPIPE if > 0). */
size_t pipebuf_abort(struct pipebuf *b, const struct obj_io *io);
/* A free page slot (POLLOUT). */
static inline bool pipebuf_room(const struct pipebuf *b)
{
	return b->used < b->nslots;
}

#endif
