/* core/sys_pgrp.c — process groups and sessions: setpgid, getpgid,
 * getpgrp, setsid, getsid, with Linux's rules on who may move where.
 * The first process starts as the leader of its own group and session
 * (its real terminal's job control stays with deja's host process). */
#include <errno.h>

#include "core/syscall.h"
#include "core/task.h"

/* The task PID names (0: T itself). */
static struct task *target(struct task *t, uint64_t pid)
{
	if ((int)pid < 0)
		return NULL;
	return pid == 0 ? t : task_find(t->k, (uint32_t)pid);
}

static bool group_in_session(struct kernel *k, uint32_t pgid, uint32_t sid)
{
	for (struct task *x = k->tasks; x; x = x->next)
		if (x->state != TASK_DEAD && x->pgid == pgid && x->sid == sid)
			return true;
	return false;
}

long sys_setpgid(struct task *t, const uint64_t a[6])
{
	struct task *x = target(t, a[0]);
	uint32_t pgid;

	if ((int)a[1] < 0)
		return -EINVAL;
	if (!x || (x != t && x->ppid != t->pid))
		return -ESRCH;
	if (x->sid != t->sid || x->pid == x->sid)
		return -EPERM;
	pgid = a[1] ? (uint32_t)a[1] : x->pid;
	if (pgid != x->pid && !group_in_session(t->k, pgid, t->sid))
		return -EPERM;
	x->pgid = pgid;
	return 0;
}

long sys_getpgid(struct task *t, const uint64_t a[6])
{
	struct task *x = target(t, a[0]);

	return x ? (long)x->pgid : -ESRCH;
}

long sys_getpgrp(struct task *t, const uint64_t a[6])
{
	return t->pgid;
}

long sys_getsid(struct task *t, const uint64_t a[6])
{
	struct task *x = target(t, a[0]);

	return x ? (long)x->sid : -ESRCH;
}

long sys_setsid(struct task *t, const uint64_t a[6])
{
	for (struct task *x = t->k->tasks; x; x = x->next)
		if (x->state != TASK_DEAD && x->pgid == t->pid)
			return -EPERM; /* already leads a group */
	t->sid = t->pgid = t->pid;
	return t->pid;
}
