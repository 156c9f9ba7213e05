/* core/sys_io.c — read, write and their vector/positional forms, lseek.
 * Data from the host comes through the logging layer (ND_READ...);
 * data the guest writes goes out through it (ND_WRITE). Internal objects
 * (pipes, sockets, eventfds: core/fileobj.h) move it inside the kernel. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/uio.h>

#include "core/signal.h"
#include "core/procself.h"
#include "core/fileobj.h"
#include "core/syscall.h"
#include "core/task.h"

#define IOV_MAX_G 1024
/* Largest read from an internal object at once (more than any holds). */
#define OBJ_IO_MAX (1UL << 20)

static long obj_read(struct task *t, struct file *f, size_t n, bool pos,
		     void **data)
{
	if (pos)
		return -ESPIPE;
	if (n > OBJ_IO_MAX)
		n = OBJ_IO_MAX;
	*data = kernel_scratch(t->k, n ? n : 1);
	if (!*data)
		return -ENOMEM;
	return fileobj_read(t, f, *data, n);
}

static struct file *readable(struct task *t, int fd, long *err)
{
	struct file *f = fd_get(t->files, fd);

	*err = !f ? -EBADF : (f->flags & O_ACCMODE) == O_WRONLY ? -EBADF : 0;
	return *err ? NULL : f;
}

static struct file *writable(struct task *t, int fd, long *err)
{
	struct file *f = fd_get(t->files, fd);

	*err = !f ? -EBADF : (f->flags & O_ACCMODE) == O_RDONLY ? -EBADF : 0;
	return *err ? NULL : f;
}

/* Read up to N bytes from the host into the kernel's scratch buffer. */
static long host_read(struct task *t, struct file *f, size_t n, bool pos,
		      int64_t off, void **data)
{
	struct nd_call c = { .op = pos ? ND_PREAD : ND_READ,
			     .a = { f->hostfd, off } };

	if (f->kind == FILE_OBJ)
		return obj_read(t, f, n, pos, data);
	if (n > KERNEL_IO_MAX)
		n = KERNEL_IO_MAX;
	if (f->kind == FILE_PROC)
		return procself_read(t, f, n, pos, off, data);
	c.out = kernel_scratch(t->k, n ? n : 1);
	if (!c.out)
		return -ENOMEM;
	c.out_cap = n;
	nd_call(t->k->nd, &c);
	*data = c.out;
	if (c.result > 0 && (size_t)c.result != c.out_len)
		return -EIO;
	return c.result;
}

static long host_write(struct task *t, struct file *f, const void *buf,
		       size_t n, bool pos, int64_t off)
{
	struct nd_call c = { .op = pos ? ND_PWRITE : ND_WRITE,
			     .a = { f->hostfd, off }, .in = buf, .in_len = n,
			     .console = f->console };

	if (f->kind == FILE_OBJ)
		return pos ? -ESPIPE : fileobj_write(t, f, buf, n);
	nd_call(t->k->nd, &c);
	if (c.result == -EPIPE) /* as Linux: the writer also gets SIGPIPE */
		signal_send(t, SIGPIPE, SI_USER, 0);
	return c.result;
}

static long do_read(struct task *t, int fd, uint64_t buf, size_t n,
		    bool pos, int64_t off)
{
	long err, r;
	struct file *f = readable(t, fd, &err);
	void *data;

	if (!f)
		return err;
	if (pos && off < 0)
		return -EINVAL;
	r = host_read(t, f, n, pos, off, &data);
	if (r > 0 && task_write(t, buf, data, (size_t)r) < 0)
		return -EFAULT;
	return r;
}

static long do_write(struct task *t, int fd, uint64_t buf, size_t n,
		     bool pos, int64_t off)
{
	long err;
	struct file *f = writable(t, fd, &err);
	void *data;

	if (!f)
		return err;
	if (pos && off < 0)
		return -EINVAL;
	if (n > KERNEL_IO_MAX)
		n = KERNEL_IO_MAX;
	data = kernel_scratch(t->k, n ? n : 1);
	if (!data)
		return -ENOMEM;
	if (task_read(t, buf, data, n) < 0)
		return -EFAULT;
	return host_write(t, f, data, n, pos, off);
}

long sys_read(struct task *t, const uint64_t a[6])
{
	return do_read(t, (int)a[0], a[1], a[2], false, 0);
}

long sys_pread64(struct task *t, const uint64_t a[6])
{
	return do_read(t, (int)a[0], a[1], a[2], true, (int64_t)a[3]);
}

long sys_write(struct task *t, const uint64_t a[6])
{
	return do_write(t, (int)a[0], a[1], a[2], false, 0);
}

long sys_pwrite64(struct task *t, const uint64_t a[6])
{
	return do_write(t, (int)a[0], a[1], a[2], true, (int64_t)a[3]);
}

/* Read the guest's iovec array; returns the total length or -errno. */
static long read_iov(struct task *t, uint64_t addr, uint64_t cnt,
		     struct iovec *iov)
{
	size_t total = 0;

	if (cnt > IOV_MAX_G)
		return -EINVAL;
	if (task_read(t, addr, iov, cnt * sizeof(*iov)) < 0)
		return -EFAULT;
	for (size_t i = 0; i < cnt; i++) {
		if (iov[i].iov_len > (size_t)SSIZE_MAX - total)
			return -EINVAL; /* the total must fit in ssize_t */
		total += iov[i].iov_len;
	}
	return total > KERNEL_IO_MAX ? (long)KERNEL_IO_MAX : (long)total;
}

long sys_readv(struct task *t, const uint64_t a[6])
{
	struct iovec iov[IOV_MAX_G];
	long err, total = read_iov(t, a[1], a[2], iov), r;
	struct file *f = readable(t, (int)a[0], &err);
	uint8_t *data;

	if (!f)
		return err;
	if (total < 0)
		return total;
	r = host_read(t, f, (size_t)total, false, 0, (void **)&data);
	for (size_t i = 0, done = 0; r > 0 && done < (size_t)r; i++) {
		size_t n = iov[i].iov_len < (size_t)r - done ?
			   iov[i].iov_len : (size_t)r - done;
		if (task_write(t, (uint64_t)iov[i].iov_base, data + done, n) < 0)
			return -EFAULT;
		done += n;
	}
	return r;
}

long sys_writev(struct task *t, const uint64_t a[6])
{
	struct iovec iov[IOV_MAX_G];
	long err, total = read_iov(t, a[1], a[2], iov);
	struct file *f = writable(t, (int)a[0], &err);
	uint8_t *data;
	size_t done = 0;

	if (!f)
		return err;
	if (total < 0)
		return total;
	data = kernel_scratch(t->k, (size_t)total + 1);
	if (!data)
		return -ENOMEM;
	for (size_t i = 0; done < (size_t)total; i++) {
		size_t n = iov[i].iov_len < (size_t)total - done ?
			   iov[i].iov_len : (size_t)total - done;
		if (task_read(t, (uint64_t)iov[i].iov_base, data + done, n) < 0)
			return -EFAULT;
		done += n;
	}
	return host_write(t, f, data, done, false, 0);
}

long sys_lseek(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);
	struct nd_call c = { .op = ND_LSEEK, .a = { 0, (long)a[1], (long)a[2] } };

	if (!f)
		return -EBADF;
	if (f->kind == FILE_PROC)
		return procself_lseek(f, (int64_t)a[1], (int)a[2]);
	if (f->kind == FILE_OBJ)
		return -ESPIPE;
	c.a[0] = f->hostfd;
	nd_call(t->k->nd, &c);
	return c.result;
}
