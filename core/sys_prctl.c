/* core/sys_prctl.c — process attributes kept by the kernel: prctl's
 * (the name, the parent-death signal, dumpable, no_new_privs, the child
 * subreaper flag, keepcaps, timer slack), niceness, CPU affinity, and
 * sync (a no-op). They
 * are kept by the kernel; none changes the host process. Other options
 * get EINVAL, as for an unknown option. */
#include <errno.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "core/syscall.h"
#include "core/task.h"

static long put_int(struct task *t, uint64_t addr, int v)
{
	return task_write(t, addr, &v, sizeof(v)) < 0 ? -EFAULT : 0;
}

static long name(struct task *t, int op, uint64_t addr)
{
	char buf[16];

	if (op == PR_GET_NAME) {
		memset(buf, 0, sizeof(buf));
		memcpy(buf, t->comm, strnlen(t->comm, 15));
		return task_write(t, addr, buf, sizeof(buf)) < 0 ? -EFAULT : 0;
	}
	if (task_read_path(t, addr, buf, sizeof(buf)) == -EFAULT)
		return -EFAULT;
	buf[15] = 0;
	memcpy(t->comm, buf, sizeof(buf));
	return 0;
}

/* Scheduling niceness is kept, not applied: one guest process runs at a
 * time whatever its priority. Only the process itself (who 0 or its own
 * pid) is addressed. */
long sys_getpriority(struct task *t, const uint64_t a[6])
{
	if (a[0] != PRIO_PROCESS || (a[1] && a[1] != t->pid))
		return a[0] > PRIO_USER ? -EINVAL : -ESRCH;
	return 20 - t->nice; /* the raw syscall's 40..1 */
}

long sys_setpriority(struct task *t, const uint64_t a[6])
{
	int n = (int)a[2];

	if (a[0] != PRIO_PROCESS || (a[1] && a[1] != t->pid))
		return a[0] > PRIO_USER ? -EINVAL : -ESRCH;
	n = n < -20 ? -20 : n > 19 ? 19 : n;
	if (n < t->nice && t->id.euid != 0)
		return -EACCES;
	t->nice = n;
	return 0;
}

/* Affinity is accepted, not applied (deja runs one process at a time). */
long sys_sched_setaffinity(struct task *t, const uint64_t a[6])
{
	if ((a[0] && a[0] != t->pid && !task_find(t->k, (uint32_t)a[0])))
		return -ESRCH;
	return a[1] ? 0 : -EINVAL;
}

/* Nothing is buffered by deja: the guest's writes reached the host. */
long sys_sync(struct task *t, const uint64_t a[6])
{
	return 0;
}

long sys_prctl(struct task *t, const uint64_t a[6])
{
	int op = (int)a[0];

	switch (op) {
	case PR_SET_NAME: case PR_GET_NAME:
		return name(t, op, a[1]);
	case PR_SET_PDEATHSIG:
		if (a[1] > 64)
			return -EINVAL;
		t->pdeathsig = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG:
		return put_int(t, a[1], t->pdeathsig);
	case PR_GET_DUMPABLE:
		return !t->not_dumpable;
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		t->not_dumpable = !a[1];
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		t->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return t->no_new_privs;
	case PR_SET_CHILD_SUBREAPER:
		t->subreaper = a[1] != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		return put_int(t, a[1], t->subreaper);
	case PR_GET_KEEPCAPS:
		return 0;
	case PR_SET_KEEPCAPS:
		return a[1] > 1 ? -EINVAL : 0;
	case PR_GET_TIMERSLACK:
		return 50000;
	case PR_SET_TIMERSLACK:
		return 0;
	default:
		return -EINVAL;
	}
}
