/* traces/trace.h — the trace file: metadata, the event stream and the
 * content-addressed blob store. Writer and reader; no knowledge of the
 * kernel beyond the event fields below. Format: docs/TRACE-FORMAT.md. */
#ifndef DEJA_TRACE_H
#define DEJA_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TRACE_VERSION 2

/* Errors are small negative numbers; trace_strerror() names them. */
enum trace_err {
	TRACE_OK = 0,
	TRACE_E_IO = -1,        /* open/read/write failed (errno kept) */
	TRACE_E_MAGIC = -2,     /* not a deja trace */
	TRACE_E_VERSION = -3,   /* a deja trace of another format version */
	TRACE_E_CORRUPT = -4,   /* checksum or structure mismatch */
	TRACE_E_TRUNCATED = -5, /* the file ends inside a chunk or before END */
	TRACE_E_NOMEM = -6,
	TRACE_E_END = -7,       /* no more events (clean end of stream) */
	TRACE_E_NOBLOB = -8,    /* a referenced blob is not in the trace */
	TRACE_E_INVAL = -9,     /* bad argument (event type, nargs, size) */
};
const char *trace_strerror(int err);

/* Who recorded what, where. Strings are owned by the meta object. */
struct trace_meta {
	char *program;        /* absolute path of the executable */
	int argc;
	char **argv;
	int envc;
	char **envp;
	char *cwd;
	char *hostname;
	char *kernel;         /* uname -srvm */
	char *cpu_model;      /* brand string */
	uint32_t cpuid_leaf1_eax; /* family/model/stepping signature */
	char *deja_version;
	int64_t record_time_ns;   /* CLOCK_REALTIME at start of recording */
};
void trace_meta_free(struct trace_meta *m);

/* Event kinds. Append only: values are part of the file format. */
enum ev_type {
	EV_SYSCALL = 1, /* a guest syscall completed: nr, args, rip, result */
	EV_HOST = 2,    /* a nondeterministic input: op, result, data or blob */
	EV_EXIT = 3,    /* the guest system ended: result = wait status */
};

/* One event. Only the fields that apply to its type are stored.
 * 'data' in an event returned by the reader points into the reader's
 * buffer and stays valid until the next trace_reader_next(), _seek() or
 * _rewind() call. */
struct trace_event {
	uint64_t index;      /* event number, assigned by writer and reader */
	uint8_t type;        /* enum ev_type */
	uint32_t tid;        /* guest thread id */
	uint32_t op;         /* EV_SYSCALL: syscall nr; EV_HOST: host op */
	int64_t result;
	uint8_t nargs;       /* 0..6 */
	uint64_t args[6];
	uint64_t rip;        /* guest pc, 0 if not applicable */
	const uint8_t *data; /* inline payload */
	uint32_t data_len;
	bool has_blob;       /* payload stored in the blob store instead */
	uint8_t blob[16];    /* XXH3-128 of the blob's bytes */
};

/* ---- writing ---- */
struct trace_writer;

/* Create PATH (truncating) and write the header and META chunk. */
struct trace_writer *trace_writer_open(const char *path,
				       const struct trace_meta *meta, int *err);
/* Append an event; assigns and returns its index through ev->index. */
int trace_writer_put(struct trace_writer *w, struct trace_event *ev);
/* Store bytes once by content; returns their hash (dedup by hash). */
int trace_writer_put_blob(struct trace_writer *w, const void *data,
			  size_t len, uint8_t hash[16]);
/* Flush buffered events into a chunk now (also done every ~256 KiB). */
int trace_writer_flush(struct trace_writer *w);
/* Flush, write the END chunk and close. Frees w in all cases. */
int trace_writer_close(struct trace_writer *w);
uint64_t trace_writer_events(const struct trace_writer *w);

/* ---- reading ---- */
struct trace_reader;

/* Open and verify the whole file: header, every chunk's checksum.
 * A file cut inside a chunk or without END opens (its complete chunks
 * are readable) and reports trace_reader_complete() == false. */
struct trace_reader *trace_reader_open(const char *path, int *err);
const struct trace_meta *trace_reader_meta(const struct trace_reader *r);
bool trace_reader_complete(const struct trace_reader *r);
uint64_t trace_reader_event_count(const struct trace_reader *r);
/* Next event: 0, TRACE_E_END after the last one, or an error. */
int trace_reader_next(struct trace_reader *r, struct trace_event *ev);
/* Restart the event stream at event 0. */
int trace_reader_rewind(struct trace_reader *r);
/* Position the stream so that the next trace_reader_next() returns event
 * INDEX (0-based); INDEX == trace_reader_event_count() positions at the
 * end (next returns TRACE_E_END). Decodes only inside INDEX's chunk.
 * 0, TRACE_E_INVAL beyond the count (position unchanged), or the error
 * met while decoding (sticky, as for next, until a seek or rewind). */
int trace_reader_seek(struct trace_reader *r, uint64_t index);
/* A malloc'd copy of a blob; caller frees *data. */
int trace_reader_blob(struct trace_reader *r, const uint8_t hash[16],
		      void **data, size_t *len);
/* Sizes for `deja info`: file bytes, blob count and bytes, chunk count.
 * blob_bytes and raw_event_bytes are uncompressed sizes; the comp_
 * fields are the compressed payload bytes stored in the file. */
struct trace_stats {
	uint64_t file_bytes, event_chunks, events, blobs, blob_bytes,
		raw_event_bytes;
	uint64_t comp_event_bytes, comp_blob_bytes;
};
void trace_reader_stats(const struct trace_reader *r, struct trace_stats *s);
void trace_reader_close(struct trace_reader *r);

/* Content hash used for blobs (XXH3-128), exposed for tests. */
void trace_hash(const void *data, size_t len, uint8_t out[16]);

#endif
