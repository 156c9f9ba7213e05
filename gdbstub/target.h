/* gdbstub/target.h — what the gdb remote stub needs from whatever it
 * debugs: the interface between the protocol (gdbstub/) and a target
 * (the time-travelling replay in replay/debug_target.c). The stub knows
 * packets and the amd64 register layout; the target knows guests. All
 * functions return 0 (or a byte count) on success, -errno on failure. */
#ifndef DEJA_GDB_TARGET_H
#define DEJA_GDB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/user.h>

/* Registers of one thread, as the host's ptrace gives them. */
struct gdb_regs {
	struct user_regs_struct gpr;     /* rax.., rip, eflags, segments, orig_rax, fs_base, gs_base */
	struct user_fpregs_struct fp;    /* FXSAVE area: x87, mxcsr, xmm0-15 */
	bool has_ymmh;                   /* ymmh valid (the CPU has AVX) */
	uint8_t ymmh[16][16];            /* upper halves of ymm0-15 */
};

/* Why the target stopped; the stub turns it into a stop reply. */
enum gdb_stop_kind {
	GDB_STOP_SIGNAL,  /* stopped with a (host) signal number: T packet */
	GDB_STOP_EXITED,  /* the process exited with 'code': W packet */
	GDB_STOP_KILLED,  /* the process was killed by 'sig': X packet */
};

enum gdb_stop_reason {
	GDB_REASON_NONE,
	GDB_REASON_SWBREAK,   /* a Z0 breakpoint */
	GDB_REASON_HWBREAK,   /* a Z1 breakpoint */
	GDB_REASON_WATCH,     /* Z2: addr is the watched address hit */
	GDB_REASON_RWATCH,    /* Z3 */
	GDB_REASON_AWATCH,    /* Z4 */
	GDB_REASON_HISTORY_BEGIN, /* reverse execution reached the start */
	GDB_REASON_HISTORY_END,   /* forward execution reached the end */
};

struct gdb_stop {
	enum gdb_stop_kind kind;
	int sig;           /* host signal number (SIGTRAP for steps/breaks) */
	int code;          /* GDB_STOP_EXITED: exit code */
	enum gdb_stop_reason reason;
	uint64_t addr;     /* watch/rwatch/awatch: the data address */
	int tid;           /* thread that stopped */
};

/* How to resume. */
enum gdb_resume {
	GDB_CONTINUE,
	GDB_STEP,
	GDB_REVERSE_CONTINUE,
	GDB_REVERSE_STEP,
};

/* Breakpoint and watchpoint types, numbered as in Z packets. */
enum gdb_point {
	GDB_POINT_SW = 0, GDB_POINT_HW = 1, GDB_POINT_WRITE = 2,
	GDB_POINT_READ = 3, GDB_POINT_ACCESS = 4,
};

/* Output sink for monitor commands (text, shown by gdb as is). */
typedef void (*gdb_print_fn)(void *sink, const char *text);

struct gdb_target_ops {
	/* The process id and its threads' ids (1 today). */
	int (*pid)(void *t);
	int (*threads)(void *t, int *tids, int max);
	int (*get_regs)(void *t, int tid, struct gdb_regs *out);
	/* Writes are refused in a replay: the target returns -EPERM and may
	 * explain with *why (static string). */
	int (*set_reg)(void *t, int tid, int regnum, const uint8_t *val,
		       size_t len, const char **why);
	/* Guest memory without the target's own breakpoint/patch bytes;
	 * returns bytes read (possibly fewer than len) or -errno. */
	long (*read_mem)(void *t, uint64_t addr, void *buf, size_t len);
	int (*write_mem)(void *t, uint64_t addr, const void *buf, size_t len,
			 const char **why);
	int (*insert_point)(void *t, enum gdb_point type, uint64_t addr, int len);
	int (*remove_point)(void *t, enum gdb_point type, uint64_t addr, int len);
	/* Resume TID (0 or -1: any) and wait for the next stop. SIG: a signal
	 * to deliver (host number), 0 for none. 'interrupted' is polled
	 * during long runs: true when the user pressed Ctrl-C in gdb. */
	int (*resume)(void *t, enum gdb_resume how, int tid, int sig,
		      bool (*interrupted)(void *sink), void *sink,
		      struct gdb_stop *stop);
	/* The last stop (for '?'). */
	void (*last_stop)(void *t, struct gdb_stop *stop);
	/* The auxiliary vector of the process (raw bytes) and the path of
	 * its executable as gdb should open it. */
	long (*auxv)(void *t, uint8_t *buf, size_t cap);
	const char *(*exec_file)(void *t);
	/* 'monitor CMD': print through PRINT(SINK, text); -ENOENT if unknown. */
	int (*monitor)(void *t, const char *cmd, gdb_print_fn print, void *sink);
	/* vRun: restart from the beginning (true if supported). */
	int (*restart)(void *t);
	void (*kill)(void *t);
};

#endif
