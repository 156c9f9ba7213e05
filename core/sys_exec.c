/* core/sys_exec.c — execve and execveat through deja's own loader: the
 * program file comes through the logging layer (so the trace keeps it),
 * "#!" scripts name their interpreter, and the old image is replaced:
 * the host process keeps only the stub page, the kernel's address space,
 * instruction patches and close-on-exec descriptors are reset, and the
 * loader builds the new image. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/loader.h"
#include "core/path.h"
#include "core/shmap.h"
#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"

#define ARG_MAX_G (2UL << 20)   /* bytes of argv + envp strings */
#define ARGS_MAX 65536          /* entries of one vector */
#define SCRIPT_DEPTH 4          /* nested "#!" interpreters */

/* A NULL-terminated vector of strings copied out of the guest. */
struct strvec {
	char **v;
	size_t n;
};

static void strvec_free(struct strvec *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int strvec_push(struct strvec *s, const char *str, size_t at)
{
	char **v = realloc(s->v, (s->n + 2) * sizeof(*v));
	char *copy = strdup(str);

	if (v)
		s->v = v;
	if (!v || !copy) {
		free(copy);
		return -ENOMEM;
	}
	memmove(&s->v[at + 1], &s->v[at], (s->n - at) * sizeof(*v));
	s->v[at] = copy;
	s->v[++s->n] = NULL;
	return 0;
}

static long read_vector(struct task *t, uint64_t addr, struct strvec *out,
			size_t *total)
{
	char *buf = kernel_scratch(t->k, 128 * 1024);
	int rc;

	out->v = calloc(1, sizeof(char *));
	if (!buf || !out->v)
		return -ENOMEM;
	for (size_t i = 0; addr; i++) {
		uint64_t p;
		if (i == ARGS_MAX)
			return -E2BIG;
		if (task_read(t, addr + i * 8, &p, 8) < 0)
			return -EFAULT;
		if (!p)
			break;
		rc = task_read_path(t, p, buf, 128 * 1024);
		if (rc < 0)
			return rc == -ENAMETOOLONG ? -E2BIG : rc;
		*total += strlen(buf) + 1;
		if (*total > ARG_MAX_G)
			return -E2BIG;
		if ((rc = strvec_push(out, buf, out->n)) < 0)
			return rc;
	}
	return 0;
}

/* The file at PATH (absolute), executable, read whole. */
static long load_program(struct task *t, const char *path, void **blob,
			 size_t *len)
{
	struct nd_call c = { .op = ND_ACCESS, .a = { AT_FDCWD, X_OK, AT_EACCESS },
			     .path = path };

	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	c = (struct nd_call){ .op = ND_LOADFILE, .path = path };
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result == -EISDIR ? -EACCES : c.result;
	*blob = c.blob;
	*len = c.blob_len;
	return 0;
}

/* "#!interp [arg]": the new argv is interp [arg] path argv[1..]. */
static long script_args(const char *blob, size_t len, const char *path,
			struct strvec *argv, char *interp, size_t cap)
{
	char line[256], *p, *arg;
	size_t n = len < sizeof(line) - 1 ? len : sizeof(line) - 1;

	memcpy(line, blob + 2, n - 2);
	line[n - 2] = 0;
	if ((p = strchr(line, '\n')))
		*p = 0;
	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -ENOEXEC;
	arg = p + strcspn(p, " \t");
	if (*arg) {
		*arg++ = 0;
		arg += strspn(arg, " \t");
		for (char *e = arg + strlen(arg); e > arg && (e[-1] == ' ' || e[-1] == '\t');)
			*--e = 0;
	}
	if (strlen(p) >= cap)
		return -ENAMETOOLONG;
	strcpy(interp, p);
	if (argv->n) { /* argv[0] is replaced by the script's path */
		free(argv->v[0]);
		memmove(&argv->v[0], &argv->v[1], argv->n * sizeof(char *));
		argv->n--;
	}
	if (strvec_push(argv, path, 0) < 0 ||
	    (*arg && strvec_push(argv, arg, 0) < 0) ||
	    strvec_push(argv, interp, 0) < 0)
		return -ENOMEM;
	return 0;
}

struct exec_image {
	char path[PATH_MAX];    /* the file finally loaded */
	void *blob;
	size_t len;
	struct load_plan plan;
};

/* Find and parse the program, following "#!" lines. */
static long find_image(struct task *t, const char *path, const char *given,
		       struct strvec *argv, struct exec_image *img)
{
	long rc;

	snprintf(img->path, sizeof(img->path), "%s", path);
	for (int depth = 0;; depth++) {
		rc = load_program(t, img->path, &img->blob, &img->len);
		if (rc < 0)
			return rc;
		if (img->len < 2 || memcmp(img->blob, "#!", 2) != 0)
			break;
		if (depth == SCRIPT_DEPTH)
			return -ELOOP;
		char interp[PATH_MAX], script[PATH_MAX];
		/* the script as the caller named it; nested ones by path */
		snprintf(script, sizeof(script), "%s", depth ? img->path : given);
		rc = script_args(img->blob, img->len, script, argv, interp, sizeof(interp));
		free(img->blob);
		img->blob = NULL;
		if (rc < 0)
			return rc;
		if (interp[0] != '/')
			return -ENOENT; /* relative interpreters: not resolved */
		snprintf(img->path, sizeof(img->path), "%s", interp);
	}
	rc = loader_parse(img->blob, img->len, &img->plan);
	if (rc < 0)
		return rc < -999 ? -ENOEXEC : rc;
	if (img->plan.has_interp) { /* it must be there before the old image goes */
		struct nd_call c = { .op = ND_ACCESS, .a = { AT_FDCWD, R_OK, AT_EACCESS },
				     .path = img->plan.interp };
		nd_call(t->k->nd, &c);
		if (c.result < 0) {
			loader_plan_free(&img->plan);
			return c.result;
		}
	}
	return 0;
}

/* Everything of the old image goes; the new address space is empty. */
static int drop_old_image(struct task *t)
{
	long r;

	signal_exec(t); /* uses the old stack: before it goes */
	shmap_writeback(t, 0, UINT64_MAX, 1);
	shmaps_drop(&t->shmaps);
	r = plat_guest_syscall(t->plat, SYS_munmap, 0, PLAT_STUB_ADDR, 0, 0, 0, 0);
	if (r == 0)
		r = plat_guest_syscall(t->plat, SYS_munmap, PLAT_STUB_ADDR + PLAT_STUB_SIZE,
				       PLAT_TASK_SIZE - PLAT_STUB_ADDR - PLAT_STUB_SIZE,
				       0, 0, 0, 0);
	if (r < 0)
		return (int)r;
	mm_free(t->mm);
	patch_table_free(t->patches);
	t->mm = mm_new();
	t->patches = patch_table_new();
	if (!t->mm || !t->patches)
		return -ENOMEM;
	kernel_skip_faulting(t->k, t->patches);
	for (int fd = 0; fd < FDTABLE_MAX; fd++) {
		struct file *f;
		if (fd_get_cloexec(t->files, fd) == 1 && (f = fd_remove(t->files, fd)))
			file_release(t, f);
	}
	memset(t->timers.posix, 0, sizeof(t->timers.posix));
	t->not_dumpable = false;
	return 0;
}

static void wake_vfork_parent(struct task *t)
{
	struct task *p = task_find(t->k, t->ppid);

	if (p && p->vfork_child == t->pid)
		p->vfork_child = 0;
}

static long do_exec(struct task *t, int dirfd, uint64_t path_addr,
		    uint64_t argv_addr, uint64_t envp_addr, int flags)
{
	struct strvec argv = { 0 }, envp = { 0 };
	struct exec_image img = { .blob = NULL };
	struct host_path hp;
	size_t total = 0;
	char given[PATH_MAX];
	long rc = path_resolve(t, dirfd, path_addr, flags, &hp);

	if (rc == 0 && hp.dirfd != AT_FDCWD)
		rc = -ENOSYS; /* execveat relative to a directory fd */
	if (rc == 0 && task_read_path(t, path_addr, given, sizeof(given)) < 0)
		rc = -EFAULT;
	if (rc == 0)
		rc = read_vector(t, argv_addr, &argv, &total);
	if (rc == 0)
		rc = read_vector(t, envp_addr, &envp, &total);
	if (rc == 0)
		rc = find_image(t, hp.self_exe ? t->exe : hp.path, given, &argv, &img);
	if (rc == 0) { /* the point of no return */
		char *exe = strdup(img.path);
		rc = exe ? drop_old_image(t) : -ENOMEM;
		if (rc == 0) {
			free(t->exe);
			t->exe = exe;
			exe = NULL;
			rc = loader_exec_image(t, t->exe, argv.v, envp.v);
		}
		free(exe);
		if (rc == 0) {
			task_set_comm(t, given);
			wake_vfork_parent(t);
		} else {
			plat_kill(t->plat, SIGKILL); /* as Linux: too late to fail */
			rc = 0;
		}
		loader_plan_free(&img.plan);
	}
	free(img.blob);
	strvec_free(&argv);
	strvec_free(&envp);
	return rc;
}

long sys_execve(struct task *t, const uint64_t a[6])
{
	return do_exec(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

long sys_execveat(struct task *t, const uint64_t a[6])
{
	return do_exec(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}
