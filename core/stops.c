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
#include "core/syscall.h"
#include "core/task.h"

static void log_syscall(struct task *t, long nr, const uint64_t a[6],
			long result)
{
	struct nd_syscall s = { .tid = t->tid, .nr = nr, .rip = t->regs.rip,
				.result = result };

	memcpy(s.args, a, sizeof(s.args));
	nd_syscall_done(t->k->nd, &s);
}

/* Returns 1 if the host should run the syscall itself (exit). */
static int handle_syscall(struct task *t)
{
	guest_regs *r = &t->regs;
	uint64_t a[6];
	long nr = syscall_decode(r, a), result;

	t->k->nd->context = syscall_name(nr);
	result = syscall_dispatch(t, nr, a);
	t->k->nd->context = NULL;
	if (result == SYS_HOST_RUNS || !plat_alive(t->plat))
		return 1; /* exits, or died meanwhile: the next stop says how */
	log_syscall(t, nr, a, result);
	return plat_finish_syscall(t->plat, r, result) < 0 ? -1 : 0;
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

/* A SIGILL at a site deja rewrote into ud2. */
static int handle_patched(struct task *t, int *deliver)
{
	const struct patch_site *s = patch_lookup(t->k->patches, t->regs.rip);

	return s ? emulate(t, s, deliver) : 0;
}

/* A SIGSEGV the CPU raised for rdtsc/rdtscp (PR_SET_TSC) or cpuid (CPUID
 * faulting), where those hardware traps work. */
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
	return emulate(t, &s, deliver);
}

/* A signal stop: an instruction trap to emulate, or a signal for the
 * guest (*deliver). */
static int handle_signal(struct task *t, const struct plat_stop *stop,
			 int *deliver)
{
	*deliver = stop->sig;
	if (stop->sig == SIGILL)
		return handle_patched(t, deliver);
	if (stop->sig == SIGSEGV && code_fault(t, stop)) {
		*deliver = 0;
		return 0;
	}
	if (stop->sig == SIGSEGV)
		return handle_faulted(t, stop, deliver);
	return 0;
}

/* Handle one stop; *SIG is what to deliver at the next resume. */
static int handle_stop(struct task *t, const struct plat_stop *stop,
		       int *sig, int *dying)
{
	if (*dying) { /* only let the fatal signal through */
		*sig = stop->kind == PLAT_STOP_SIGNAL && stop->sig == *dying ? *dying : 0;
		return 0;
	}
	*dying = nd_outside_kill(t->k->nd);
	if (*dying) { /* the recording was interrupted here */
		if (stop->kind == PLAT_STOP_SYSCALL)
			plat_finish_syscall(t->plat, &t->regs, -EINTR);
		plat_kill(t->plat, *dying);
		return 0;
	}
	if (stop->kind == PLAT_STOP_SYSCALL)
		return handle_syscall(t);
	if (stop->kind == PLAT_STOP_FOREIGN_SYSCALL) {
		if (!t->k->warned_foreign++)
			kernel_warn(t->k, "32-bit syscalls (int 0x80) are not supported, returning ENOSYS");
		return plat_refuse_foreign_syscall(t->plat, &t->regs, -ENOSYS);
	}
	return handle_signal(t, stop, sig);
}

/* The guest process ended: log how (replay checks it). */
static int process_ended(struct guest *g, const struct plat_stop *stop)
{
	g->ended = true;
	g->wait_status = stop->status;
	nd_guest_exit(g->k.nd, g->t.tid, stop->status);
	return g->k.nd->failed ? KERNEL_E_ND : 1;
}

int guest_resume(struct guest *g, enum guest_mode how, struct plat_stop *stop)
{
	int sig = g->sig;

	if (g->ended)
		return -ESRCH;
	g->sig = 0;
	return how == GUEST_STEP ? plat_step(g->t.plat, sig, stop)
				 : plat_resume(g->t.plat, sig, stop);
}

int guest_handle(struct guest *g, const struct plat_stop *stop)
{
	struct task *t = &g->t;
	struct plat_stop end;
	int rc = 0;

	if (g->ended)
		return 1;
	if (stop->kind != PLAT_STOP_EXITED) {
		rc = plat_get_regs(t->plat, &t->regs);
		if (rc == 0)
			rc = handle_stop(t, stop, &g->sig, &g->dying);
		if (g->k.nd->failed)
			return KERNEL_E_ND;
		if (rc >= 0)
			return 0;
		/* a failed platform call: was the guest killed from outside? */
		if (plat_reap(t->plat, &end) < 0)
			return KERNEL_E_PLATFORM;
		stop = &end;
	}
	return process_ended(g, stop);
}

int guest_pending_signal(const struct guest *g)
{
	return g->sig;
}

bool guest_has_ended(const struct guest *g, int *wait_status)
{
	if (g->ended && wait_status)
		*wait_status = g->wait_status;
	return g->ended;
}
