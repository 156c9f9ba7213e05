/* core/task.c — guest memory access for syscall handlers, path helpers
 * and warnings. */
#include "core/task.h"

#include "core/codemem.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

int task_read(struct task *t, uint64_t addr, void *buf, size_t len)
{
	if (!len)
		return 0;
	/* /proc/PID/mem reads anything mapped: enforce the guest's view */
	if (!addr || addr + len < addr ||
	    !(mm_fully_mapped(t->mm, addr, addr + len, PROT_READ) ||
	      mm_fully_mapped(t->mm, addr, addr + len, PROT_EXEC)) ||
	    plat_mem_read(t->plat, addr, buf, len) < 0)
		return -EFAULT;
	/* the guest must see its own code, not deja's traps */
	patch_unpatch_view(t->patches, addr, buf, len);
	return 0;
}

int task_write(struct task *t, uint64_t addr, const void *buf, size_t len)
{
	if (!len)
		return 0;
	if (!addr || addr + len < addr ||
	    !mm_fully_mapped(t->mm, addr, addr + len, PROT_WRITE))
		return -EFAULT;
	if (mm_fully_mapped(t->mm, addr, addr + len, PROT_WRITE | PROT_EXEC))
		code_before_write(t, addr, len);
	return plat_mem_write(t->plat, addr, buf, len) < 0 ? -EFAULT : 0;
}

int task_read_path(struct task *t, uint64_t addr, char *buf, size_t cap)
{
	int rc;

	if (!addr)
		return -EFAULT;
	rc = plat_mem_read_str(t->plat, addr, buf, cap);
	return rc == -ENAMETOOLONG ? rc : rc < 0 ? -EFAULT : 0;
}

void kernel_warn(struct kernel *k, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!k->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	k->warn(msg);
}

void *kernel_scratch(struct kernel *k, size_t n)
{
	if (n > k->scratch_cap) {
		void *p = realloc(k->scratch, n);
		if (!p)
			return NULL;
		k->scratch = p;
		k->scratch_cap = n;
	}
	return k->scratch;
}

void file_release(struct task *t, struct file *f)
{
	if (!file_put(f))
		return;
	if (f->kind == FILE_HOST) {
		struct nd_call c = { .op = ND_CLOSE, .a = { f->hostfd } };
		nd_call(t->k->nd, &c);
	}
	file_free(f);
}
