/* core/exec.c — a new program image for a task (loader_exec_image, see
 * core/loader.h): the program file and, for dynamically linked programs,
 * its interpreter (ld.so) come through the logging layer as whole-file
 * blobs, are mapped by core/loader.c, and the task starts at the
 * interpreter's entry with an auxv that describes the program. The
 * interpreter goes just below the mmap base, where Linux puts it, at an
 * address that depends only on the guest's mappings. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/loader.h"
#include "core/names.h"
#include "core/task.h"

struct image {
	void *blob;
	size_t len;
	struct load_plan plan;
	int parsed;
};

static int read_image(struct task *t, const char *path, struct image *im)
{
	struct nd_call c = { .op = ND_LOADFILE, .path = path };
	int rc;

	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return (int)c.result;
	im->blob = c.blob;
	im->len = c.blob_len;
	rc = loader_parse(im->blob, im->len, &im->plan);
	im->parsed = rc == 0;
	return rc;
}

static void drop_image(struct image *im)
{
	if (im->parsed)
		loader_plan_free(&im->plan);
	free(im->blob);
}

/* Load the interpreter named by PROG below the mmap base; *BASE is its
 * bias (AT_BASE), *ENTRY its entry point. */
static int load_interp(struct task *t, const struct load_plan *prog,
		       uint64_t *base, uint64_t *entry)
{
	struct image in = { 0 };
	uint64_t at;
	int rc = read_image(t, prog->interp, &in);

	if (rc == 0 && in.plan.has_interp)
		rc = KERNEL_E_NOEXEC; /* an interpreter needs none itself */
	if (rc == 0 && in.plan.bias == 0)
		rc = KERNEL_E_NOEXEC; /* must be position independent */
	if (rc == 0) {
		at = mm_find_free(t->mm, loader_plan_span(&in.plan));
		rc = at ? 0 : -ENOMEM;
	}
	if (rc == 0) {
		/* the first segment's page lands at AT */
		loader_plan_rebase(&in.plan, at + in.plan.bias -
				   PAGE_DOWN(in.plan.seg[0].vaddr));
		rc = loader_map_image(t, in.blob, &in.plan,
				      name_intern(prog->interp));
		*base = in.plan.bias;
		*entry = in.plan.entry;
	}
	drop_image(&in);
	return rc;
}

int loader_exec_image(struct task *t, const char *path, char *const *argv,
		      char *const *envp)
{
	struct image prog = { 0 };
	struct loader_start st = { .execfn = path, .argv = argv, .envp = envp };
	int rc = read_image(t, path, &prog);

	if (rc == 0)
		rc = loader_map_image(t, prog.blob, &prog.plan, name_intern(path));
	st.prog = &prog.plan;
	st.entry = prog.plan.entry;
	if (rc == 0 && prog.plan.has_interp) {
		rc = load_interp(t, &prog.plan, &st.interp_base, &st.entry);
		if (rc < 0 && !t->k->nd->failed) {
			kernel_warn(t->k, "%s: interpreter %s: %s", path,
				    prog.plan.interp, kernel_strerror(rc));
			rc = KERNEL_E_DYNAMIC;
		}
	}
	if (rc == 0)
		rc = loader_start(t, &st);
	drop_image(&prog);
	return rc;
}
