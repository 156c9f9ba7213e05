/* core/fileobj.c — what all kernel-internal objects share: making their
 * files, asking them for readiness, bringing time-driven ones to the
 * present, and read/write with the blocking rules of SYS_BLOCK and
 * O_NONBLOCK. */
#include "core/fileobj.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "core/signal.h"
#include "core/syscall.h"
#include "core/task.h"
#include "core/timer.h"

struct file *fileobj_new(const struct file_ops *ops, void *obj, int flags)
{
	struct file *f = file_new(FILE_OBJ, -1, flags);

	if (f) {
		f->ops = ops;
		f->obj = obj;
	}
	return f;
}

unsigned fileobj_poll(struct file *f)
{
	if (f->kind != FILE_OBJ)
		return POLLIN | POLLOUT;
	return f->ops->poll ? f->ops->poll(f) : 0;
}

uint64_t obj_now(struct obj_clock *c)
{
	if (!c->known) {
		c->now = kernel_now(c->k);
		c->known = true;
	}
	return c->now;
}

void fileobj_tick(struct task *t, struct file *f, struct obj_clock *c)
{
	uint64_t d;

	if (f->kind != FILE_OBJ || !f->ops->deadline)
		return;
	d = f->ops->deadline(f, c);
	if (d && (!t->wake_at || d < t->wake_at))
		t->wake_at = d;
}

/* ---- read and write with the blocking rules ---- */

static long blocking(struct file *f, long r)
{
	if (r == -EAGAIN && !(f->flags & O_NONBLOCK))
		return SYS_BLOCK;
	return r;
}

long fileobj_read(struct task *t, struct file *f, void *buf, size_t n)
{
	struct obj_io io = { t->tid, t->retry };

	if (!f->ops->read)
		return -EINVAL;
	fileobj_tick(t, f, &(struct obj_clock){ .k = t->k });
	return blocking(f, f->ops->read(f, &io, buf, n));
}

static long do_write(struct task *t, struct file *f, const void *buf,
		     size_t n, bool sigpipe)
{
	struct obj_io io = { t->tid, t->retry };
	long r;

	if (!f->ops->write)
		return -EINVAL;
	r = f->ops->write(f, &io, buf, n);
	/* as Linux, the writer also gets SIGPIPE (SI_USER from the kernel);
	 * until core/signal.c delivers signals, the host sends it */
	if (r == -EPIPE && sigpipe &&
	    signal_send(t, SIGPIPE, SI_USER, 0) == -ENOSYS)
		plat_kill(t->plat, SIGPIPE);
	return r;
}

long fileobj_write(struct task *t, struct file *f, const void *buf, size_t n)
{
	return blocking(f, do_write(t, f, buf, n, true));
}

static bool is_socket(const struct file *f)
{
	return f->kind == FILE_OBJ && (f->ops->mode & S_IFMT) == S_IFSOCK;
}

long fileobj_send(struct task *t, struct file *f, const void *buf, size_t n,
		  int flags)
{
	long r;

	if (!is_socket(f))
		return -ENOTSOCK;
	if (flags & ~(MSG_DONTWAIT | MSG_NOSIGNAL | MSG_EOR))
		return -EOPNOTSUPP;
	r = do_write(t, f, buf, n, !(flags & MSG_NOSIGNAL));
	return r == -EAGAIN && (flags & MSG_DONTWAIT) ? r : blocking(f, r);
}

long fileobj_recv(struct task *t, struct file *f, void *buf, size_t n,
		  int flags)
{
	struct obj_io io = { t->tid, t->retry };
	long r;

	if (!is_socket(f))
		return -ENOTSOCK;
	if (flags & ~MSG_DONTWAIT)
		return -EOPNOTSUPP;
	r = f->ops->read(f, &io, buf, n);
	return r == -EAGAIN && (flags & MSG_DONTWAIT) ? r : blocking(f, r);
}

void fileobj_number(struct task *t, struct file *f)
{
	f->ino = ++t->k->next_ino;
}

long fileobj_fstat(struct task *t, struct file *f, uint64_t addr)
{
	/* distinct objects, distinct inodes (diff <(a) <(b) compares them) */
	struct stat st = { .st_dev = 0xd, .st_ino = f->ino,
			   .st_mode = f->ops->mode, .st_nlink = 1,
			   .st_uid = t->id.euid, .st_gid = t->id.egid,
			   .st_blksize = 4096 };

	return task_write(t, addr, &st, sizeof(st)) < 0 ? -EFAULT : 0;
}
