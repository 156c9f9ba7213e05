/* core/insn.c — emulation of the instructions that core/patch.c turned
 * into ud2 traps: the value comes from the logging layer (nd_call), the
 * register and flag updates follow the Intel SDM. No host access here. */
#include "core/insn.h"

#include <errno.h>
#include <string.h>

/* RFLAGS bits that rdrand/rdseed define: CF is the result, the others
 * are cleared (SDM vol. 2, RDRAND "Flags Affected"). */
#define FL_CF (1UL << 0)
#define FL_PF (1UL << 2)
#define FL_AF (1UL << 4)
#define FL_ZF (1UL << 6)
#define FL_SF (1UL << 7)
#define FL_OF (1UL << 11)

/* The 64-bit register numbered N in the x86 encoding order. */
static unsigned long long *gpr(guest_regs *r, unsigned n)
{
	switch (n) {
	case 0: return &r->rax;
	case 1: return &r->rcx;
	case 2: return &r->rdx;
	case 3: return &r->rbx;
	case 4: return &r->rsp;
	case 5: return &r->rbp;
	case 6: return &r->rsi;
	case 7: return &r->rdi;
	case 8: return &r->r8;
	case 9: return &r->r9;
	case 10: return &r->r10;
	case 11: return &r->r11;
	case 12: return &r->r12;
	case 13: return &r->r13;
	case 14: return &r->r14;
	case 15: return &r->r15;
	}
	return NULL;
}

/* Asks the logging layer; 0 when exactly WANT bytes came back. */
static int ask(struct nd *nd, struct nd_call *c, const struct patch_site *s,
	       void *out, size_t want)
{
	c->guest_ip = s->addr;
	c->out = out;
	c->out_cap = want;
	nd_call(nd, c);
	if (c->result < 0)
		return (int)c->result;
	return c->out_len == want ? 0 : -EIO;
}

static int emu_rdtsc(struct nd *nd, const struct patch_site *s,
		     guest_regs *r)
{
	struct nd_call c = { .op = ND_RDTSC };
	uint8_t out[12];
	uint64_t tsc;
	uint32_t aux;
	int rc;

	c.a[0] = s->kind == PATCH_RDTSCP ? 1 : s->kind == PATCH_RDPID ? 2 : 0;
	rc = ask(nd, &c, s, out, sizeof(out));
	if (rc < 0)
		return rc;
	memcpy(&tsc, out, 8);
	memcpy(&aux, out + 8, 4);
	if (s->kind == PATCH_RDPID) { /* rdpid r64: TSC_AUX zero-extended */
		unsigned long long *dst = gpr(r, s->reg);
		if (!dst)
			return -EINVAL;
		*dst = aux;
		return 0;
	}
	r->rax = (uint32_t)tsc;
	r->rdx = tsc >> 32;
	if (s->kind == PATCH_RDTSCP)
		r->rcx = aux;
	return 0;
}

static int emu_cpuid(struct nd *nd, const struct patch_site *s,
		     guest_regs *r)
{
	struct nd_call c = { .op = ND_CPUID };
	uint32_t out[4];
	int rc;

	c.a[0] = (uint32_t)r->rax;
	c.a[1] = (uint32_t)r->rcx;
	rc = ask(nd, &c, s, out, sizeof(out));
	if (rc < 0)
		return rc;
	r->rax = out[0];
	r->rbx = out[1];
	r->rcx = out[2];
	r->rdx = out[3];
	return 0;
}

static int emu_xgetbv(struct nd *nd, const struct patch_site *s,
		      guest_regs *r)
{
	struct nd_call c = { .op = ND_XGETBV };
	uint64_t xcr;
	int rc;

	c.a[0] = (uint32_t)r->rcx;
	rc = ask(nd, &c, s, &xcr, sizeof(xcr));
	if (rc < 0)
		return rc;
	r->rax = (uint32_t)xcr;
	r->rdx = xcr >> 32;
	return 0;
}

static int emu_rdrand(struct nd *nd, const struct patch_site *s,
		      guest_regs *r)
{
	struct nd_call c = { .op = ND_RDRAND };
	unsigned long long *dst = gpr(r, s->reg);
	uint64_t v;
	int rc;

	if (!dst || (s->width != 2 && s->width != 4 && s->width != 8))
		return -EINVAL;
	c.a[0] = s->kind == PATCH_RDSEED;
	c.a[1] = s->width;
	rc = ask(nd, &c, s, &v, sizeof(v));
	if (rc < 0)
		return rc;
	if (s->width == 2) /* a 16-bit write keeps bits 63..16 */
		*dst = (*dst & ~0xffffULL) | (uint16_t)v;
	else if (s->width == 4) /* a 32-bit write zero-extends */
		*dst = (uint32_t)v;
	else
		*dst = v;
	r->eflags &= ~(FL_CF | FL_PF | FL_AF | FL_ZF | FL_SF | FL_OF);
	if (c.result)
		r->eflags |= FL_CF;
	return 0;
}

int insn_emulate(struct nd *nd, const struct patch_site *site,
		 guest_regs *regs)
{
	int rc;

	switch (site->kind) {
	case PATCH_RDTSC:
	case PATCH_RDTSCP:
	case PATCH_RDPID:
		rc = emu_rdtsc(nd, site, regs);
		break;
	case PATCH_CPUID:
		rc = emu_cpuid(nd, site, regs);
		break;
	case PATCH_XGETBV:
		rc = emu_xgetbv(nd, site, regs);
		break;
	case PATCH_RDRAND:
	case PATCH_RDSEED:
		rc = emu_rdrand(nd, site, regs);
		break;
	default:
		return -EINVAL;
	}
	if (rc < 0)
		return rc;
	regs->rip = site->addr + site->len;
	return 0;
}
