/* core/task.h — the kernel's objects: the kernel itself, guest tasks and
 * the state they share (address space, file table, working directory).
 * Internal to core/: the syscall handlers and the run loop use it. One
 * task today; the structures already separate per-thread state (task)
 * from per-process state (mm, files, fs) so that threads and processes
 * can share or copy them. */
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

/* Virtual ids: the first guest process's parent. */
#define GUEST_PARENT_PID 1

struct identity {
	uint32_t uid, euid, gid, egid;
};

struct kernel {
	struct nd *nd;
	const struct kernel_config *cfg;
	struct patch_table *patches;
	struct identity id;
	char *program;          /* absolute path of the executable */
	uint32_t next_pid;
	int tsc_faults;         /* rdtsc/rdtscp fault by PR_SET_TSC here */
	int cpuid_faults;       /* cpuid faults by CPUID faulting here */
	uint8_t warned[512];    /* unknown syscalls already reported */
	int warned_foreign;     /* int 0x80 reported; numbers >= 512 reported */
	int warned_big;
	uint8_t *scratch;       /* buffer for data moving through the kernel */
	size_t scratch_cap;
	struct rlimit_slot { bool known; uint64_t cur, max; } rlim[16];
	void (*warn)(const char *msg);
};

struct task {
	struct kernel *k;
	struct plat_task *plat;
	guest_regs regs;        /* at the current stop; written back after */
	uint32_t tid, pid;
	uint64_t clear_child_tid;
	struct mm *mm;
	struct fdtable *files;
	struct shmaps shmaps;   /* shared writable file mappings */
	char *cwd;              /* canonical absolute working directory */
	uint8_t *auxv;          /* copy of the auxv given at start */
	size_t auxv_len;
	/* blocking (see SYS_BLOCK in core/syscall.h) */
	bool retry;             /* the handler runs again for the same syscall */
	uint64_t block_until;   /* CLOCK_MONOTONIC ns; 0: no timeout */
	bool timed_out;         /* block_until has passed */
};

/* A guest system: the kernel and its (one, today) task, with the state
 * of the stop-by-stop run loop. */
struct guest {
	struct kernel k;
	struct task t;
	int sig;                /* signal to deliver at the next resume */
	int dying;              /* killed from outside: only SIG passes */
	bool ended;
	int wait_status;
};

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
