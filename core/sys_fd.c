/* core/sys_fd.c — syscalls on descriptors themselves: dup family, fcntl,
 * close_range, ioctl (terminal queries), ftruncate and fsync. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include "core/lock.h"
#include "core/fileobj.h"
#include "core/syscall.h"
#include "core/task.h"

#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
/* Status flags F_SETFL may change on an internal object. */
#define OBJ_SETFL_MASK (O_NONBLOCK | O_APPEND | O_ASYNC)

/* struct termios as the kernel copies it for TCGETS (not glibc's). */
#define KERNEL_TERMIOS_SIZE 36

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f = fd_get(t->files, oldfd), *old;

	if (!f)
		return -EBADF;
	if (newfd < 0 || newfd >= FDTABLE_MAX)
		return -EBADF;
	file_get(f); /* keep it alive if newfd held the last other ref */
	old = fd_remove(t->files, newfd);
	if (old)
		file_release(t, old);
	fd_install_at(t->files, newfd, f, flags & O_CLOEXEC);
	file_release(t, f);
	return newfd;
}

long sys_dup(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);

	return f ? fd_install(t->files, f, 0, false) : -EBADF;
}

long sys_dup2(struct task *t, const uint64_t a[6])
{
	if ((int)a[0] == (int)a[1])
		return fd_get(t->files, (int)a[0]) ? (long)(int)a[1] : -EBADF;
	return do_dup3(t, (int)a[0], (int)a[1], 0);
}

long sys_dup3(struct task *t, const uint64_t a[6])
{
	if ((int)a[0] == (int)a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return do_dup3(t, (int)a[0], (int)a[1], (int)a[2]);
}

static long host_fcntl(struct task *t, struct file *f, int cmd, long arg)
{
	struct nd_call c = { .op = ND_FCNTL, .a = { f->hostfd, cmd, arg } };

	nd_call(t->k->nd, &c);
	return c.result;
}

/* F_SETFL: internal objects keep their status flags themselves. */
static long set_fl(struct task *t, struct file *f, int fl)
{
	long r;

	if (f->kind == FILE_OBJ) {
		f->flags = (f->flags & ~OBJ_SETFL_MASK) | (fl & OBJ_SETFL_MASK);
		return 0;
	}
	r = host_fcntl(t, f, F_SETFL, fl);
	if (r == 0)
		f->flags = (f->flags & O_ACCMODE) | (fl & ~O_ACCMODE);
	return r;
}

long sys_fcntl(struct task *t, const uint64_t a[6])
{
	int fd = (int)a[0], cmd = (int)a[1];
	struct file *f = fd_get(t->files, fd);

	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((long)a[2] < 0 || a[2] >= FDTABLE_MAX)
			return -EINVAL;
		return fd_install(t->files, f, (int)a[2], cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return fd_get_cloexec(t->files, fd) ? FD_CLOEXEC : 0;
	case F_SETFD:
		return fd_set_cloexec(t->files, fd, a[2] & FD_CLOEXEC);
	case F_GETFL:
		if (f->kind == FILE_PROC || f->kind == FILE_OBJ)
			return f->flags;
		return host_fcntl(t, f, F_GETFL, 0);
	case F_SETFL:
		return set_fl(t, f, (int)a[2]);
	case F_GETPIPE_SZ:
		return f->kind == FILE_OBJ && (f->ops->mode & S_IFMT) == S_IFIFO ?
		       PIPE_CAPACITY : -EBADF;
	default:
		return fcntl_lock(t, f, cmd, a[2]);
	}
}

long sys_close_range(struct task *t, const uint64_t a[6])
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1];
	unsigned flags = (unsigned)a[2];

	if (flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	/* one fd table per process today: UNSHARE has nothing to unshare */
	for (unsigned fd = first; fd <= last && fd < FDTABLE_MAX; fd++) {
		if (!fd_get(t->files, (int)fd))
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			fd_set_cloexec(t->files, (int)fd, true);
		else
			file_release(t, fd_remove(t->files, (int)fd));
	}
	return 0;
}

/* ioctl on an internal object: FIONREAD and FIONBIO; no terminal. */
static long obj_ioctl(struct task *t, struct file *f, unsigned long req,
		      uint64_t arg)
{
	int v;

	switch (req) {
	case FIONREAD:
		if (!f->ops->nread)
			return -ENOTTY;
		v = (int)f->ops->nread(f);
		return task_write(t, arg, &v, sizeof(v)) < 0 ? -EFAULT : 0;
	case FIONBIO:
		if (task_read(t, arg, &v, sizeof(v)) < 0)
			return -EFAULT;
		f->flags = v ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		return 0;
	default:
		return -ENOTTY;
	}
}

long sys_ioctl(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);
	struct nd_call c = { .op = ND_IOCTL };
	uint8_t buf[64];
	size_t size;

	if (!f)
		return -EBADF;
	if (f->kind == FILE_OBJ)
		return obj_ioctl(t, f, (unsigned long)a[1], a[2]);
	switch (a[1]) {
	case TCGETS: size = KERNEL_TERMIOS_SIZE; break;
	case TIOCGWINSZ: size = sizeof(struct winsize); break;
	case FIONREAD: size = sizeof(int); break;
	default: return -ENOTTY;
	}
	c.a[0] = f->hostfd;
	c.a[1] = (long)a[1];
	c.out = buf;
	c.out_cap = size;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.out_len != size)
		return -EIO;
	return task_write(t, a[2], buf, size) < 0 ? -EFAULT : c.result;
}

long sys_ftruncate(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);
	struct nd_call c = { .op = ND_FTRUNCATE };

	if (!f)
		return -EBADF;
	if ((long)a[1] < 0 || f->kind == FILE_OBJ)
		return -EINVAL;
	c.a[0] = f->hostfd;
	c.a[1] = (long)a[1];
	nd_call(t->k->nd, &c);
	return c.result;
}

static long do_fsync(struct task *t, int fd, int datasync)
{
	struct file *f = fd_get(t->files, fd);
	struct nd_call c = { .op = ND_FSYNC };

	if (!f)
		return -EBADF;
	if (f->kind == FILE_OBJ)
		return -EINVAL;
	c.a[0] = f->hostfd;
	c.a[1] = datasync;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_fsync(struct task *t, const uint64_t a[6])
{
	return do_fsync(t, (int)a[0], 0);
}

long sys_fdatasync(struct task *t, const uint64_t a[6])
{
	return do_fsync(t, (int)a[0], 1);
}
