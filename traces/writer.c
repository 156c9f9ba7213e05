/* traces/writer.c — trace_writer_*: buffers events into EVENTS chunks of
 * ~256 KiB, stores blobs once each, and writes every chunk with one
 * write() so a recorder killed at any moment leaves the chunks before it
 * readable. Not thread-safe: one writer per recording. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <zstd.h>

#include "traces/format.h"

#define ZSTD_LEVEL 3

/* Open-addressed set of blob hashes already in the file. */
struct blob_set {
	uint8_t (*h)[16];
	bool *used;
	size_t cap, n;
};

struct trace_writer {
	int fd;
	int failed;             /* sticky error once a write failed */
	ZSTD_CCtx *cctx;
	struct obuf ev;         /* raw events of the pending chunk */
	struct ev_state st;
	uint64_t events;        /* events put so far */
	uint64_t first;         /* index of the first pending event */
	uint8_t *out;           /* header + compressed payload */
	size_t out_cap;
	struct blob_set blobs;
};

static size_t blob_slot(const struct blob_set *s, const uint8_t h[16])
{
	return (size_t)le64_get(h) & (s->cap - 1);
}

static bool blob_set_has(const struct blob_set *s, const uint8_t h[16])
{
	if (!s->cap)
		return false;
	for (size_t i = blob_slot(s, h); s->used[i]; i = (i + 1) & (s->cap - 1))
		if (!memcmp(s->h[i], h, 16))
			return true;
	return false;
}

static void blob_set_put(struct blob_set *s, const uint8_t h[16])
{
	size_t i = blob_slot(s, h);

	while (s->used[i])
		i = (i + 1) & (s->cap - 1);
	memcpy(s->h[i], h, 16);
	s->used[i] = true;
	s->n++;
}

/* Keep the load factor under 1/2. */
static int blob_set_grow(struct blob_set *s)
{
	struct blob_set g = { 0 };

	if (s->cap && (s->n + 1) * 2 <= s->cap)
		return TRACE_OK;
	g.cap = s->cap ? s->cap * 2 : 64;
	g.h = malloc(g.cap * 16);
	g.used = calloc(g.cap, sizeof(bool));
	if (!g.h || !g.used) {
		free(g.h);
		free(g.used);
		return TRACE_E_NOMEM;
	}
	for (size_t i = 0; i < s->cap; i++)
		if (s->used[i])
			blob_set_put(&g, s->h[i]);
	free(s->h);
	free(s->used);
	*s = g;
	return TRACE_OK;
}

/* Compress RAW and write header + payload with a single write(). */
static int write_chunk(struct trace_writer *w, uint8_t type,
		       const uint8_t info[16], const void *raw, size_t len)
{
	struct chunk_hdr h = { .type = type, .raw_len = len };
	size_t need = CHUNK_HDR_SIZE + ZSTD_compressBound(len), n;
	int err;

	if (w->failed)
		return w->failed;
	if (need > w->out_cap) {
		uint8_t *p = realloc(w->out, need);

		if (!p)
			return TRACE_E_NOMEM;
		w->out = p;
		w->out_cap = need;
	}
	n = ZSTD_compressCCtx(w->cctx, w->out + CHUNK_HDR_SIZE,
			      need - CHUNK_HDR_SIZE, raw, len, ZSTD_LEVEL);
	if (ZSTD_isError(n))
		return TRACE_E_NOMEM;
	h.comp_len = n;
	if (info)
		memcpy(h.info, info, 16);
	trace_chunk_hdr_pack(w->out, &h, w->out + CHUNK_HDR_SIZE);
	err = trace_write_full(w->fd, w->out, CHUNK_HDR_SIZE + n);
	if (err)
		w->failed = err;
	/* a blob's buffer is not worth keeping around */
	if (w->out_cap > 2 * (EVENTS_FLUSH_BYTES + EVENT_DATA_MAX)) {
		free(w->out);
		w->out = NULL;
		w->out_cap = 0;
	}
	return err;
}

static void writer_free(struct trace_writer *w)
{
	if (w->fd >= 0)
		close(w->fd);
	ZSTD_freeCCtx(w->cctx);
	trace_obuf_free(&w->ev);
	free(w->out);
	free(w->blobs.h);
	free(w->blobs.used);
	free(w);
}

struct trace_writer *trace_writer_open(const char *path,
				       const struct trace_meta *meta, int *err)
{
	struct trace_writer *w = calloc(1, sizeof(*w));
	struct obuf m = { 0 };
	uint8_t hdr[FILE_HDR_SIZE];
	int e = TRACE_E_NOMEM;

	if (!w)
		goto fail;
	w->fd = -1;
	w->cctx = ZSTD_createCCtx();
	if (!w->cctx || (e = trace_meta_encode(&m, meta)))
		goto fail;
	e = TRACE_E_INVAL;
	if (m.len > META_RAW_MAX)
		goto fail;
	e = TRACE_E_IO;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0)
		goto fail;
	trace_file_hdr_pack(hdr, TRACE_VERSION);
	if ((e = trace_write_full(w->fd, hdr, sizeof(hdr))) ||
	    (e = write_chunk(w, CHUNK_META, NULL, m.p, m.len)))
		goto fail;
	trace_obuf_free(&m);
	if (err)
		*err = TRACE_OK;
	return w;
fail:
	trace_obuf_free(&m);
	if (w) {
		int saved = errno;

		writer_free(w);
		errno = saved;
	}
	if (err)
		*err = e;
	return NULL;
}

int trace_writer_flush(struct trace_writer *w)
{
	uint8_t info[16];
	uint64_t count = w->events - w->first;
	int err;

	if (w->failed)
		return w->failed;
	if (!count)
		return TRACE_OK;
	le64_put(info, w->first);
	le64_put(info + 8, count);
	err = write_chunk(w, CHUNK_EVENTS, info, w->ev.p, w->ev.len);
	if (err)
		return err;
	w->ev.len = 0;
	w->first = w->events;
	trace_ev_state_reset(&w->st);
	return TRACE_OK;
}

int trace_writer_put(struct trace_writer *w, struct trace_event *ev)
{
	struct ev_state saved = w->st;
	int err;

	if (w->failed)
		return w->failed;
	if (ev->has_blob && !blob_set_has(&w->blobs, ev->blob))
		return TRACE_E_NOBLOB;
	err = trace_ev_encode(&w->ev, &w->st, ev);
	if (err) {
		w->st = saved;
		return err;
	}
	ev->index = w->events++;
	if (w->ev.len >= EVENTS_FLUSH_BYTES)
		return trace_writer_flush(w);
	return TRACE_OK;
}

int trace_writer_put_blob(struct trace_writer *w, const void *data,
			  size_t len, uint8_t hash[16])
{
	int err;

	if (w->failed)
		return w->failed;
	if (len > BLOB_RAW_MAX || (len && !data))
		return TRACE_E_INVAL;
	trace_hash(data, len, hash);
	if (blob_set_has(&w->blobs, hash))
		return TRACE_OK;
	if ((err = blob_set_grow(&w->blobs)) ||
	    (err = write_chunk(w, CHUNK_BLOB, hash, data, len)))
		return err;
	blob_set_put(&w->blobs, hash);
	return TRACE_OK;
}

int trace_writer_close(struct trace_writer *w)
{
	uint8_t end[END_RAW_SIZE];
	int err;

	if (!w)
		return TRACE_E_INVAL;
	err = trace_writer_flush(w);
	if (!err) {
		le64_put(end, w->events);
		le64_put(end + 8, w->blobs.n);
		err = write_chunk(w, CHUNK_END, NULL, end, sizeof(end));
	}
	if (close(w->fd) && !err)
		err = TRACE_E_IO;
	w->fd = -1;
	writer_free(w);
	return err;
}

uint64_t trace_writer_events(const struct trace_writer *w)
{
	return w->events;
}
