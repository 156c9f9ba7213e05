/* core/sys_signal.c — the signal syscalls. Dispositions, the mask and
 * the alternate stack are set in the guest's host process by letting the
 * host run the guest's own call (rt_sigaction, rt_sigprocmask) or by
 * running it there injected (sigaltstack), and the kernel's shadow
 * follows (core/signal.h). kill and friends generate
 * signals between guest processes; pause, rt_sigsuspend and
 * rt_sigtimedwait wait in the kernel and let the host finish the call
 * once a signal is there. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>

#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"

#define UC_SIGMASK_OFFSET 296 /* in the ucontext rt_sigreturn finds at rsp */

static bool valid_sig(long sig)
{
	return sig >= 1 && sig <= NSIG_G;
}

/* The host runs rt_sigaction and rt_sigprocmask itself (no extra stops):
 * the shadow takes the change the host will make, which Linux makes
 * once the new value is read and valid, even if writing the old one
 * back then faults. */
long sys_rt_sigaction(struct task *t, const uint64_t a[6])
{
	long sig = (long)(int)a[0];
	struct guest_sigaction act;

	if (a[3] == 8 && valid_sig(sig) && a[1] && sig != SIGKILL && sig != SIGSTOP &&
	    task_read(t, a[1], &act, sizeof(act)) == 0) {
		act.mask &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		signal_set_action(t, (int)sig, &act);
	}
	return SYS_HOST_RUNS;
}

long sys_rt_sigprocmask(struct task *t, const uint64_t a[6])
{
	int how = (int)a[0];
	uint64_t set = 0, m = t->sigs.blocked;

	if (a[3] != 8 || !a[1] || task_read(t, a[1], &set, sizeof(set)) < 0)
		return SYS_HOST_RUNS; /* the host answers EINVAL/EFAULT or reads */
	if (how == SIG_BLOCK)
		m |= set;
	else if (how == SIG_UNBLOCK)
		m &= ~set;
	else if (how == SIG_SETMASK)
		m = set;
	else
		return SYS_HOST_RUNS; /* EINVAL */
	t->sigs.blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return SYS_HOST_RUNS;
}

long sys_rt_sigpending(struct task *t, const uint64_t a[6])
{
	uint64_t p = t->sigs.pending & t->sigs.blocked;

	if (a[1] > 8 || a[1] < 1)
		return -EINVAL;
	return task_write(t, a[0], &p, a[1]) < 0 ? -EFAULT : 0;
}

long sys_sigaltstack(struct task *t, const uint64_t a[6])
{
	return plat_guest_syscall(t->plat, SYS_sigaltstack, (long)a[0],
				  (long)a[1], 0, 0, 0, 0);
}

/* The host restores the registers and mask from the frame; the shadow
 * mask follows the frame. */
long sys_rt_sigreturn(struct task *t, const uint64_t a[6])
{
	uint64_t m;

	if (task_read(t, t->regs.rsp + UC_SIGMASK_OFFSET, &m, sizeof(m)) == 0)
		t->sigs.blocked = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
	return SYS_HOST_RUNS;
}

long sys_pause(struct task *t, const uint64_t a[6])
{
	/* once a signal acts, the host's pause delivers it and returns */
	return t->retry && signal_wakes(t) ? SYS_HOST_RUNS : SYS_BLOCK;
}

long sys_rt_sigsuspend(struct task *t, const uint64_t a[6])
{
	uint64_t m;

	if (!t->retry) {
		if (a[1] != 8)
			return -EINVAL;
		if (task_read(t, a[0], &m, sizeof(m)) < 0)
			return -EFAULT;
		t->sigs.suspend_mask = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		t->sigs.suspended = true;
	}
	if (signal_wakes(t))
		return SYS_HOST_RUNS; /* the host's sigsuspend delivers it */
	return SYS_BLOCK;
}

/* Take SIG out of the host's pending set with the guest's own call, then
 * give the guest the kernel's siginfo. */
static long take_pending(struct task *t, int sig, uint64_t set_addr,
			 uint64_t info_addr)
{
	uint64_t zero_ts = (t->regs.rsp - 256) & ~15UL;
	struct timespec ts = { 0, 0 };
	siginfo_t si;
	long r;

	/* below the stack pointer: the red zone is 128 bytes */
	if (plat_mem_write(t->plat, zero_ts, &ts, sizeof(ts)) < 0)
		return -EFAULT;
	r = plat_guest_syscall(t->plat, SYS_rt_sigtimedwait, (long)set_addr,
			       (long)info_addr, (long)zero_ts, 8, 0, 0);
	si = signal_take_info(t, sig);
	if (r == sig && info_addr && task_write(t, info_addr, &si, sizeof(si)) < 0)
		return -EFAULT;
	return r;
}

long sys_rt_sigtimedwait(struct task *t, const uint64_t a[6])
{
	uint64_t set;
	struct timespec ts;

	if (a[3] != 8)
		return -EINVAL;
	if (task_read(t, a[0], &set, sizeof(set)) < 0)
		return -EFAULT;
	for (int sig = 1; sig <= NSIG_G; sig++)
		if (t->sigs.pending & set & SIGBIT(sig))
			return take_pending(t, sig, a[0], a[1]);
	if (t->retry)
		return t->timed_out ? -EAGAIN : signal_wakes(t) ? -EINTR : SYS_BLOCK;
	if (!a[2])
		return SYS_BLOCK;
	if (task_read(t, a[2], &ts, sizeof(ts)) < 0)
		return -EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
		return -EINVAL;
	if (!ts.tv_sec && !ts.tv_nsec)
		return -EAGAIN;
	t->block_until = kernel_now(t->k) + (uint64_t)ts.tv_sec * 1000000000ULL +
			 (uint64_t)ts.tv_nsec;
	return SYS_BLOCK;
}

/* ---- sending ---- */

static long send_one(struct task *from, struct task *to, int sig)
{
	if (!to || to->state == TASK_DEAD)
		return -ESRCH;
	if (!sig || to->state == TASK_ZOMBIE)
		return 0;
	return signal_send(to, sig, SI_USER, from->pid);
}

long sys_kill(struct task *t, const uint64_t a[6])
{
	long pid = (int)a[0], sig = (long)(int)a[1], rc = -ESRCH;
	uint32_t pgid = pid == 0 ? t->pgid : pid < -1 ? (uint32_t)-pid : 0;

	if (sig && !valid_sig(sig))
		return -EINVAL;
	if (pid > 0)
		return send_one(t, task_find(t->k, (uint32_t)pid), (int)sig);
	for (struct task *x = t->k->tasks; x; x = x->next) {
		if (x->state != TASK_RUNNABLE && x->state != TASK_BLOCKED)
			continue;
		if (pid == -1 ? x == t : x->pgid != pgid)
			continue;
		long r = send_one(t, x, (int)sig);
		rc = rc == 0 ? 0 : r;
	}
	return rc;
}

long sys_tgkill(struct task *t, const uint64_t a[6])
{
	struct task *x = task_find(t->k, (uint32_t)a[1]);
	long sig = (long)(int)a[2];

	if ((int)a[0] <= 0 || (int)a[1] <= 0 || (sig && !valid_sig(sig)))
		return -EINVAL;
	if (!x || x->pid != (uint32_t)a[0])
		return -ESRCH;
	return send_one(t, x, (int)sig);
}

long sys_tkill(struct task *t, const uint64_t a[6])
{
	long sig = (long)(int)a[1];

	if ((int)a[0] <= 0 || (sig && !valid_sig(sig)))
		return -EINVAL;
	return send_one(t, task_find(t->k, (uint32_t)a[0]), (int)sig);
}

/* sigqueue(): the sender's own siginfo, with Linux's rule that only a
 * process signalling itself may claim a kernel si_code. */
static long queue_info(struct task *t, struct task *to, int sig, uint64_t addr)
{
	siginfo_t si;

	if (!valid_sig(sig))
		return -EINVAL;
	if (task_read(t, addr, &si, sizeof(si)) < 0)
		return -EFAULT;
	if (!to || to->state == TASK_DEAD)
		return -ESRCH;
	if (to != t && (si.si_code >= 0 || si.si_code == SI_TKILL))
		return -EPERM;
	si.si_signo = sig;
	return to->state == TASK_ZOMBIE ? 0 : signal_send_info(to, &si);
}

long sys_rt_sigqueueinfo(struct task *t, const uint64_t a[6])
{
	return queue_info(t, task_find(t->k, (uint32_t)a[0]), (int)a[1], a[2]);
}

long sys_rt_tgsigqueueinfo(struct task *t, const uint64_t a[6])
{
	struct task *to = task_find(t->k, (uint32_t)a[1]);

	if (to && to->pid != (uint32_t)a[0])
		to = NULL;
	return queue_info(t, to, (int)a[2], a[3]);
}
