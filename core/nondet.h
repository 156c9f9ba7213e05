/* core/nondet.h — the logging layer: the ONLY way nondeterministic values
 * (host syscall results and data, clocks, random bytes, rdtsc, CPUID)
 * enter the kernel. The kernel builds a struct nd_call and calls
 * nd_call(); record/ answers it by asking the host and logging the
 * answer, replay/ answers it from the trace without touching the host.
 * Both modes run the same kernel code. grep for nd_call to audit. */
#ifndef DEJA_NONDET_H
#define DEJA_NONDET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum nd_op {
#define HOSTOP(name, num) ND_##name = num,
#include "core/hostops.def"
#undef HOSTOP
	ND_OP_MAX
};
const char *nd_op_name(unsigned op);

struct nd_call {
	enum nd_op op;
	long a[3];              /* integer inputs: host fds, sizes, flags */
	const char *path, *path2;
	const void *in;         /* bytes the op consumes (WRITE, SLEEP) */
	size_t in_len;
	void *out;              /* where the op's bytes go */
	size_t out_cap;
	bool console;           /* WRITE to the user's terminal */
	uint64_t guest_ip;      /* instruction traps: guest pc, checked */
	uint64_t input_hash;    /* set by nd_call: XXH3 of the guest-determined
				   inputs (in bytes, paths); 0 if none.
				   Logged and checked on replay. */
	/* answers */
	long result;            /* >= 0, or -errno: what the guest sees */
	size_t out_len;         /* bytes written to out */
	int hostfd;             /* OPEN: new host fd (record), -1 (replay) */
	void *blob;             /* LOADFILE/MAPFILE: malloc'd bytes; caller frees */
	size_t blob_len;
};

/* A guest syscall as the kernel completed it; replay checks each one. */
struct nd_syscall {
	uint32_t tid;
	long nr;
	uint64_t args[6];
	uint64_t rip;
	long result;
};

/* Why the logging layer stopped the run (nd->failed). */
enum nd_failure {
	ND_OK = 0,
	ND_DIVERGED = 3,  /* replay observed something the trace disagrees with */
	ND_TRACE_BAD = 4, /* the trace is corrupt, truncated or unreadable */
	ND_HOST_ERR = 6,  /* the host failed us (trace write, out of memory) */
};

struct nd;
struct nd_ops {
	void (*call)(struct nd *nd, struct nd_call *c);
	void (*syscall_done)(struct nd *nd, const struct nd_syscall *s);
	void (*guest_exit)(struct nd *nd, uint32_t tid, int wait_status);
	/* Replay: if the recording's next event is a signal from outside
	 * the guest system (ND_OUTSIDE_SIGNAL), consume it and return its
	 * result (tid << 8 | signal); if it is the exit of a process killed
	 * by SIGKILL, -(tid << 8 | SIGKILL) without consuming it; else 0.
	 * Record: always 0 (the kernel logs such signals with nd_call when
	 * they arrive). */
	int (*outside_kill)(struct nd *nd);
};

/* Shared state of either implementation; they embed it first. */
struct nd {
	const struct nd_ops *ops;
	int failed;             /* enum nd_failure; sticky */
	char err[1024];         /* one-line reason when failed */
	uint64_t events;        /* events logged or consumed so far */
	const char *context;    /* what the kernel is doing (syscall name),
				   for messages; set by the kernel */
};

/* After a failure every call answers -EIO and changes nothing. */
void nd_call(struct nd *nd, struct nd_call *c);
void nd_syscall_done(struct nd *nd, const struct nd_syscall *s);
void nd_guest_exit(struct nd *nd, uint32_t tid, int wait_status);
int nd_outside_kill(struct nd *nd);
/* Mark the run failed with a printf-style one-line reason (first wins). */
void nd_fail(struct nd *nd, int why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
