/* tests/guests/guest.h — helpers shared by the guest programs: a tiny
 * hash and hex printing. Header-only so every guest stays one file; works
 * with glibc and musl. Guests must not use anything nondeterministic
 * beyond the one source each of them exercises. */
#ifndef DEJA_GUEST_H
#define DEJA_GUEST_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

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

/* The errno names the I/O guests print (libc-independent: musl has no
 * strerrorname_np). */
static inline const char *guest_errname(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case EFAULT: return "EFAULT";
	case EEXIST: return "EEXIST";
	case ENOTDIR: return "ENOTDIR";
	case EINVAL: return "EINVAL";
	case ENOTTY: return "ENOTTY";
	case ESPIPE: return "ESPIPE";
	case EPIPE: return "EPIPE";
	case ENOSYS: return "ENOSYS";
	case ENOTSOCK: return "ENOTSOCK";
	case EMSGSIZE: return "EMSGSIZE";
	case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
	case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case ECONNREFUSED: return "ECONNREFUSED";
	case ENOTCONN: return "ENOTCONN";
	default: return "E?";
	}
}

/* Close every fd above stderr: natively a guest may inherit some from
 * whatever runs it (scons, a shell), and the fd guests print fd numbers
 * and use fixed ones. Under deja a guest has none to inherit. */
static inline void guest_close_inherited(void)
{
	syscall(SYS_close_range, 3, ~0U, 0);
}

/* One result line: WHAT, then R, or -1 and errno's name when R < 0. */
static inline void guest_show(const char *what, long r)
{
	if (r < 0)
		printf("%-34s -1 %s\n", what, guest_errname(errno));
	else
		printf("%-34s %ld\n", what, r);
}

#endif
