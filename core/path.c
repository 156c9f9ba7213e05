/* core/path.c — guest path resolution (see core/path.h). */
#include "core/path.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/procself.h"
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
size_t path_proc_self_prefix(const struct task *t, const char *p)
{
	char own[32];
	int n = snprintf(own, sizeof(own), "/proc/%u", t->pid);

	if (!strncmp(p, "/proc/self", 10) && (p[10] == '/' || !p[10]))
		return 10;
	if (!strncmp(p, "/proc/thread-self", 17) && (p[17] == '/' || !p[17]))
		return 17; /* one thread per process so far */
	if (!strncmp(p, own, (size_t)n) && (p[n] == '/' || !p[n]))
		return (size_t)n;
	return 0;
}

/* The guest process is a host process too: its /proc entries are the
 * host's for that pid (answers are logged like any host file). */
static void rewrite_proc_self(struct task *t, char *p, size_t cap)
{
	char tmp[PATH_MAX];
	size_t skip = path_proc_self_prefix(t, p);

	if (!skip)
		return;
	snprintf(tmp, sizeof(tmp), "/proc/%d%s", (int)plat_host_pid(t->plat),
		 p + skip);
	snprintf(p, cap, "%s", tmp);
}

/* The guest's descriptor named by P ("/dev/fd/N", "/dev/stdin",
 * "/proc/self/fd/N"...), with *REST the rest of the path; -1 if P names
 * none. */
static int guest_fd_link(const struct task *t, const char *p, const char **rest)
{
	static const char *const std[] = { "/dev/stdin", "/dev/stdout", "/dev/stderr" };
	size_t skip = path_proc_self_prefix(t, p);
	char *end;
	long fd;

	for (int i = 0; i < 3; i++)
		if (!strcmp(p, std[i])) {
			*rest = "";
			return i;
		}
	if (!strncmp(p, "/dev/fd/", 8))
		p += 8;
	else if (skip && !strncmp(p + skip, "/fd/", 4))
		p += skip + 4;
	else
		return -1;
	fd = strtol(p, &end, 10);
	if (end == p || (*end && *end != '/') || fd < 0 || fd >= FDTABLE_MAX)
		return -1;
	*rest = end;
	return (int)fd;
}

/* The guest's descriptors are deja's host fds: name them through
 * deja's /dev/fd. Returns 1 if rewritten, 0 if not such a path. */
static long rewrite_fd_link(struct task *t, char *p, size_t cap, int *obj_fd)
{
	const char *rest;
	int fd = guest_fd_link(t, p, &rest);
	struct file *f;
	char tmp[PATH_MAX];

	if (fd < 0)
		return 0;
	f = fd_get(t->files, fd);
	if (!f)
		return -ENOENT;
	if (f->kind == FILE_OBJ) { /* a pipe or socket: only in the kernel */
		if (*rest)
			return -ENOTDIR;
		*obj_fd = fd;
		snprintf(p, cap, "/nonexistent/deja-kernel-object");
		return 1;
	}
	snprintf(tmp, sizeof(tmp), "/dev/fd/%d%s", f->hostfd, rest);
	snprintf(p, cap, "%s", tmp);
	return 1;
}

/* Drop "." and empty components and resolve ".." lexically, in place. */
static void normalise(char *p)
{
	char *out = p, *in = p;

	while (*in) {
		char *end;
		size_t n;
		while (*in == '/')
			in++;
		end = strchrnul(in, '/');
		n = (size_t)(end - in);
		if (n == 2 && in[0] == '.' && in[1] == '.') {
			while (out > p && *--out != '/')
				;
		} else if (n && !(n == 1 && in[0] == '.')) {
			*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in = end;
	}
	if (out == p)
		*out++ = '/';
	*out = 0;
}

/* The guest's own view of P relative to DIRFD (see host_path.guest). */
static void guest_view(struct task *t, int dirfd, const char *p,
		       struct host_path *hp)
{
	const char *dir = t->cwd;
	int n;

	if (p[0] != '/' && dirfd != AT_FDCWD) {
		struct file *f = fd_get(t->files, dirfd);
		dir = f ? f->path : NULL;
	}
	if (p[0] == '/')
		n = snprintf(hp->guest, sizeof(hp->guest), "%s", p);
	else if (dir)
		n = snprintf(hp->guest, sizeof(hp->guest), "%s/%s", dir, p);
	else
		n = -1;
	if (n < 0 || n >= (int)sizeof(hp->guest))
		hp->guest[0] = 0;
	else
		normalise(hp->guest);
}

long path_resolve(struct task *t, int dirfd, uint64_t addr, int flags,
		  struct host_path *hp)
{
	char p[PATH_MAX];
	const char *entry;
	long rc = task_read_path(t, addr, p, sizeof(p));

	if (rc < 0)
		return rc;
	if (!p[0] && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	guest_view(t, dirfd, p, hp);
	entry = procself_entry(t, hp->guest);
	snprintf(hp->self_entry, sizeof(hp->self_entry), "%s", entry ? entry : "");
	if (entry && !strncmp(entry, "fd/", 3)) { /* names the file itself */
		struct file *f = fd_get(t->files, atoi(entry + 3));
		if (f && f->path)
			snprintf(hp->guest, sizeof(hp->guest), "%s", f->path);
	}
	hp->self_exe = is_self_exe(t, p);
	hp->obj_fd = -1;
	rc = rewrite_fd_link(t, p, sizeof(p), &hp->obj_fd);
	if (rc < 0)
		return rc;
	if (rc == 0)
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
	if (f->kind == FILE_OBJ && p[0])
		return -ENOTDIR;
	hp->dirfd = f->hostfd;
	memcpy(hp->path, p, sizeof(p));
	return 0;
}
