/* core/insn.h — emulation of a trapped instruction (see core/patch.h):
 * asks the logging layer for the value (ND_RDTSC, ND_CPUID, ND_XGETBV,
 * ND_RDRAND) and writes it into the guest registers like the CPU would,
 * then advances rip past the original instruction. */
#ifndef DEJA_INSN_H
#define DEJA_INSN_H

#include "core/nondet.h"
#include "core/patch.h"
#include "core/platform.h"

/* Returns 0; -EINVAL if the site's kind is unknown; the logged error
 * when the CPU could not run it (-EOPNOTSUPP: lacks the instruction,
 * -EFAULT: the operand faults); -EIO for a malformed answer. */
int insn_emulate(struct nd *nd, const struct patch_site *site,
		 guest_regs *regs);

#endif
