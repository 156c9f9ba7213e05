/* core/stops.c — the kernel's answer to each stop of the guest process:
 * a syscall to run, a rewritten instruction to emulate, a signal to
 * deliver, the end of the process. Also resuming it (continue or one
 * instruction) with the signal decided at the previous stop. */
#include "core/debug.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include "core/codemem.h"
#include "core/insn.h"
#include "core/sched.h"
#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"
#include "core/timer.h"

static void log_syscall(struct task *t, long nr, const uint64_t a[6],
			long result)
{
	struct nd_syscall s = { .tid = t->tid, .nr = nr, .rip = t->regs.rip,
				.result = result };

	memcpy(s.args, a, sizeof(s.args));
	nd_syscall_done(t->k->nd, &s);
}

/* Run the handler of the syscall T is stopped in; if it completes, log
 * it and give the guest its result. Returns 1 if the host should run the
 * syscall itself (exit), 0 otherwise (T may now be TASK_BLOCKED). */
int syscall_run(struct task *t)
{
	guest_regs *r = &t->regs;
	uint64_t a[6];
	long nr = syscall_decode(r, a), result;

	t->k->nd->context = syscall_name(nr);
	t->wake_at = 0;
	result = syscall_dispatch(t, nr, a);
	t->k->nd->context = NULL;
	t->retry = false;
	if (result == SYS_BLOCK) {
		t->state = TASK_BLOCKED;
		return 0;
	}
	t->state = TASK_RUNNABLE;
	t->block_until = 0;
	t->timed_out = false;
	if (result != SYS_HOST_RUNS)
		t->sigs.suspended = false; /* a wait with a mask is over */
	if (result == SYS_HOST_RUNS || !plat_alive(t->plat))
		return 1; /* exits, or died meanwhile: the next stop says how */
	return syscall_complete(t, result);
}

int syscall_complete(struct task *t, long result)
{
	uint64_t a[6];
	long nr = syscall_decode(&t->regs, a);

	t->state = TASK_RUNNABLE;
	log_syscall(t, nr, a, result);
	return plat_finish_syscall(t->plat, &t->regs, result) < 0 ? -1 : 0;
}

/* Emulate the trapped instruction S. When the CPU could not run it (the
 * answer is a logged error) the guest gets the signal it would get
 * without deja: SIGSEGV for a faulting operand, else SIGILL. */
static int emulate(struct task *t, const struct patch_site *s, int *deliver)
{
	int rc = insn_emulate(t->k->nd, s, &t->regs);

	if (rc < 0) {
		*deliver = rc == -EFAULT ? SIGSEGV : SIGILL;
		return 0;
	}
	*deliver = 0;
	return plat_set_regs(t->plat, &t->regs);
}

/* A SIGILL at a site deja rewrote into ud2: 1 if it was one. */
static int handle_patched(struct task *t, int *deliver)
{
	const struct patch_site *s = patch_lookup(t->patches, t->regs.rip);

	if (!s)
		return 0;
	return emulate(t, s, deliver) < 0 ? -1 : 1;
}

/* A SIGSEGV the CPU raised for rdtsc/rdtscp (PR_SET_TSC) or cpuid (CPUID
 * faulting), where those hardware traps work: 1 if it was one. */
static int handle_faulted(struct task *t, const struct plat_stop *stop,
			  int *deliver)
{
	struct kernel *k = t->k;
	struct patch_site s = { .addr = t->regs.rip, .len = 2 };
	uint8_t b[3] = { 0 };

	if (stop->fault_code != SI_KERNEL || !(k->tsc_faults || k->cpuid_faults) ||
	    plat_mem_read(t->plat, s.addr, b, 2) < 0 || b[0] != 0x0f)
		return 0;
	if (k->tsc_faults && b[1] == 0x31)
		s.kind = PATCH_RDTSC;
	else if (k->cpuid_faults && b[1] == 0xa2)
		s.kind = PATCH_CPUID;
	else if (k->tsc_faults && b[1] == 0x01 &&
		 plat_mem_read(t->plat, s.addr + 2, b + 2, 1) == 0 && b[2] == 0xf9)
		s.kind = PATCH_RDTSCP, s.len = 3;
	else
		return 0;
	return emulate(t, &s, deliver) < 0 ? -1 : 1;
}

/* A signal stop: an instruction trap to emulate, a fault in code deja
 * keeps W^X, or a signal for the guest (*deliver). */
static int handle_signal(struct task *t, const struct plat_stop *stop,
			 int *deliver)
{
	int rc = 0;

	*deliver = 0;
	if (stop->sig == SIGILL)
		rc = handle_patched(t, deliver);
	if (stop->sig == SIGSEGV && code_fault(t, stop))
		return 0;
	if (stop->sig == SIGSEGV)
		rc = handle_faulted(t, stop, deliver);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	*deliver = signal_at_stop(t, stop);
	return 0;
}

/* Handle one stop; T->sig is what to deliver at the next resume. */
static int handle_stop(struct task *t, const struct plat_stop *stop)
{
	int outside = nd_outside_kill(t->k->nd);

	t->sig = 0;
	if (outside < 0 && (uint32_t)(-outside >> 8) == t->tid) {
		if (stop->kind == PLAT_STOP_SYSCALL) /* killed before it */
			plat_finish_syscall(t->plat, &t->regs, -EINTR);
		plat_kill(t->plat, SIGKILL);
		return 0;
	}
	if (outside > 0) { /* replay: the recording got a signal from outside here */
		if ((uint32_t)(outside >> 8) != t->tid) {
			nd_fail(t->k->nd, ND_DIVERGED, "replay diverged: the recording's signal %d from outside reached pid %u, not pid %u",
				outside & 0xff, (unsigned)(outside >> 8), (unsigned)t->tid);
			return 0;
		}
		if (signal_replay_outside(t, stop->kind == PLAT_STOP_SYSCALL,
					  outside & 0xff) < 0)
			return -1;
		if (stop->kind == PLAT_STOP_SYSCALL)
			return 0;
	}
	if (stop->kind == PLAT_STOP_SYSCALL) {
		int rc = signal_outside_deferred(t);
		return rc ? (rc < 0 ? -1 : 0) : syscall_run(t);
	}
	if (stop->kind == PLAT_STOP_FOREIGN_SYSCALL) {
		if (!t->k->warned_foreign++)
			kernel_warn(t->k, "32-bit syscalls (int 0x80) are not supported, returning ENOSYS");
		return plat_refuse_foreign_syscall(t->plat, &t->regs, -ENOSYS);
	}
	return handle_signal(t, stop, &t->sig);
}

/* Process T ended: log how (replay checks it). */
static void process_ended(struct guest *g, struct task *t,
			  const struct plat_stop *stop)
{
	nd_guest_exit(g->k.nd, t->tid, stop->status);
	if (t == g->first)
		g->wait_status = stop->status;
	task_exited(t, stop->status);
}

int guest_resume(struct guest *g, enum guest_mode how, struct plat_stop *stop)
{
	struct task *t = g->k.cur;
	int sig;

	if (g->ended || !t)
		return -ESRCH;
	sig = t->sig;
	t->sig = 0;
	return how == GUEST_STEP ? plat_step(t->plat, sig, stop)
				 : plat_resume(t->plat, sig, stop);
}

/* Handle STOP of the current task; a failed platform call means the task
 * was killed (from outside): then it ended. */
static int handle_current(struct guest *g, const struct plat_stop *stop)
{
	struct task *t = g->k.cur;
	struct plat_stop end;
	int rc;

	if (stop->kind != PLAT_STOP_EXITED) {
		rc = plat_get_regs(t->plat, &t->regs);
		if (rc == 0)
			rc = handle_stop(t, stop);
		if (g->k.nd->failed)
			return KERNEL_E_ND;
		if (rc >= 0)
			return 0;
		if (plat_reap(t->plat, &end) < 0)
			return KERNEL_E_PLATFORM;
		stop = &end;
	}
	process_ended(g, t, stop);
	return g->k.nd->failed ? KERNEL_E_ND : 0;
}

int guest_handle(struct guest *g, const struct plat_stop *stop)
{
	int rc;

	if (g->ended)
		return 1;
	rc = handle_current(g, stop);
	if (rc == 0)
		timers_poll(&g->k);
	if (rc == 0)
		rc = sched_next(&g->k);
	if (rc == 0 && g->k.nd->failed)
		rc = KERNEL_E_ND;
	if (rc == 1)
		g->ended = true;
	return rc;
}

int guest_pending_signal(const struct guest *g)
{
	return g->k.cur ? g->k.cur->sig : 0;
}

bool guest_has_ended(const struct guest *g, int *wait_status)
{
	if (g->ended && wait_status)
		*wait_status = g->wait_status;
	return g->ended;
}
