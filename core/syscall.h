/* core/syscall.h — the guest syscall table and dispatcher. The table
 * (core/syscalls.def) names every implemented syscall and its handler;
 * everything else gets -ENOSYS and one warning naming it. */
#ifndef DEJA_SYSCALL_H
#define DEJA_SYSCALL_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

struct task;

/* A handler returns the guest-visible result (>= 0 or -errno), or
 * SYS_HOST_RUNS to let the host execute the syscall itself (exit). */
typedef long (*syscall_fn)(struct task *t, const uint64_t a[6]);
#define SYS_HOST_RUNS LONG_MIN
/* The syscall cannot complete yet (an empty pipe, a child still running):
 * the scheduler runs other tasks and calls the handler again later with
 * the same arguments and t->retry set. A handler may return it only
 * before any side effect visible to the guest. If it sets t->block_until
 * (guest CLOCK_MONOTONIC, ns; 0 = no timeout) and nothing wakes it
 * before then, the scheduler calls it again with t->timed_out set. */
#define SYS_BLOCK (LONG_MIN + 1)

#define SYSCALL(name) long sys_##name(struct task *t, const uint64_t a[6]);
#include "core/syscalls.def"
#undef SYSCALL

/* Name of any x86-64 syscall number (implemented or not), or NULL. */
const char *syscall_name(long nr);
bool syscall_implemented(long nr);
struct user_regs_struct;
/* The x86-64 syscall ABI: number in orig_rax, arguments in rdi, rsi,
 * rdx, r10, r8, r9. Returns the number. */
long syscall_decode(const struct user_regs_struct *r, uint64_t a[6]);
/* Handle the syscall in t->regs; returns the result to give the guest. */
long syscall_dispatch(struct task *t, long nr, const uint64_t a[6]);

#endif
