/* core/sys_fork.c — new processes: fork, vfork and clone without
 * CLONE_THREAD. The host process is copied (plat_fork) and the kernel's
 * state for it is copied or shared as Linux does: a copy of the address
 * space bookkeeping, the same open files in a new descriptor table.
 * CLONE_VM without CLONE_THREAD (vfork, posix_spawn) gets a copy of the
 * memory instead of the same memory: the child only runs until it execs
 * or exits, while its parent waits (CLONE_VFORK), so the programs that
 * use it behave the same; writes the child makes to the parent's memory
 * are not seen by the parent. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif

/* Everything of the child except its host process. */
static int copy_state(struct task *c, const struct task *p)
{
	c->ppid = p->pid;
	c->pgid = p->pgid;
	c->sid = p->sid;
	c->exe = strdup(p->exe);
	c->cwd = strdup(p->cwd);
	c->umask = p->umask;
	c->nice = p->nice;
	c->id = p->id;
	memcpy(c->comm, p->comm, sizeof(c->comm));
	c->not_dumpable = p->not_dumpable;
	c->no_new_privs = p->no_new_privs;
	c->patches = patch_table_clone(p->patches);
	c->mm = mm_clone(p->mm);
	c->files = fdtable_fork(p->files);
	signal_fork(c, p);
	c->auxv = p->auxv_len ? malloc(p->auxv_len) : NULL;
	c->auxv_len = p->auxv_len;
	if (c->auxv)
		memcpy(c->auxv, p->auxv, p->auxv_len);
	if (!c->exe || !c->cwd || !c->patches || !c->mm || !c->files ||
	    (p->auxv_len && !c->auxv))
		return -ENOMEM;
	return 0;
}

/* Take a child that could not be made off the task list again. */
static void discard(struct kernel *k, struct task *c)
{
	struct task **pp = &k->tasks;

	while (*pp != c)
		pp = &(*pp)->next;
	*pp = c->next;
	task_free(c);
}

struct clone_req {
	uint64_t flags, stack, ptid, ctid, tls;
};

/* The child's registers: the parent's at the syscall, returning 0. */
static int start_child(struct task *c, const struct task *p,
		       const struct clone_req *q)
{
	c->regs = p->regs;
	if (q->stack)
		c->regs.rsp = q->stack;
	if (q->flags & CLONE_SETTLS)
		c->regs.fs_base = q->tls;
	return plat_finish_syscall(c->plat, &c->regs, 0);
}

static long do_clone(struct task *p, const struct clone_req *q)
{
	struct task *c = task_new(p->k);
	uint32_t pid;
	int rc;

	if (!c)
		return -ENOMEM;
	pid = c->pid;
	rc = copy_state(c, p);
	if (rc == 0)
		rc = plat_fork(p->plat, &c->plat);
	if (rc == 0)
		rc = start_child(c, p, q);
	if (rc == 0 && (q->flags & CLONE_CHILD_SETTID))
		rc = task_write(c, q->ctid, &pid, sizeof(pid));
	if (rc == 0 && (q->flags & CLONE_PARENT_SETTID))
		rc = task_write(p, q->ptid, &pid, sizeof(pid));
	if (rc < 0) {
		discard(p->k, c);
		return rc == -EFAULT ? -EFAULT : -EAGAIN;
	}
	if (q->flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = q->ctid;
	c->exit_signal = (int)(q->flags & 0xff);
	c->state = TASK_RUNNABLE;
	if (q->flags & CLONE_VFORK) {
		p->vfork_child = p->vfork_result = pid;
		return SYS_BLOCK; /* until the child execs or exits */
	}
	return pid;
}

long sys_fork(struct task *t, const uint64_t a[6])
{
	struct clone_req q = { .flags = SIGCHLD };

	return do_clone(t, &q);
}

long sys_vfork(struct task *t, const uint64_t a[6])
{
	struct clone_req q = { .flags = CLONE_VM | CLONE_VFORK | SIGCHLD };

	if (t->retry) /* woken: the child has exec'd or exited */
		return t->vfork_child ? SYS_BLOCK : t->vfork_result;
	return do_clone(t, &q);
}

long sys_clone(struct task *t, const uint64_t a[6])
{
	struct clone_req q = { a[0], a[1], a[2], a[3], a[4] };

	if (t->retry)
		return t->vfork_child ? SYS_BLOCK : t->vfork_result;
	if (q.flags & (CLONE_THREAD | CLONE_SIGHAND)) {
		if (!t->k->warned_threads++)
			kernel_warn(t->k, "threads (clone with CLONE_THREAD) are not supported yet, returning ENOSYS");
		return -ENOSYS;
	}
	if (q.flags & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUSER | CLONE_NEWNET |
		       CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | CLONE_PIDFD |
		       CLONE_PTRACE))
		return -EINVAL;
	return do_clone(t, &q);
}

/* clone3 is not offered: the C libraries fall back to clone. */
long sys_clone3(struct task *t, const uint64_t a[6])
{
	return -ENOSYS;
}
