/* core/loader.h — reading an ELF executable (with libelf) into a load
 * plan, and building the guest's address space from it: segments, bss,
 * brk, stack with argv/envp/auxv, and the rewriting of instructions that
 * read nondeterministic CPU state. deja, not the host, does all of it. */
#ifndef DEJA_LOADER_H
#define DEJA_LOADER_H

#include <stddef.h>
#include <stdint.h>

#define LOADER_MAX_SEGS 16

struct load_seg {
	uint64_t vaddr;    /* guest address (bias applied) */
	uint64_t memsz, filesz, offset;
	int prot;          /* PROT_* */
};

struct load_plan {
	uint64_t bias;     /* 0 for ET_EXEC, MM_PIE_BASE for ET_DYN */
	uint64_t entry;    /* guest entry point */
	uint64_t phdr;     /* guest address of the program headers */
	uint16_t phnum;
	struct load_seg seg[LOADER_MAX_SEGS];
	size_t nseg;
	uint64_t image_end; /* end of the highest segment */
	uint64_t *func_starts; /* guest addresses of function symbols */
	size_t nfunc;
	int has_interp;     /* dynamically linked */
	char interp[256];   /* PT_INTERP path when has_interp */
};

/* Parse IMAGE (a whole file). Returns 0 or a kernel_err
 * (KERNEL_E_NOEXEC, KERNEL_E_ELFCLASS) or -errno. */
int loader_parse(const void *image, size_t len, struct load_plan *plan);
void loader_plan_free(struct load_plan *plan);
/* Move every address of PLAN so that the image is loaded at BIAS. */
void loader_plan_rebase(struct load_plan *plan, uint64_t bias);
/* Bytes from the first segment's page to the end of the last. */
uint64_t loader_plan_span(const struct load_plan *plan);

struct task;
/* Map PLAN's segments from IMAGE into the guest, with trapped
 * instructions rewritten; NAME is the file name /proc/self/maps shows. */
int loader_map_image(struct task *t, const void *image,
		     const struct load_plan *plan, const char *name);

/* What the initial stack and registers describe. */
struct loader_start {
	const struct load_plan *prog;   /* the program */
	uint64_t interp_base;           /* AT_BASE: the interpreter's bias, 0 */
	uint64_t entry;                 /* where the guest starts */
	const char *execfn;             /* AT_EXECFN */
	char *const *argv, *const *envp;
};

/* Set up brk after the program, the stack with argv/envp/auxv and the
 * initial registers. */
int loader_start(struct task *t, const struct loader_start *s);

/**
 * loader_exec_image() - replace T's image by the program at PATH.
 * @t:    a task whose guest process has an empty address space (deja's
 *        stub page aside) and whose t->mm is empty: a new process, or
 *        execve after unmapping everything, forgetting the old image's
 *        patch sites (patch_remove_range) and shared mappings (the
 *        caller's job). /proc/self/exe names t->exe (the caller sets
 *        it).
 * @path: the program, absolute (ND_LOADFILE: the trace keeps its bytes).
 * @argv, @envp: NULL-terminated, in deja's memory (execve copies them out
 *        of guest memory first).
 * Loads the program and, for a PT_INTERP program, its interpreter (also
 * through ND_LOADFILE) just below the mmap base; builds the stack and
 * points the registers at the interpreter's (or program's) entry.
 * Returns 0, a kernel_err (KERNEL_E_NOEXEC, KERNEL_E_ELFCLASS, and
 * KERNEL_E_DYNAMIC with a warning naming the interpreter) or -errno;
 * after an error the address space may be partly built.
 */
int loader_exec_image(struct task *t, const char *path, char *const *argv,
		      char *const *envp);

#endif
