/* core/stack.h — the initial process stack that Linux's execve builds:
 * argc, argv, envp, the auxiliary vector and the strings they point to.
 * A pure function from inputs to bytes, so tests can check the layout. */
#ifndef DEJA_STACK_H
#define DEJA_STACK_H

#include <stddef.h>
#include <stdint.h>

#define STACK_MAX_AUXV 32

struct auxv_entry {
	uint64_t type, value;
};

struct stack_input {
	char *const *argv;
	char *const *envp;
	const char *execfn;           /* AT_EXECFN string */
	const char *platform;         /* AT_PLATFORM string ("x86_64") */
	uint8_t random[16];           /* AT_RANDOM bytes */
	struct auxv_entry auxv[STACK_MAX_AUXV]; /* without AT_RANDOM, AT_EXECFN,
					   AT_PLATFORM, AT_NULL: added here */
	size_t nauxv;
};

struct stack_image {
	uint8_t *bytes;   /* image of [sp, top) */
	size_t len;
	uint64_t sp;      /* initial rsp: 16-byte aligned, points at argc */
	uint64_t argv_addr, envp_addr, auxv_addr;
	size_t auxv_count; /* entries written, including AT_NULL */
	uint64_t arg_start, env_start, env_end; /* the argument strings are
				   [arg_start, env_start), the environment's
				   [env_start, env_end) */
};

/* Lay out the stack below TOP. Returns 0, -E2BIG or -ENOMEM. */
int stack_build(const struct stack_input *in, uint64_t top,
		struct stack_image *out);
void stack_image_free(struct stack_image *img);

#endif
