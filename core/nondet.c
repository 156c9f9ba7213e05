/* core/nondet.c — dispatch of the logging layer to its implementation,
 * op names and the sticky failure state. No host access here. */
#include "core/nondet.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

static const char *const op_names[ND_OP_MAX] = {
#define HOSTOP(name, num) [num] = #name,
#include "core/hostops.def"
#undef HOSTOP
};

const char *nd_op_name(unsigned op)
{
	if (op < ND_OP_MAX && op_names[op])
		return op_names[op];
	return "?";
}

/* Paths under /proc and /dev/fd name host pids and fds, which differ
 * from run to run (and are -1 in replay). */
static bool hashable_path(const char *p)
{
	return p && strncmp(p, "/proc/", 6) != 0 && strncmp(p, "/dev/fd/", 8) != 0;
}

/* What the guest determined about this op (bytes it writes, paths it
 * names): replay must ask for exactly the same. Never 0 when present. */
static uint64_t input_hash(const struct nd_call *c)
{
	XXH3_state_t st;
	uint64_t h;

	if (!c->in_len && !hashable_path(c->path) && !hashable_path(c->path2))
		return 0;
	XXH3_64bits_reset(&st);
	if (c->in_len)
		XXH3_64bits_update(&st, c->in, c->in_len);
	if (hashable_path(c->path))
		XXH3_64bits_update(&st, c->path, strlen(c->path) + 1);
	if (hashable_path(c->path2))
		XXH3_64bits_update(&st, c->path2, strlen(c->path2) + 1);
	h = XXH3_64bits_digest(&st);
	return h ? h : 1;
}

void nd_call(struct nd *nd, struct nd_call *c)
{
	c->input_hash = input_hash(c);
	c->out_len = 0;
	c->hostfd = -1;
	c->blob = NULL;
	c->blob_len = 0;
	if (nd->failed) {
		c->result = -EIO;
		return;
	}
	nd->ops->call(nd, c);
}

void nd_syscall_done(struct nd *nd, const struct nd_syscall *s)
{
	if (!nd->failed)
		nd->ops->syscall_done(nd, s);
}

void nd_guest_exit(struct nd *nd, uint32_t tid, int wait_status)
{
	if (!nd->failed)
		nd->ops->guest_exit(nd, tid, wait_status);
}

int nd_outside_kill(struct nd *nd)
{
	if (nd->failed || !nd->ops->outside_kill)
		return 0;
	return nd->ops->outside_kill(nd);
}

void nd_fail(struct nd *nd, int why, const char *fmt, ...)
{
	va_list ap;

	if (nd->failed)
		return;
	nd->failed = why;
	va_start(ap, fmt);
	vsnprintf(nd->err, sizeof(nd->err), fmt, ap);
	va_end(ap);
}
