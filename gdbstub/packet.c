/* gdbstub/packet.c — the remote protocol codec: an incremental receive
 * state machine, the framing encoder and the hex/binary argument helpers.
 * It must not know about sockets, sessions or targets. */
#include "gdbstub/packet.h"

#include <errno.h>
#include <string.h>

enum { RX_IDLE, RX_PAYLOAD, RX_RLE, RX_CSUM1, RX_CSUM2 };

/* Run-length counts are printable characters: count = c - 29, and '#'
 * and '$' (which would end or restart the frame) are never used. */
#define RLE_BIAS 29

void gdb_rx_init(struct gdb_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->state = RX_IDLE;
}

static void rx_start(struct gdb_rx *rx)
{
	rx->state = RX_PAYLOAD;
	rx->escaped = false;
	rx->after_pair = false;
	rx->broken = false;
	rx->sum = 0;
	rx->cc = 0;
	rx->len = 0;
}

static void rx_store(struct gdb_rx *rx, char c)
{
	if (rx->len >= GDB_PACKET_SIZE) {
		rx->broken = true;
		return;
	}
	rx->buf[rx->len++] = c;
}

/* The byte after '*': repeat the previous byte COUNT more times. The
 * previous byte must exist and must not be the tail of an escape pair. */
static void rx_rle(struct gdb_rx *rx, uint8_t c)
{
	int count = (int)c - RLE_BIAS;

	if (rx->broken)
		return;
	if (rx->len == 0 || rx->after_pair || count < 3 || c > 126) {
		rx->broken = true;
		return;
	}
	if (rx->len + (size_t)count > GDB_PACKET_SIZE) {
		rx->broken = true;
		return;
	}
	memset(rx->buf + rx->len, rx->buf[rx->len - 1], (size_t)count);
	rx->len += (size_t)count;
}

static enum gdb_rx_event rx_idle(struct gdb_rx *rx, uint8_t c)
{
	switch (c) {
	case '$':
		rx_start(rx);
		return GDB_RX_NONE;
	case '+':
		return GDB_RX_ACK;
	case '-':
		return GDB_RX_NAK;
	case 0x03:
		return GDB_RX_INTERRUPT;
	default:
		return GDB_RX_NONE;   /* garbage between packets */
	}
}

static void rx_payload(struct gdb_rx *rx, uint8_t c)
{
	if (c == '#') {
		rx->state = RX_CSUM1;
		return;
	}
	rx->sum += c;
	if (rx->escaped) {
		rx_store(rx, (char)c);
		rx->escaped = false;
		rx->after_pair = true;   /* '*' must not repeat half a pair */
		return;
	}
	if (c == '*') {
		rx->state = RX_RLE;
		return;
	}
	rx_store(rx, (char)c);
	rx->escaped = (c == '}');
	rx->after_pair = false;
}

/* A checksum digit; returns the event when the packet is complete. */
static enum gdb_rx_event rx_csum(struct gdb_rx *rx, int digit)
{
	if (rx->state == RX_CSUM1) {
		rx->cc = (uint8_t)(digit << 4);
		rx->state = RX_CSUM2;
		return GDB_RX_NONE;
	}
	rx->cc |= (uint8_t)digit;
	rx->state = RX_IDLE;
	rx->buf[rx->len] = '\0';
	if (rx->broken)
		return GDB_RX_BAD_PACKET;
	return rx->cc == rx->sum ? GDB_RX_PACKET : GDB_RX_BAD_CHECKSUM;
}

/* One byte; *consumed is false when the byte must be looked at again
 * (a bad checksum digit may be the '$' of the next packet). */
static enum gdb_rx_event rx_byte(struct gdb_rx *rx, uint8_t c, bool *consumed)
{
	int d;

	*consumed = true;
	switch (rx->state) {
	case RX_IDLE:
		return rx_idle(rx, c);
	case RX_PAYLOAD:
		if (c == '$') {
			rx_start(rx);   /* a new frame restarts, as gdb does */
			return GDB_RX_NONE;
		}
		rx_payload(rx, c);
		return GDB_RX_NONE;
	case RX_RLE:
		if (c == '#' || c == '$') {
			rx->broken = true;
			rx->state = RX_PAYLOAD;
			*consumed = false;
			return GDB_RX_NONE;
		}
		rx->sum += c;
		rx_rle(rx, c);
		rx->state = RX_PAYLOAD;
		rx->escaped = false;
		return GDB_RX_NONE;
	default:
		d = gdb_hex_digit(c);
		if (d < 0) {
			rx->state = RX_IDLE;
			*consumed = false;
			return GDB_RX_BAD_PACKET;
		}
		return rx_csum(rx, d);
	}
}

size_t gdb_rx_feed(struct gdb_rx *rx, const void *data, size_t len,
		   enum gdb_rx_event *ev)
{
	const uint8_t *p = data;
	size_t i = 0;

	*ev = GDB_RX_NONE;
	while (i < len) {
		bool consumed;
		enum gdb_rx_event e = rx_byte(rx, p[i], &consumed);

		if (consumed)
			i++;
		if (e != GDB_RX_NONE) {
			*ev = e;
			break;
		}
	}
	return i;
}

const char *gdb_rx_payload(const struct gdb_rx *rx, size_t *len)
{
	if (len)
		*len = rx->len;
	return rx->buf;
}

static bool needs_escape(uint8_t c)
{
	return c == '$' || c == '#' || c == '}' || c == '*';
}

long gdb_frame(char *out, size_t cap, const void *payload, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = payload;
	uint8_t sum = 0;
	size_t o = 0;

	if (len > GDB_PACKET_SIZE || cap < 4)
		return -ENOSPC;
	out[o++] = '$';
	for (size_t i = 0; i < len; i++) {
		uint8_t c = p[i];

		if (o + 2 + 3 > cap)   /* room for a pair and "#cc" */
			return -ENOSPC;
		if (needs_escape(c)) {
			out[o++] = '}';
			sum += '}';
			c ^= 0x20;
		}
		out[o++] = (char)c;
		sum += c;
	}
	if (o + 3 > cap)
		return -ENOSPC;
	out[o++] = '#';
	out[o++] = digits[sum >> 4];
	out[o++] = digits[sum & 15];
	return (long)o;
}

int gdb_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void gdb_hex_encode(char *out, const void *in, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const uint8_t *p = in;

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

long gdb_hex_decode(void *out, size_t cap, const char *in, size_t inlen)
{
	uint8_t *o = out;

	if (inlen % 2 || inlen / 2 > cap)
		return -EINVAL;
	for (size_t i = 0; i < inlen / 2; i++) {
		int hi = gdb_hex_digit((unsigned char)in[2 * i]);
		int lo = gdb_hex_digit((unsigned char)in[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		o[i] = (uint8_t)(hi << 4 | lo);
	}
	return (long)(inlen / 2);
}

int gdb_parse_hex(const char **p, uint64_t *val)
{
	const char *s = *p;
	uint64_t v = 0;
	int n = 0, d;

	while ((d = gdb_hex_digit((unsigned char)s[n])) >= 0) {
		if (n == 16)
			return -EINVAL;
		v = v << 4 | (uint64_t)d;
		n++;
	}
	if (n == 0)
		return -EINVAL;
	*val = v;
	*p = s + n;
	return 0;
}

int gdb_parse_addr_len(const char *s, char sep, uint64_t *addr,
		       uint64_t *len, const char **rest)
{
	const char *p = s;

	if (gdb_parse_hex(&p, addr) < 0 || *p++ != ',')
		return -EINVAL;
	if (gdb_parse_hex(&p, len) < 0)
		return -EINVAL;
	if (*p != '\0') {
		if (sep == 0 || *p != sep)
			return -EINVAL;
		p++;
	}
	if (rest)
		*rest = p;
	return 0;
}

long gdb_unescape_binary(void *out, size_t cap, const char *in, size_t inlen)
{
	uint8_t *o = out;
	size_t n = 0;

	for (size_t i = 0; i < inlen; i++) {
		uint8_t c = (uint8_t)in[i];

		if (c == '}') {
			if (++i == inlen)
				return -EINVAL;
			c = (uint8_t)in[i] ^ 0x20;
		}
		if (n == cap)
			return -EINVAL;
		o[n++] = c;
	}
	return (long)n;
}
