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
};

/* Parse IMAGE (a whole file). Returns 0 or a kernel_err
 * (KERNEL_E_NOEXEC, KERNEL_E_ELFCLASS) or -errno. */
int loader_parse(const void *image, size_t len, struct load_plan *plan);
void loader_plan_free(struct load_plan *plan);

/* What the new program is given on its stack. */
struct exec_args {
	char *const *argv;
	char *const *envp;
	const char *execfn;  /* AT_EXECFN: the path as execve named it */
};

struct task;
/* Map PLAN's segments from IMAGE into the guest (whose address space is
 * empty), patch trapped instructions, set up brk, the stack and the
 * initial registers. */
int loader_load(struct task *t, const void *image, size_t len,
		const struct load_plan *plan, const struct exec_args *args);

#endif
