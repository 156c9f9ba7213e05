/* traces/chunk.c — chunk framing: the file header, chunk headers, their
 * XXH3-64 checksums, zstd decompression and whole-range file I/O. Knows
 * nothing about what the payloads mean. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY  /* XXH3_state_t on the stack */
#include <xxhash.h>
#include <zstd.h>

#include "traces/format.h"

#define SUM_PIECE (1u << 20)  /* bytes read at a time when checksumming */

void trace_file_hdr_pack(uint8_t out[FILE_HDR_SIZE], uint32_t version)
{
	memcpy(out, TRACE_MAGIC, TRACE_MAGIC_LEN);
	le32_put(out + 8, version);
	le32_put(out + 12, (uint32_t)XXH3_64bits(out, 12));
}

int trace_file_hdr_check(const uint8_t *p, size_t len)
{
	size_t n = len < TRACE_MAGIC_LEN ? len : TRACE_MAGIC_LEN;

	if (memcmp(p, TRACE_MAGIC, n))
		return TRACE_E_MAGIC;
	if (len < FILE_HDR_SIZE)
		return TRACE_E_TRUNCATED;
	if (le32_get(p + 8) != TRACE_VERSION)
		return TRACE_E_VERSION;
	if (le32_get(p + 12) != (uint32_t)XXH3_64bits(p, 12))
		return TRACE_E_CORRUPT;
	return TRACE_OK;
}

static void hdr_fields(uint8_t out[CHUNK_HDR_SIZE], const struct chunk_hdr *h)
{
	memset(out, 0, CHUNK_HDR_SIZE);
	le32_put(out, CHUNK_MAGIC);
	out[4] = h->type;
	le64_put(out + 8, h->raw_len);
	le64_put(out + 16, h->comp_len);
	memcpy(out + 24, h->info, 16);
}

static uint64_t payload_sum(const uint8_t hdr[CHUNK_HDR_SIZE],
			    const void *payload, size_t len)
{
	XXH3_state_t st;

	XXH3_INITSTATE(&st);
	XXH3_64bits_reset(&st);
	XXH3_64bits_update(&st, hdr, CHUNK_SUMMED);
	XXH3_64bits_update(&st, payload, len);
	return XXH3_64bits_digest(&st);
}

void trace_chunk_hdr_pack(uint8_t out[CHUNK_HDR_SIZE], struct chunk_hdr *h,
			  const void *payload)
{
	hdr_fields(out, h);
	h->sum = payload_sum(out, payload, h->comp_len);
	le64_put(out + 40, h->sum);
	le64_put(out + 48, XXH3_64bits(out, 48));
}

int trace_chunk_hdr_unpack(const uint8_t in[CHUNK_HDR_SIZE],
			   struct chunk_hdr *h)
{
	if (le32_get(in) != CHUNK_MAGIC ||
	    le64_get(in + 48) != XXH3_64bits(in, 48))
		return TRACE_E_CORRUPT;
	if (in[4] < CHUNK_META || in[4] > CHUNK_END || in[5] || in[6] || in[7])
		return TRACE_E_CORRUPT;
	h->type = in[4];
	h->raw_len = le64_get(in + 8);
	h->comp_len = le64_get(in + 16);
	memcpy(h->info, in + 24, 16);
	h->sum = le64_get(in + 40);
	/* a zstd frame is never empty and never far larger than its input */
	if (h->comp_len == 0 || h->comp_len > ZSTD_compressBound(h->raw_len))
		return TRACE_E_CORRUPT;
	return TRACE_OK;
}

int trace_chunk_sum_check(const uint8_t hdr[CHUNK_HDR_SIZE],
			  const struct chunk_hdr *h, const void *payload)
{
	if (payload_sum(hdr, payload, h->comp_len) != h->sum)
		return TRACE_E_CORRUPT;
	return TRACE_OK;
}

int trace_chunk_sum_check_fd(int fd, uint64_t off,
			     const uint8_t hdr[CHUNK_HDR_SIZE],
			     const struct chunk_hdr *h)
{
	uint64_t done = 0;
	XXH3_state_t st;
	uint8_t *buf;
	int err = TRACE_OK;

	buf = malloc(h->comp_len < SUM_PIECE ? h->comp_len : SUM_PIECE);
	if (!buf)
		return TRACE_E_NOMEM;
	XXH3_INITSTATE(&st);
	XXH3_64bits_reset(&st);
	XXH3_64bits_update(&st, hdr, CHUNK_SUMMED);
	while (done < h->comp_len) {
		size_t n = h->comp_len - done < SUM_PIECE ?
				   (size_t)(h->comp_len - done) : SUM_PIECE;

		err = trace_pread_full(fd, buf, n, off + CHUNK_HDR_SIZE + done);
		if (err)
			goto out;
		XXH3_64bits_update(&st, buf, n);
		done += n;
	}
	if (XXH3_64bits_digest(&st) != h->sum)
		err = TRACE_E_CORRUPT;
out:
	free(buf);
	return err;
}

int trace_unzstd(const void *comp, size_t clen, void *raw, size_t rlen)
{
	unsigned long long fsize = ZSTD_getFrameContentSize(comp, clen);
	size_t n;

	if (fsize != rlen || ZSTD_findFrameCompressedSize(comp, clen) != clen)
		return TRACE_E_CORRUPT;
	n = ZSTD_decompress(raw, rlen, comp, clen);
	if (ZSTD_isError(n) || n != rlen)
		return TRACE_E_CORRUPT;
	return TRACE_OK;
}

int trace_chunk_load(int fd, uint64_t off, struct chunk_hdr *h,
		     uint64_t raw_max, uint8_t **raw)
{
	uint8_t hdr[CHUNK_HDR_SIZE], *comp = NULL;
	int err;

	*raw = NULL;
	if ((err = trace_pread_full(fd, hdr, sizeof(hdr), off)) ||
	    (err = trace_chunk_hdr_unpack(hdr, h)))
		return err;
	if (h->raw_len > raw_max || h->raw_len >= SIZE_MAX)
		return TRACE_E_CORRUPT;
	comp = malloc(h->comp_len);
	*raw = malloc(h->raw_len + 1);
	if (!comp || !*raw) {
		err = TRACE_E_NOMEM;
		goto out;
	}
	if ((err = trace_pread_full(fd, comp, h->comp_len,
				    off + CHUNK_HDR_SIZE)) ||
	    (err = trace_chunk_sum_check(hdr, h, comp)))
		goto out;
	err = trace_unzstd(comp, h->comp_len, *raw, h->raw_len);
out:
	free(comp);
	if (err) {
		free(*raw);
		*raw = NULL;
	}
	return err;
}

int trace_pread_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return TRACE_E_IO;
		if (n == 0)
			return TRACE_E_TRUNCATED;
		done += (size_t)n;
	}
	return TRACE_OK;
}

int trace_write_full(int fd, const void *buf, size_t len)
{
	size_t done = 0;

	/* one write() in practice; the loop only covers writes > 2 GiB
	 * and signals */
	while (done < len) {
		ssize_t n = write(fd, (const uint8_t *)buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return TRACE_E_IO;
		if (n == 0) {
			errno = ENOSPC;
			return TRACE_E_IO;
		}
		done += (size_t)n;
	}
	return TRACE_OK;
}
