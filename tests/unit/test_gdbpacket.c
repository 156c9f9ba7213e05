/* tests/unit/test_gdbpacket.c — gdbstub/packet.c: framing and checksums,
 * acks and the interrupt byte, escapes, run-length decoding, chunked
 * feeds, oversize and garbage input, the hex/binary helpers, and a
 * deterministic random-input robustness run. Also gdbstub/signals.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "gdbstub/packet.h"
#include "gdbstub/signals.h"

static struct gdb_rx rx;

/* Frame RAW (already escaped/RLE'd as on the wire) with its checksum. */
static void wire(char *out, size_t cap, const char *raw, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += (uint8_t)raw[i];
	assert_true(len + 5 <= cap);
	out[0] = '$';
	memcpy(out + 1, raw, len);
	snprintf(out + 1 + len, cap - 1 - len, "#%02x", sum);
}

/* Feed all of DATA; return the events seen (at most MAX). */
static int feed_all(const void *data, size_t len, enum gdb_rx_event *evs,
		    int max)
{
	const char *p = data;
	int n = 0;

	while (len > 0) {
		enum gdb_rx_event ev;
		size_t used = gdb_rx_feed(&rx, p, len, &ev);

		assert_true(used <= len);
		assert_true(used > 0 || ev != GDB_RX_NONE);
		p += used;
		len -= used;
		if (ev != GDB_RX_NONE && n < max)
			evs[n++] = ev;
	}
	return n;
}

static int setup(void **state)
{
	gdb_rx_init(&rx);
	return 0;
}

static void test_frame_ok(void **state)
{
	char out[32];
	long n = gdb_frame(out, sizeof(out), "OK", 2);

	assert_int_equal(n, 6);
	assert_memory_equal(out, "$OK#9a", 6);
	n = gdb_frame(out, sizeof(out), "", 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "$#00", 4);
}

static void test_parse_good_and_bad_checksum(void **state)
{
	enum gdb_rx_event ev[4];
	size_t len;

	assert_int_equal(feed_all("$OK#9a", 6, ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&rx, &len), "OK");
	assert_int_equal(len, 2);
	assert_int_equal(feed_all("$OK#9A", 6, ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_PACKET);   /* upper-case digits */
	assert_int_equal(feed_all("$OK#00", 6, ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_BAD_CHECKSUM);
}

static void test_acks_and_interrupt(void **state)
{
	enum gdb_rx_event ev[4];

	assert_int_equal(feed_all("+-\x03", 3, ev, 4), 3);
	assert_int_equal(ev[0], GDB_RX_ACK);
	assert_int_equal(ev[1], GDB_RX_NAK);
	assert_int_equal(ev[2], GDB_RX_INTERRUPT);
}

static void test_garbage_between_packets(void **state)
{
	const char *in = "xyz\r\n$a#61junk\x7f$b#62";
	enum gdb_rx_event ev[4];

	assert_int_equal(feed_all(in, strlen(in), ev, 4), 2);
	assert_int_equal(ev[0], GDB_RX_PACKET);
	assert_int_equal(ev[1], GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&rx, NULL), "b");
}

static void test_byte_by_byte(void **state)
{
	char frame[64];
	int packets = 0;

	wire(frame + 1, sizeof(frame) - 1, "qSupported:swbreak+", 19);
	frame[0] = '+';
	for (int round = 0; round < 2; round++) {
		const char *p = frame + round;   /* with, then without, an ack */

		for (size_t i = 0; i < strlen(p); i++) {
			enum gdb_rx_event ev;

			assert_int_equal(gdb_rx_feed(&rx, p + i, 1, &ev), 1);
			if (ev == GDB_RX_PACKET)
				packets++;
			else if (i > 0 || round == 1)
				assert_int_equal(ev, GDB_RX_NONE);
			else
				assert_int_equal(ev, GDB_RX_ACK);
		}
	}
	assert_int_equal(packets, 2);
	assert_string_equal(gdb_rx_payload(&rx, NULL), "qSupported:swbreak+");
}

static void test_restart_on_dollar(void **state)
{
	char in[32] = "$abc";
	enum gdb_rx_event ev[4];

	wire(in + 4, sizeof(in) - 4, "b", 1);
	assert_int_equal(feed_all(in, strlen(in), ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&rx, NULL), "b");
}

static void test_escapes_roundtrip(void **state)
{
	const uint8_t data[] = { '$', '#', '}', '*', 0, 0x03, 'a', 0xff };
	uint8_t back[16];
	char out[64];
	enum gdb_rx_event ev[2];
	size_t len;
	long n = gdb_frame(out, sizeof(out), data, sizeof(data));
	const char *p;

	assert_true(n > 0);
	/* '$' '#' '}' '*' each take two bytes, the rest one: */
	assert_int_equal(n, 1 + 12 + 3);
	assert_null(memchr(out + 1, '$', (size_t)n - 1));
	assert_int_equal(feed_all(out, (size_t)n, ev, 2), 1);
	assert_int_equal(ev[0], GDB_RX_PACKET);
	p = gdb_rx_payload(&rx, &len);
	assert_int_equal(gdb_unescape_binary(back, sizeof(back), p, len),
			 sizeof(data));
	assert_memory_equal(back, data, sizeof(data));
}

static void test_rle(void **state)
{
	char in[32];
	enum gdb_rx_event ev[2];
	size_t len;

	wire(in, sizeof(in), "0* 1", 4);   /* ' ' = 32: three more '0' */
	assert_int_equal(feed_all(in, strlen(in), ev, 2), 1);
	assert_int_equal(ev[0], GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&rx, &len), "00001");
	wire(in, sizeof(in), "x*~", 3);    /* '~' = 126: 97 more */
	assert_int_equal(feed_all(in, strlen(in), ev, 2), 1);
	gdb_rx_payload(&rx, &len);
	assert_int_equal(len, 98);
	wire(in, sizeof(in), "*!", 2);     /* nothing to repeat */
	assert_int_equal(feed_all(in, strlen(in), ev, 2), 1);
	assert_int_equal(ev[0], GDB_RX_BAD_PACKET);
	wire(in, sizeof(in), "}\x03*!", 4); /* repeat half an escape pair */
	assert_int_equal(feed_all(in, strlen(in), ev, 2), 1);
	assert_int_equal(ev[0], GDB_RX_BAD_PACKET);
	wire(in, sizeof(in), "a*\x10", 3); /* count below 3 */
	assert_int_equal(feed_all(in, strlen(in), ev, 2), 1);
	assert_int_equal(ev[0], GDB_RX_BAD_PACKET);
}

static void test_oversize(void **state)
{
	size_t big = GDB_PACKET_SIZE + 10;
	char *raw = malloc(big), *in = malloc(big + 16);
	enum gdb_rx_event ev[4];
	size_t len;

	memset(raw, 'a', big);
	wire(in, big + 16, raw, big);
	assert_int_equal(feed_all(in, strlen(in), ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_BAD_PACKET);
	/* exactly the limit is fine */
	wire(in, big + 16, raw, GDB_PACKET_SIZE);
	assert_int_equal(feed_all(in, strlen(in), ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_PACKET);
	gdb_rx_payload(&rx, &len);
	assert_int_equal(len, GDB_PACKET_SIZE);
	/* RLE past the limit */
	memcpy(raw + GDB_PACKET_SIZE - 2, "*~", 2);
	wire(in, big + 16, raw, GDB_PACKET_SIZE);
	assert_int_equal(feed_all(in, strlen(in), ev, 4), 1);
	assert_int_equal(ev[0], GDB_RX_BAD_PACKET);
	free(raw);
	free(in);
}

static void test_bad_checksum_digits(void **state)
{
	const char *in = "$a#z$b#62";
	enum gdb_rx_event ev[4];

	assert_int_equal(feed_all(in, strlen(in), ev, 4), 2);
	assert_int_equal(ev[0], GDB_RX_BAD_PACKET);
	assert_int_equal(ev[1], GDB_RX_PACKET);
	assert_string_equal(gdb_rx_payload(&rx, NULL), "b");
}

static void test_frame_limits(void **state)
{
	char small[8], *big = malloc(GDB_FRAME_MAX);
	char *payload = calloc(1, GDB_PACKET_SIZE + 1);

	assert_int_equal(gdb_frame(small, sizeof(small), "abcdef", 6), -ENOSPC);
	assert_int_equal(gdb_frame(small, 3, "", 0), -ENOSPC);
	assert_int_equal(gdb_frame(big, GDB_FRAME_MAX, payload,
				   GDB_PACKET_SIZE + 1), -ENOSPC);
	memset(payload, '*', GDB_PACKET_SIZE);   /* worst case: all escaped */
	assert_int_equal(gdb_frame(big, GDB_FRAME_MAX, payload, GDB_PACKET_SIZE),
			 GDB_FRAME_MAX);
	free(big);
	free(payload);
}

static void test_hex(void **state)
{
	uint8_t out[4];
	char hex[9];

	gdb_hex_encode(hex, "\x01\xab\xff\x00", 4);
	assert_string_equal(hex, "01abff00");
	assert_int_equal(gdb_hex_decode(out, 4, "01ABff00", 8), 4);
	assert_memory_equal(out, "\x01\xab\xff\x00", 4);
	assert_int_equal(gdb_hex_decode(out, 4, "abc", 3), -EINVAL);
	assert_int_equal(gdb_hex_decode(out, 4, "zz", 2), -EINVAL);
	assert_int_equal(gdb_hex_decode(out, 1, "0102", 4), -EINVAL);
	assert_int_equal(gdb_hex_decode(out, 0, "", 0), 0);
}

static void test_parse_numbers(void **state)
{
	const char *p = "7fffffffffffffff,";
	uint64_t v, addr, len;
	const char *rest;

	assert_int_equal(gdb_parse_hex(&p, &v), 0);
	assert_true(v == 0x7fffffffffffffffull);
	assert_int_equal(*p, ',');
	p = "10000000000000000";   /* 17 digits */
	assert_int_equal(gdb_parse_hex(&p, &v), -EINVAL);
	p = "x";
	assert_int_equal(gdb_parse_hex(&p, &v), -EINVAL);

	assert_int_equal(gdb_parse_addr_len("1000,20", 0, &addr, &len, NULL), 0);
	assert_true(addr == 0x1000 && len == 0x20);
	assert_int_equal(gdb_parse_addr_len("1000,2:abcd", ':', &addr, &len,
					    &rest), 0);
	assert_string_equal(rest, "abcd");
	assert_int_equal(gdb_parse_addr_len("1000,2:ab", 0, &addr, &len, NULL),
			 -EINVAL);
	assert_int_equal(gdb_parse_addr_len("1000", 0, &addr, &len, NULL),
			 -EINVAL);
	assert_int_equal(gdb_parse_addr_len(",20", 0, &addr, &len, NULL),
			 -EINVAL);
	assert_int_equal(gdb_parse_addr_len("1000,", 0, &addr, &len, NULL),
			 -EINVAL);
}

static void test_unescape(void **state)
{
	uint8_t out[4];

	assert_int_equal(gdb_unescape_binary(out, 4, "a}\x03}]", 5), 3);
	assert_memory_equal(out, "a#}", 3);
	assert_int_equal(gdb_unescape_binary(out, 4, "ab}", 3), -EINVAL);
	assert_int_equal(gdb_unescape_binary(out, 2, "abc", 3), -EINVAL);
}

/* Deterministic xorshift; bytes biased towards protocol characters. */
static uint32_t rng = 0x12345678;

static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static uint8_t random_byte(void)
{
	static const char special[] = "$#}*+-\x03" "0123456789abcdef";
	uint32_t r = next_rand();

	return (r & 3) == 0 ? (uint8_t)special[(r >> 8) % (sizeof(special) - 1)]
			    : (uint8_t)(r >> 8);
}

/* Random chunks never overrun the payload buffer, every call makes
 * progress, and a good frame after any garbage is always recognised. */
static void test_random_robustness(void **state)
{
	uint8_t chunk[200];
	enum gdb_rx_event evs[256];
	char frame[64], name[32];
	long packets = 0;

	for (int i = 0; i < 100000; i++) {
		size_t n = next_rand() % sizeof(chunk);
		size_t len;

		for (size_t j = 0; j < n; j++)
			chunk[j] = random_byte();
		feed_all(chunk, n, evs, 256);
		gdb_rx_payload(&rx, &len);
		assert_true(len <= GDB_PACKET_SIZE);
		assert_true(rx.len <= GDB_PACKET_SIZE);
		if (i % 97 == 0) {
			int k, got = 0;

			snprintf(name, sizeof(name), "ping%d", i);
			wire(frame, sizeof(frame), name, strlen(name));
			k = feed_all(frame, strlen(frame), evs, 256);
			assert_true(k >= 1);
			for (int e = 0; e < k; e++)
				got += evs[e] == GDB_RX_PACKET;
			assert_int_equal(evs[k - 1], GDB_RX_PACKET);
			assert_string_equal(gdb_rx_payload(&rx, NULL), name);
			packets += got;
		}
	}
	assert_true(packets >= 100000 / 97);
}

static void test_signals(void **state)
{
	static const int pairs[][2] = {
		{0, 0}, {5, 5}, {2, 2}, {9, 9}, {11, 11}, {8, 8}, {10, 30},
		{12, 31}, {17, 20}, {7, 10}, {19, 17}, {18, 19}, {20, 18},
		{23, 16}, {29, 23}, {31, 12}, {30, 32}, {32, 77}, {33, 45},
		{34, 46}, {63, 75}, {64, 78},
	};

	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		assert_int_equal(gdb_signal_from_host(pairs[i][0]), pairs[i][1]);
		assert_int_equal(gdb_signal_to_host(pairs[i][1]), pairs[i][0]);
	}
	assert_int_equal(gdb_signal_from_host(16), GDB_SIGNAL_UNKNOWN);
	assert_int_equal(gdb_signal_from_host(200), GDB_SIGNAL_UNKNOWN);
	assert_int_equal(gdb_signal_to_host(GDB_SIGNAL_UNKNOWN), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_frame_ok, setup),
		cmocka_unit_test_setup(test_parse_good_and_bad_checksum, setup),
		cmocka_unit_test_setup(test_acks_and_interrupt, setup),
		cmocka_unit_test_setup(test_garbage_between_packets, setup),
		cmocka_unit_test_setup(test_byte_by_byte, setup),
		cmocka_unit_test_setup(test_restart_on_dollar, setup),
		cmocka_unit_test_setup(test_escapes_roundtrip, setup),
		cmocka_unit_test_setup(test_rle, setup),
		cmocka_unit_test_setup(test_oversize, setup),
		cmocka_unit_test_setup(test_bad_checksum_digits, setup),
		cmocka_unit_test_setup(test_frame_limits, setup),
		cmocka_unit_test_setup(test_hex, setup),
		cmocka_unit_test_setup(test_parse_numbers, setup),
		cmocka_unit_test_setup(test_unescape, setup),
		cmocka_unit_test_setup(test_random_robustness, setup),
		cmocka_unit_test_setup(test_signals, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
