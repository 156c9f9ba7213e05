/* core/debug.h — the guest system one stop at a time, for a debugger
 * (replay/timeline.c): resume by continuing or by single instructions,
 * look at each stop before the kernel handles it, fork whole guest
 * systems as checkpoints, and read registers and memory as the guest
 * program sees them. */
#ifndef DEJA_DEBUG_H
#define DEJA_DEBUG_H

#include <stdbool.h>
#include <stdint.h>

#include "core/kernel.h"
#include "core/platform.h"

enum guest_mode { GUEST_CONT, GUEST_STEP };

/* Resume the guest (with the signal the kernel decided to deliver, if
 * any) until its next stop, which is returned unhandled. */
int guest_resume(struct guest *g, enum guest_mode how, struct plat_stop *stop);

/* Let the kernel handle STOP (a syscall, a trapped instruction, a signal,
 * the end). Returns 0 when the guest can be resumed, 1 when the guest
 * system has ended, or a kernel error. */
int guest_handle(struct guest *g, const struct plat_stop *stop);

/* After guest_handle(): the signal about to be delivered (0 if none). */
int guest_pending_signal(const struct guest *g);
/* Whether the system has ended, and its wait status. */
bool guest_has_ended(const struct guest *g, int *wait_status);

/* An independent copy of the whole guest system (processes forked,
 * kernel state copied), stopped where G is. */
int guest_fork(struct guest *g, struct guest **out);

/* How many processes of the guest system are alive. */
int guest_process_count(const struct guest *g);

/* The first process's virtual pid and its host process. */
int guest_pid(const struct guest *g);
struct plat_task *guest_plat(struct guest *g);

int guest_get_regs(struct guest *g, guest_regs *r);
int guest_set_regs(struct guest *g, const guest_regs *r);
/* Memory as the program sees it: deja's rewritten instruction bytes are
 * shown as the original ones. Returns the bytes read (fewer at the end of
 * mapped memory) or -EFAULT. */
long guest_read_mem(struct guest *g, uint64_t addr, void *buf, size_t len);
/* The auxiliary vector given to the program (bytes, AT_NULL included). */
const uint8_t *guest_auxv(const struct guest *g, size_t *len);

#endif
