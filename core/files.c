/* core/files.c — descriptor tables and file reference counts. Pure
 * bookkeeping: closing host fds is the caller's (through the logging
 * layer), so replay and record behave the same. */
#include "core/files.h"

#include "core/fileobj.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct fdtable {
	struct file *fd[FDTABLE_MAX];
	bool cloexec[FDTABLE_MAX];
};

struct fdtable *fdtable_new(void)
{
	return calloc(1, sizeof(struct fdtable));
}

/* Both free a table without host effects: the kernel closes host fds one
 * descriptor at a time through file_release() (task.c), never here. */
void fdtable_free(struct fdtable *ft)
{
	fdtable_drop(ft);
}

void fdtable_drop(struct fdtable *ft)
{
	if (!ft)
		return;
	for (int i = 0; i < FDTABLE_MAX; i++)
		if (ft->fd[i] && file_put(ft->fd[i]))
			file_free(ft->fd[i]);
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
		file_free(ft->fd[fd]);
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

void file_free(struct file *f)
{
	if (f->watch)
		epoll_file_gone(f);
	if (f->kind == FILE_OBJ && f->obj && f->ops->release)
		f->ops->release(f);
	free(f);
}

/* ---- deep copies ---- */

/* Open addressing on the original's address; at most half full. */
struct file_remap {
	struct remap_slot { const void *old; void *copy; } *v;
	size_t n, cap;          /* cap: a power of 2 */
};

#define REMAP_MIN_CAP 16

struct file_remap *file_remap_new(void)
{
	struct file_remap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->v = calloc(REMAP_MIN_CAP, sizeof(*m->v));
	if (!m->v) {
		free(m);
		return NULL;
	}
	m->cap = REMAP_MIN_CAP;
	return m;
}

void file_remap_free(struct file_remap *m)
{
	if (m)
		free(m->v);
	free(m);
}

static size_t remap_slot(const struct remap_slot *v, size_t cap,
			 const void *old)
{
	uint64_t h = (uint64_t)(uintptr_t)old * 0x9e3779b97f4a7c15ull;
	size_t i = (size_t)(h >> 32) & (cap - 1);

	while (v[i].old && v[i].old != old)
		i = (i + 1) & (cap - 1);
	return i;
}

static int remap_grow(struct file_remap *m)
{
	size_t cap = m->cap * 2;
	struct remap_slot *v = calloc(cap, sizeof(*v));

	if (!v)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->v[i].old)
			v[remap_slot(v, cap, m->v[i].old)] = m->v[i];
	free(m->v);
	m->v = v;
	m->cap = cap;
	return 0;
}

/* Index of OLD's slot, inserting an empty one if new (*fresh); -1 on
 * ENOMEM. */
static long remap_find(struct file_remap *m, const void *old, bool *fresh)
{
	size_t i = remap_slot(m->v, m->cap, old);

	*fresh = !m->v[i].old;
	if (!*fresh)
		return (long)i;
	if ((m->n + 1) * 2 > m->cap) {
		if (remap_grow(m) < 0)
			return -1;
		i = remap_slot(m->v, m->cap, old);
	}
	m->v[i].old = old;
	m->n++;
	return (long)i;
}

/* The slot is filled before an object is copied: copying an epoll set
 * copies the files it watches, which may grow the table. */
void *file_remap_obj(struct file_remap *m, const void *old,
		     void *(*copy)(const void *old, struct file_remap *m))
{
	bool fresh;
	long i;
	void *c;

	if (!old)
		return NULL;
	i = remap_find(m, old, &fresh);
	if (i < 0 || !fresh)
		return i < 0 ? NULL : m->v[i].copy;
	c = copy(old, m);
	m->v[remap_slot(m->v, m->cap, old)].copy = c;
	return c;
}

static void *copy_file(const void *oldp, struct file_remap *m)
{
	const struct file *old = oldp;
	struct file *copy = malloc(sizeof(*copy));

	if (!copy)
		return NULL;
	*copy = *old;
	copy->refs = 0;
	copy->watch = NULL; /* the copied epoll sets link themselves in */
	if (old->kind == FILE_OBJ && old->obj) {
		copy->obj = old->ops->clone(old, m);
		if (!copy->obj) { /* the map keeps NULL: the caller gives up */
			free(copy);
			return NULL;
		}
	}
	return copy;
}

struct file *file_remap_get(struct file_remap *m, struct file *old)
{
	return file_remap_obj(m, old, copy_file);
}

struct fdtable *fdtable_clone(const struct fdtable *ft, struct file_remap *m)
{
	struct fdtable *c = fdtable_new();

	if (!c)
		return NULL;
	for (int i = 0; i < FDTABLE_MAX; i++) {
		if (!ft->fd[i])
			continue;
		c->fd[i] = file_remap_get(m, ft->fd[i]);
		if (!c->fd[i]) {
			fdtable_drop(c);
			return NULL;
		}
		file_get(c->fd[i]);
	}
	memcpy(c->cloexec, ft->cloexec, sizeof(c->cloexec));
	return c;
}

struct fdtable *fdtable_fork(const struct fdtable *ft)
{
	struct fdtable *c = fdtable_new();

	if (!c)
		return NULL;
	for (int i = 0; i < FDTABLE_MAX; i++)
		if ((c->fd[i] = ft->fd[i]))
			file_get(c->fd[i]);
	memcpy(c->cloexec, ft->cloexec, sizeof(c->cloexec));
	return c;
}
