/* core/process.c — the guest's processes as kernel objects: creating and
 * finding tasks, and what happens when a process ends (its files are
 * released, it becomes a zombie for its parent, its children go to the
 * outside, a parent waiting in vfork runs again). */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "core/shmap.h"
#include "core/signal.h"
#include "core/task.h"

struct task *task_find(struct kernel *k, uint32_t pid)
{
	for (struct task *t = k->tasks; t; t = t->next)
		if (t->pid == pid && t->state != TASK_DEAD)
			return t;
	return NULL;
}

struct task *task_new(struct kernel *k)
{
	struct task *t = calloc(1, sizeof(*t)), **end = &k->tasks;

	if (!t)
		return NULL;
	t->k = k;
	t->pid = t->tid = k->next_pid++;
	t->ppid = GUEST_PARENT_PID;
	t->exit_signal = SIGCHLD;
	t->pgid = t->sid = t->pid;
	while (*end)
		end = &(*end)->next;
	*end = t;
	return t;
}

void task_free(struct task *t)
{
	if (!t)
		return;
	plat_destroy(t->plat);
	shmaps_drop(&t->shmaps);
	fdtable_drop(t->files);
	mm_free(t->mm);
	patch_table_free(t->patches);
	free(t->exe);
	free(t->cwd);
	free(t->auxv);
	free(t);
}

void task_set_comm(struct task *t, const char *path)
{
	const char *base = strrchr(path, '/');

	snprintf(t->comm, sizeof(t->comm), "%.15s", base ? base + 1 : path);
}

int tasks_alive(const struct kernel *k)
{
	int n = 0;

	for (const struct task *t = k->tasks; t; t = t->next)
		n += t->state == TASK_RUNNABLE || t->state == TASK_BLOCKED;
	return n;
}

/* Close every descriptor the way close() would (host fds through the
 * logging layer, so replay consumes the same events). */
static void release_files(struct task *t)
{
	if (!t->files)
		return;
	for (int fd = 0; fd < FDTABLE_MAX; fd++) {
		struct file *f = fd_remove(t->files, fd);
		if (f)
			file_release(t, f);
	}
	fdtable_free(t->files);
	t->files = NULL;
}

static bool alive(const struct task *t)
{
	return t->state == TASK_RUNNABLE || t->state == TASK_BLOCKED;
}

/* Where T's orphans go: its nearest live ancestor that is a subreaper
 * (prctl), else outside the guest system (NULL). */
static struct task *reaper_for(struct task *t)
{
	int hops = 0;

	for (struct task *p = task_find(t->k, t->ppid); p && hops++ < 4096;
	     p = task_find(t->k, p->ppid))
		if (p->subreaper && alive(p))
			return p;
	return NULL;
}

static void orphan_children(struct task *t)
{
	struct task *reaper = reaper_for(t);

	for (struct task *c = t->k->tasks; c; c = c->next) {
		if (c->ppid != t->pid || c->state == TASK_DEAD)
			continue;
		c->ppid = reaper ? reaper->pid : GUEST_PARENT_PID;
		if (c->state == TASK_ZOMBIE && !reaper) /* nobody will wait */
			c->state = TASK_DEAD;
		if (alive(c) && c->pdeathsig)
			signal_send(c, c->pdeathsig, SI_USER, t->pid);
	}
}

static void notify_parent(struct task *parent, const struct task *t,
			  int status)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = t->exit_signal;
	si.si_pid = (pid_t)t->pid;
	si.si_uid = t->id.uid;
	if (WIFEXITED(status)) {
		si.si_code = CLD_EXITED;
		si.si_status = WEXITSTATUS(status);
	} else {
		si.si_code = WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
		si.si_status = WTERMSIG(status);
	}
	signal_send_info(parent, &si);
}

/* What an ended process no longer needs: its host process (and the
 * descriptor deja holds for its memory), its address space records. */
static void release_image(struct task *t)
{
	plat_destroy(t->plat);
	t->plat = NULL;
	mm_free(t->mm);
	t->mm = NULL;
	patch_table_free(t->patches);
	t->patches = NULL;
}

void task_exited(struct task *t, int status)
{
	struct task *parent = task_find(t->k, t->ppid);

	t->exit_status = status;
	release_files(t);
	orphan_children(t);
	shmaps_drop(&t->shmaps);
	release_image(t);
	if (parent && parent->vfork_child == t->pid)
		parent->vfork_child = 0;
	if (!parent || parent->state == TASK_ZOMBIE) {
		t->state = TASK_DEAD;
		return;
	}
	t->state = TASK_ZOMBIE;
	if (t->exit_signal == SIGCHLD &&
	    (parent->sigs.act[SIGCHLD].handler == (uint64_t)(uintptr_t)SIG_IGN ||
	     (parent->sigs.act[SIGCHLD].flags & SA_NOCLDWAIT)))
		t->state = TASK_DEAD; /* reaped at once, as Linux does */
	if (t->exit_signal)
		notify_parent(parent, t, status); /* dropped if ignored */
}
