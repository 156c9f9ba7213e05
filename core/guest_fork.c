/* core/guest_fork.c — copies a whole guest system: its processes are
 * forked on the host (same memory, same registers, stopped) and the
 * kernel's state for them is deep-copied, so the copy can run on its own
 * while the original stays untouched (a debugger's checkpoint). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/debug.h"
#include "core/task.h"

static int copy_kernel(struct kernel *dst, const struct kernel *src)
{
	*dst = *src;
	dst->scratch = NULL;
	dst->scratch_cap = 0;
	dst->program = strdup(src->program);
	dst->patches = patch_table_clone(src->patches);
	return dst->program && dst->patches ? 0 : -ENOMEM;
}

static int copy_task(struct task *dst, const struct task *src,
		     struct file_remap *m)
{
	*dst = *src;
	dst->plat = NULL;
	dst->shmaps = (struct shmaps){ 0 };
	dst->mm = mm_clone(src->mm);
	dst->files = fdtable_clone(src->files, m);
	dst->cwd = strdup(src->cwd);
	dst->auxv = src->auxv_len ? malloc(src->auxv_len) : NULL;
	if (dst->auxv)
		memcpy(dst->auxv, src->auxv, src->auxv_len);
	if (!dst->mm || !dst->files || !dst->cwd ||
	    (src->auxv_len && !dst->auxv))
		return -ENOMEM;
	return shmaps_clone(&dst->shmaps, &src->shmaps, m);
}

int guest_fork(struct guest *g, struct guest **out)
{
	struct guest *c = calloc(1, sizeof(*c));
	struct file_remap *m = file_remap_new();
	int rc = -ENOMEM;

	if (c && m) {
		*c = *g;
		rc = copy_kernel(&c->k, &g->k);
		if (rc == 0) {
			rc = copy_task(&c->t, &g->t, m);
			c->t.k = &c->k;
		}
		if (rc == 0)
			rc = plat_fork(g->t.plat, &c->t.plat);
	}
	file_remap_free(m);
	if (rc < 0) {
		guest_free(c); /* frees what was copied; NULL-safe */
		return rc;
	}
	*out = c;
	return 0;
}
