/* core/sys_wait.c — waiting for child processes: wait4 and waitid. A
 * zombie child is reaped (its status given to the parent); with none
 * yet the call blocks (SYS_BLOCK) until one exits, or returns at once
 * with WNOHANG. Stopped and continued children are not reported: guest
 * processes are never stopped by job control yet. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "core/syscall.h"
#include "core/task.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

/* Which children a wait names. */
struct wait_sel {
	enum { SEL_ANY, SEL_PID, SEL_PGID } kind;
	uint32_t id;
};

static bool selected(const struct task *c, const struct wait_sel *s)
{
	switch (s->kind) {
	case SEL_ANY: return true;
	case SEL_PID: return c->pid == s->id;
	default: return c->pgid == s->id;
	}
}

/* A zombie child P may reap, or NULL; *ANY says whether it has any
 * matching child at all. */
static struct task *find_zombie(struct task *p, const struct wait_sel *s,
				bool *any)
{
	*any = false;
	for (struct task *c = p->k->tasks; c; c = c->next) {
		if (c->ppid != p->pid || c->state == TASK_DEAD || !selected(c, s))
			continue;
		*any = true;
		if (c->state == TASK_ZOMBIE)
			return c;
	}
	return NULL;
}

static long zero_rusage(struct task *t, uint64_t addr)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	return addr && task_write(t, addr, &ru, sizeof(ru)) < 0 ? -EFAULT : 0;
}

long sys_wait4(struct task *t, const uint64_t a[6])
{
	long pid = (int)a[0];
	int options = (int)a[2], status;
	struct wait_sel s = { SEL_ANY, 0 };
	struct task *z;
	bool any;

	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if (pid > 0)
		s = (struct wait_sel){ SEL_PID, (uint32_t)pid };
	else if (pid == 0)
		s = (struct wait_sel){ SEL_PGID, t->pgid };
	else if (pid < -1)
		s = (struct wait_sel){ SEL_PGID, (uint32_t)-pid };
	z = find_zombie(t, &s, &any);
	if (!any)
		return -ECHILD;
	if (!z && (options & WNOHANG))
		t->yielded = true; /* a polling parent lets its children run */
	if (!z)
		return options & WNOHANG ? 0 : SYS_BLOCK;
	status = z->exit_status;
	if ((a[1] && task_write(t, a[1], &status, sizeof(status)) < 0) ||
	    zero_rusage(t, a[3]) < 0)
		return -EFAULT;
	z->state = TASK_DEAD;
	return z->pid;
}

/* The siginfo waitid fills: signo, errno, code, then pid, uid, status. */
static long fill_siginfo(struct task *t, uint64_t addr, const struct task *z)
{
	int si[32];

	memset(si, 0, sizeof(si));
	if (z) {
		si[0] = SIGCHLD;
		if (WIFEXITED(z->exit_status)) {
			si[2] = CLD_EXITED;
			si[6] = WEXITSTATUS(z->exit_status);
		} else {
			si[2] = WCOREDUMP(z->exit_status) ? CLD_DUMPED : CLD_KILLED;
			si[6] = WTERMSIG(z->exit_status);
		}
		si[4] = (int)z->pid;
		si[5] = (int)t->id.uid;
	}
	return addr && task_write(t, addr, si, sizeof(si)) < 0 ? -EFAULT : 0;
}

long sys_waitid(struct task *t, const uint64_t a[6])
{
	int idtype = (int)a[0], options = (int)a[3];
	struct wait_sel s = { SEL_ANY, 0 };
	struct task *z;
	bool any;

	if (!(options & WEXITED) ||
	    (options & ~(WNOHANG | WEXITED | WSTOPPED | WCONTINUED | WNOWAIT |
			 __WALL | __WCLONE | __WNOTHREAD)))
		return -EINVAL;
	if (idtype == P_PID)
		s = (struct wait_sel){ SEL_PID, (uint32_t)a[1] };
	else if (idtype == P_PGID)
		s = (struct wait_sel){ SEL_PGID, a[1] ? (uint32_t)a[1] : t->pgid };
	else if (idtype != P_ALL)
		return -EINVAL;
	z = find_zombie(t, &s, &any);
	if (!any)
		return -ECHILD;
	if (!z && !(options & WNOHANG))
		return SYS_BLOCK;
	if (!z)
		t->yielded = true;
	if (fill_siginfo(t, a[2], z) < 0 || zero_rusage(t, a[4]) < 0)
		return -EFAULT;
	if (z && !(options & WNOWAIT))
		z->state = TASK_DEAD;
	return 0;
}
