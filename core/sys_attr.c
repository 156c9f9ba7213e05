/* core/sys_attr.c — file attributes by path and the creation mask:
 * chmod, fchmodat, chown, lchown, fchownat, utimensat, utimes, umask.
 * The host applies them in record (through the logging layer); the
 * guest's umask is the kernel's own (its first value is the host's,
 * logged) and is applied to every file and directory the guest creates. */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>

#include "core/path.h"
#include "core/syscall.h"
#include "core/task.h"

static long path_call(struct task *t, enum nd_op op, int dirfd, uint64_t path,
		      int flags, long a1, long a2, const void *in, size_t in_len)
{
	struct host_path hp;
	struct nd_call c = { .op = op, .in = in, .in_len = in_len };
	long rc = path_resolve(t, dirfd, path, flags, &hp);

	if (rc < 0)
		return rc;
	c.a[0] = hp.dirfd;
	c.a[1] = a1;
	c.a[2] = a2;
	c.path = hp.path;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_chmod(struct task *t, const uint64_t a[6])
{
	return path_call(t, ND_CHMODAT, AT_FDCWD, a[0], 0, (long)(a[1] & 07777), 0, NULL, 0);
}

long sys_fchmodat(struct task *t, const uint64_t a[6])
{
	return path_call(t, ND_CHMODAT, (int)a[0], a[1], 0, (long)(a[2] & 07777), 0, NULL, 0);
}

static long chown_at(struct task *t, int dirfd, uint64_t path, uint64_t uid,
		     uint64_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	return path_call(t, ND_CHOWNAT, dirfd, path, flags,
			 (long)((uid & 0xffffffffUL) << 32 | (gid & 0xffffffffUL)),
			 flags, NULL, 0);
}

long sys_chown(struct task *t, const uint64_t a[6])
{
	return chown_at(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

long sys_lchown(struct task *t, const uint64_t a[6])
{
	return chown_at(t, AT_FDCWD, a[0], a[1], a[2], AT_SYMLINK_NOFOLLOW);
}

long sys_fchownat(struct task *t, const uint64_t a[6])
{
	return chown_at(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}

/* TIMES NULL: now (UTIME_NOW for both, which the host applies). */
static long utimens(struct task *t, int dirfd, uint64_t path,
		    const struct timespec ts[2], int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (!path) /* futimens: utimensat(fd, NULL, ...) */
		return -ENOSYS;
	return path_call(t, ND_UTIMENSAT, dirfd, path, flags, flags, 0, ts,
			 2 * sizeof(struct timespec));
}

long sys_utimensat(struct task *t, const uint64_t a[6])
{
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

	if (a[2] && task_read(t, a[2], ts, sizeof(ts)) < 0)
		return -EFAULT;
	return utimens(t, (int)a[0], a[1], ts, (int)a[3]);
}

long sys_utimes(struct task *t, const uint64_t a[6])
{
	struct timespec ts[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };
	struct timeval tv[2];

	if (a[1]) {
		if (task_read(t, a[1], tv, sizeof(tv)) < 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
	}
	return utimens(t, AT_FDCWD, a[0], ts, 0);
}

long sys_umask(struct task *t, const uint64_t a[6])
{
	long old = t->umask;

	t->umask = (unsigned)(a[0] & 0777);
	return old;
}
