/* core/kernel.c — boots the guest system (identity, program image,
 * address space, stdio) and runs it: every stop of the guest process is
 * a syscall to answer, a trapped instruction to emulate, or a signal. */
#include "core/kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/codemem.h"
#include "core/insn.h"
#include "core/loader.h"
#include "core/syscall.h"
#include "core/task.h"

const char *kernel_strerror(int err)
{
	switch (err) {
	case KERNEL_E_NOEXEC: return "not an ELF executable";
	case KERNEL_E_ELFCLASS: return "not an x86-64 (64-bit) ELF program";
	case KERNEL_E_LOAD: return "the program could not be loaded";
	case KERNEL_E_PLATFORM: return "could not control the guest process (ptrace/seccomp)";
	case KERNEL_E_ND: return "the logging layer stopped the run";
	case KERNEL_E_DYNAMIC: return "dynamically linked programs are not supported yet (link with -static)";
	default: return strerror(-err);
	}
}

static void read_identity(struct kernel *k)
{
	uint32_t ids[4] = { 0 };
	struct nd_call c = { .op = ND_IDENTITY, .out = ids, .out_cap = sizeof(ids) };

	nd_call(k->nd, &c);
	k->id = (struct identity){ ids[0], ids[1], ids[2], ids[3] };
}

static int read_cwd(struct task *t)
{
	char buf[4096];
	struct nd_call c = { .op = ND_GETCWD, .out = buf, .out_cap = sizeof(buf) - 1 };

	nd_call(t->k->nd, &c);
	buf[c.result < 0 ? 0 : c.out_len] = 0;
	t->cwd = strdup(buf[0] ? buf : "/");
	return t->cwd ? 0 : -ENOMEM;
}

static int setup_stdio(struct task *t)
{
	static const int modes[3] = { O_RDONLY, O_WRONLY, O_WRONLY };

	t->files = fdtable_new();
	if (!t->files)
		return -ENOMEM;
	for (int fd = 0; fd < 3; fd++) {
		struct file *f = file_new(FILE_STDIO, fd, modes[fd]);
		if (!f)
			return -ENOMEM;
		f->flags = O_RDWR; /* the terminal is usually both */
		f->console = fd > 0;
		fd_install_at(t->files, fd, f, false);
	}
	return 0;
}

/* Use the CPU's own traps where they really work; rewrite the rest. */
static int setup_insn_traps(struct kernel *k, struct task *t)
{
	int rc = plat_enable_insn_faults(t->plat, &k->tsc_faults, &k->cpuid_faults);

	if (rc < 0)
		return rc;
	if (k->tsc_faults) {
		patch_table_skip(k->patches, PATCH_RDTSC);
		patch_table_skip(k->patches, PATCH_RDTSCP);
	}
	if (k->cpuid_faults)
		patch_table_skip(k->patches, PATCH_CPUID);
	return 0;
}

/* Load the program (through the logging layer: the trace keeps its
 * bytes) into a fresh guest process. */
static int boot(struct kernel *k, struct task *t)
{
	struct nd_call c = { .op = ND_LOADFILE, .path = k->cfg->program };
	struct load_plan plan;
	int rc;

	nd_call(k->nd, &c);
	if (c.result < 0)
		return k->nd->failed ? KERNEL_E_ND : (int)c.result;
	rc = loader_parse(c.blob, c.blob_len, &plan);
	if (rc == 0 && plan.has_interp)
		rc = KERNEL_E_DYNAMIC;
	if (rc == 0) {
		rc = plat_spawn(&t->plat);
		if (rc == 0)
			rc = setup_insn_traps(k, t);
		if (rc < 0)
			rc = KERNEL_E_PLATFORM;
	}
	if (rc == 0) {
		rc = loader_load(t, c.blob, c.blob_len, &plan);
		if (rc < 0)
			rc = k->nd->failed ? KERNEL_E_ND : KERNEL_E_LOAD;
	}
	loader_plan_free(&plan);
	free(c.blob);
	return rc;
}

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

/* The guest process ended: log how (replay checks it). */
static int guest_ended(struct task *t, const struct plat_stop *stop,
		       int *wait_status)
{
	*wait_status = stop->status;
	nd_guest_exit(t->k->nd, t->tid, stop->status);
	return t->k->nd->failed ? KERNEL_E_ND : 0;
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

static int run_loop(struct task *t, int *wait_status)
{
	struct plat_stop stop;
	int sig = 0, dying = 0, rc;

	for (;;) {
		rc = plat_resume(t->plat, sig, &stop);
		sig = 0;
		if (rc == 0 && stop.kind != PLAT_STOP_EXITED) {
			rc = plat_get_regs(t->plat, &t->regs);
			if (rc == 0)
				rc = handle_stop(t, &stop, &sig, &dying);
			if (rc >= 0 && !t->k->nd->failed)
				continue;
		}
		if (t->k->nd->failed)
			return KERNEL_E_ND;
		/* a failed platform call: was the guest killed from outside? */
		if (rc < 0 && plat_reap(t->plat, &stop) < 0)
			return KERNEL_E_PLATFORM;
		return guest_ended(t, &stop, wait_status);
	}
}

int kernel_run(struct nd *nd, const struct kernel_config *cfg,
	       int *wait_status)
{
	struct kernel k = { .nd = nd, .cfg = cfg, .warn = cfg->warn,
			    .next_pid = GUEST_FIRST_PID };
	struct task t = { .k = &k };
	int rc = -ENOMEM;

	k.program = strdup(cfg->program);
	k.patches = patch_table_new();
	t.mm = mm_new();
	if (!k.program || !k.patches || !t.mm)
		goto out;
	t.pid = t.tid = k.next_pid++;
	read_identity(&k);
	rc = read_cwd(&t);
	if (rc == 0)
		rc = setup_stdio(&t);
	if (rc == 0)
		rc = boot(&k, &t);
	if (rc == 0)
		rc = run_loop(&t, wait_status);
	if (rc == 0 && nd->failed)
		rc = KERNEL_E_ND;
out:
	plat_destroy(t.plat);
	shmap_clear(&t);
	fdtable_free(t.files);
	mm_free(t.mm);
	free(t.cwd);
	patch_table_free(k.patches);
	free(k.program);
	free(k.scratch);
	return rc;
}
