/* core/path.h — turning a guest path argument into what a host op needs:
 * absolute paths against the guest's working directory, dirfd-relative
 * paths against the host fd of the guest's directory descriptor. */
#ifndef DEJA_PATH_H
#define DEJA_PATH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

struct task;

struct host_path {
	int dirfd;              /* AT_FDCWD or a host fd (record) */
	char path[PATH_MAX];
	int self_exe;           /* the guest named its own executable link */
	char guest[PATH_MAX];   /* the path as the guest sees it: absolute,
				   lexically normalised, before any rewriting;
				   "" if a directory fd has no known path */
	char self_entry[32];    /* a /proc/self entry deja answers itself
				   (core/procself.h), or "" */
	int obj_fd;             /* the guest fd of a kernel object (a pipe
				   end...) the path names, as /dev/fd/N does;
				   -1. Then path names nothing on the host. */
};

/* Read the path at ADDR (relative to guest DIRFD) and resolve it.
 * Returns 0 or -errno (EFAULT, ENAMETOOLONG, EBADF, ENOENT for ""). */
/* Length of a /proc prefix naming the guest process ("/proc/self",
 * "/proc/thread-self", "/proc/<guest pid>") at the start of P, or 0. */
size_t path_proc_self_prefix(const struct task *t, const char *p);

long path_resolve(struct task *t, int dirfd, uint64_t addr, int flags,
		  struct host_path *hp);

#endif
