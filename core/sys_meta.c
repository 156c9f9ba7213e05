/* core/sys_meta.c — syscalls about files' metadata and placement that
 * change no file contents: statfs, fstatfs, the getxattr/listxattr
 * families, fchown, fchmod, fadvise64, copy_file_range (refused), and
 * host facts about the process: sched_getaffinity, getgroups. Host
 * answers come through the logging layer (ND_STATFS, ND_XATTR...). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/statfs.h>

#include "core/path.h"
#include "core/syscall.h"
#include "core/task.h"

#define XATTR_NAME_MAX_G 255
#define XATTR_SIZE_MAX_G 65536
#define AFFINITY_MAX 128  /* bytes of CPU mask: 1024 CPUs */
#define NGROUPS_MAX_G 1024 /* supplementary groups passed on (Linux: 65536) */

/* Ask the host about a path (PATH != 0) or a descriptor (FD). */
static long target(struct task *t, int fd, uint64_t path,
		   struct host_path *hp, struct nd_call *c)
{
	struct file *f;

	c->path = NULL;
	if (path) {
		long rc = path_resolve(t, AT_FDCWD, path, 0, hp);
		if (rc < 0)
			return rc;
		c->a[0] = -1;
		c->path = hp->path;
		return 0;
	}
	f = fd_get(t->files, fd);
	if (!f)
		return -EBADF;
	c->a[0] = f->hostfd;
	return 0;
}

static long do_statfs(struct task *t, int fd, uint64_t path, uint64_t buf)
{
	struct host_path hp;
	struct statfs st;
	struct nd_call c = { .op = ND_STATFS, .out = &st, .out_cap = sizeof(st) };
	long rc = target(t, fd, path, &hp, &c);

	if (rc < 0)
		return rc;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.out_len != sizeof(st))
		return -EIO;
	return task_write(t, buf, &st, sizeof(st)) < 0 ? -EFAULT : 0;
}

long sys_statfs(struct task *t, const uint64_t a[6])
{
	return do_statfs(t, -1, a[0], a[1]);
}

long sys_fstatfs(struct task *t, const uint64_t a[6])
{
	return do_statfs(t, (int)a[0], 0, a[1]);
}

/* NAME (0 for the list forms) of FD or PATH into BUF of SIZE bytes. */
static long do_xattr(struct task *t, int fd, uint64_t path, int nofollow,
		     uint64_t name, uint64_t buf, size_t size)
{
	struct host_path hp;
	char attr[XATTR_NAME_MAX_G + 1];
	struct nd_call c = { .op = ND_XATTR, .a = { 0, nofollow } };
	long rc = target(t, fd, path, &hp, &c);

	if (rc == 0 && name) {
		rc = task_read_path(t, name, attr, sizeof(attr));
		if (rc == -ENAMETOOLONG)
			rc = -ERANGE;
		c.path2 = attr;
	}
	if (rc < 0)
		return rc;
	if (size > XATTR_SIZE_MAX_G)
		size = XATTR_SIZE_MAX_G;
	c.out = kernel_scratch(t->k, size ? size : 1);
	if (!c.out)
		return -ENOMEM;
	c.out_cap = size;
	nd_call(t->k->nd, &c);
	if (c.result < 0 || !size)
		return c.result;
	if (c.out_len > size)
		return -EIO;
	return task_write(t, buf, c.out, c.out_len) < 0 ? -EFAULT : c.result;
}

long sys_getxattr(struct task *t, const uint64_t a[6])
{
	return do_xattr(t, -1, a[0], 0, a[1], a[2], a[3]);
}

long sys_lgetxattr(struct task *t, const uint64_t a[6])
{
	return do_xattr(t, -1, a[0], 1, a[1], a[2], a[3]);
}

long sys_fgetxattr(struct task *t, const uint64_t a[6])
{
	return do_xattr(t, (int)a[0], 0, 0, a[1], a[2], a[3]);
}

long sys_listxattr(struct task *t, const uint64_t a[6])
{
	return do_xattr(t, -1, a[0], 0, 0, a[1], a[2]);
}

long sys_llistxattr(struct task *t, const uint64_t a[6])
{
	return do_xattr(t, -1, a[0], 1, 0, a[1], a[2]);
}

long sys_flistxattr(struct task *t, const uint64_t a[6])
{
	return do_xattr(t, (int)a[0], 0, 0, 0, a[1], a[2]);
}

static long fd_op(struct task *t, enum nd_op op, int fd, long a1, long a2)
{
	struct file *f = fd_get(t->files, fd);
	struct nd_call c = { .op = op, .a = { 0, a1, a2 } };

	if (!f)
		return -EBADF;
	c.a[0] = f->hostfd;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_fchown(struct task *t, const uint64_t a[6])
{
	return fd_op(t, ND_FCHOWN, (int)a[0], (long)(int)a[1], (long)(int)a[2]);
}

long sys_fchmod(struct task *t, const uint64_t a[6])
{
	return fd_op(t, ND_FCHMOD, (int)a[0], (long)(a[1] & 07777), 0);
}

/* Advice only: nothing the guest can observe changes. */
long sys_fadvise64(struct task *t, const uint64_t a[6])
{
	if (!fd_get(t->files, (int)a[0]))
		return -EBADF;
	return a[3] > 5 ? -EINVAL : 0; /* POSIX_FADV_NORMAL..NOREUSE */
}

/* EXDEV, as Linux answers between file systems: callers fall back to
 * read and write, which go through the logging layer. */
long sys_copy_file_range(struct task *t, const uint64_t a[6])
{
	if (!fd_get(t->files, (int)a[0]) || !fd_get(t->files, (int)a[2]))
		return -EBADF;
	return a[5] ? -EINVAL : -EXDEV;
}

long sys_getgroups(struct task *t, const uint64_t a[6])
{
	uint32_t ids[NGROUPS_MAX_G];
	int size = (int)a[0];
	struct nd_call c = { .op = ND_GROUPS, .out = ids };

	if (size < 0)
		return -EINVAL;
	c.out_cap = (size_t)(size < NGROUPS_MAX_G ? size : NGROUPS_MAX_G) * 4;
	nd_call(t->k->nd, &c);
	if (c.result < 0 || !size)
		return c.result;
	if (c.out_len != (size_t)c.result * 4)
		return -EIO;
	return task_write(t, a[1], ids, c.out_len) < 0 ? -EFAULT : c.result;
}

long sys_sched_getaffinity(struct task *t, const uint64_t a[6])
{
	uint8_t mask[AFFINITY_MAX];
	size_t len = a[1] < sizeof(mask) ? a[1] : sizeof(mask);
	struct nd_call c = { .op = ND_AFFINITY, .out = mask, .out_cap = len };

	if (a[0] && a[0] != t->pid && a[0] != t->tid)
		return -ESRCH;
	if (a[1] < 8 || (a[1] & 7))
		return -EINVAL;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.out_len > len)
		return -EIO;
	return task_write(t, a[2], mask, c.out_len) < 0 ? -EFAULT : (long)c.out_len;
}
