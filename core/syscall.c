/* core/syscall.c — the syscall table built from core/syscalls.def, and
 * dispatch with one warning per unknown syscall. */
#include "core/syscall.h"

#include <errno.h>
#include <sys/syscall.h>
#include <sys/user.h>

#include "core/task.h"

#define TABLE_SIZE 512

static const syscall_fn table[TABLE_SIZE] = {
#define SYSCALL(name) [__NR_##name] = sys_##name,
#include "core/syscalls.def"
#undef SYSCALL
};

bool syscall_implemented(long nr)
{
	return nr >= 0 && nr < TABLE_SIZE && table[nr];
}

long syscall_dispatch(struct task *t, long nr, const uint64_t a[6])
{
	if (syscall_implemented(nr))
		return table[nr](t, a);
	if (nr < 0 || nr >= TABLE_SIZE) {
		if (!t->k->warned_big++)
			kernel_warn(t->k, "unknown syscall %ld, returning ENOSYS", nr);
	} else if (!t->k->warned[nr]) {
		const char *name = syscall_name(nr);
		t->k->warned[nr] = 1;
		if (name)
			kernel_warn(t->k, "unsupported syscall %s (%ld), returning ENOSYS",
				    name, nr);
		else
			kernel_warn(t->k, "unknown syscall %ld, returning ENOSYS", nr);
	}
	return -ENOSYS;
}

long syscall_decode(const struct user_regs_struct *r, uint64_t a[6])
{
	a[0] = r->rdi;
	a[1] = r->rsi;
	a[2] = r->rdx;
	a[3] = r->r10;
	a[4] = r->r8;
	a[5] = r->r9;
	return (long)r->orig_rax;
}
