/* core/files.h — open file descriptions and the per-process descriptor
 * table. A guest fd names a struct file; the file holds the host fd that
 * deja uses in record (-1 in replay: replay never touches host files). */
#ifndef DEJA_FILES_H
#define DEJA_FILES_H

#include <stdbool.h>

#define FDTABLE_MAX 1024

enum file_kind {
	FILE_HOST,     /* a host file, directory or device opened by the guest */
	FILE_STDIO,    /* one of the user's stdin/stdout/stderr */
};

struct file {
	int refs;
	enum file_kind kind;
	int hostfd;       /* record: host fd; replay: -1 (stdio: 0, 1, 2) */
	int flags;        /* open flags (access mode and status flags) */
	bool console;     /* writes go to the user's terminal */
};

struct fdtable;

struct fdtable *fdtable_new(void);
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

#endif
