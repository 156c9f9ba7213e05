/* gdbstub/regs.h — the amd64 GNU/Linux register layout gdb 13 expects
 * from a remote target: register numbers, sizes and types (one table that
 * drives both the 'g'/'p' encodings and the target description), and the
 * conversion from ptrace's register structures to gdb's raw bytes. */
#ifndef DEJA_GDB_REGS_H
#define DEJA_GDB_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gdbstub/target.h"

/* Register numbers of the remote protocol (gdb's amd64-linux order). */
enum {
	GDB_REG_RAX = 0, GDB_REG_RSP = 7, GDB_REG_RIP = 16, GDB_REG_EFLAGS = 17,
	GDB_REG_CS = 18, GDB_REG_ST0 = 24, GDB_REG_FCTRL = 32,
	GDB_REG_FTAG = 34, GDB_REG_FISEG = 35, GDB_REG_FOP = 39,
	GDB_REG_XMM0 = 40, GDB_REG_MXCSR = 56, GDB_REG_ORIG_RAX = 57,
	GDB_REG_FS_BASE = 58, GDB_REG_GS_BASE = 59, GDB_REG_YMM0H = 60,
	GDB_NUM_REGS = 60,          /* without AVX */
	GDB_NUM_REGS_AVX = 76,      /* with ymm0h..ymm15h */
	GDB_REG_MAX_SIZE = 16,      /* bytes of the largest register */
};

/* Bytes of a 'g' reply's register block, without and with AVX. */
#define GDB_REGS_BYTES 560
#define GDB_REGS_BYTES_AVX 816

/* The tdesc features, in register order. */
enum gdb_feature {
	GDB_FEAT_CORE, GDB_FEAT_SSE, GDB_FEAT_LINUX, GDB_FEAT_SEGMENTS,
	GDB_FEAT_AVX, GDB_FEAT_COUNT,
};

struct gdb_reg_info {
	const char *name;
	unsigned size;             /* bytes */
	const char *type;          /* tdesc type name */
	const char *group;         /* tdesc group, or NULL */
	enum gdb_feature feature;
};

/* Register count for a register set (AVX or not). */
int gdb_reg_count(bool has_ymmh);

/* Description of REGNUM, or NULL if out of range. */
const struct gdb_reg_info *gdb_reg_info(int regnum);

/**
 * gdb_reg_get() - raw little-endian bytes of register REGNUM.
 * @out: at least GDB_REG_MAX_SIZE bytes.
 * Return: the register's size, or -EINVAL if REGNUM is not in the set.
 */
int gdb_reg_get(const struct gdb_regs *r, int regnum, uint8_t *out);

/* All registers in order into OUT (CAP bytes): the byte count, or
 * -ENOSPC. */
long gdb_regs_block(const struct gdb_regs *r, uint8_t *out, size_t cap);

/* The full 16-bit x87 tag word (2 bits per physical register: 0 valid,
 * 1 zero, 2 special, 3 empty) from FXSAVE's abridged tag byte. */
uint16_t gdb_x87_tag_word(const struct user_fpregs_struct *fp);

#endif
