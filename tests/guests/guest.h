/* tests/guests/guest.h — helpers shared by the guest programs: a tiny
 * hash and hex printing. Header-only so every guest stays one file; works
 * with glibc and musl. Guests must not use anything nondeterministic
 * beyond the one source each of them exercises. */
#ifndef DEJA_GUEST_H
#define DEJA_GUEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* FNV-1a, 64 bit: enough to tell outputs apart, not cryptographic. */
static inline uint64_t guest_hash(const void *data, size_t len, uint64_t h)
{
	const unsigned char *p = data;

	if (h == 0)
		h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static inline void guest_hex(const char *label, const void *data, size_t len)
{
	const unsigned char *p = data;

	printf("%s", label);
	for (size_t i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

#endif
