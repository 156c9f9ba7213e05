/* core/files.c — descriptor tables and file reference counts. Pure
 * bookkeeping: closing host fds is the caller's (through the logging
 * layer), so replay and record behave the same. */
#include "core/files.h"

#include <errno.h>
#include <stdlib.h>

struct fdtable {
	struct file *fd[FDTABLE_MAX];
	bool cloexec[FDTABLE_MAX];
};

struct fdtable *fdtable_new(void)
{
	return calloc(1, sizeof(struct fdtable));
}

void fdtable_free(struct fdtable *ft)
{
	if (!ft)
		return;
	for (int i = 0; i < FDTABLE_MAX; i++)
		if (ft->fd[i] && file_put(ft->fd[i]))
			free(ft->fd[i]);
	free(ft);
}

struct file *fd_get(struct fdtable *ft, int fd)
{
	if (fd < 0 || fd >= FDTABLE_MAX)
		return NULL;
	return ft->fd[fd];
}

int fd_install(struct fdtable *ft, struct file *f, int minfd, bool cloexec)
{
	if (minfd < 0)
		return -EINVAL;
	for (int i = minfd; i < FDTABLE_MAX; i++) {
		if (!ft->fd[i]) {
			file_get(f);
			ft->fd[i] = f;
			ft->cloexec[i] = cloexec;
			return i;
		}
	}
	return -EMFILE;
}

int fd_install_at(struct fdtable *ft, int fd, struct file *f, bool cloexec)
{
	if (fd < 0 || fd >= FDTABLE_MAX)
		return -EBADF;
	file_get(f);
	if (ft->fd[fd] && file_put(ft->fd[fd]))
		free(ft->fd[fd]);
	ft->fd[fd] = f;
	ft->cloexec[fd] = cloexec;
	return fd;
}

struct file *fd_remove(struct fdtable *ft, int fd)
{
	struct file *f = fd_get(ft, fd);

	if (f)
		ft->fd[fd] = NULL;
	return f;
}

int fd_get_cloexec(struct fdtable *ft, int fd)
{
	if (!fd_get(ft, fd))
		return -EBADF;
	return ft->cloexec[fd];
}

int fd_set_cloexec(struct fdtable *ft, int fd, bool on)
{
	if (!fd_get(ft, fd))
		return -EBADF;
	ft->cloexec[fd] = on;
	return 0;
}

struct file *file_new(enum file_kind kind, int hostfd, int flags)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->kind = kind;
	f->hostfd = hostfd;
	f->flags = flags;
	return f;
}

void file_get(struct file *f)
{
	f->refs++;
}

bool file_put(struct file *f)
{
	return --f->refs == 0;
}
