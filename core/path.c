/* core/path.c — guest path resolution (see core/path.h). */
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "core/task.h"

static int is_self_exe(const struct task *t, const char *path)
{
	char own[64];

	snprintf(own, sizeof(own), "/proc/%u/exe", t->pid);
	return !strcmp(path, "/proc/self/exe") ||
	       !strcmp(path, "/proc/thread-self/exe") || !strcmp(path, own);
}

/* Length of a /proc prefix naming the guest process ("/proc/self",
 * "/proc/<guest pid>"), or 0. */
static size_t proc_self_prefix(const struct task *t, const char *p)
{
	char own[32];
	int n = snprintf(own, sizeof(own), "/proc/%u", t->pid);

	if (!strncmp(p, "/proc/self", 10) && (p[10] == '/' || !p[10]))
		return 10;
	if (!strncmp(p, own, (size_t)n) && (p[n] == '/' || !p[n]))
		return (size_t)n;
	return 0;
}

/* The guest process is a host process too: its /proc entries are the
 * host's for that pid (answers are logged like any host file). */
static void rewrite_proc_self(struct task *t, char *p, size_t cap)
{
	char tmp[PATH_MAX];
	size_t skip = proc_self_prefix(t, p);

	if (!skip)
		return;
	snprintf(tmp, sizeof(tmp), "/proc/%d%s", (int)plat_host_pid(t->plat),
		 p + skip);
	snprintf(p, cap, "%s", tmp);
}

long path_resolve(struct task *t, int dirfd, uint64_t addr, int flags,
		  struct host_path *hp)
{
	char p[PATH_MAX];
	long rc = task_read_path(t, addr, p, sizeof(p));

	if (rc < 0)
		return rc;
	if (!p[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	hp->self_exe = is_self_exe(t, p);
	rewrite_proc_self(t, p, sizeof(p));
	hp->dirfd = AT_FDCWD;
	if (p[0] == '/') {
		memcpy(hp->path, p, sizeof(p));
		return 0;
	}
	if (dirfd == AT_FDCWD) {
		int n = snprintf(hp->path, sizeof(hp->path), "%s%s%s", t->cwd,
				 p[0] ? "/" : "", p);
		return n >= (int)sizeof(hp->path) ? -ENAMETOOLONG : 0;
	}
	struct file *f = fd_get(t->files, dirfd);
	if (!f)
		return -EBADF;
	hp->dirfd = f->hostfd;
	memcpy(hp->path, p, sizeof(p));
	return 0;
}
