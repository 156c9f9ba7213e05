/* core/kernel.h — the user-mode kernel's entry point: build a guest
 * system from an ELF program and run it to completion, answering every
 * syscall and trapped instruction. Nondeterministic inputs come only
 * through the struct nd given (record or replay). */
#ifndef DEJA_KERNEL_H
#define DEJA_KERNEL_H

#include <stdint.h>

#include "core/nondet.h"

struct kernel_config {
	const char *program;   /* absolute path of the executable */
	char *const *argv;     /* guest argv (argv[0] as given by the user) */
	char *const *envp;     /* guest environment */
	void (*warn)(const char *msg); /* one-line warnings (unknown syscalls) */
};

/* Virtual ids: the first guest process gets this pid (and tid). */
#define GUEST_FIRST_PID 1000

/* Kernel errors (negative); kernel_strerror() names them. */
enum kernel_err {
	KERNEL_E_NOEXEC = -1000,  /* not an ELF executable */
	KERNEL_E_ELFCLASS = -1001, /* 32-bit or not x86-64 */
	KERNEL_E_LOAD = -1002,    /* segments could not be mapped */
	KERNEL_E_PLATFORM = -1003, /* ptrace/seccomp failed */
	KERNEL_E_ND = -1004,      /* the logging layer failed (see nd->err) */
	KERNEL_E_DYNAMIC = -1005, /* its interpreter (PT_INTERP) cannot be loaded */
	KERNEL_E_DEADLOCK = -1006, /* every guest process blocked for ever */
};
const char *kernel_strerror(int err);

/* A running guest system: the kernel's state and its guest processes. */
struct guest;

/* Build the guest system from cfg->program: the first process stopped at
 * its first instruction. */
int guest_boot(struct nd *nd, const struct kernel_config *cfg,
	       struct guest **out);
void guest_free(struct guest *g);

/* Run the guest system to its end. On success returns 0 and sets
 * *wait_status to the first process's wait status. */
int guest_run(struct guest *g, int *wait_status);

/* Boot and run in one call (record, plain replay). */
int kernel_run(struct nd *nd, const struct kernel_config *cfg,
	       int *wait_status);

#endif
