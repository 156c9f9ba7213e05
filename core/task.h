/* core/task.h — the kernel's objects: the kernel itself, guest tasks and
 * the state they hold (address space, file table, working directory).
 * Internal to core/: the syscall handlers and the run loop use it. One
 * task per guest process today (threads come later); the structures keep
 * per-thread state (registers, blocking) apart from per-process state
 * (mm, files, cwd) so that threads can share the latter. */
#ifndef DEJA_TASK_H
#define DEJA_TASK_H

#include <stdbool.h>
#include <stdint.h>

#include "core/files.h"
#include "core/kernel.h"
#include "core/mm.h"
#include "core/nondet.h"
#include "core/patch.h"
#include "core/platform.h"
#include "core/shmap.h"
#include "core/signal.h"
#include "core/timer.h"

/* Virtual ids: the first guest process's parent. */
#define GUEST_PARENT_PID 1

struct identity {
	uint32_t uid, euid, gid, egid;
	uint32_t suid, sgid;    /* saved set-user/group ids */
};

struct task;

struct kernel {
	struct nd *nd;
	const struct kernel_config *cfg;
	struct identity id;
	struct task *tasks;     /* every guest task, in creation order */
	struct task *cur;       /* the one running (one at a time) */
	unsigned cur_run;       /* its stops in a row (core/sched.c) */
	uint32_t next_pid;
	uint64_t next_ino;      /* inode numbers of kernel objects */
	int tsc_faults;         /* rdtsc/rdtscp fault by PR_SET_TSC here */
	int cpuid_faults;       /* cpuid faults by CPUID faulting here */
	uint8_t warned[512];    /* unknown syscalls already reported */
	int warned_foreign;     /* int 0x80 reported; numbers >= 512 reported */
	int warned_big;
	int warned_threads;
	int warned_stop;
	uint8_t *scratch;       /* buffer for data moving through the kernel */
	size_t scratch_cap;
	struct rlimit_slot { bool known; uint64_t cur, max; } rlim[16];
	void (*warn)(const char *msg);
};

enum task_state {
	TASK_RUNNABLE,          /* runs when the scheduler picks it */
	TASK_BLOCKED,           /* in a syscall that returned SYS_BLOCK */
	TASK_ZOMBIE,            /* exited; its parent has not waited yet */
	TASK_DEAD,              /* exited and reaped: only kept for its status */
};

struct task {
	struct kernel *k;
	struct task *next;      /* in k->tasks */
	struct plat_task *plat;
	guest_regs regs;        /* at the current stop; written back after */
	enum task_state state;
	uint32_t tid, pid, ppid, pgid, sid;
	int exit_status;        /* wait status once ZOMBIE or DEAD */
	int sig;                /* host signal to deliver at the next resume */
	int dying;              /* killed from outside: only SIG passes */
	int exit_signal;        /* sent to the parent at exit (SIGCHLD) */
	uint32_t vfork_child;   /* blocked in vfork until this child execs
				   or exits */
	uint32_t vfork_result;  /* what that vfork returns then */
	uint64_t clear_child_tid;
	char *exe;              /* absolute path of the program it runs */
	struct patch_table *patches; /* deja's rewritten instructions in mm */
	struct mm *mm;
	struct fdtable *files;
	struct shmaps shmaps;   /* shared writable file mappings */
	char *cwd;              /* canonical absolute working directory */
	unsigned umask;         /* applied to files the process creates */
	struct identity id;     /* credentials (the first: the host's) */
	char comm[16];          /* the name: the program's, or prctl's */
	int pdeathsig;          /* prctl(PR_SET_PDEATHSIG) */
	int nice;               /* setpriority, kept only */
	bool not_dumpable, no_new_privs;
	bool subreaper;         /* orphaned descendants come to it */
	struct sigstate sigs;   /* dispositions, mask, pending (shadow) */
	struct timers timers;
	uint8_t *auxv;          /* copy of the auxv given at start */
	size_t auxv_len;
	/* blocking (see SYS_BLOCK in core/syscall.h) */
	bool retry;             /* the handler runs again for the same syscall */
	bool yielded;           /* let the others run first (sched_yield) */
	uint64_t block_until;   /* CLOCK_MONOTONIC ns; 0: no timeout */
	bool timed_out;         /* block_until has passed */
	uint64_t wake_at;       /* CLOCK_MONOTONIC ns: try again then, without
				   timing out (an object's deadline); 0: none;
				   cleared before each try */
};

/* A guest system: the kernel and its tasks. It ends when every process
 * has exited; its wait status is the first process's. */
struct guest {
	struct kernel k;
	struct task *first;     /* the first process */
	bool ended;
	int wait_status;
};

/* ---- processes (core/process.c) ---- */
struct task *task_find(struct kernel *k, uint32_t pid);
/* A new task for a new process, appended to k->tasks (no host process,
 * no address space yet). */
struct task *task_new(struct kernel *k);
/* Free what the task holds without any host effect (checkpoints, end). */
void task_free(struct task *t);
/* T's process has ended with wait status STATUS: release its files
 * (closing host fds through the logging layer), make it a zombie for its
 * parent (or reap it at once if the parent is outside the guest system),
 * hand its children to the outside, wake a vfork parent. */
void task_exited(struct task *t, int status);
/* Leave the instructions the CPU traps itself out of P (kernel.c). */
void kernel_skip_faulting(struct kernel *k, struct patch_table *p);
/* The process's name (comm) from the program PATH it execs. */
void task_set_comm(struct task *t, const char *path);
/* Number of tasks that have not exited. */
int tasks_alive(const struct kernel *k);

/* Guest memory access for handlers; -EFAULT on bad addresses. */
int task_read(struct task *t, uint64_t addr, void *buf, size_t len);
int task_write(struct task *t, uint64_t addr, const void *buf, size_t len);
int task_read_path(struct task *t, uint64_t addr, char *buf, size_t cap);
/* A kernel buffer of at least N bytes, valid until the next call. */
void *kernel_scratch(struct kernel *k, size_t n);
/* Largest single read or write the kernel moves at once. */
#define KERNEL_IO_MAX (64UL << 20)
/* Drop one descriptor's reference to F; closes the host fd at the last. */
void file_release(struct task *t, struct file *f);
/* Print a one-line warning through the CLI's callback. */
void kernel_warn(struct kernel *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
