/* core/shmap.h — shared writable file mappings. The guest gets shared
 * anonymous memory filled with the file's bytes (from the trace in
 * replay); the kernel writes the guest's changes back to the file through
 * the logging layer at msync, munmap, a mapping replaced by MAP_FIXED and
 * exit. Deterministic in record and replay alike; unlike Linux, other
 * processes and read() see the changes only from those points on. */
#ifndef DEJA_SHMAP_H
#define DEJA_SHMAP_H

#include <stddef.h>
#include <stdint.h>

struct task;
struct file;
struct file_remap;

struct shmap {
	uint64_t start, end;   /* guest range, page aligned */
	struct file *file;     /* holds a reference */
	uint64_t off;          /* file offset of start */
	uint64_t file_len;     /* bytes of the file behind the range at map time */
};

struct shmaps {
	struct shmap *v;
	size_t n, cap;
};

/* Track [start,end) as a write-back view of F at OFF (F_LEN bytes exist). */
int shmap_add(struct task *t, uint64_t start, uint64_t end, struct file *f,
	      uint64_t off, uint64_t f_len);
/* Write back the tracked parts of [start,end); with FORGET also stop
 * tracking them (unmap, replace). Returns 0 or the first -errno. */
long shmap_writeback(struct task *t, uint64_t start, uint64_t end, int forget);
/* Before a mremap of [old, old+oldlen) to NEWLEN bytes: write back what
 * will not follow (a shrunk tail; all of a mapping moved in part). */
void shmap_prepare_move(struct task *t, uint64_t old, uint64_t oldlen,
			uint64_t newlen);
/* After it: the mapping that started at OLD is at [dst, dst+newlen). */
void shmap_move(struct task *t, uint64_t old, uint64_t dst, uint64_t newlen);
/* Drop every entry without writing back (the process is gone). */
void shmap_clear(struct task *t);

/* Checkpoints. Deep-copy SRC into DST (its old contents are not freed):
 * each entry names the copy of its file through M, so an fd and a mapping
 * of one file share one copy. 0, or -ENOMEM with DST left empty. */
int shmaps_clone(struct shmaps *dst, const struct shmaps *src,
		 struct file_remap *m);
/* Free S's entries and drop their file references, leaving S empty: no
 * write-back and no host effect at all. */
void shmaps_drop(struct shmaps *s);

#endif
