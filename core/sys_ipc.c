/* core/sys_ipc.c — syscalls that make kernel-internal I/O objects: pipe,
 * pipe2, socketpair, eventfd, eventfd2, and shutdown on them. Nothing
 * here is recorded: the objects are deterministic (core/fileobj.h). */
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include "core/fileobj.h"
#include "core/syscall.h"
#include "core/task.h"

/* Install F[0], F[1] (no references yet) at the two lowest free fds and
 * write the fds to the guest's int[2] at ADDR. */
static long install_pair(struct task *t, struct file *f[2], bool cloexec,
			 uint64_t addr)
{
	int fd[2] = { -1, -1 };
	long rc;

	for (int i = 0; i < 2; i++)
		file_get(f[i]); /* ours until installed */
	for (int i = 0; i < 2; i++)
		if (!f[i]->ino)
			fileobj_number(t, f[i]);
	fd[0] = fd_install(t->files, f[0], 0, cloexec);
	fd[1] = fd[0] < 0 ? fd[0] : fd_install(t->files, f[1], 0, cloexec);
	rc = fd[1] < 0 ? fd[1] : task_write(t, addr, fd, sizeof(fd)) < 0 ? -EFAULT : 0;
	for (int i = 0; rc < 0 && i < 2; i++)
		if (fd[i] >= 0)
			file_release(t, fd_remove(t->files, fd[i]));
	for (int i = 0; i < 2; i++)
		file_release(t, f[i]);
	return rc;
}

static long do_pipe2(struct task *t, uint64_t addr, int flags)
{
	struct file *f[2];
	int rc;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	rc = pipe_new(flags, &f[0], &f[1]);
	if (rc < 0)
		return rc;
	fileobj_number(t, f[0]);
	f[1]->ino = f[0]->ino; /* both ends of a pipe: one inode */
	return install_pair(t, f, flags & O_CLOEXEC, addr);
}

long sys_pipe(struct task *t, const uint64_t a[6])
{
	return do_pipe2(t, a[0], 0);
}

long sys_pipe2(struct task *t, const uint64_t a[6])
{
	return do_pipe2(t, a[0], (int)a[1]);
}

long sys_socketpair(struct task *t, const uint64_t a[6])
{
	int domain = (int)a[0], type = (int)a[1], proto = (int)a[2];
	int flags = type & (SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct file *f[2];
	int rc;

	type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (domain != AF_UNIX)
		return domain == AF_INET || domain == AF_INET6 ? -EOPNOTSUPP
							       : -EAFNOSUPPORT;
	if (proto != 0)
		return -EPROTONOSUPPORT;
	if (type == SOCK_RAW) /* as Linux: a raw AF_UNIX socket is datagram */
		type = SOCK_DGRAM;
	if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET)
		return -ESOCKTNOSUPPORT;
	rc = unixsock_pair(type, flags & SOCK_NONBLOCK ? O_NONBLOCK : 0, f);
	return rc < 0 ? rc : install_pair(t, f, flags & SOCK_CLOEXEC, a[3]);
}

long obj_shutdown(struct file *f, int how)
{
	if (!f->ops->shutdown)
		return -ENOTSOCK;
	return f->ops->shutdown(f, how);
}

static long do_eventfd(struct task *t, uint64_t initval, int flags)
{
	struct file *f;
	long rc;

	if (flags & ~(EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC))
		return -EINVAL;
	rc = eventfd_new((uint32_t)initval, flags & EFD_SEMAPHORE,
			 flags & EFD_NONBLOCK ? O_NONBLOCK : 0, &f);
	if (rc < 0)
		return rc;
	fileobj_number(t, f);
	file_get(f);
	rc = fd_install(t->files, f, 0, flags & EFD_CLOEXEC);
	file_release(t, f);
	return rc;
}

long sys_eventfd(struct task *t, const uint64_t a[6])
{
	return do_eventfd(t, a[0], 0);
}

long sys_eventfd2(struct task *t, const uint64_t a[6])
{
	return do_eventfd(t, a[0], (int)a[1]);
}
