/* core/guest_fork.c — copies a whole guest system: its process is forked
 * on the host (same memory, same registers, stopped) and the kernel's
 * state for it is deep-copied, so the copy can run on its own while the
 * original stays untouched (a debugger's checkpoint). Only guest systems
 * of one process can be copied yet. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/debug.h"
#include "core/task.h"

static int copy_task(struct task *dst, const struct task *src,
		     struct file_remap *m)
{
	struct task *next = dst->next;

	*dst = *src;
	dst->next = next;
	dst->plat = NULL;
	dst->shmaps = (struct shmaps){ 0 };
	dst->exe = strdup(src->exe);
	dst->patches = patch_table_clone(src->patches);
	dst->mm = mm_clone(src->mm);
	dst->files = fdtable_clone(src->files, m);
	dst->cwd = strdup(src->cwd);
	dst->auxv = src->auxv_len ? malloc(src->auxv_len) : NULL;
	if (dst->auxv)
		memcpy(dst->auxv, src->auxv, src->auxv_len);
	if (!dst->exe || !dst->patches || !dst->mm || !dst->files || !dst->cwd ||
	    (src->auxv_len && !dst->auxv))
		return -ENOMEM;
	return shmaps_clone(&dst->shmaps, &src->shmaps, m);
}

int guest_fork(struct guest *g, struct guest **out)
{
	struct guest *c;
	struct file_remap *m;
	int rc = -ENOMEM;

	if (g->k.tasks != g->first || g->first->next)
		return -EOPNOTSUPP; /* several processes: not yet */
	c = calloc(1, sizeof(*c));
	m = file_remap_new();
	if (c && m) {
		*c = *g;
		c->k.scratch = NULL;
		c->k.scratch_cap = 0;
		c->k.tasks = c->first = c->k.cur = calloc(1, sizeof(struct task));
		if (c->first) {
			rc = copy_task(c->first, g->first, m);
			c->first->k = &c->k;
		}
		if (rc == 0)
			rc = plat_fork(g->first->plat, &c->first->plat);
	}
	file_remap_free(m);
	if (rc < 0) {
		guest_free(c); /* frees what was copied; NULL-safe */
		return rc;
	}
	*out = c;
	return 0;
}
