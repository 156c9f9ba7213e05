/* core/sys_fs.c — syscalls on paths: open, stat family, access,
 * directories, links, working directory, renames and removals. Each asks
 * the host through the logging layer with a resolved host path. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/names.h"
#include "core/fileobj.h"
#include "core/path.h"
#include "core/procself.h"
#include "core/syscall.h"
#include "core/task.h"

/* Size of struct statx as the x86-64 kernel writes it. */
#define GUEST_STATX_SIZE 256

static long do_openat(struct task *t, int dirfd, uint64_t path, int flags,
		      int mode)
{
	struct host_path hp;
	struct nd_call c = { .op = ND_OPEN };
	struct file *f;
	long rc = path_resolve(t, dirfd, path, 0, &hp);

	if (rc < 0)
		return rc;
	if (hp.obj_fd >= 0) /* /dev/fd/N of a pipe: the same pipe end */
		return fd_install(t->files, fd_get(t->files, hp.obj_fd), 0,
				  flags & O_CLOEXEC);
	if (hp.self_entry[0]) {
		rc = procself_open(t, hp.self_entry, flags);
		if (rc != -ENOSYS)
			return rc;
	}
	if (hp.self_exe) {
		snprintf(hp.path, sizeof(hp.path), "%s", t->exe);
		snprintf(hp.guest, sizeof(hp.guest), "%s", t->exe);
	}
	c.a[0] = hp.dirfd;
	c.a[1] = flags | O_CLOEXEC;
	c.a[2] = mode & ~t->umask;
	c.path = hp.path;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	f = file_new(FILE_HOST, c.hostfd, flags & ~O_CLOEXEC);
	if (!f)
		rc = -ENOMEM;
	else {
		f->path = hp.guest[0] ? name_intern(hp.guest) : NULL;
		rc = fd_install(t->files, f, 0, flags & O_CLOEXEC);
	}
	if (rc < 0) {
		struct nd_call cl = { .op = ND_CLOSE, .a = { c.hostfd } };
		nd_call(t->k->nd, &cl);
		free(f);
	}
	return rc;
}

long sys_open(struct task *t, const uint64_t a[6])
{
	return do_openat(t, AT_FDCWD, a[0], (int)a[1], (int)a[2]);
}

long sys_creat(struct task *t, const uint64_t a[6])
{
	return do_openat(t, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, (int)a[1]);
}

long sys_openat(struct task *t, const uint64_t a[6])
{
	return do_openat(t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

long sys_close(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_remove(t->files, (int)a[0]);

	if (!f)
		return -EBADF;
	file_release(t, f);
	return 0;
}

/* Ask the host for bytes about a path or fd and copy them to the guest. */
static long query_to_guest(struct task *t, struct nd_call *c, uint64_t dst,
			   size_t size)
{
	uint8_t buf[GUEST_STATX_SIZE];

	c->out = buf;
	c->out_cap = size;
	nd_call(t->k->nd, c);
	if (c->result < 0)
		return c->result;
	if (c->out_len != size)
		return -EIO;
	return task_write(t, dst, buf, size) < 0 ? -EFAULT : c->result;
}

long sys_fstat(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);
	struct nd_call c = { .op = ND_FSTAT };

	if (!f)
		return -EBADF;
	if (f->kind == FILE_PROC)
		return procself_fstat(t, f, a[1]);
	if (f->kind == FILE_OBJ)
		return fileobj_fstat(t, f, a[1]);
	c.a[0] = f->hostfd;
	return query_to_guest(t, &c, a[1], sizeof(struct stat));
}

static long do_fstatat(struct task *t, int dirfd, uint64_t path,
		       uint64_t buf, int flags)
{
	struct host_path hp;
	struct nd_call c = { .op = ND_FSTATAT };
	long rc = path_resolve(t, dirfd, path, flags, &hp);

	if (rc < 0)
		return rc;
	if (hp.obj_fd >= 0)
		return fileobj_fstat(t, fd_get(t->files, hp.obj_fd), buf);
	if (!hp.path[0] && dirfd != AT_FDCWD) /* fstat of the dirfd */
		return sys_fstat(t, (const uint64_t[6]){ (uint64_t)dirfd, buf });
	c.a[0] = hp.dirfd;
	c.a[1] = flags;
	c.path = hp.path;
	return query_to_guest(t, &c, buf, sizeof(struct stat));
}

long sys_newfstatat(struct task *t, const uint64_t a[6])
{
	return do_fstatat(t, (int)a[0], a[1], a[2], (int)a[3]);
}

long sys_stat(struct task *t, const uint64_t a[6])
{
	return do_fstatat(t, AT_FDCWD, a[0], a[1], 0);
}

long sys_lstat(struct task *t, const uint64_t a[6])
{
	return do_fstatat(t, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}

long sys_statx(struct task *t, const uint64_t a[6])
{
	struct host_path hp;
	struct nd_call c = { .op = ND_STATX };
	long rc = path_resolve(t, (int)a[0], a[1], (int)a[2], &hp);

	if (rc < 0)
		return rc;
	c.a[0] = hp.dirfd;
	c.a[1] = (long)a[2];
	c.a[2] = (long)a[3];
	c.path = hp.path;
	return query_to_guest(t, &c, a[4], GUEST_STATX_SIZE);
}

static long do_access(struct task *t, int dirfd, uint64_t path, int mode,
		      int flags)
{
	struct host_path hp;
	struct nd_call c = { .op = ND_ACCESS };
	long rc = path_resolve(t, dirfd, path, flags, &hp);

	if (rc < 0)
		return rc;
	c.a[0] = hp.dirfd;
	c.a[1] = mode;
	c.a[2] = flags;
	c.path = hp.path;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_access(struct task *t, const uint64_t a[6])
{
	return do_access(t, AT_FDCWD, a[0], (int)a[1], 0);
}

long sys_faccessat(struct task *t, const uint64_t a[6])
{
	return do_access(t, (int)a[0], a[1], (int)a[2], 0);
}

long sys_faccessat2(struct task *t, const uint64_t a[6])
{
	return do_access(t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

/* Host bytes of variable length (directory entries, link targets). */
static long bytes_to_guest(struct task *t, struct nd_call *c, uint64_t dst,
			   size_t cap)
{
	if (cap > KERNEL_IO_MAX)
		cap = KERNEL_IO_MAX;
	c->out = kernel_scratch(t->k, cap ? cap : 1);
	if (!c->out)
		return -ENOMEM;
	c->out_cap = cap;
	nd_call(t->k->nd, c);
	if (c->result < 0)
		return c->result;
	if (c->out_len > cap)
		return -EIO;
	return task_write(t, dst, c->out, c->out_len) < 0 ? -EFAULT : c->result;
}

long sys_getdents64(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);
	struct nd_call c = { .op = ND_GETDENTS };

	if (!f)
		return -EBADF;
	if (f->kind == FILE_PROC)
		return procself_getdents(t, f, a[1], a[2]);
	if (f->kind == FILE_OBJ)
		return -ENOTDIR;
	c.a[0] = f->hostfd;
	return bytes_to_guest(t, &c, a[1], a[2]);
}

static long do_readlinkat(struct task *t, int dirfd, uint64_t path,
			  uint64_t buf, size_t size)
{
	struct host_path hp;
	struct nd_call c = { .op = ND_READLINK };
	long rc = path_resolve(t, dirfd, path, 0, &hp);

	if (rc < 0)
		return rc;
	if ((long)size <= 0)
		return -EINVAL;
	if (hp.self_entry[0]) {
		char out[PATH_MAX];
		rc = procself_readlink(t, hp.self_entry, out,
				       size < sizeof(out) ? size : sizeof(out));
		if (rc > 0 && task_write(t, buf, out, (size_t)rc) < 0)
			return -EFAULT;
		if (rc != 0)
			return rc;
	}
	if (hp.self_exe) {
		size_t n = strlen(t->exe);
		n = n < size ? n : size;
		return task_write(t, buf, t->exe, n) < 0 ? -EFAULT : (long)n;
	}
	c.a[0] = hp.dirfd;
	c.path = hp.path;
	return bytes_to_guest(t, &c, buf, size);
}

long sys_readlink(struct task *t, const uint64_t a[6])
{
	return do_readlinkat(t, AT_FDCWD, a[0], a[1], a[2]);
}

long sys_readlinkat(struct task *t, const uint64_t a[6])
{
	return do_readlinkat(t, (int)a[0], a[1], a[2], a[3]);
}

long sys_getcwd(struct task *t, const uint64_t a[6])
{
	size_t n = strlen(t->cwd) + 1;

	if (a[1] < n)
		return -ERANGE;
	return task_write(t, a[0], t->cwd, n) < 0 ? -EFAULT : (long)n;
}

long sys_chdir(struct task *t, const uint64_t a[6])
{
	struct host_path hp;
	char canon[PATH_MAX];
	struct nd_call c = { .op = ND_CHDIR, .out = canon,
			     .out_cap = sizeof(canon) - 1 };
	long rc = path_resolve(t, AT_FDCWD, a[0], 0, &hp);

	if (rc < 0)
		return rc;
	c.path = hp.path;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	canon[c.out_len] = 0;
	char *dup = strdup(canon);
	if (!dup)
		return -ENOMEM;
	free(t->cwd);
	t->cwd = dup;
	return 0;
}

/* The directory behind a descriptor, canonical as chdir's, through
 * deja's /dev/fd link for the host fd. */
long sys_fchdir(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);
	char canon[PATH_MAX], link[32], *dup;
	struct nd_call c = { .op = ND_CHDIR, .out = canon,
			     .out_cap = sizeof(canon) - 1, .path = link };

	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return -ENOTDIR;
	snprintf(link, sizeof(link), "/dev/fd/%d", f->hostfd);
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	canon[c.out_len] = 0;
	dup = strdup(canon);
	if (!dup)
		return -ENOMEM;
	free(t->cwd);
	t->cwd = dup;
	return 0;
}

/* An op on one path: unlink, mkdir, rmdir. */
static long path_op(struct task *t, enum nd_op op, int dirfd, uint64_t path,
		    long arg)
{
	struct host_path hp;
	struct nd_call c = { .op = op };
	long rc = path_resolve(t, dirfd, path, 0, &hp);

	if (rc < 0)
		return rc;
	c.a[0] = hp.dirfd;
	c.a[1] = arg;
	c.path = hp.path;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_unlink(struct task *t, const uint64_t a[6])
{
	return path_op(t, ND_UNLINK, AT_FDCWD, a[0], 0);
}

long sys_unlinkat(struct task *t, const uint64_t a[6])
{
	return path_op(t, ND_UNLINK, (int)a[0], a[1], (long)a[2]);
}

long sys_rmdir(struct task *t, const uint64_t a[6])
{
	return path_op(t, ND_UNLINK, AT_FDCWD, a[0], AT_REMOVEDIR);
}

long sys_mkdir(struct task *t, const uint64_t a[6])
{
	return path_op(t, ND_MKDIR, AT_FDCWD, a[0], (long)(a[1] & ~t->umask));
}

long sys_mkdirat(struct task *t, const uint64_t a[6])
{
	return path_op(t, ND_MKDIR, (int)a[0], a[1], (long)(a[2] & ~t->umask));
}

/* An op on two paths: rename, link. RFLAGS apply to the first path. */
static long two_path_op(struct task *t, enum nd_op op, int olddir,
			uint64_t oldp, int newdir, uint64_t newp, long flags,
			int rflags)
{
	struct host_path from, to;
	struct nd_call c = { .op = op };
	long rc = path_resolve(t, olddir, oldp, rflags, &from);

	if (rc == 0)
		rc = path_resolve(t, newdir, newp, 0, &to);
	if (rc < 0)
		return rc;
	c.a[0] = from.dirfd;
	c.a[1] = to.dirfd;
	c.a[2] = flags;
	c.path = from.path;
	c.path2 = to.path;
	nd_call(t->k->nd, &c);
	return c.result;
}

static long do_rename(struct task *t, int olddir, uint64_t oldp, int newdir,
		      uint64_t newp, long flags)
{
	return two_path_op(t, ND_RENAME, olddir, oldp, newdir, newp, flags, 0);
}

long sys_rename(struct task *t, const uint64_t a[6])
{
	return do_rename(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long sys_renameat(struct task *t, const uint64_t a[6])
{
	return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], 0);
}

long sys_renameat2(struct task *t, const uint64_t a[6])
{
	return do_rename(t, (int)a[0], a[1], (int)a[2], a[3], (long)a[4]);
}

static long do_symlinkat(struct task *t, uint64_t target, int dirfd,
			 uint64_t linkpath)
{
	char what[PATH_MAX];
	struct host_path at;
	struct nd_call c = { .op = ND_SYMLINK };
	long rc = task_read_path(t, target, what, sizeof(what));

	if (rc == 0)
		rc = path_resolve(t, dirfd, linkpath, 0, &at);
	if (rc < 0)
		return rc;
	c.path = what; /* stored as given: a link's target is not resolved */
	c.a[0] = at.dirfd;
	c.path2 = at.path;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_symlink(struct task *t, const uint64_t a[6])
{
	return do_symlinkat(t, a[0], AT_FDCWD, a[1]);
}

long sys_symlinkat(struct task *t, const uint64_t a[6])
{
	return do_symlinkat(t, a[0], (int)a[1], a[2]);
}

static long do_linkat(struct task *t, int olddir, uint64_t oldp, int newdir,
		      uint64_t newp, long flags)
{
	return two_path_op(t, ND_LINK, olddir, oldp, newdir, newp, flags,
			   (int)(flags & AT_EMPTY_PATH));
}

long sys_link(struct task *t, const uint64_t a[6])
{
	return do_linkat(t, AT_FDCWD, a[0], AT_FDCWD, a[1], 0);
}

long sys_linkat(struct task *t, const uint64_t a[6])
{
	return do_linkat(t, (int)a[0], a[1], (int)a[2], a[3], (long)a[4]);
}
