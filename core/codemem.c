/* core/codemem.c — instruction traps that follow executable memory (see
 * core/codemem.h). */
#include "core/codemem.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "core/task.h"

#define WX (PROT_WRITE | PROT_EXEC)

/* Idempotent: sites found earlier in the range are dropped (their
 * original bytes restored) and the range is scanned afresh, so code the
 * guest rewrote never keeps a trap at a stale address. */
void code_patch(struct task *t, uint64_t start, uint64_t len)
{
	uint8_t *buf = malloc(len);

	if (!buf)
		return;
	if (plat_mem_read(t->plat, start, buf, len) == 0) {
		patch_unpatch_view(t->patches, start, buf, len);
		patch_remove_range(t->patches, start, len);
		if (patch_scan(t->patches, start, buf, len, NULL, 0) >= 0)
			patch_apply(t->patches, start, buf, len);
		plat_mem_write(t->plat, start, buf, len);
	}
	free(buf);
}

void code_unpatch(struct task *t, uint64_t start, uint64_t len)
{
	uint8_t *buf;

	if (!patch_count(t->patches) || !(buf = malloc(len)))
		return;
	if (plat_mem_read(t->plat, start, buf, len) == 0) {
		patch_unpatch_view(t->patches, start, buf, len);
		plat_mem_write(t->plat, start, buf, len);
	}
	patch_remove_range(t->patches, start, len);
	free(buf);
}

int code_host_prot(int prot)
{
	return (prot & WX) == WX ? prot & ~PROT_EXEC : prot;
}

/* Switch one page of writable+executable memory on the host. */
static void switch_page(struct task *t, uint64_t page, int to_exec)
{
	if (to_exec)
		code_patch(t, page, PAGE_SIZE_G);
	else
		code_unpatch(t, page, PAGE_SIZE_G);
	plat_guest_syscall(t->plat, SYS_mprotect, (long)page, PAGE_SIZE_G,
			   to_exec ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE,
			   0, 0, 0);
}

int code_fault(struct task *t, const struct plat_stop *stop)
{
	const struct vma *v = mm_find(t->mm, stop->fault_addr);
	uint64_t rip = t->regs.rip, at = stop->fault_addr;

	if (stop->fault_code != SEGV_ACCERR || !v || (v->prot & WX) != WX)
		return 0;
	/* the guest may do both: the fault is a fetch if it is at the
	 * instruction being executed (up to its 15 bytes), else a write */
	switch_page(t, PAGE_DOWN(at), at >= rip && at < rip + 15);
	return 1;
}

void code_before_write(struct task *t, uint64_t addr, size_t len)
{
	for (uint64_t p = PAGE_DOWN(addr); p < addr + len; p += PAGE_SIZE_G) {
		const struct vma *v = mm_find(t->mm, p);
		if (v && (v->prot & WX) == WX)
			switch_page(t, p, 0);
	}
}
