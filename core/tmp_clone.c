/* TEMPORARY until the clone functions land. */
#include <stdlib.h>
#include <string.h>
#include "core/task.h"
struct mm *mm_clone(const struct mm *mm) { struct mm *c = mm_new(); c->v = malloc(sizeof(struct vma) * (mm->cap ? mm->cap : 1)); memcpy(c->v, mm->v, sizeof(struct vma) * mm->n); c->n = mm->n; c->cap = mm->cap ? mm->cap : 1; c->brk = mm->brk; c->brk_start = mm->brk_start; c->brk_mapped = mm->brk_mapped; return c; }
struct file_remap { int x; };
struct file_remap *file_remap_new(void) { return calloc(1, sizeof(struct file_remap)); }
void file_remap_free(struct file_remap *m) { free(m); }
struct fdtable *fdtable_clone(const struct fdtable *ft, struct file_remap *m) { struct fdtable *c = fdtable_new(); for (int i = 0; i < 3; i++) { struct file *f = fd_get((struct fdtable *)ft, i); if (f) { struct file *n = malloc(sizeof *n); *n = *f; n->refs = 1; fd_install_at(c, i, n, false);} } return c; }
void fdtable_drop(struct fdtable *ft) { fdtable_free(ft); }
int shmaps_clone(struct shmaps *dst, const struct shmaps *src, struct file_remap *m) { return 0; }
void shmaps_drop(struct shmaps *s) { free(s->v); }
struct patch_table *patch_table_clone(const struct patch_table *pt) { return patch_table_new(); }
