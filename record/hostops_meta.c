/* record/hostops_meta.c — host ops about files' metadata and the CPUs
 * (statfs, extended attributes, ownership and mode, affinity), answered
 * from the host during recording. Part of host_exec (record/hostops.c). */
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "record/record.h"

static long bytes_or_errno(struct nd_call *c, long r)
{
	if (r < 0)
		return -errno;
	c->out_len = c->out_cap ? (size_t)r : 0;
	return r;
}

static long do_statfs(struct nd_call *c)
{
	struct statfs *st = c->out;
	int r;

	if (c->out_cap < sizeof(*st))
		return -EINVAL;
	r = c->a[0] >= 0 ? fstatfs((int)c->a[0], st) : statfs(c->path, st);
	if (r < 0)
		return -errno;
	c->out_len = sizeof(*st);
	return 0;
}

/* getxattr/lgetxattr/fgetxattr, or the list forms when no name. */
static long do_xattr(struct nd_call *c)
{
	int fd = (int)c->a[0];
	size_t cap = c->out_cap;
	long r;

	if (c->path2 && fd >= 0)
		r = fgetxattr(fd, c->path2, c->out, cap);
	else if (c->path2)
		r = c->a[1] ? lgetxattr(c->path, c->path2, c->out, cap)
			    : getxattr(c->path, c->path2, c->out, cap);
	else if (fd >= 0)
		r = flistxattr(fd, c->out, cap);
	else
		r = c->a[1] ? llistxattr(c->path, c->out, cap)
			    : listxattr(c->path, c->out, cap);
	return bytes_or_errno(c, r);
}

static long affinity(struct nd_call *c)
{
	cpu_set_t set;
	size_t n = c->out_cap < sizeof(set) ? c->out_cap : sizeof(set);

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	memcpy(c->out, &set, n);
	c->out_len = n;
	return (long)n;
}

static long groups(struct nd_call *c)
{
	int n = getgroups((int)(c->out_cap / sizeof(gid_t)), c->out);

	if (n < 0)
		return -errno;
	c->out_len = c->out_cap ? (size_t)n * sizeof(gid_t) : 0;
	return n;
}

long host_meta(struct nd_call *c)
{
	switch (c->op) {
	case ND_STATFS: return do_statfs(c);
	case ND_XATTR: return do_xattr(c);
	case ND_FCHOWN:
		return fchown((int)c->a[0], (uid_t)c->a[1], (gid_t)c->a[2]) < 0 ? -errno : 0;
	case ND_FCHMOD:
		return fchmod((int)c->a[0], (mode_t)c->a[1]) < 0 ? -errno : 0;
	case ND_AFFINITY: return affinity(c);
	case ND_GROUPS: return groups(c);
	default: return -ENOSYS;
	}
}
