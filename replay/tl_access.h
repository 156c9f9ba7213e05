/* replay/tl_access.h — which memory one x86-64 instruction reads and
 * writes, computed from its bytes (decoded with Zydis) and the registers
 * before it runs: explicit operands and implicit ones (the stack slot of
 * push/pop/call/ret/leave/enter, rsi/rdi of string instructions). A rep
 * string instruction counts one element: single-stepping runs one
 * iteration per step (and none when rcx is 0). Used by the read and
 * access watchpoints of replay/tl_watch.c.
 *
 * Approximated: gathers/scatters (VSIB) and MIB operands are left out;
 * enter with a nesting level counts only the rbp push; xsave-family sizes
 * are Zydis' fixed operand sizes; bt/bts with a register bit offset count
 * only the addressed operand. nop, prefetch and cache-line flushes do not
 * access memory. */
#ifndef DEJA_TL_ACCESS_H
#define DEJA_TL_ACCESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/platform.h"

struct tl_access {
	uint64_t addr, len;
	bool read, write;
};

#define TL_ACCESS_MAX 8

/* Fill OUT (at most MAX) with the accesses of the instruction at CODE
 * (LEN bytes available) with registers R. Returns how many, or -EINVAL
 * when the bytes are not an instruction. */
int tl_access_decode(const uint8_t *code, size_t len, const guest_regs *r,
		     struct tl_access *out, int max);

/* Whether A touches any byte of [ADDR, ADDR + LEN). */
bool tl_access_overlaps(const struct tl_access *a, uint64_t addr, uint64_t len);

#endif
