/* gdbstub/regs.c — the amd64 register table and the conversion of ptrace
 * register structures (user_regs_struct, FXSAVE, ymm upper halves) into
 * the raw register bytes gdb's amd64-linux layout expects. It must not
 * know about packets or sockets. */
#include "gdbstub/regs.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#define R(n, sz, ty, grp, feat) { n, sz, ty, grp, GDB_FEAT_##feat }
#define GPR(n) R(n, 8, "int64", NULL, CORE)
#define SEG(n) R(n, 4, "int32", NULL, CORE)
#define ST(n) R(n, 10, "i387_ext", NULL, CORE)
#define X87(n) R(n, 4, "int", "float", CORE)
#define XMM(n) R(n, 16, "vec128", NULL, SSE)
#define YMMH(n) R(n, 16, "uint128", NULL, AVX)

static const struct gdb_reg_info reg_table[GDB_NUM_REGS_AVX] = {
	GPR("rax"), GPR("rbx"), GPR("rcx"), GPR("rdx"), GPR("rsi"), GPR("rdi"),
	R("rbp", 8, "data_ptr", NULL, CORE), R("rsp", 8, "data_ptr", NULL, CORE),
	GPR("r8"), GPR("r9"), GPR("r10"), GPR("r11"), GPR("r12"), GPR("r13"),
	GPR("r14"), GPR("r15"),
	R("rip", 8, "code_ptr", NULL, CORE),
	R("eflags", 4, "i386_eflags", NULL, CORE),
	SEG("cs"), SEG("ss"), SEG("ds"), SEG("es"), SEG("fs"), SEG("gs"),
	ST("st0"), ST("st1"), ST("st2"), ST("st3"), ST("st4"), ST("st5"),
	ST("st6"), ST("st7"),
	X87("fctrl"), X87("fstat"), X87("ftag"), X87("fiseg"), X87("fioff"),
	X87("foseg"), X87("fooff"), X87("fop"),
	XMM("xmm0"), XMM("xmm1"), XMM("xmm2"), XMM("xmm3"), XMM("xmm4"),
	XMM("xmm5"), XMM("xmm6"), XMM("xmm7"), XMM("xmm8"), XMM("xmm9"),
	XMM("xmm10"), XMM("xmm11"), XMM("xmm12"), XMM("xmm13"), XMM("xmm14"),
	XMM("xmm15"),
	R("mxcsr", 4, "i386_mxcsr", "vector", SSE),
	R("orig_rax", 8, "int", NULL, LINUX),
	R("fs_base", 8, "int", NULL, SEGMENTS),
	R("gs_base", 8, "int", NULL, SEGMENTS),
	YMMH("ymm0h"), YMMH("ymm1h"), YMMH("ymm2h"), YMMH("ymm3h"),
	YMMH("ymm4h"), YMMH("ymm5h"), YMMH("ymm6h"), YMMH("ymm7h"),
	YMMH("ymm8h"), YMMH("ymm9h"), YMMH("ymm10h"), YMMH("ymm11h"),
	YMMH("ymm12h"), YMMH("ymm13h"), YMMH("ymm14h"), YMMH("ymm15h"),
};

#define U(f) offsetof(struct user_regs_struct, f)

/* user_regs_struct offsets of registers 0..23 (rax .. gs). */
static const size_t gpr_offset[24] = {
	U(rax), U(rbx), U(rcx), U(rdx), U(rsi), U(rdi), U(rbp), U(rsp),
	U(r8), U(r9), U(r10), U(r11), U(r12), U(r13), U(r14), U(r15),
	U(rip), U(eflags), U(cs), U(ss), U(ds), U(es), U(fs), U(gs),
};

int gdb_reg_count(bool has_ymmh)
{
	return has_ymmh ? GDB_NUM_REGS_AVX : GDB_NUM_REGS;
}

const struct gdb_reg_info *gdb_reg_info(int regnum)
{
	if (regnum < 0 || regnum >= GDB_NUM_REGS_AVX)
		return NULL;
	return &reg_table[regnum];
}

/* The x87 class of the 80-bit value RAW: 0 valid, 1 zero, 2 special. */
static unsigned x87_class(const uint8_t *raw)
{
	unsigned exponent = (unsigned)(raw[9] & 0x7f) << 8 | raw[8];
	bool integer = raw[7] & 0x80;
	bool fraction = (raw[7] & 0x7f) || raw[6] || raw[5] || raw[4] ||
			raw[3] || raw[2] || raw[1] || raw[0];

	if (exponent == 0x7fff)
		return 2;
	if (exponent == 0)
		return (!fraction && !integer) ? 1 : 2;
	return integer ? 0 : 2;
}

uint16_t gdb_x87_tag_word(const struct user_fpregs_struct *fp)
{
	unsigned top = (fp->swd >> 11) & 7;
	uint16_t word = 0;

	/* Tag bit I is physical register I, which is st((I - top) mod 8). */
	for (unsigned i = 0; i < 8; i++) {
		unsigned tag = 3;

		if (fp->ftw & (1u << i)) {
			unsigned st = (i + 8 - top) % 8;

			tag = x87_class((const uint8_t *)&fp->st_space[st * 4]);
		}
		word |= (uint16_t)(tag << (2 * i));
	}
	return word;
}

/* fctrl .. fop (registers 32..39) as gdbserver's FXSAVE conversion gives
 * them: 64-bit FXSAVE keeps the instruction and operand pointers as 64
 * bits; gdb sees the low 32 as the offset and bits 32..47 as selector. */
static uint32_t x87_control(const struct user_fpregs_struct *fp, int regnum)
{
	switch (regnum - GDB_REG_FCTRL) {
	case 0: return fp->cwd;
	case 1: return fp->swd;
	case 2: return gdb_x87_tag_word(fp);
	case 3: return (uint32_t)(fp->rip >> 32) & 0xffff;
	case 4: return (uint32_t)fp->rip;
	case 5: return (uint32_t)(fp->rdp >> 32) & 0xffff;
	case 6: return (uint32_t)fp->rdp;
	default: return fp->fop & 0x7ff;
	}
}

static void put_le(uint8_t *out, uint64_t v, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t gpr_value(const struct user_regs_struct *g, int regnum)
{
	unsigned long long v;
	size_t off;

	if (regnum == GDB_REG_ORIG_RAX)
		off = U(orig_rax);
	else if (regnum == GDB_REG_FS_BASE)
		off = U(fs_base);
	else if (regnum == GDB_REG_GS_BASE)
		off = U(gs_base);
	else
		off = gpr_offset[regnum];
	memcpy(&v, (const char *)g + off, sizeof(v));
	return v;
}

int gdb_reg_get(const struct gdb_regs *r, int regnum, uint8_t *out)
{
	const struct gdb_reg_info *info = gdb_reg_info(regnum);

	if (!info || regnum >= gdb_reg_count(r->has_ymmh))
		return -EINVAL;
	if (regnum < GDB_REG_ST0 || (regnum >= GDB_REG_ORIG_RAX &&
				     regnum <= GDB_REG_GS_BASE))
		put_le(out, gpr_value(&r->gpr, regnum), info->size);
	else if (regnum < GDB_REG_FCTRL)
		memcpy(out, &r->fp.st_space[(regnum - GDB_REG_ST0) * 4], 10);
	else if (regnum < GDB_REG_XMM0)
		put_le(out, x87_control(&r->fp, regnum), 4);
	else if (regnum < GDB_REG_MXCSR)
		memcpy(out, &r->fp.xmm_space[(regnum - GDB_REG_XMM0) * 4], 16);
	else if (regnum == GDB_REG_MXCSR)
		put_le(out, r->fp.mxcsr, 4);
	else
		memcpy(out, r->ymmh[regnum - GDB_REG_YMM0H], 16);
	return (int)info->size;
}

long gdb_regs_block(const struct gdb_regs *r, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (int i = 0; i < gdb_reg_count(r->has_ymmh); i++) {
		if (n + reg_table[i].size > cap)
			return -ENOSPC;
		n += (size_t)gdb_reg_get(r, i, out + n);
	}
	return (long)n;
}
