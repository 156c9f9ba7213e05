/* replay/tl_access.c — the memory operands of one instruction, with
 * their effective addresses, sizes and read/write actions (see
 * tl_access.h for what is approximated). Pure computation: no guest. */
#include "replay/tl_access.h"

#include <errno.h>

#include <Zydis/Zydis.h>

/* The 64-bit register enclosing REG, from R; 0 for none or unknown. */
static uint64_t reg64(const guest_regs *r, ZydisRegister reg)
{
	switch (ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg)) {
	case ZYDIS_REGISTER_RAX: return r->rax;
	case ZYDIS_REGISTER_RCX: return r->rcx;
	case ZYDIS_REGISTER_RDX: return r->rdx;
	case ZYDIS_REGISTER_RBX: return r->rbx;
	case ZYDIS_REGISTER_RSP: return r->rsp;
	case ZYDIS_REGISTER_RBP: return r->rbp;
	case ZYDIS_REGISTER_RSI: return r->rsi;
	case ZYDIS_REGISTER_RDI: return r->rdi;
	case ZYDIS_REGISTER_R8: return r->r8;
	case ZYDIS_REGISTER_R9: return r->r9;
	case ZYDIS_REGISTER_R10: return r->r10;
	case ZYDIS_REGISTER_R11: return r->r11;
	case ZYDIS_REGISTER_R12: return r->r12;
	case ZYDIS_REGISTER_R13: return r->r13;
	case ZYDIS_REGISTER_R14: return r->r14;
	case ZYDIS_REGISTER_R15: return r->r15;
	case ZYDIS_REGISTER_RIP: return r->rip;
	default: return 0;
	}
}

static uint64_t mask_of(unsigned bits)
{
	return bits >= 64 ? ~0ULL : (1ULL << bits) - 1;
}

/* REG's value as an address component: the low bits of its enclosing
 * register (eax in a 0x67-prefixed address, al in xlat). */
static uint64_t reg_value(const guest_regs *r, ZydisRegister reg)
{
	if (reg == ZYDIS_REGISTER_NONE)
		return 0;
	return reg64(r, reg) &
	       mask_of(ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, reg));
}

static uint64_t segment_base(const guest_regs *r, ZydisRegister seg)
{
	if (seg == ZYDIS_REGISTER_FS)
		return r->fs_base;
	if (seg == ZYDIS_REGISTER_GS)
		return r->gs_base;
	return 0; /* flat in 64-bit mode */
}

/* Instructions whose memory operand is not an access. */
static bool no_access(ZydisMnemonic m)
{
	switch (m) {
	case ZYDIS_MNEMONIC_NOP:
	case ZYDIS_MNEMONIC_PREFETCH:
	case ZYDIS_MNEMONIC_PREFETCHNTA:
	case ZYDIS_MNEMONIC_PREFETCHT0:
	case ZYDIS_MNEMONIC_PREFETCHT1:
	case ZYDIS_MNEMONIC_PREFETCHT2:
	case ZYDIS_MNEMONIC_PREFETCHW:
	case ZYDIS_MNEMONIC_PREFETCHWT1:
	case ZYDIS_MNEMONIC_CLFLUSH:
	case ZYDIS_MNEMONIC_CLFLUSHOPT:
	case ZYDIS_MNEMONIC_CLWB:
	case ZYDIS_MNEMONIC_CLDEMOTE:
		return true;
	default:
		return false;
	}
}

/* A rep-prefixed string instruction with rcx (ecx) = 0 does nothing. */
static bool rep_skips(const ZydisDecodedInstruction *in, const guest_regs *r)
{
	const ZyanU64 rep = ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
			    ZYDIS_ATTRIB_HAS_REPNE;

	if (!(in->attributes & rep))
		return false;
	return (r->rcx & mask_of(in->address_width)) == 0;
}

/* The effective address of memory operand O. */
static uint64_t effective(const ZydisDecodedInstruction *in,
			  const ZydisDecodedOperand *o, const guest_regs *r)
{
	uint64_t a, base;

	if (o->mem.base == ZYDIS_REGISTER_RIP || o->mem.base == ZYDIS_REGISTER_EIP)
		base = r->rip + in->length;
	else
		base = reg_value(r, o->mem.base);
	a = base + reg_value(r, o->mem.index) * (o->mem.scale ? o->mem.scale : 1) +
	    (uint64_t)o->mem.disp.value;
	if (in->mnemonic == ZYDIS_MNEMONIC_XLAT) /* Zydis leaves al out */
		a += r->rax & 0xff;
	a &= mask_of(in->address_width);
	/* a hidden stack slot written (push, call, enter) is below rsp */
	if (o->visibility == ZYDIS_OPERAND_VISIBILITY_HIDDEN &&
	    (o->mem.base == ZYDIS_REGISTER_RSP || o->mem.base == ZYDIS_REGISTER_ESP) &&
	    (o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
		a -= o->size / 8;
	return a + segment_base(r, o->mem.segment);
}

int tl_access_decode(const uint8_t *code, size_t len, const guest_regs *r,
		     struct tl_access *out, int max)
{
	ZydisDecoder dec;
	ZydisDecodedInstruction in;
	ZydisDecodedOperand ops[ZYDIS_MAX_OPERAND_COUNT];
	int n = 0;

	if (ZYAN_FAILED(ZydisDecoderInit(&dec, ZYDIS_MACHINE_MODE_LONG_64,
					 ZYDIS_STACK_WIDTH_64)) ||
	    ZYAN_FAILED(ZydisDecoderDecodeFull(&dec, code, len, &in, ops)))
		return -EINVAL;
	if (no_access(in.mnemonic))
		return 0;
	for (int i = 0; i < in.operand_count && n < max; i++) {
		const ZydisDecodedOperand *o = &ops[i];
		bool cond_only;

		if (o->type != ZYDIS_OPERAND_TYPE_MEMORY ||
		    o->mem.type != ZYDIS_MEMOP_TYPE_MEM || !o->actions)
			continue;
		cond_only = !(o->actions & (ZYDIS_OPERAND_ACTION_READ |
					    ZYDIS_OPERAND_ACTION_WRITE));
		if (cond_only && rep_skips(&in, r))
			continue;
		out[n] = (struct tl_access){
			.addr = effective(&in, o, r),
			.len = o->size >= 8 ? o->size / 8 : 1,
			.read = o->actions & ZYDIS_OPERAND_ACTION_MASK_READ,
			.write = o->actions & ZYDIS_OPERAND_ACTION_MASK_WRITE,
		};
		n++;
	}
	return n;
}

bool tl_access_overlaps(const struct tl_access *a, uint64_t addr, uint64_t len)
{
	return a->addr < addr + len && addr < a->addr + a->len;
}
