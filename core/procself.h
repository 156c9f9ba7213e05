/* core/procself.h — the /proc/self files deja answers from its own
 * state (deterministic, no logging layer): maps, cmdline, environ, comm,
 * auxv, status (identity lines only), the fd directory and the fd/N links. Other /proc files go to the host
 * through the logging layer like any file. */
#ifndef DEJA_PROCSELF_H
#define DEJA_PROCSELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct task;
struct file;

/* The part of guest PATH after "/proc/self/" (or /proc/<own pid>/) when
 * deja generates that entry ("maps", "fd", "fd/3"...), else NULL. */
const char *procself_entry(const struct task *t, const char *path);
/* Open ENTRY (from procself_entry) as a new guest fd; -errno. */
long procself_open(struct task *t, const char *entry, int flags);
/* The target of link ENTRY ("fd/N") in BUF; its length, -ENOENT, or 0
 * when deja has no answer of its own (ask the host). */
long procself_readlink(struct task *t, const char *entry, char *buf,
		       size_t cap);

/* Operations on a FILE_PROC file (core/files.h). */
long procself_read(struct task *t, struct file *f, size_t n, bool pos,
		   int64_t off, void **data);
long procself_lseek(struct file *f, int64_t off, int whence);
long procself_fstat(struct task *t, struct file *f, uint64_t buf);
long procself_getdents(struct task *t, struct file *f, uint64_t buf,
		       size_t cap);

/* /proc/self/maps as Linux would print it for T's address space: a
 * malloc'd string, *LEN its length; NULL on ENOMEM. */
char *procself_maps(const struct task *t, size_t *len);

#endif
