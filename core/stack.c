/* core/stack.c — builds the initial stack image (see core/stack.h).
 * Layout from the top down, as Linux does: an 8-byte zero end marker,
 * the execfn string, the environment strings, the argument strings, the
 * platform string, the 16 AT_RANDOM bytes; then, 16-byte aligned, argc,
 * argv[], NULL, envp[], NULL, auxv pairs ending with AT_NULL. */
#include "core/stack.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STACK_MAX_BYTES (1UL << 20) /* argument + environment limit */

static size_t count(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Copy S so it ends just below *AT; returns its guest address. */
static uint64_t put_str(uint8_t *img, uint64_t base, uint64_t *at,
			const char *s)
{
	size_t len = strlen(s) + 1;

	*at -= len;
	memcpy(img + (*at - base), s, len);
	return *at;
}

static void put_u64(uint8_t *img, uint64_t base, uint64_t addr, uint64_t v)
{
	memcpy(img + (addr - base), &v, 8);
}

static size_t strings_size(const struct stack_input *in)
{
	size_t n = 8 + strlen(in->execfn) + 1 + strlen(in->platform) + 1 + 16;

	for (size_t i = 0; i < count(in->argv); i++)
		n += strlen(in->argv[i]) + 1;
	for (size_t i = 0; i < count(in->envp); i++)
		n += strlen(in->envp[i]) + 1;
	return n;
}

int stack_build(const struct stack_input *in, uint64_t top,
		struct stack_image *out)
{
	size_t argc = count(in->argv), envc = count(in->envp);
	size_t nauxv = in->nauxv + 4; /* + RANDOM, EXECFN, PLATFORM, NULL */
	size_t table = 8 * (1 + argc + 1 + envc + 1 + 2 * nauxv);
	size_t total = strings_size(in) + table + 32;
	uint64_t *argp, *envp;
	uint64_t at = top - 8, base, execfn, platform, random, sp, a;

	if (total > STACK_MAX_BYTES || in->nauxv > STACK_MAX_AUXV)
		return -E2BIG;
	base = (top - total) & ~15UL;
	out->bytes = calloc(1, top - base);
	argp = calloc(argc + envc + 2, sizeof(uint64_t));
	if (!out->bytes || !argp) {
		free(out->bytes);
		free(argp);
		return -ENOMEM;
	}
	envp = argp + argc + 1;
	execfn = put_str(out->bytes, base, &at, in->execfn);
	for (size_t i = envc; i-- > 0;)
		envp[i] = put_str(out->bytes, base, &at, in->envp[i]);
	for (size_t i = argc; i-- > 0;)
		argp[i] = put_str(out->bytes, base, &at, in->argv[i]);
	out->env_end = execfn;
	out->env_start = envc ? envp[0] : execfn;
	out->arg_start = argc ? argp[0] : out->env_start;
	platform = put_str(out->bytes, base, &at, in->platform);
	at -= 16;
	random = at;
	memcpy(out->bytes + (at - base), in->random, 16);

	sp = (at - table) & ~15UL;
	out->sp = sp;
	put_u64(out->bytes, base, sp, argc);
	a = sp + 8;
	out->argv_addr = a;
	for (size_t i = 0; i <= argc; i++, a += 8)
		put_u64(out->bytes, base, a, i < argc ? argp[i] : 0);
	out->envp_addr = a;
	for (size_t i = 0; i <= envc; i++, a += 8)
		put_u64(out->bytes, base, a, i < envc ? envp[i] : 0);
	out->auxv_addr = a;
	for (size_t i = 0; i < in->nauxv; i++, a += 16) {
		put_u64(out->bytes, base, a, in->auxv[i].type);
		put_u64(out->bytes, base, a + 8, in->auxv[i].value);
	}
	const uint64_t extra[4][2] = {
		{ AT_RANDOM, random }, { AT_EXECFN, execfn },
		{ AT_PLATFORM, platform }, { AT_NULL, 0 },
	};
	for (int i = 0; i < 4; i++, a += 16) {
		put_u64(out->bytes, base, a, extra[i][0]);
		put_u64(out->bytes, base, a + 8, extra[i][1]);
	}
	out->auxv_count = nauxv;
	free(argp);
	/* hand back only [sp, top) */
	memmove(out->bytes, out->bytes + (sp - base), top - sp);
	out->len = top - sp;
	return 0;
}

void stack_image_free(struct stack_image *img)
{
	free(img->bytes);
	img->bytes = NULL;
}
