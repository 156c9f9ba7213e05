/* record/hostops.c — how each host op (core/hostops.def) is answered
 * during recording: by asking the host. This file and the instruction
 * helpers below are where deja reads clocks, random bytes, the TSC and
 * CPUID on behalf of the guest; nothing in core/ does. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "record/record.h"

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

/* Read a whole file (LOADFILE) into a malloc'd blob. */
static long load_file(struct nd_call *c)
{
	int fd = open(c->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	long r = 0;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = S_ISDIR(st.st_mode) ? -EISDIR : -EACCES;
		goto out;
	}
	c->blob = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!c->blob) {
		r = -ENOMEM;
		goto out;
	}
	while (c->blob_len < (size_t)st.st_size) {
		ssize_t n = read(fd, (char *)c->blob + c->blob_len,
				 (size_t)st.st_size - c->blob_len);
		if (n <= 0) {
			r = n < 0 ? -errno : -EIO;
			break;
		}
		c->blob_len += (size_t)n;
	}
out:
	close(fd);
	if (r < 0) {
		free(c->blob);
		c->blob = NULL;
		c->blob_len = 0;
	}
	return r;
}

/* MAPFILE: the bytes of [offset, offset+length) that exist in the file. */
static long map_file(struct nd_call *c)
{
	size_t len = (size_t)c->a[2];
	struct stat st;

	if (fstat(c->a[0], &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		return -ENODEV;
	if (S_ISREG(st.st_mode)) /* only what the file holds is needed */
		len = c->a[1] >= st.st_size ? 0 :
		      len < (size_t)(st.st_size - c->a[1]) ? len : (size_t)(st.st_size - c->a[1]);

	c->blob = malloc(len ? len : 1);
	if (!c->blob)
		return -ENOMEM;
	while (c->blob_len < len) {
		ssize_t n = pread(c->a[0], (char *)c->blob + c->blob_len,
				  len - c->blob_len, c->a[1] + (off_t)c->blob_len);
		if (n < 0) {
			free(c->blob);
			c->blob = NULL;
			c->blob_len = 0;
			return errno == EISDIR ? -ENODEV : -errno;
		}
		if (n == 0)
			break;
		c->blob_len += (size_t)n;
	}
	return 0;
}

static long change_dir(struct nd_call *c)
{
	struct stat st;
	char *canon;
	size_t n;

	if (stat(c->path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (access(c->path, X_OK) < 0)
		return -errno;
	canon = realpath(c->path, NULL);
	if (!canon)
		return -errno;
	n = strlen(canon);
	if (n > c->out_cap) {
		free(canon);
		return -ENAMETOOLONG;
	}
	memcpy(c->out, canon, n);
	c->out_len = n;
	free(canon);
	return 0;
}

/* Inside host_exec's switch: fill c->out with one struct of TYPE that
 * EXPR (using p_) produces, set r, and leave the switch. */
#define FIXED(type, expr) {						\
		type *p_ = c->out;					\
		if (c->out_cap < sizeof(type)) { r = -EINVAL; break; }	\
		r = ret(expr);						\
		if (r >= 0) c->out_len = sizeof(type);			\
		break;							\
	}

static long identity(struct nd_call *c)
{
	uint32_t *ids = c->out;

	if (c->out_cap < 16)
		return -EINVAL;
	ids[0] = getuid(), ids[1] = geteuid(), ids[2] = getgid(), ids[3] = getegid();
	c->out_len = 16;
	return 0;
}

static long host_auxv(struct nd_call *c)
{
	uint64_t *v = c->out;

	if (c->out_cap < 16)
		return -EINVAL;
	v[0] = getauxval(AT_HWCAP2);
	v[1] = getauxval(51 /* AT_MINSIGSTKSZ */);
	c->out_len = 16;
	return 0;
}

static long sleep_for(struct nd_call *c)
{
	struct timespec left = { 0, 0 };
	int r = clock_nanosleep((clockid_t)c->a[0], (int)c->a[1], c->in, &left);

	if (r == EINTR && c->out_cap >= sizeof(left)) {
		memcpy(c->out, &left, sizeof(left));
		c->out_len = sizeof(left);
	}
	return -r;
}

static long bytes(struct nd_call *c, long r)
{
	if (r < 0)
		return -errno;
	c->out_len = (size_t)r;
	return r;
}

static long ioctl_out(struct nd_call *c)
{
	long r = ioctl(c->a[0], (unsigned long)c->a[1], c->out);

	if (r < 0)
		return -errno;
	c->out_len = c->out_cap;
	return r;
}

/* The kernel applies the guest's umask to creation modes: the host
 * must not apply deja's on top. */
static long host_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return (long)m;
}

static long mkdir_at(struct nd_call *c)
{
	mode_t old = umask(0);
	long r = ret(mkdirat(c->a[0], c->path, (mode_t)c->a[1]));

	umask(old);
	return r;
}

static long open_file(struct nd_call *c)
{
	mode_t old = umask(0);
	int fd = openat(c->a[0], c->path, (int)c->a[1], (mode_t)c->a[2]);

	umask(old);

	if (fd < 0)
		return -errno;
	c->hostfd = fd;
	return 0;
}

/* POLL: the host fds come through a1 (not logged: -1 in replay). */
static long poll_fds(struct nd_call *c)
{
	size_t n = c->in_len / sizeof(short);
	const int *fds = (const int *)(uintptr_t)c->a[1];
	const short *ev = c->in;
	short *rev = c->out;
	struct pollfd *p = calloc(n ? n : 1, sizeof(*p));
	long r;

	if (!p)
		return -ENOMEM;
	if (c->out_cap < n * sizeof(short)) {
		free(p);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		p[i] = (struct pollfd){ fds[i], ev[i], 0 };
	r = ret(poll(p, n, (int)c->a[0]));
	for (size_t i = 0; r >= 0 && i < n; i++)
		rev[i] = p[i].revents;
	if (r >= 0)
		c->out_len = n * sizeof(short);
	free(p);
	return r;
}

/* EPOLL_CHECK: would the host's epoll take this fd? */
static long epoll_check(struct nd_call *c)
{
	struct epoll_event ev = { .events = (uint32_t)c->a[1] };
	int ep = epoll_create1(EPOLL_CLOEXEC);
	long r;

	if (ep < 0)
		return -errno;
	r = ret(epoll_ctl(ep, EPOLL_CTL_ADD, (int)c->a[0], &ev));
	close(ep);
	return r;
}

static long path_bytes(struct nd_call *c)
{
	return bytes(c, readlinkat(c->a[0], c->path, c->out, c->out_cap));
}

void host_exec(struct nd_call *c)
{
	long r = -ENOSYS;

	switch (c->op) {
	case ND_LOADFILE: r = load_file(c); break;
	case ND_MAPFILE: r = map_file(c); break;
	case ND_OPEN: r = open_file(c); break; /* the guest's umask is applied */
	case ND_CLOSE: r = ret(close(c->a[0])); break;
	case ND_READ: r = bytes(c, read(c->a[0], c->out, c->out_cap)); break;
	case ND_PREAD: r = bytes(c, pread(c->a[0], c->out, c->out_cap, c->a[1])); break;
	case ND_WRITE: r = ret(write(c->a[0], c->in, c->in_len)); break;
	case ND_PWRITE: r = ret(pwrite(c->a[0], c->in, c->in_len, c->a[1])); break;
	case ND_LSEEK: r = ret(lseek(c->a[0], c->a[1], (int)c->a[2])); break;
	case ND_FSTAT: FIXED(struct stat, fstat(c->a[0], p_));
	case ND_FSTATAT: FIXED(struct stat, fstatat(c->a[0], c->path, p_, (int)c->a[1]));
	case ND_STATX: FIXED(struct statx, statx(c->a[0], c->path, (int)c->a[1], (unsigned)c->a[2], p_));
	case ND_ACCESS: r = ret(c->a[2] ? syscall(SYS_faccessat2, c->a[0], c->path, c->a[1], c->a[2])
				    : syscall(SYS_faccessat, c->a[0], c->path, c->a[1])); break;
	case ND_GETDENTS: r = bytes(c, syscall(SYS_getdents64, c->a[0], c->out, c->out_cap)); break;
	case ND_READLINK: r = path_bytes(c); break;
	case ND_CHDIR: r = change_dir(c); break;
	case ND_GETCWD: r = getcwd(c->out, c->out_cap) ? 0 : -errno;
		if (r == 0) c->out_len = strlen(c->out);
		break;
	case ND_UNLINK: r = ret(unlinkat(c->a[0], c->path, (int)c->a[1])); break;
	case ND_MKDIR: r = mkdir_at(c); break;
	case ND_RENAME: r = ret(syscall(SYS_renameat2, c->a[0], c->path, c->a[1], c->path2, c->a[2])); break;
	case ND_SYMLINK: r = ret(symlinkat(c->path, c->a[0], c->path2)); break;
	case ND_LINK: r = ret(linkat(c->a[0], c->path, c->a[1], c->path2, (int)c->a[2])); break;
	case ND_OUTSIDE_SIGNAL: r = (long)(c->a[1] << 8 | c->a[0]); break;
	case ND_CHMODAT: r = ret(fchmodat(c->a[0], c->path, (mode_t)c->a[1], 0)); break;
	case ND_CHOWNAT:
		r = ret(fchownat(c->a[0], c->path, (uid_t)((uint64_t)c->a[1] >> 32),
				 (gid_t)(c->a[1] & 0xffffffff), (int)c->a[2]));
		break;
	case ND_UTIMENSAT:
		r = c->in_len == 2 * sizeof(struct timespec) ?
		    ret(utimensat(c->a[0], c->path, c->in, (int)c->a[1])) : -EINVAL;
		break;
	case ND_UMASK: r = host_umask(); break;
	case ND_POLL: r = poll_fds(c); break;
	case ND_EPOLL_CHECK: r = epoll_check(c); break;
	case ND_FTRUNCATE: r = ret(ftruncate(c->a[0], c->a[1])); break;
	case ND_FSYNC: r = ret(c->a[1] ? fdatasync(c->a[0]) : fsync(c->a[0])); break;
	case ND_FCNTL: r = ret(fcntl(c->a[0], (int)c->a[1], c->a[2])); break;
	case ND_IOCTL: r = ioctl_out(c); break;
	case ND_CLOCK: FIXED(struct timespec, clock_gettime((clockid_t)c->a[0], p_));
	case ND_CLOCK_RES: FIXED(struct timespec, clock_getres((clockid_t)c->a[0], p_));
	case ND_SLEEP: r = sleep_for(c); break;
	case ND_RANDOM: r = bytes(c, getrandom(c->out, c->out_cap, (unsigned)c->a[0])); break;
	case ND_UNAME: FIXED(struct utsname, uname(p_));
	case ND_SYSINFO: FIXED(struct sysinfo, sysinfo(p_));
	case ND_RLIMIT: FIXED(struct rlimit, getrlimit((int)c->a[0], p_));
	case ND_IDENTITY: r = identity(c); break;
	case ND_AUXV: r = host_auxv(c); break;
	case ND_RDTSC:
	case ND_CPUID:
	case ND_XGETBV:
	case ND_RDRAND: r = host_insn(c); break;
	case ND_SOCKET: case ND_CONNECT: case ND_BIND: case ND_LISTEN:
	case ND_ACCEPT: case ND_SOCKNAME: case ND_SETSOCKOPT: case ND_GETSOCKOPT:
	case ND_SHUTDOWN: case ND_SENDMSG: case ND_RECVMSG: r = host_net(c); break;
	case ND_STATFS:
	case ND_XATTR:
	case ND_FCHOWN:
	case ND_FCHMOD:
	case ND_AFFINITY:
	case ND_GROUPS: r = host_meta(c); break;
	case ND_OP_MAX: break;
	}
	c->result = r;
}
