/* core/signal.c — generating guest signals and following what the host
 * does with them (see core/signal.h): the shadow of each process's
 * dispositions, mask and pending set, the delivery stop (the guest's
 * siginfo, the mask the handler runs with), and the effect of a signal
 * on a blocked syscall (restart or EINTR). */
#include "core/signal.h"

#include <errno.h>
#include <string.h>
#include <sys/syscall.h>

#include "core/sched.h"
#include "core/syscall.h"
#include "core/task.h"
#include "core/timer.h"

enum dfl { DFL_TERM, DFL_CORE, DFL_IGN, DFL_STOP };

#define SIGRTMIN_G 32 /* the kernel's first real-time signal */

static enum dfl default_action(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGURG: case SIGWINCH: case SIGCONT:
		return DFL_IGN;
	case SIGSTOP: case SIGTSTP: case SIGTTIN: case SIGTTOU:
		return DFL_STOP;
	case SIGQUIT: case SIGILL: case SIGTRAP: case SIGABRT: case SIGBUS:
	case SIGFPE: case SIGSEGV: case SIGXCPU: case SIGXFSZ: case SIGSYS:
		return DFL_CORE;
	default:
		return DFL_TERM;
	}
}

bool signal_dumps_core(int sig)
{
	return sig > 0 && sig <= NSIG_G && default_action(sig) == DFL_CORE;
}

static bool has_handler(const struct task *t, int sig)
{
	return t->sigs.act[sig].handler > 1;
}

/* Would SIG, delivered now, do nothing at all? */
static bool ignored(const struct task *t, int sig)
{
	uint64_t h = t->sigs.act[sig].handler;

	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	return h == (uint64_t)(uintptr_t)SIG_IGN ||
	       (h == 0 && (default_action(sig) == DFL_IGN ||
			   default_action(sig) == DFL_STOP));
}

void signal_set_action(struct task *t, int sig, const struct guest_sigaction *a)
{
	t->sigs.act[sig] = *a;
	if (ignored(t, sig)) /* a pending one is discarded, as Linux does */
		while (t->sigs.pending & SIGBIT(sig))
			signal_take_info(t, sig);
}

int signal_send_info(struct task *t, const siginfo_t *si)
{
	int sig = si->si_signo;

	if (sig < 1 || sig > NSIG_G)
		return -EINVAL;
	if (t->state != TASK_RUNNABLE && t->state != TASK_BLOCKED)
		return 0;
	if (ignored(t, sig) && !(t->sigs.blocked & SIGBIT(sig)))
		return 0; /* discarded when generated, as Linux does */
	if (sig == SIGKILL) {
		t->dying = SIGKILL;
		return plat_signal(t->plat, SIGKILL);
	}
	if (sig >= SIGRTMIN_G) { /* queued, each instance delivered */
		if (t->sigs.nrtq == SIGQ_MAX)
			return -EAGAIN;
		t->sigs.rtq[t->sigs.nrtq++] = *si;
		t->sigs.pending |= SIGBIT(sig);
		return plat_signal(t->plat, sig);
	}
	if (t->sigs.pending & SIGBIT(sig))
		return 0; /* one instance of a pending standard signal */
	t->sigs.pending |= SIGBIT(sig);
	t->sigs.info[sig] = *si;
	return plat_signal(t->plat, sig);
}

siginfo_t signal_take_info(struct task *t, int sig)
{
	struct sigstate *s = &t->sigs;
	siginfo_t si = s->info[sig];
	int i, left = 0;

	if (sig < SIGRTMIN_G) {
		s->pending &= ~SIGBIT(sig);
		return si;
	}
	for (i = 0; i < s->nrtq && s->rtq[i].si_signo != sig; i++)
		;
	if (i < s->nrtq) {
		si = s->rtq[i];
		memmove(&s->rtq[i], &s->rtq[i + 1], (size_t)(s->nrtq - i - 1) * sizeof(si));
		s->nrtq--;
	}
	for (i = 0; i < s->nrtq; i++)
		left += s->rtq[i].si_signo == sig;
	if (!left)
		s->pending &= ~SIGBIT(sig);
	return si;
}

int signal_send(struct task *t, int sig, int code, uint32_t sender)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = (pid_t)sender;
	si.si_uid = t->id.uid;
	return signal_send_info(t, &si);
}

/* The pending signals of T that would act now, lowest first (0: none). */
static int waking_signal(const struct task *t)
{
	uint64_t m = t->sigs.suspended ? t->sigs.suspend_mask : t->sigs.blocked;
	uint64_t ready = t->sigs.pending & ~m;

	for (int sig = 1; sig <= NSIG_G; sig++)
		if ((ready & SIGBIT(sig)) && !ignored(t, sig))
			return sig;
	return 0;
}

bool signal_wakes(struct task *t)
{
	return t->dying || waking_signal(t) != 0;
}

/* Syscalls Linux restarts after a handler with SA_RESTART. */
static bool restartable(long nr)
{
	switch (nr) {
	case SYS_read: case SYS_readv: case SYS_write: case SYS_writev:
	case SYS_pread64: case SYS_pwrite64: case SYS_wait4: case SYS_waitid:
	case SYS_accept: case SYS_accept4: case SYS_recvfrom: case SYS_sendto:
	case SYS_recvmsg: case SYS_sendmsg: case SYS_open: case SYS_openat:
	case SYS_flock: case SYS_fcntl: case SYS_ioctl:
		return true;
	default:
		return false;
	}
}

int signal_interrupt(struct task *t)
{
	int sig = waking_signal(t);
	long nr = (long)t->regs.orig_rax;

	if (sig && has_handler(t, sig) && (t->sigs.act[sig].flags & SA_RESTART) &&
	    restartable(nr)) {
		t->regs.rip -= 2; /* the syscall runs again after the handler */
		t->regs.rax = t->regs.orig_rax;
		t->regs.orig_rax = (uint64_t)-1;
		t->state = TASK_RUNNABLE;
		t->block_until = 0;
		t->timed_out = false;
		return plat_set_regs(t->plat, &t->regs) < 0 ? -1 : 0;
	}
	sleep_interrupted(t);
	t->block_until = 0;
	t->timed_out = false;
	return syscall_complete(t, -EINTR);
}

/* Signals the CPU raises for the instruction that just ran. */
static bool synchronous(int sig, int code)
{
	return code > 0 && (sig == SIGSEGV || sig == SIGBUS || sig == SIGFPE ||
			    sig == SIGILL || sig == SIGTRAP || sig == SIGSYS);
}

/* A signal neither the kernel nor the CPU made: from outside the guest
 * system (the user's Ctrl-C, kill from another shell). Logged where it
 * arrived, so that replay delivers it at the same stop. */
static void log_outside(struct task *t, int sig)
{
	struct nd_call c = { .op = ND_OUTSIDE_SIGNAL, .a = { sig, t->tid } };

	nd_call(t->k->nd, &c);
}

/* Deliver an outside signal now, where it arrived (not reproducible to
 * the instruction: replay delivers it at this stop's event position). */
static void outside_now(struct task *t, int sig)
{
	siginfo_t si;

	log_outside(t, sig);
	memset(&si, 0, sizeof(si)); /* what replay's copy will say */
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	plat_set_siginfo(t->plat, &si);
}

int signal_at_stop(struct task *t, const struct plat_stop *stop)
{
	int sig = stop->sig;
	struct sigstate *s = &t->sigs;
	struct guest_sigaction *a;

	if (sig < 1 || sig > NSIG_G)
		return sig;
	if ((s->pending & SIGBIT(sig)) && stop->fault_code == SI_TKILL) {
		siginfo_t si = signal_take_info(t, sig);
		plat_set_siginfo(t->plat, &si); /* the guest's view */
	} else if (!synchronous(sig, stop->fault_code) && sig != SIGKILL) {
		/* A handled one waits for the process's next syscall, where
		 * replay delivers it exactly; a second one of the same kind
		 * (Ctrl-C pressed again) or an unhandled one acts at once. */
		if (has_handler(t, sig) && !(s->outside & SIGBIT(sig))) {
			s->outside |= SIGBIT(sig);
			return 0;
		}
		s->outside &= ~SIGBIT(sig);
		outside_now(t, sig);
	}
	a = &s->act[sig];
	if (a->handler == 0 && default_action(sig) == DFL_STOP) {
		if (!t->k->warned_stop++)
			kernel_warn(t->k, "job control stops (SIGSTOP, SIGTSTP...) are not supported, ignoring");
		return 0;
	}
	if (has_handler(t, sig)) {
		uint64_t m = s->suspended ? s->suspend_mask : s->blocked;
		s->blocked = m | a->mask | ((a->flags & SA_NODEFER) ? 0 : SIGBIT(sig));
		s->blocked &= ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		s->suspended = false;
		if (a->flags & SA_RESETHAND)
			*a = (struct guest_sigaction){ 0 };
	}
	return sig;
}

long signal_wait_with_mask(struct task *t, uint64_t mask_addr, uint64_t size)
{
	uint64_t m;

	if (!mask_addr)
		return 0;
	if (!t->retry) {
		if (size != 8)
			return -EINVAL;
		if (task_read(t, mask_addr, &m, sizeof(m)) < 0)
			return -EFAULT;
		t->sigs.suspend_mask = m & ~(SIGBIT(SIGKILL) | SIGBIT(SIGSTOP));
		t->sigs.suspended = true;
	}
	if (!waking_signal(t))
		return 0;
	/* the host's rt_sigsuspend(mask) delivers it with the mask in force
	 * and restores the old one after the handler: EINTR, as Linux */
	t->regs.orig_rax = SYS_rt_sigsuspend;
	t->regs.rdi = mask_addr;
	t->regs.rsi = 8;
	return plat_set_regs(t->plat, &t->regs) < 0 ? -EFAULT : SYS_HOST_RUNS;
}

int signal_outside_deferred(struct task *t)
{
	int sig;

	for (sig = 1; sig <= NSIG_G; sig++)
		if (t->sigs.outside & SIGBIT(sig))
			break;
	if (sig > NSIG_G)
		return 0;
	t->sigs.outside &= ~SIGBIT(sig);
	log_outside(t, sig);
	return signal_replay_outside(t, true, sig) < 0 ? -1 : 1;
}

int signal_replay_outside(struct task *t, bool at_syscall, int sig)
{
	if (at_syscall) { /* in the recording it came before this syscall */
		t->regs.rip -= 2;
		t->regs.rax = t->regs.orig_rax;
		t->regs.orig_rax = (uint64_t)-1;
		if (plat_set_regs(t->plat, &t->regs) < 0)
			return -1;
	}
	return signal_send(t, sig, SI_KERNEL, 0);
}

void signal_fork(struct task *child, const struct task *parent)
{
	child->sigs = parent->sigs;
	child->sigs.pending = 0;
	child->sigs.nrtq = 0;
	child->sigs.outside = 0;
	child->sigs.suspended = false;
}

/* Run rt_sigaction(SIG, {SIG_DFL}) in T's host process, with the
 * structure written below its stack pointer (the old image's stack,
 * about to go). */
static void host_default(struct task *t, int sig, uint64_t scratch)
{
	struct guest_sigaction dfl = { 0 };

	if (plat_mem_write(t->plat, scratch, &dfl, sizeof(dfl)) == 0)
		plat_guest_syscall(t->plat, SYS_rt_sigaction, sig, (long)scratch,
				   0, 8, 0, 0);
}

void signal_exec(struct task *t)
{
	uint64_t scratch = (t->regs.rsp - 512) & ~15UL;
	uint64_t ss[3] = { 0, SS_DISABLE, 0 };

	for (int sig = 1; sig <= NSIG_G; sig++) {
		if (!has_handler(t, sig))
			continue;
		host_default(t, sig, scratch);
		t->sigs.act[sig] = (struct guest_sigaction){ 0 };
	}
	if (plat_mem_write(t->plat, scratch, ss, sizeof(ss)) == 0)
		plat_guest_syscall(t->plat, SYS_sigaltstack, (long)scratch, 0, 0, 0, 0, 0);
}
