/* traces/format.h — internal to traces/: the byte layout of a trace file
 * (docs/TRACE-FORMAT.md), little-endian helpers, bounded byte cursors and
 * the codecs shared by the writer and the reader. Nothing outside
 * traces/ (and its unit test) may include this header. */
#ifndef DEJA_TRACE_FORMAT_H
#define DEJA_TRACE_FORMAT_H

#include <stdint.h>
#include <string.h>

#include "traces/trace.h"

/* File header: magic[8] "DEJATRC\0", u32 version, u32 check (low 32 bits
 * of XXH3-64 over the first 12 bytes). */
#define TRACE_MAGIC "DEJATRC"           /* 7 chars + its NUL = 8 bytes */
#define TRACE_MAGIC_LEN 8
#define FILE_HDR_SIZE 16

/* Chunk header, 56 bytes:
 *   0 u32 magic "DJCK"   4 u8 type   5 u8[3] zero
 *   8 u64 raw_len       16 u64 comp_len
 *  24 u8[16] info       40 u64 sum (XXH3-64 of bytes 0..39 + payload)
 *  48 u64 hdr_sum (XXH3-64 of bytes 0..47) */
#define CHUNK_MAGIC 0x4b434a44u         /* "DJCK" read little-endian */
#define CHUNK_HDR_SIZE 56
#define CHUNK_SUMMED 40                 /* header bytes covered by sum */

enum chunk_type {
	CHUNK_META = 1,
	CHUNK_EVENTS = 2,
	CHUNK_BLOB = 3,
	CHUNK_END = 4,
};

/* Sizes, in bytes of uncompressed payload unless noted. */
#define EVENTS_FLUSH_BYTES (256u << 10) /* writer cuts a chunk here */
#define EVENTS_RAW_MAX (64u << 20)
#define META_RAW_MAX (16u << 20)
#define END_RAW_SIZE 16                 /* u64 events, u64 blobs */
#define BLOB_RAW_MAX (4ull << 30)
#define EVENT_DATA_MAX (16u << 20)      /* larger payloads go to blobs */
#define EVENT_MIN_BYTES 4               /* type, flags, op, result */
#define EVENT_MAX_FIXED 128             /* an event without data/blob */

struct chunk_hdr {
	uint8_t type;           /* enum chunk_type */
	uint64_t raw_len;       /* payload bytes after decompression */
	uint64_t comp_len;      /* payload bytes in the file (zstd frame) */
	uint8_t info[16];       /* EVENTS: u64 first, u64 count; BLOB: hash */
	uint64_t sum;
};

/* ---- little-endian loads and stores ---- */
static inline void le32_put(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void le64_put(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t le32_get(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t le64_get(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static inline uint64_t zigzag_enc(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline int64_t zigzag_dec(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* ---- byte cursors (traces/bytes.c) ---- */

/* Growable output buffer. */
struct obuf {
	uint8_t *p;
	size_t len, cap;
};
int trace_obuf_reserve(struct obuf *b, size_t more);  /* 0 or NOMEM */
void trace_obuf_free(struct obuf *b);
/* These assume trace_obuf_reserve() made room (a varint is <= 10 bytes). */
void trace_put_u8(struct obuf *b, uint8_t v);
void trace_put_varint(struct obuf *b, uint64_t v);
void trace_put_bytes(struct obuf *b, const void *p, size_t n);

/* Bounded input cursor: every get fails with TRACE_E_CORRUPT instead of
 * reading past len. */
struct ibuf {
	const uint8_t *p;
	size_t len, pos;
};
int trace_get_u8(struct ibuf *b, uint8_t *v);
int trace_get_varint(struct ibuf *b, uint64_t *v);
int trace_get_u32(struct ibuf *b, uint32_t *v);        /* varint <= 2^32-1 */
int trace_get_bytes(struct ibuf *b, size_t n, const uint8_t **p);

/* ---- events (traces/event.c) ---- */

/* Delta state: reset at the start of every EVENTS chunk so that each
 * chunk decodes on its own. Indexed by event type. */
struct ev_state {
	uint32_t tid;
	uint64_t args[4][6];
	uint64_t rip[4];
};
void trace_ev_state_reset(struct ev_state *s);
int trace_ev_check(const struct trace_event *ev);      /* 0 or INVAL */
int trace_ev_encode(struct obuf *b, struct ev_state *s,
		    const struct trace_event *ev);
int trace_ev_decode(struct ibuf *b, struct ev_state *s,
		    struct trace_event *ev);

/* ---- metadata (traces/meta.c) ---- */
int trace_meta_encode(struct obuf *b, const struct trace_meta *m);
int trace_meta_decode(const uint8_t *p, size_t len, struct trace_meta *m);

/* ---- chunks (traces/chunk.c) ---- */
void trace_file_hdr_pack(uint8_t out[FILE_HDR_SIZE], uint32_t version);
/* 0, MAGIC, VERSION, CORRUPT or TRUNCATED (len < FILE_HDR_SIZE). */
int trace_file_hdr_check(const uint8_t *p, size_t len);

/* Pack h into out, computing h->sum over the payload (comp_len bytes). */
void trace_chunk_hdr_pack(uint8_t out[CHUNK_HDR_SIZE], struct chunk_hdr *h,
			  const void *payload);
/* Unpack and check magic, hdr_sum, type and padding: 0 or CORRUPT. */
int trace_chunk_hdr_unpack(const uint8_t in[CHUNK_HDR_SIZE],
			   struct chunk_hdr *h);
/* Check the payload sum of a chunk whose header was unpacked from hdr. */
int trace_chunk_sum_check(const uint8_t hdr[CHUNK_HDR_SIZE],
			  const struct chunk_hdr *h, const void *payload);
/* Same, reading the payload at OFF from fd in pieces (no big buffer). */
int trace_chunk_sum_check_fd(int fd, uint64_t off,
			     const uint8_t hdr[CHUNK_HDR_SIZE],
			     const struct chunk_hdr *h);
/* Read header+payload of the chunk at OFF, verify it and decompress into a
 * malloc'd buffer of exactly h->raw_len bytes (+1 so 0 is fine). */
int trace_chunk_load(int fd, uint64_t off, struct chunk_hdr *h,
		     uint64_t raw_max, uint8_t **raw);
/* Decompress exactly raw_len bytes; CORRUPT on any mismatch. */
int trace_unzstd(const void *comp, size_t clen, void *raw, size_t rlen);

/* pread/write the whole range: 0, IO, or TRUNCATED at end of file. */
int trace_pread_full(int fd, void *buf, size_t len, uint64_t off);
int trace_write_full(int fd, const void *buf, size_t len);

#endif
