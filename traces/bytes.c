/* traces/bytes.c — growable output buffers and bounded input cursors with
 * LEB128 varints. Every read is bounds-checked: malformed input yields
 * TRACE_E_CORRUPT, never a read past the end. */
#include <stdlib.h>

#include "traces/format.h"

int trace_obuf_reserve(struct obuf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 4096;
	uint8_t *p;

	if (more > SIZE_MAX / 2 - b->len)
		return TRACE_E_NOMEM;
	if (b->len + more <= b->cap)
		return TRACE_OK;
	while (cap < b->len + more)
		cap *= 2;
	p = realloc(b->p, cap);
	if (!p)
		return TRACE_E_NOMEM;
	b->p = p;
	b->cap = cap;
	return TRACE_OK;
}

void trace_obuf_free(struct obuf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void trace_put_u8(struct obuf *b, uint8_t v)
{
	b->p[b->len++] = v;
}

void trace_put_varint(struct obuf *b, uint64_t v)
{
	while (v >= 0x80) {
		b->p[b->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b->p[b->len++] = (uint8_t)v;
}

void trace_put_bytes(struct obuf *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

int trace_get_u8(struct ibuf *b, uint8_t *v)
{
	if (b->pos >= b->len)
		return TRACE_E_CORRUPT;
	*v = b->p[b->pos++];
	return TRACE_OK;
}

/* At most 10 bytes; the 10th may only carry the top bit of a u64. */
int trace_get_varint(struct ibuf *b, uint64_t *v)
{
	uint64_t x = 0;

	for (int i = 0; i < 10; i++) {
		uint8_t c;

		if (b->pos >= b->len)
			return TRACE_E_CORRUPT;
		c = b->p[b->pos++];
		if (i == 9 && c > 1)
			return TRACE_E_CORRUPT;
		x |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			*v = x;
			return TRACE_OK;
		}
	}
	return TRACE_E_CORRUPT;
}

int trace_get_u32(struct ibuf *b, uint32_t *v)
{
	uint64_t x;
	int err = trace_get_varint(b, &x);

	if (err)
		return err;
	if (x > UINT32_MAX)
		return TRACE_E_CORRUPT;
	*v = (uint32_t)x;
	return TRACE_OK;
}

int trace_get_bytes(struct ibuf *b, size_t n, const uint8_t **p)
{
	if (n > b->len - b->pos)
		return TRACE_E_CORRUPT;
	*p = b->p + b->pos;
	b->pos += n;
	return TRACE_OK;
}
