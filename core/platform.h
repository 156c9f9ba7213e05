/* core/platform.h — the platform wall: the only interface through which
 * the kernel controls the host processes that run guest code (ptrace,
 * seccomp, waitpid, /proc/PID/mem). Implemented in core/platform.c; a
 * faster mechanism (in-process SIGSYS) can replace it behind this header.
 * Everything returns 0 or -errno. */
#ifndef DEJA_PLATFORM_H
#define DEJA_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

/* Guest registers: the host's x86-64 user register layout. */
typedef struct user_regs_struct guest_regs;

/* The stub page the platform maps into every guest process at a fixed
 * address: "syscall; int3". Syscalls made from it bypass interception. */
#define PLAT_STUB_ADDR 0x10000UL
#define PLAT_STUB_SIZE 0x1000UL
/* Highest guest address + 1 (47-bit user space). */
#define PLAT_TASK_SIZE 0x7ffffffff000UL

struct plat_task;

enum plat_stop_kind {
	PLAT_STOP_SYSCALL, /* the guest asked for a syscall; regs hold it */
	PLAT_STOP_FOREIGN_SYSCALL, /* an i386 (int 0x80) syscall: refuse it */
	PLAT_STOP_SIGNAL,  /* a signal is about to be delivered: sig, addr */
	PLAT_STOP_EXITED,  /* the process is gone: status is a wait status */
};

/* What a SIGTRAP stop was (debugging needs to tell them apart). */
enum plat_trap {
	PLAT_TRAP_NONE,     /* not a SIGTRAP, or one from elsewhere */
	PLAT_TRAP_STEP,     /* plat_step() executed one instruction */
	PLAT_TRAP_INT3,     /* an int3 executed; rip is just after it */
};

struct plat_stop {
	enum plat_stop_kind kind;
	int sig;            /* PLAT_STOP_SIGNAL */
	enum plat_trap trap; /* PLAT_STOP_SIGNAL with sig SIGTRAP */
	int fault_code;     /* si_code of the signal */
	uint64_t fault_addr; /* si_addr of a fault */
	int status;         /* PLAT_STOP_EXITED: wait status */
};

/* Put guest processes started from now on in their own process group,
 * away from the terminal's signals (a debugger's Ctrl-C). */
void plat_set_own_group(bool on);

/* Start an empty guest process: nothing mapped but the stub page, every
 * syscall intercepted, stopped and ready for plat_guest_syscall(). */
int plat_spawn(struct plat_task **out);
pid_t plat_host_pid(const struct plat_task *t);
/* False once the process has ended (e.g. killed during an injected
 * syscall); the next plat_resume() then reports how it ended. */
bool plat_alive(const struct plat_task *t);
void plat_destroy(struct plat_task *t); /* kills the process if alive */
/* Make the guest die of SIG at its next resume (SIGKILL: at once). */
void plat_kill(struct plat_task *t, int sig);

/* Make host signal SIG pending for the (stopped) guest process; it is
 * reported as a PLAT_STOP_SIGNAL stop when the process next runs with
 * SIG unblocked. */
int plat_signal(struct plat_task *t, int sig);
/* At a PLAT_STOP_SIGNAL stop: replace what the guest's handler will be
 * told about the signal (128 bytes, the host's siginfo_t). */
int plat_set_siginfo(struct plat_task *t, const void *siginfo);

/* After a failed platform call: if the process has ended (killed from
 * outside), fill STOP with PLAT_STOP_EXITED and return 0; else -errno. */
int plat_reap(struct plat_task *t, struct plat_stop *stop);
/* Resume the guest (delivering SIG if nonzero) until its next stop. */
int plat_resume(struct plat_task *t, int sig, struct plat_stop *stop);

/* Execute one guest instruction (delivering SIG if nonzero) and stop:
 * a PLAT_TRAP_STEP stop, or whatever stop the instruction caused (a
 * syscall, a fault). Resuming from a syscall stop executes the next
 * instruction too (the host's empty syscall-exit report is absorbed). */
int plat_step(struct plat_task *t, int sig, struct plat_stop *stop);

/* Fork the stopped guest process into a new, stopped, traced one with
 * the same memory and registers: a checkpoint, or a copy to run from
 * one. The copy is independent: it runs only when resumed. */
int plat_fork(struct plat_task *t, struct plat_task **out);

int plat_get_regs(struct plat_task *t, guest_regs *r);
/* x87/SSE state (FXSAVE layout) and the upper halves of ymm0-15 (zeros
 * when the CPU has no AVX; returns 0 then and sets *has_avx false). */
int plat_get_fpregs(struct plat_task *t, struct user_fpregs_struct *fp);
int plat_get_ymmh(struct plat_task *t, uint8_t ymmh[16][16], bool *has_avx);
int plat_set_regs(struct plat_task *t, const guest_regs *r);
/* Make the intercepted syscall at the current stop return RESULT:
 * sets rax and cancels the host's execution of it. REGS are the guest's
 * registers as read at this stop (modified copies allowed). */
int plat_finish_syscall(struct plat_task *t, guest_regs *regs, long result);
/* The same at a PLAT_STOP_FOREIGN_SYSCALL stop (the SIGSYS is dropped). */
int plat_refuse_foreign_syscall(struct plat_task *t, guest_regs *regs,
				long result);

/* Run a syscall inside the guest process (mmap, munmap, mprotect...) and
 * return its raw result (>= 0 or -errno). Guest registers are preserved. */
long plat_guest_syscall(struct plat_task *t, long nr, long a0, long a1,
			long a2, long a3, long a4, long a5);

/* Make rdtsc/rdtscp (PR_SET_TSC) and cpuid (CPUID faulting) fault with
 * SIGSEGV in the guest where the CPU really does it; *TSC and *CPUID say
 * what works (tested by executing, not by the setup call's result). */
int plat_enable_insn_faults(struct plat_task *t, int *tsc, int *cpuid);

/* Guest memory. Writes work on read-only and executable pages too. */
int plat_mem_read(struct plat_task *t, uint64_t addr, void *buf, size_t len);
int plat_mem_write(struct plat_task *t, uint64_t addr, const void *buf,
		   size_t len);
/* Read a NUL-terminated string of at most CAP bytes (incl. NUL). */
int plat_mem_read_str(struct plat_task *t, uint64_t addr, char *buf,
		      size_t cap);

#endif
