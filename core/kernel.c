/* core/kernel.c — boots the guest system (identity, program image,
 * address space, stdio) and runs it: every stop of the guest process is
 * handled in core/stops.c. */
#include "core/kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "core/debug.h"
#include "core/loader.h"
#include "core/task.h"

const char *kernel_strerror(int err)
{
	switch (err) {
	case KERNEL_E_NOEXEC: return "not an ELF executable";
	case KERNEL_E_ELFCLASS: return "not an x86-64 (64-bit) ELF program";
	case KERNEL_E_LOAD: return "the program could not be loaded";
	case KERNEL_E_PLATFORM: return "could not control the guest process (ptrace/seccomp)";
	case KERNEL_E_ND: return "the logging layer stopped the run";
	case KERNEL_E_DYNAMIC: return "the program's interpreter (PT_INTERP) cannot be loaded";
	case KERNEL_E_DEADLOCK: return "every guest process is blocked and nothing can wake one (deadlock)";
	default: return strerror(-err);
	}
}

static void read_identity(struct kernel *k)
{
	uint32_t ids[4] = { 0 };
	struct nd_call c = { .op = ND_IDENTITY, .out = ids, .out_cap = sizeof(ids) };

	nd_call(k->nd, &c);
	k->id = (struct identity){ ids[0], ids[1], ids[2], ids[3], ids[1], ids[3] };
}

static void read_umask(struct task *t)
{
	struct nd_call c = { .op = ND_UMASK };

	nd_call(t->k->nd, &c);
	t->umask = c.result < 0 ? 022 : (unsigned)c.result & 0777;
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
	kernel_skip_faulting(k, t->patches);
	return 0;
}

void kernel_skip_faulting(struct kernel *k, struct patch_table *p)
{
	if (k->tsc_faults) {
		patch_table_skip(p, PATCH_RDTSC);
		patch_table_skip(p, PATCH_RDTSCP);
	}
	if (k->cpuid_faults)
		patch_table_skip(p, PATCH_CPUID);
}

/* Load the program (through the logging layer: the trace keeps its
 * bytes, and its interpreter's) into a fresh guest process. */
static int boot(struct kernel *k, struct task *t)
{
	int rc = plat_spawn(&t->plat);

	if (rc == 0)
		rc = setup_insn_traps(k, t);
	if (rc < 0)
		return KERNEL_E_PLATFORM;
	rc = loader_exec_image(t, k->cfg->program, k->cfg->argv, k->cfg->envp);
	if (rc < 0 && k->nd->failed)
		return KERNEL_E_ND;
	/* errors reading the file (ENOENT, EACCES) and kernel_errs stay */
	return rc == -ENOMEM || rc == -EINVAL ? KERNEL_E_LOAD : rc;
}

int guest_run(struct guest *g, int *wait_status)
{
	struct plat_stop stop;
	int rc;

	do {
		rc = guest_resume(g, GUEST_CONT, &stop);
		if (rc < 0 && plat_reap(g->k.cur->plat, &stop) < 0)
			return KERNEL_E_PLATFORM;
		rc = guest_handle(g, &stop);
	} while (rc == 0);
	if (rc < 0)
		return rc;
	*wait_status = g->wait_status;
	return 0;
}

void guest_free(struct guest *g)
{
	if (!g)
		return;
	while (g->k.tasks) {
		struct task *t = g->k.tasks;
		g->k.tasks = t->next;
		task_free(t);
	}
	free(g->k.scratch);
	free(g);
}

int guest_boot(struct nd *nd, const struct kernel_config *cfg,
	       struct guest **out)
{
	struct guest *g = calloc(1, sizeof(*g));
	struct task *t;
	int rc = -ENOMEM;

	if (!g)
		return rc;
	g->k = (struct kernel){ .nd = nd, .cfg = cfg, .warn = cfg->warn,
				.next_pid = GUEST_FIRST_PID };
	t = g->first = g->k.cur = task_new(&g->k);
	if (t) {
		t->exe = strdup(cfg->program);
		t->patches = patch_table_new();
		t->mm = mm_new();
	}
	if (t && t->exe && t->patches && t->mm) {
		read_identity(&g->k);
		t->id = g->k.id;
		/* Linux names it after the path given to execve: what the user
		 * typed, which argv[0] normally is (the program path is resolved) */
		task_set_comm(t, cfg->argv && cfg->argv[0] ? cfg->argv[0] : cfg->program);
		read_umask(t);
		rc = read_cwd(t);
		if (rc == 0)
			rc = setup_stdio(t);
		if (rc == 0)
			rc = boot(&g->k, t);
		if (rc == 0 && nd->failed)
			rc = KERNEL_E_ND;
	}
	if (rc < 0) {
		guest_free(g);
		return rc;
	}
	*out = g;
	return 0;
}

int kernel_run(struct nd *nd, const struct kernel_config *cfg,
	       int *wait_status)
{
	struct guest *g;
	int rc = guest_boot(nd, cfg, &g);

	if (rc < 0)
		return rc;
	rc = guest_run(g, wait_status);
	if (rc == 0 && nd->failed)
		rc = KERNEL_E_ND;
	/* the end already closed what it had: free without host effects */
	guest_free(g);
	return rc;
}
