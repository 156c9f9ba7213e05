/* core/files.h — open file descriptions and the per-process descriptor
 * table. A guest fd names a struct file; the file holds the host fd that
 * deja uses in record (-1 in replay: replay never touches host files). */
#ifndef DEJA_FILES_H
#define DEJA_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDTABLE_MAX 1024

enum file_kind {
	FILE_HOST,     /* a host file, directory or device opened by the guest */
	FILE_STDIO,    /* one of the user's stdin/stdout/stderr */
	FILE_PROC,     /* a /proc/self file deja generates (core/procself.c) */
	FILE_OBJ,      /* a kernel-internal object: pipe end, socket,
			  eventfd, epoll (core/fileobj.h); no host fd */
};

struct file_ops;

struct file {
	int refs;
	enum file_kind kind;
	int hostfd;       /* record: host fd; replay: -1 (stdio: 0, 1, 2) */
	int flags;        /* open flags (access mode and status flags) */
	bool console;     /* writes go to the user's terminal */
	const char *path; /* absolute guest path it was opened by, or NULL;
			     interned (core/names.h), never freed */
	/* FILE_PROC: contents fixed at open (interned bytes) and position */
	const char *data;
	size_t data_len;
	uint64_t pos;
	bool is_dir;
	const struct file_ops *ops; /* FILE_OBJ: the object's operations */
	void *obj;        /* FILE_OBJ: the object, released through ops */
	void *watch;      /* epoll entries watching this file (core/epoll.c) */
	uint64_t ino;     /* FILE_OBJ: its inode number (fstat), from the
			     kernel's counter: the same in record and replay */
};

struct fdtable;

struct fdtable *fdtable_new(void);
/* Free FT and drop its references; pure bookkeeping like fdtable_drop()
 * (host fds are closed by file_release(), never here). */
void fdtable_free(struct fdtable *ft);
/* The file behind FD, or NULL. */
struct file *fd_get(struct fdtable *ft, int fd);
/* Install F at the lowest free fd >= MINFD; takes a reference. */
int fd_install(struct fdtable *ft, struct file *f, int minfd, bool cloexec);
/* Install F exactly at FD, closing what was there; takes a reference. */
int fd_install_at(struct fdtable *ft, int fd, struct file *f, bool cloexec);
/* Detach FD; returns the file (caller drops the reference) or NULL. */
struct file *fd_remove(struct fdtable *ft, int fd);
int fd_get_cloexec(struct fdtable *ft, int fd);
int fd_set_cloexec(struct fdtable *ft, int fd, bool on);

struct file *file_new(enum file_kind kind, int hostfd, int flags);
void file_get(struct file *f);
/* Drop a reference; returns true when it was the last one. */
bool file_put(struct file *f);
/* Free F once its last reference is gone: releases its internal object
 * and the epoll entries watching it. Never a host effect (host fds are
 * closed by file_release()). */
void file_free(struct file *f);

/* A new table naming the same open files as FT (fork): each file gains
 * a reference; close-on-exec bits are copied. NULL on ENOMEM. */
struct fdtable *fdtable_fork(const struct fdtable *ft);

/* ---- deep copies (checkpoints) ----
 * One file_remap maps each struct file of the original state to its copy
 * so that everything sharing one open file description (dup'ed fds, an fd
 * and a shared mapping) shares one copy. A copy keeps the original's
 * fields (hostfd included) with refs 0; each structure that stores it
 * takes its own reference, and the map holds none. If a deep copy fails
 * midway, drop what was copied and free the map without reusing it: a
 * copy freed by that drop stays in the map. */
struct file_remap;

struct file_remap *file_remap_new(void);
/* The copy of OLD, made on the first request and the same afterwards;
 * NULL for NULL or on ENOMEM. */
struct file *file_remap_get(struct file_remap *m, struct file *old);
/* The copy of any other shared object OLD (a pipe both ends name),
 * made by COPY(OLD, M) on the first request; NULL for NULL or ENOMEM. */
void *file_remap_obj(struct file_remap *m, const void *old,
		     void *(*copy)(const void *old, struct file_remap *m));
/* Free the map only; the copies belong to whatever references them. */
void file_remap_free(struct file_remap *m);
/* A deep copy of FT: every fd (and its close-on-exec bit) names the copy
 * of its file through M. NULL on ENOMEM. */
struct fdtable *fdtable_clone(const struct fdtable *ft, struct file_remap *m);
/* Free FT and drop its references without any host effect: never closes
 * a host fd or calls the logging layer (freeing a checkpoint must not
 * consume replay events). */
void fdtable_drop(struct fdtable *ft);

#endif
