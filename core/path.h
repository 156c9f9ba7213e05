/* core/path.h — turning a guest path argument into what a host op needs:
 * absolute paths against the guest's working directory, dirfd-relative
 * paths against the host fd of the guest's directory descriptor. */
#ifndef DEJA_PATH_H
#define DEJA_PATH_H

#include <limits.h>
#include <stdint.h>

struct task;

struct host_path {
	int dirfd;              /* AT_FDCWD or a host fd (record) */
	char path[PATH_MAX];
	int self_exe;           /* the guest named its own executable link */
};

/* Read the path at ADDR (relative to guest DIRFD) and resolve it.
 * Returns 0 or -errno (EFAULT, ENAMETOOLONG, EBADF, ENOENT for ""). */
long path_resolve(struct task *t, int dirfd, uint64_t addr, int flags,
		  struct host_path *hp);

#endif
