/* gdbstub/packet.h — the gdb remote serial protocol codec: framing of
 * packets ($payload#cc), acks, the interrupt byte, escapes, run-length
 * decoding and the hex/binary helpers of packet arguments. It knows no
 * sockets and no targets; everything works on caller-owned buffers and
 * never writes past the sizes it is given. */
#ifndef DEJA_GDB_PACKET_H
#define DEJA_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest payload accepted or sent (bytes, before framing); advertised to
 * gdb as PacketSize. A framed packet needs at most 2 * GDB_PACKET_SIZE + 4
 * bytes (every byte escaped, plus '$', '#' and two checksum digits). */
#define GDB_PACKET_SIZE 0x4000
#define GDB_FRAME_MAX (2 * GDB_PACKET_SIZE + 4)

/* What the receiver saw; gdb_rx_feed stops after each event. */
enum gdb_rx_event {
	GDB_RX_NONE,          /* all input consumed, nothing complete yet */
	GDB_RX_PACKET,        /* a packet with a good checksum: gdb_rx_payload */
	GDB_RX_ACK,           /* '+' */
	GDB_RX_NAK,           /* '-' */
	GDB_RX_INTERRUPT,     /* 0x03 outside a packet (Ctrl-C) */
	GDB_RX_BAD_CHECKSUM,  /* a complete packet whose checksum is wrong */
	GDB_RX_BAD_PACKET,    /* oversize, bad checksum digits or bad RLE */
};

/* Receiver state; embed it and call gdb_rx_init. Fields are private. */
struct gdb_rx {
	int state;
	bool escaped;        /* previous payload byte was '}' */
	bool after_pair;     /* previous byte ended an escape pair */
	bool broken;         /* packet is being discarded (oversize, bad RLE) */
	uint8_t sum;         /* running checksum of raw bytes */
	uint8_t cc;          /* checksum digits received so far */
	size_t len;          /* payload bytes stored in buf */
	char buf[GDB_PACKET_SIZE + 1];   /* payload, NUL-terminated */
};

void gdb_rx_init(struct gdb_rx *rx);

/**
 * gdb_rx_feed() - push received bytes into the parser.
 * @data, @len: the bytes, any chunking.
 * @ev: set to the event that stopped consumption (GDB_RX_NONE if none).
 *
 * Return: how many bytes were consumed; call again with the rest.
 * After GDB_RX_PACKET the payload stays valid until the next call.
 * Run-length encoding ('*') is expanded; '}' escapes are kept as sent
 * (only binary packets use them: see gdb_unescape_binary).
 */
size_t gdb_rx_feed(struct gdb_rx *rx, const void *data, size_t len,
		   enum gdb_rx_event *ev);

/* The last complete payload (NUL-terminated; *len excludes the NUL). */
const char *gdb_rx_payload(const struct gdb_rx *rx, size_t *len);

/**
 * gdb_frame() - frame PAYLOAD as $...#cc, escaping '$', '#', '}', '*'.
 * Return: bytes written to OUT, or -ENOSPC if CAP is too small or the
 * payload is longer than GDB_PACKET_SIZE.
 */
long gdb_frame(char *out, size_t cap, const void *payload, size_t len);

/* Hex helpers. gdb_hex_encode writes 2*N digits and a NUL (OUT must hold
 * 2*N+1). gdb_hex_decode converts INLEN digits (must be even) into at most
 * CAP bytes: returns the byte count or -EINVAL. */
void gdb_hex_encode(char *out, const void *in, size_t n);
long gdb_hex_decode(void *out, size_t cap, const char *in, size_t inlen);
int gdb_hex_digit(int c);

/* Parse a hex number at *P (at least one digit, at most 16) and advance
 * *P past it: 0 or -EINVAL. */
int gdb_parse_hex(const char **p, uint64_t *val);

/* "addr,len" then end of string or SEP (0: end only). On success *REST
 * points at SEP's successor (or the end). 0 or -EINVAL. */
int gdb_parse_addr_len(const char *s, char sep, uint64_t *addr,
		       uint64_t *len, const char **rest);

/* Undo '}' escaping of binary data (X packets): returns bytes written to
 * OUT (at most CAP) or -EINVAL (dangling escape, or too long). */
long gdb_unescape_binary(void *out, size_t cap, const char *in, size_t inlen);

#endif
