/* core/sys_mm.c — the guest address space: brk, mmap, munmap, mprotect,
 * mremap, madvise. deja chooses every address (core/mm.c) and performs
 * the mapping inside the guest process; file contents come through the
 * logging layer (ND_MAPFILE, stored once by content hash in the trace)
 * and are copied into private anonymous memory, or shared anonymous
 * memory written back to the file (core/shmap.c) for shared writable
 * mappings. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "core/codemem.h"
#include "core/syscall.h"
#include "core/task.h"

#define MAP_KEEP (MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | \
		  MAP_STACK | MAP_GROWSDOWN | MAP_POPULATE | MAP_LOCKED)

static long guest_call(struct task *t, long nr, uint64_t a0, uint64_t a1,
		       uint64_t a2, uint64_t a3)
{
	return plat_guest_syscall(t->plat, nr, (long)a0, (long)a1, (long)a2,
				  (long)a3, -1, 0);
}

/* True if [addr, addr+len) touches deja's stub page or leaves user space. */
static bool hits_reserved(uint64_t addr, uint64_t len)
{
	return addr + len < addr || addr + len > PLAT_TASK_SIZE ||
	       (addr < PLAT_STUB_ADDR + PLAT_STUB_SIZE && addr + len > PLAT_STUB_ADDR);
}

static long choose_address(struct task *t, uint64_t addr, uint64_t len,
			   int flags)
{
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE_G - 1) || addr < MM_LOW_LIMIT ||
		    addr + len > PLAT_TASK_SIZE || addr + len < addr)
			return -EINVAL;
		if ((flags & MAP_FIXED_NOREPLACE) && mm_overlaps(t->mm, addr, addr + len))
			return -EEXIST;
		if (addr < PLAT_STUB_ADDR + PLAT_STUB_SIZE && addr + len > PLAT_STUB_ADDR)
			return -ENOMEM;
		return (long)addr;
	}
	addr = PAGE_DOWN(addr);
	if (addr >= MM_LOW_LIMIT && addr + len <= MM_MMAP_BASE &&
	    !mm_overlaps(t->mm, addr, addr + len))
		return (long)addr;
	addr = mm_find_free(t->mm, len);
	return addr ? (long)addr : -ENOMEM;
}

/* Copy a file range into the fresh mapping at START; *GOT is how many
 * bytes of the file were there. */
static long fill_from_file(struct task *t, struct file *f, uint64_t start,
			   uint64_t len, uint64_t off, int prot, uint64_t *got)
{
	struct nd_call c = { .op = ND_MAPFILE, .a = { f->hostfd, (long)off,
						      (long)len } };
	long rc = 0;

	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.blob_len > len) {
		free(c.blob);
		return -EIO;
	}
	if ((prot & PROT_EXEC) && !(prot & PROT_WRITE)) { /* W+X: at first run */
		patch_scan(t->patches, start, c.blob, c.blob_len, NULL, 0);
		patch_apply(t->patches, start, c.blob, c.blob_len);
	}
	if (c.blob_len)
		rc = plat_mem_write(t->plat, start, c.blob, c.blob_len);
	*got = c.blob_len;
	free(c.blob);
	return rc;
}

/* Checks for a file mapping; *WRITE_BACK: shared, so changes go back. */
static long check_file_map(struct task *t, const uint64_t a[6],
			   struct file **f, bool *write_back)
{
	int prot = (int)a[2], flags = (int)a[3];

	*f = NULL;
	*write_back = false;
	if (flags & MAP_ANONYMOUS)
		return 0;
	if (a[5] & (PAGE_SIZE_G - 1))
		return -EINVAL;
	*f = fd_get(t->files, (int)a[4]);
	if (!*f)
		return -EBADF;
	if ((*f)->kind == FILE_PROC || (*f)->kind == FILE_OBJ)
		return -ENODEV;
	if (((*f)->flags & O_ACCMODE) == O_WRONLY)
		return -EACCES;
	if ((flags & MAP_SHARED) && ((*f)->flags & O_ACCMODE) == O_RDWR)
		*write_back = true;
	else if ((flags & MAP_SHARED) && (prot & PROT_WRITE))
		return -EACCES;
	return 0;
}

/* Fill the new mapping from its file and set its final protection. */
static long populate(struct task *t, struct file *f, bool write_back,
		     uint64_t addr, uint64_t len, uint64_t off, int prot)
{
	uint64_t got = 0;
	long r = fill_from_file(t, f, addr, len, off, prot, &got);

	if (r == 0 && !(prot & PROT_WRITE))
		r = guest_call(t, SYS_mprotect, addr, len, (uint64_t)code_host_prot(prot), 0);
	if (r == 0 && write_back)
		r = shmap_add(t, addr, addr + len, f, off, got);
	return r;
}

long sys_mmap(struct task *t, const uint64_t a[6])
{
	uint64_t len = PAGE_UP(a[1]);
	int prot = (int)a[2], flags = (int)a[3], host_flags;
	struct file *f;
	bool write_back;
	long addr, r;

	if (!a[1] || len < a[1] || !(flags & (MAP_SHARED | MAP_PRIVATE)))
		return -EINVAL;
	r = check_file_map(t, a, &f, &write_back);
	if (r < 0)
		return r;
	addr = choose_address(t, a[0], len, flags);
	if (addr < 0)
		return addr;
	shmap_writeback(t, (uint64_t)addr, (uint64_t)addr + len, 1);
	host_flags = (flags & MAP_KEEP) | MAP_FIXED | MAP_ANONYMOUS;
	if (f && !write_back)
		host_flags = (host_flags & ~MAP_SHARED) | MAP_PRIVATE;
	r = guest_call(t, SYS_mmap, (uint64_t)addr, len,
		       (uint64_t)(f ? prot | PROT_WRITE : code_host_prot(prot)),
		       (uint64_t)host_flags);
	if (r < 0)
		return r;
	mm_insert(t->mm, (uint64_t)addr, (uint64_t)addr + len, prot,
		  flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE));
	if (f)
		mm_set_file(t->mm, (uint64_t)addr, (uint64_t)addr + len, f->path, a[5]);
	patch_remove_range(t->patches, (uint64_t)addr, len);
	if (f) {
		r = populate(t, f, write_back, (uint64_t)addr, len, a[5], prot);
		if (r < 0) {
			guest_call(t, SYS_munmap, (uint64_t)addr, len, 0, 0);
			mm_remove(t->mm, (uint64_t)addr, (uint64_t)addr + len);
			return r;
		}
	}
	return addr;
}

long sys_munmap(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = PAGE_UP(a[1]);
	long r;

	if (addr & (PAGE_SIZE_G - 1) || !len || hits_reserved(addr, len))
		return -EINVAL;
	shmap_writeback(t, addr, addr + len, 1);
	r = guest_call(t, SYS_munmap, addr, len, 0, 0);
	if (r == 0) {
		mm_remove(t->mm, addr, addr + len);
		patch_remove_range(t->patches, addr, len);
	}
	return r;
}

long sys_mprotect(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = PAGE_UP(a[1]);
	int prot = (int)a[2];
	long r;

	if (addr & (PAGE_SIZE_G - 1) || addr + len < addr)
		return -EINVAL;
	if (!mm_fully_mapped(t->mm, addr, addr + len, 0))
		return -ENOMEM;
	r = guest_call(t, SYS_mprotect, addr, len, (uint64_t)code_host_prot(prot), 0);
	if (r < 0 || !len)
		return r;
	mm_protect(t->mm, addr, addr + len, prot);
	/* executable only: scan now; writable too: at first run (W^X) */
	if ((prot & PROT_EXEC) && !(prot & PROT_WRITE))
		code_patch(t, addr, len);
	else
		code_unpatch(t, addr, len);
	return 0;
}

long sys_madvise(struct task *t, const uint64_t a[6])
{
	if (a[0] & (PAGE_SIZE_G - 1))
		return -EINVAL;
	if (hits_reserved(a[0], PAGE_UP(a[1])))
		return -ENOMEM;
	return guest_call(t, SYS_madvise, a[0], a[1], a[2], 0);
}

/* Shared file mappings reach their files here (and at munmap, exit). */
long sys_msync(struct task *t, const uint64_t a[6])
{
	uint64_t addr = a[0], len = PAGE_UP(a[1]);

	if ((addr & (PAGE_SIZE_G - 1)) || (a[2] & ~(uint64_t)(MS_ASYNC | MS_SYNC | MS_INVALIDATE)) ||
	    ((a[2] & MS_ASYNC) && (a[2] & MS_SYNC)))
		return -EINVAL;
	if (!mm_fully_mapped(t->mm, addr, addr + len, 0))
		return -ENOMEM;
	return shmap_writeback(t, addr, addr + len, 0);
}

/* Where a mremap goes: DST, or -errno. */
static long mremap_target(struct task *t, const uint64_t a[6], uint64_t old,
			  uint64_t oldlen, uint64_t newlen)
{
	int flags = (int)a[3];
	uint64_t dst;

	if (flags & MREMAP_FIXED) {
		dst = a[4];
		if (!(flags & MREMAP_MAYMOVE) || (dst & (PAGE_SIZE_G - 1)) ||
		    hits_reserved(dst, newlen) || dst < MM_LOW_LIMIT)
			return -EINVAL;
		return (long)dst;
	}
	if (newlen <= oldlen || !mm_overlaps(t->mm, old + oldlen, old + newlen))
		return (long)old;
	if (!(flags & MREMAP_MAYMOVE))
		return -ENOMEM;
	dst = mm_find_free(t->mm, newlen);
	return dst ? (long)dst : -ENOMEM;
}

long sys_mremap(struct task *t, const uint64_t a[6])
{
	uint64_t old = a[0], oldlen = PAGE_UP(a[1]), newlen = PAGE_UP(a[2]);
	struct vma keep;
	long dst, r;

	if ((old & (PAGE_SIZE_G - 1)) || !newlen || !oldlen ||
	    (a[3] & ~(uint64_t)(MREMAP_MAYMOVE | MREMAP_FIXED)))
		return -EINVAL;
	/* one mapping (alike parts), as Linux requires */
	if (!mm_uniform(t->mm, old, old + oldlen, &keep))
		return -EFAULT;
	dst = mremap_target(t, a, old, oldlen, newlen);
	if (dst < 0)
		return dst;
	/* moved code must keep its traps at their new addresses */
	if (keep.prot & PROT_EXEC)
		code_unpatch(t, old, oldlen);
	shmap_prepare_move(t, old, oldlen, newlen);
	r = plat_guest_syscall(t->plat, SYS_mremap, (long)old, (long)oldlen,
			       (long)newlen,
			       dst == (long)old ? 0 : MREMAP_MAYMOVE | MREMAP_FIXED,
			       dst, 0);
	if (r < 0) {
		if ((keep.prot & PROT_EXEC) && !(keep.prot & PROT_WRITE))
			code_patch(t, old, oldlen);
		return r;
	}
	mm_remove(t->mm, old, old + oldlen);
	mm_insert(t->mm, (uint64_t)dst, (uint64_t)dst + newlen, keep.prot, keep.flags);
	mm_set_file(t->mm, (uint64_t)dst, (uint64_t)dst + newlen, keep.name, keep.off);
	shmap_move(t, old, (uint64_t)dst, newlen);
	if ((keep.prot & PROT_EXEC) && !(keep.prot & PROT_WRITE))
		code_patch(t, (uint64_t)dst, newlen);
	return dst;
}

long sys_brk(struct task *t, const uint64_t a[6])
{
	struct mm *mm = t->mm;
	uint64_t want = a[0], end = PAGE_UP(want);

	if (want < mm->brk_start || want >= MM_STACK_TOP - MM_STACK_SIZE)
		return (long)mm->brk;
	if (end > mm->brk_mapped) {
		if (mm_overlaps(mm, mm->brk_mapped, end))
			return (long)mm->brk;
		long r = guest_call(t, SYS_mmap, mm->brk_mapped, end - mm->brk_mapped,
				    PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
		if (r < 0)
			return (long)mm->brk;
		mm_insert(mm, mm->brk_mapped, end, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS);
	} else if (end < mm->brk_mapped) {
		guest_call(t, SYS_munmap, end, mm->brk_mapped - end, 0, 0);
		mm_remove(mm, end, mm->brk_mapped);
	}
	mm->brk_mapped = end;
	mm->brk = want;
	return (long)want;
}
