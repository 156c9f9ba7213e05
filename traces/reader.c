/* traces/reader.c — trace_reader_*: opens a trace, verifies the header and
 * every chunk's checksums up front, indexes event and blob chunks, then
 * streams events one decompressed chunk at a time; a seek finds its chunk
 * in that index and decodes only inside it. A file cut short (a recorder
 * killed mid-write) opens with its complete chunks usable. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "traces/format.h"

struct chunk_ref {
	uint64_t off, raw_len, first, count;
};

struct blob_ref {
	uint8_t hash[16];
	uint64_t off, raw_len;
};

struct trace_reader {
	int fd;
	bool complete;
	struct trace_meta meta;
	struct trace_stats st;
	struct chunk_ref *chunks;
	size_t nchunks;
	struct blob_ref *blobs;
	size_t nblobs;
	/* event cursor */
	size_t cur;             /* next chunk to load */
	uint8_t *buf;           /* raw events of the loaded chunk */
	size_t loaded;          /* 1 + index of the chunk in buf; 0: none */
	struct ibuf in;
	uint64_t left;          /* events left in the loaded chunk */
	uint64_t next_index;
	struct ev_state es;
	int failed;             /* sticky decode error */
};

/* Grow *v (of elem-sized items) to hold n + 1. */
static int grow(void **v, size_t n, size_t elem)
{
	void *p;

	if (n & (n - 1))        /* capacity: n rounded up to a power of 2 */
		return TRACE_OK;
	p = realloc(*v, (n ? n * 2 : 1) * elem);
	if (!p)
		return TRACE_E_NOMEM;
	*v = p;
	return TRACE_OK;
}

static int add_meta(struct trace_reader *r, uint64_t off)
{
	struct chunk_hdr h;
	uint8_t *raw;
	int err = trace_chunk_load(r->fd, off, &h, META_RAW_MAX, &raw);

	if (err)
		return err == TRACE_E_TRUNCATED ? TRACE_E_CORRUPT : err;
	err = trace_meta_decode(raw, h.raw_len, &r->meta);
	free(raw);
	return err;
}

static int add_events(struct trace_reader *r, uint64_t off,
		      const struct chunk_hdr *h)
{
	struct chunk_ref *c;
	uint64_t first = le64_get(h->info), count = le64_get(h->info + 8);

	if (first != r->st.events || count == 0 ||
	    count > h->raw_len / EVENT_MIN_BYTES)
		return TRACE_E_CORRUPT;
	if (grow((void **)&r->chunks, r->nchunks, sizeof(*c)))
		return TRACE_E_NOMEM;
	c = &r->chunks[r->nchunks++];
	*c = (struct chunk_ref){ off, h->raw_len, first, count };
	r->st.events += count;
	r->st.event_chunks++;
	r->st.raw_event_bytes += h->raw_len;
	r->st.comp_event_bytes += h->comp_len;
	return TRACE_OK;
}

static int add_blob(struct trace_reader *r, uint64_t off,
		    const struct chunk_hdr *h)
{
	struct blob_ref *b;

	if (grow((void **)&r->blobs, r->nblobs, sizeof(*b)))
		return TRACE_E_NOMEM;
	b = &r->blobs[r->nblobs++];
	memcpy(b->hash, h->info, 16);
	b->off = off;
	b->raw_len = h->raw_len;
	r->st.blobs++;
	r->st.blob_bytes += h->raw_len;
	r->st.comp_blob_bytes += h->comp_len;
	return TRACE_OK;
}

/* The END chunk repeats the event and blob counts. */
static int check_end(struct trace_reader *r, uint64_t off)
{
	struct chunk_hdr h;
	uint8_t *raw;
	int err = trace_chunk_load(r->fd, off, &h, END_RAW_SIZE, &raw);

	if (err)
		return err == TRACE_E_TRUNCATED ? TRACE_E_CORRUPT : err;
	if (h.raw_len != END_RAW_SIZE || le64_get(raw) != r->st.events ||
	    le64_get(raw + 8) != r->st.blobs)
		err = TRACE_E_CORRUPT;
	free(raw);
	return err;
}

static uint64_t raw_limit(uint8_t type)
{
	switch (type) {
	case CHUNK_META:
		return META_RAW_MAX;
	case CHUNK_EVENTS:
		return EVENTS_RAW_MAX;
	case CHUNK_BLOB:
		return BLOB_RAW_MAX;
	default:
		return END_RAW_SIZE;
	}
}

/* Check and index one chunk whose header was read at OFF. */
static int add_chunk(struct trace_reader *r, uint64_t off,
		     const uint8_t hdr[CHUNK_HDR_SIZE],
		     const struct chunk_hdr *h, bool first)
{
	int err;

	if (h->raw_len > raw_limit(h->type) ||
	    first != (h->type == CHUNK_META))
		return TRACE_E_CORRUPT;
	if ((err = trace_chunk_sum_check_fd(r->fd, off, hdr, h)))
		return err == TRACE_E_TRUNCATED ? TRACE_E_CORRUPT : err;
	switch (h->type) {
	case CHUNK_META:
		return add_meta(r, off);
	case CHUNK_EVENTS:
		return add_events(r, off, h);
	case CHUNK_BLOB:
		return add_blob(r, off, h);
	default:
		return check_end(r, off);
	}
}

/* Walk the chunks from the file header to END or to where the file
 * stops; a chunk cut short ends the walk (incomplete trace). */
static int scan(struct trace_reader *r)
{
	uint64_t off = FILE_HDR_SIZE, size = r->st.file_bytes;
	bool first = true;
	int err;

	while (size - off >= CHUNK_HDR_SIZE) {
		uint8_t hdr[CHUNK_HDR_SIZE];
		struct chunk_hdr h;

		if ((err = trace_pread_full(r->fd, hdr, sizeof(hdr), off)) ||
		    (err = trace_chunk_hdr_unpack(hdr, &h)))
			return err == TRACE_E_TRUNCATED ? TRACE_E_CORRUPT : err;
		if (h.comp_len > size - off - CHUNK_HDR_SIZE)
			break;
		if ((err = add_chunk(r, off, hdr, &h, first)))
			return err;
		first = false;
		off += CHUNK_HDR_SIZE + h.comp_len;
		if (h.type == CHUNK_END) {
			/* nothing may follow END */
			if (off != size)
				return TRACE_E_CORRUPT;
			r->complete = true;
		}
	}
	return first ? TRACE_E_TRUNCATED : TRACE_OK;
}

static int blob_cmp(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static int open_fd(struct trace_reader *r, const char *path)
{
	uint8_t hdr[FILE_HDR_SIZE];
	struct stat sb;
	size_t n;
	int err;

	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0 || fstat(r->fd, &sb))
		return TRACE_E_IO;
	r->st.file_bytes = (uint64_t)sb.st_size;
	n = r->st.file_bytes < FILE_HDR_SIZE ? (size_t)r->st.file_bytes :
					       FILE_HDR_SIZE;
	if ((err = trace_pread_full(r->fd, hdr, n, 0)))
		return err;
	return trace_file_hdr_check(hdr, n);
}

struct trace_reader *trace_reader_open(const char *path, int *err)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	int e = TRACE_E_NOMEM;

	if (!r)
		goto fail;
	r->fd = -1;
	if ((e = open_fd(r, path)) || (e = scan(r)))
		goto fail;
	if (r->nblobs)
		qsort(r->blobs, r->nblobs, sizeof(*r->blobs), blob_cmp);
	if (err)
		*err = TRACE_OK;
	return r;
fail:
	trace_reader_close(r);
	if (err)
		*err = e;
	return NULL;
}

const struct trace_meta *trace_reader_meta(const struct trace_reader *r)
{
	return &r->meta;
}

bool trace_reader_complete(const struct trace_reader *r)
{
	return r->complete;
}

uint64_t trace_reader_event_count(const struct trace_reader *r)
{
	return r->st.events;
}

static void drop_chunk(struct trace_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->loaded = 0;
	r->in = (struct ibuf){ 0 };
	r->left = 0;
}

/* Position the cursor at the first event of chunk CI, whose raw events
 * are in buf. */
static void start_chunk(struct trace_reader *r, size_t ci)
{
	const struct chunk_ref *c = &r->chunks[ci];

	r->in = (struct ibuf){ r->buf, c->raw_len, 0 };
	r->left = c->count;
	r->next_index = c->first;
	r->cur = ci + 1;
	trace_ev_state_reset(&r->es);
}

/* Load chunk CI into buf and start reading it. */
static int load_chunk(struct trace_reader *r, size_t ci)
{
	const struct chunk_ref *c = &r->chunks[ci];
	struct chunk_hdr h;
	int err;

	drop_chunk(r);
	err = trace_chunk_load(r->fd, c->off, &h, EVENTS_RAW_MAX, &r->buf);
	if (err)
		return err == TRACE_E_TRUNCATED ? TRACE_E_CORRUPT : err;
	/* the file may have changed since open */
	if (h.type != CHUNK_EVENTS || h.raw_len != c->raw_len ||
	    le64_get(h.info) != c->first || le64_get(h.info + 8) != c->count)
		return TRACE_E_CORRUPT;
	r->loaded = ci + 1;
	start_chunk(r, ci);
	return TRACE_OK;
}

int trace_reader_next(struct trace_reader *r, struct trace_event *ev)
{
	int err;

	if (r->failed)
		return r->failed;
	if (!r->left) {
		if (r->cur == r->nchunks)
			return TRACE_E_END;
		if ((err = load_chunk(r, r->cur)))
			goto fail;
	}
	ev->index = r->next_index;
	if ((err = trace_ev_decode(&r->in, &r->es, ev)))
		goto fail;
	r->next_index++;
	/* a chunk holds exactly its count of events and nothing else */
	if (!--r->left && r->in.pos != r->in.len) {
		err = TRACE_E_CORRUPT;
		goto fail;
	}
	return TRACE_OK;
fail:
	r->failed = err;
	return err;
}

int trace_reader_rewind(struct trace_reader *r)
{
	drop_chunk(r);
	r->cur = 0;
	r->next_index = 0;
	r->failed = 0;
	return TRACE_OK;
}

/* The chunk holding event INDEX (< the event count): the last one whose
 * first event is <= INDEX. */
static size_t chunk_of(const struct trace_reader *r, uint64_t index)
{
	size_t lo = 0, hi = r->nchunks;

	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (r->chunks[mid].first <= index)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

int trace_reader_seek(struct trace_reader *r, uint64_t index)
{
	struct trace_event ev;
	bool failed = r->failed;
	size_t ci;
	int err;

	if (index > r->st.events)
		return TRACE_E_INVAL;
	r->failed = 0;
	if (index == r->st.events) {
		drop_chunk(r);
		r->cur = r->nchunks;
		r->next_index = index;
		return TRACE_OK;
	}
	ci = chunk_of(r, index);
	if (r->loaded != ci + 1) {
		if ((err = load_chunk(r, ci))) {
			r->failed = err;
			return err;
		}
	} else if (failed || r->next_index > index) {
		start_chunk(r, ci);     /* decode it again from its start */
	}
	/* skip the events before INDEX; they are all in this chunk */
	while (r->next_index < index)
		if ((err = trace_reader_next(r, &ev)))
			return err;
	return TRACE_OK;
}

int trace_reader_blob(struct trace_reader *r, const uint8_t hash[16],
		      void **data, size_t *len)
{
	const struct blob_ref *b;
	struct chunk_hdr h;
	uint8_t *raw, got[16];
	int err;

	*data = NULL;
	*len = 0;
	b = r->nblobs ? bsearch(hash, r->blobs, r->nblobs, sizeof(*b),
				blob_cmp) : NULL;
	if (!b)
		return TRACE_E_NOBLOB;
	err = trace_chunk_load(r->fd, b->off, &h, BLOB_RAW_MAX, &raw);
	if (err)
		return err == TRACE_E_TRUNCATED ? TRACE_E_CORRUPT : err;
	trace_hash(raw, h.raw_len, got);
	if (h.type != CHUNK_BLOB || h.raw_len != b->raw_len ||
	    memcmp(got, hash, 16)) {
		free(raw);
		return TRACE_E_CORRUPT;
	}
	*data = raw;
	*len = h.raw_len;
	return TRACE_OK;
}

void trace_reader_stats(const struct trace_reader *r, struct trace_stats *s)
{
	*s = r->st;
}

void trace_reader_close(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	trace_meta_free(&r->meta);
	free(r->chunks);
	free(r->blobs);
	free(r->buf);
	free(r);
}
