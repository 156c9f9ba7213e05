/* core/mm.h — the guest address space as the kernel sees it: a sorted
 * list of mapped ranges, deterministic placement of new mappings
 * (top-down from MM_MMAP_BASE, no randomisation) and the brk area.
 * Pure bookkeeping: the caller performs the host-side mapping. */
#ifndef DEJA_MM_H
#define DEJA_MM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_SIZE_G 4096UL
#define PAGE_UP(x) (((x) + PAGE_SIZE_G - 1) & ~(PAGE_SIZE_G - 1))
#define PAGE_DOWN(x) ((x) & ~(PAGE_SIZE_G - 1))

#define MM_STACK_TOP 0x7ffffffff000UL
#define MM_STACK_SIZE (8UL << 20)
#define MM_MMAP_BASE 0x7ffff7fff000UL
#define MM_PIE_BASE 0x555555554000UL
#define MM_LOW_LIMIT 0x10000UL /* nothing below mmap_min_addr */

struct vma {
	uint64_t start, end;  /* [start, end), page aligned */
	int prot;
	int flags;            /* MAP_* as the guest asked (MAP_FIXED dropped) */
	const char *name;     /* file or "[stack]" shown in /proc/self/maps,
				 or NULL; never freed (core/names.h) */
	uint64_t off;         /* file offset of START when NAME is a file */
};

#define MM_NAME_STACK "[stack]"


struct mm {
	struct vma *v;
	size_t n, cap;
	uint64_t brk_start;   /* first byte of the heap */
	uint64_t brk;         /* current program break */
	uint64_t brk_mapped;  /* page-aligned end of what is mapped for brk */
	uint64_t arg_start, arg_end, env_start, env_end; /* strings on the
				 initial stack (/proc/self/cmdline, environ) */
};

struct mm *mm_new(void);
void mm_free(struct mm *mm);
/* An independent copy of MM (ranges and brk fields), or NULL on ENOMEM. */
struct mm *mm_clone(const struct mm *mm);
/* Record [start,end) as mapped, replacing whatever overlapped. */
int mm_insert(struct mm *mm, uint64_t start, uint64_t end, int prot, int flags);
/* Name the ranges inside [start,end) after the file NAME (a string that
 * outlives MM, see core/names.h) mapped from file offset OFF at START. */
void mm_set_file(struct mm *mm, uint64_t start, uint64_t end,
		 const char *name, uint64_t off);
/* Forget [start,end); splits ranges as needed. */
int mm_remove(struct mm *mm, uint64_t start, uint64_t end);
/* Change prot on the mapped parts of [start,end). */
int mm_protect(struct mm *mm, uint64_t start, uint64_t end, int prot);
/* True if any byte of [start,end) is mapped (or reserved by deja). */
bool mm_overlaps(const struct mm *mm, uint64_t start, uint64_t end);
/* True if all of [start,end) is mapped with at least PROT. */
bool mm_fully_mapped(const struct mm *mm, uint64_t start, uint64_t end,
		     int prot);
/* True if [start,end) is mapped by ranges that all have the same prot
 * and flags (what Linux would hold as one mapping); copies them to *ONE. */
bool mm_uniform(const struct mm *mm, uint64_t start, uint64_t end,
		struct vma *one);
/* The range containing ADDR, or NULL. */
const struct vma *mm_find(const struct mm *mm, uint64_t addr);
/* Highest free range of LEN bytes below MM_MMAP_BASE, or 0 if none. */
uint64_t mm_find_free(const struct mm *mm, uint64_t len);

#endif
