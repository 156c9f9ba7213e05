/* core/sys_net.c — host sockets: socket, connect, bind, listen, accept,
 * accept4, getsockname, getpeername, setsockopt, getsockopt, shutdown
 * (the send/recv family is in core/sys_sockio.c). A guest socket is a
 * FILE_HOST file on a host socket (record; -1 in replay) that read,
 * write, readv and writev already serve. Every operation here is one
 * host op (core/hostops.def, byte layouts in core/sockmsg.h): replay
 * answers it from the trace and checks the addresses, options and bytes
 * the guest gave. Blocking sockets block in the host call in record. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/sockmsg.h"
#include "core/fileobj.h"
#include "core/sys_net.h"
#include "core/syscall.h"
#include "core/task.h"

struct file *net_sock_file(struct task *t, int fd, long *err)
{
	struct file *f = fd_get(t->files, fd);

	/* host files: the host says ENOTSOCK; the kernel's own files are
	 * never sockets */
	*err = !f ? -EBADF :
	       f->kind != FILE_HOST && f->kind != FILE_STDIO ? -ENOTSOCK : 0;
	return *err ? NULL : f;
}

/* A socket the host just made (or -1 in replay) becomes a guest fd. */
static long install_socket(struct task *t, int hostfd, int type_flags)
{
	int flags = O_RDWR | (type_flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	struct file *f = file_new(FILE_HOST, hostfd, flags);
	long fd = f ? fd_install(t->files, f, 0, type_flags & SOCK_CLOEXEC) : -ENOMEM;

	if (fd < 0) {
		struct nd_call cl = { .op = ND_CLOSE, .a = { hostfd } };
		nd_call(t->k->nd, &cl);
		free(f);
	}
	return fd;
}

/* A relative AF_UNIX path names a file in the guest's working directory. */
static long unix_absolute(struct task *t, struct sockaddr_un *un, size_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path), cwd = strlen(t->cwd);
	char rel[sizeof(un->sun_path) + 1] = { 0 };
	int n;

	if (len <= off || un->sun_path[0] == '\0' || un->sun_path[0] == '/')
		return (long)len; /* unnamed, abstract or absolute */
	memcpy(rel, un->sun_path, len - off < sizeof(un->sun_path) ?
				  len - off : sizeof(un->sun_path));
	n = snprintf(un->sun_path, sizeof(un->sun_path), "%s%s%s", t->cwd,
		     cwd && t->cwd[cwd - 1] == '/' ? "" : "/", rel);
	if (n < 0 || (size_t)n >= sizeof(un->sun_path))
		return -ENAMETOOLONG;
	return (long)(off + (size_t)n + 1);
}

long net_read_addr(struct task *t, uint64_t addr, uint64_t len,
		   struct sockaddr_storage *sa)
{
	int n = (int)len; /* socklen_t as the kernel reads it: an int */

	if (n < 0 || (size_t)n > sizeof(*sa))
		return -EINVAL;
	memset(sa, 0, sizeof(*sa));
	if (n && task_read(t, addr, sa, (size_t)n) < 0)
		return -EFAULT;
	if ((size_t)n > sizeof(sa_family_t) && sa->ss_family == AF_UNIX)
		return unix_absolute(t, (struct sockaddr_un *)sa, (size_t)n);
	return n;
}

long net_read_len(struct task *t, uint64_t lenp, uint32_t *cap)
{
	int len;

	if (task_read(t, lenp, &len, sizeof(len)) < 0)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	*cap = (uint32_t)len;
	return 0;
}

long net_put_sized(struct task *t, uint64_t addr, uint64_t lenp,
		   uint32_t cap, const void *data, uint32_t len)
{
	if (task_write(t, addr, data, len < cap ? len : cap) < 0 ||
	    task_write(t, lenp, &len, sizeof(len)) < 0)
		return -EFAULT;
	return 0;
}

/* A sized host op (core/sockmsg.h) for up to CAP bytes into BUF;
 * *LEN gets the host's length, the bytes follow at BUF + SIZED_HDR. */
static long sized_call(struct task *t, struct nd_call *c, uint8_t *buf,
		       uint32_t cap, uint32_t *len)
{
	c->out = buf;
	c->out_cap = SIZED_HDR + cap;
	nd_call(t->k->nd, c);
	if (c->result < 0)
		return c->result;
	if (c->out_len < SIZED_HDR)
		return -EIO;
	memcpy(len, buf, sizeof(*len));
	if (c->out_len != SIZED_HDR + (*len < cap ? *len : cap))
		return -EIO;
	return c->result;
}

long sys_socket(struct task *t, const uint64_t a[6])
{
	int domain = (int)a[0], type = (int)a[1];
	struct nd_call c = { .op = ND_SOCKET,
			     .a = { domain, type | SOCK_CLOEXEC, (int)a[2] } };

	if (domain != AF_INET && domain != AF_INET6 && domain != AF_UNIX)
		return -EAFNOSUPPORT;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	return install_socket(t, c.hostfd, type);
}

/* connect and bind: a host fd and an address. */
static long addr_op(struct task *t, enum nd_op op, const uint64_t a[6])
{
	long err, len;
	struct file *f = net_sock_file(t, (int)a[0], &err);
	struct sockaddr_storage sa;
	struct nd_call c = { .op = op };

	if (!f)
		return err;
	len = net_read_addr(t, a[1], a[2], &sa);
	if (len < 0)
		return len;
	c.a[0] = f->hostfd;
	c.in = &sa;
	c.in_len = (size_t)len;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_connect(struct task *t, const uint64_t a[6])
{
	return addr_op(t, ND_CONNECT, a);
}

long sys_bind(struct task *t, const uint64_t a[6])
{
	return addr_op(t, ND_BIND, a);
}

/* listen and shutdown: a host fd and one integer. */
static long int_op(struct task *t, enum nd_op op, const uint64_t a[6])
{
	long err;
	struct file *f = net_sock_file(t, (int)a[0], &err);
	struct nd_call c = { .op = op, .a = { 0, (int)a[1] } };

	if (!f)
		return err;
	c.a[0] = f->hostfd;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_listen(struct task *t, const uint64_t a[6])
{
	return int_op(t, ND_LISTEN, a);
}

long sys_shutdown(struct task *t, const uint64_t a[6])
{
	struct file *f = fd_get(t->files, (int)a[0]);

	if (f && f->kind == FILE_OBJ) /* a socketpair's end */
		return obj_shutdown(f, (int)a[1]);
	return int_op(t, ND_SHUTDOWN, a);
}

static long do_accept(struct task *t, const uint64_t a[6], int flags)
{
	long err, r, fd;
	struct file *f = net_sock_file(t, (int)a[0], &err);
	struct nd_call c = { .op = ND_ACCEPT };
	uint8_t buf[SIZED_HDR + SOCKADDR_MAX];
	uint32_t cap = 0, len;

	if (!f)
		return err;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	if (a[1] && (r = net_read_len(t, a[2], &cap)) < 0)
		return r;
	c.a[0] = f->hostfd;
	c.a[1] = flags | SOCK_CLOEXEC;
	r = sized_call(t, &c, buf, cap < SOCKADDR_MAX ? cap : SOCKADDR_MAX, &len);
	if (c.result < 0)
		return c.result;
	if (r < 0) { /* a bad answer, but a host fd to close */
		struct nd_call cl = { .op = ND_CLOSE, .a = { c.hostfd } };
		nd_call(t->k->nd, &cl);
		return r;
	}
	fd = install_socket(t, c.hostfd, flags);
	if (fd >= 0 && a[1] && net_put_sized(t, a[1], a[2], cap, buf + SIZED_HDR, len) < 0) {
		file_release(t, fd_remove(t->files, (int)fd));
		return -EFAULT;
	}
	return fd;
}

long sys_accept(struct task *t, const uint64_t a[6])
{
	return do_accept(t, a, 0);
}

long sys_accept4(struct task *t, const uint64_t a[6])
{
	return do_accept(t, a, (int)a[3]);
}

/* getsockname (PEER 0) and getpeername (PEER 1). */
static long sock_name(struct task *t, const uint64_t a[6], int peer)
{
	long err, r;
	struct file *f = net_sock_file(t, (int)a[0], &err);
	struct nd_call c = { .op = ND_SOCKNAME, .a = { 0, peer } };
	uint8_t buf[SIZED_HDR + SOCKADDR_MAX];
	uint32_t cap, len;

	if (!f)
		return err;
	if ((r = net_read_len(t, a[2], &cap)) < 0)
		return r;
	c.a[0] = f->hostfd;
	r = sized_call(t, &c, buf, cap < SOCKADDR_MAX ? cap : SOCKADDR_MAX, &len);
	if (r < 0)
		return r;
	return net_put_sized(t, a[1], a[2], cap, buf + SIZED_HDR, len);
}

/* ---- the same calls on a socket pair's end (kernel objects) ---- */

/* The socket pair end FD names, or NULL (the host's business then). */
static struct file *pair_end(struct task *t, uint64_t fd)
{
	struct file *f = fd_get(t->files, (int)fd);

	return f && f->kind == FILE_OBJ ? f : NULL;
}

/* Both ends of a socketpair are unnamed AF_UNIX sockets. */
static long pair_name(struct task *t, struct file *f, const uint64_t a[6])
{
	sa_family_t fam = AF_UNIX;
	uint32_t cap;
	long r;

	if (unixsock_type(f) < 0)
		return -ENOTSOCK;
	if ((r = net_read_len(t, a[2], &cap)) < 0)
		return r;
	return net_put_sized(t, a[1], a[2], cap, &fam, sizeof(fam));
}

/* Options of a socket pair end: the common SOL_SOCKET ones read
 * sensibly; setting any is accepted and has no effect. */
static long pair_getsockopt(struct task *t, struct file *f, const uint64_t a[6])
{
	int type = unixsock_type(f), v;
	uint32_t cap;
	long r;

	if (type < 0)
		return -ENOTSOCK;
	if ((int)a[1] != SOL_SOCKET)
		return -ENOPROTOOPT;
	switch ((int)a[2]) {
	case SO_TYPE: v = type; break;
	case SO_DOMAIN: v = AF_UNIX; break;
	case SO_PROTOCOL: case SO_ERROR: case SO_PASSCRED: case SO_KEEPALIVE:
	case SO_REUSEADDR: case SO_BROADCAST: case SO_ACCEPTCONN: v = 0; break;
	case SO_SNDBUF: case SO_RCVBUF: v = 212992; break;
	default: return -ENOPROTOOPT;
	}
	if ((r = net_read_len(t, a[4], &cap)) < 0)
		return r;
	return net_put_sized(t, a[3], a[4], cap, &v, sizeof(v));
}

long sys_getsockname(struct task *t, const uint64_t a[6])
{
	struct file *f = pair_end(t, a[0]);

	return f ? pair_name(t, f, a) : sock_name(t, a, 0);
}

long sys_getpeername(struct task *t, const uint64_t a[6])
{
	struct file *f = pair_end(t, a[0]);

	return f ? pair_name(t, f, a) : sock_name(t, a, 1);
}

long sys_setsockopt(struct task *t, const uint64_t a[6])
{
	long err;
	struct file *f = pair_end(t, a[0]);

	if (f)
		return unixsock_type(f) < 0 ? -ENOTSOCK : (int)a[4] < 0 ? -EINVAL : 0;
	f = net_sock_file(t, (int)a[0], &err);
	struct nd_call c = { .op = ND_SETSOCKOPT, .a = { 0, (int)a[1], (int)a[2] } };
	uint8_t val[SOCKOPT_MAX];
	int len = (int)a[4];

	if (!f)
		return err;
	if (len < 0 || len > SOCKOPT_MAX)
		return -EINVAL;
	if ((int)a[1] == SOL_SOCKET && ((int)a[2] == SO_ATTACH_FILTER ||
					(int)a[2] == SO_ATTACH_REUSEPORT_CBPF)) {
		/* the value points into guest memory, which the host cannot read */
		kernel_warn(t->k, "setsockopt: socket filters are not supported, returning EOPNOTSUPP");
		return -EOPNOTSUPP;
	}
	if (len && task_read(t, a[3], val, (size_t)len) < 0)
		return -EFAULT;
	c.a[0] = f->hostfd;
	c.in = val;
	c.in_len = (size_t)len;
	nd_call(t->k->nd, &c);
	return c.result;
}

long sys_getsockopt(struct task *t, const uint64_t a[6])
{
	long err, r;
	struct file *f = pair_end(t, a[0]);

	if (f)
		return pair_getsockopt(t, f, a);
	f = net_sock_file(t, (int)a[0], &err);
	struct nd_call c = { .op = ND_GETSOCKOPT, .a = { 0, (int)a[1], (int)a[2] } };
	uint8_t buf[SIZED_HDR + SOCKOPT_MAX];
	uint32_t cap, len;

	if (!f)
		return err;
	if ((r = net_read_len(t, a[4], &cap)) < 0)
		return r;
	c.a[0] = f->hostfd;
	r = sized_call(t, &c, buf, cap < SOCKOPT_MAX ? cap : SOCKOPT_MAX, &len);
	if (r < 0)
		return r;
	return net_put_sized(t, a[3], a[4], cap, buf + SIZED_HDR, len);
}
