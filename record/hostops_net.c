/* record/hostops_net.c — the socket host ops (SOCKET..RECVMSG in
 * core/hostops.def) performed on real host sockets during recording,
 * with the answers laid out as core/sockmsg.h says. Host sockets stay
 * blocking here when the guest made them blocking: deja waits in the
 * host call. Never raises SIGPIPE in deja (MSG_NOSIGNAL); the kernel
 * decides whether the guest gets one. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/sockmsg.h"
#include "record/record.h"

static long ret(long r)
{
	return r < 0 ? -errno : r;
}

/* Fill a sized answer from LEN, which the host set for a buffer of
 * out_cap - SIZED_HDR bytes at out + SIZED_HDR. */
static void sized(struct nd_call *c, socklen_t len)
{
	size_t cap = c->out_cap - SIZED_HDR;
	uint32_t l = len;

	memcpy(c->out, &l, sizeof(l));
	c->out_len = SIZED_HDR + (len < cap ? len : cap);
}

static long host_socket(struct nd_call *c)
{
	int fd = socket((int)c->a[0], (int)c->a[1], (int)c->a[2]);

	if (fd < 0)
		return -errno;
	c->hostfd = fd;
	return 0;
}

static long host_accept(struct nd_call *c)
{
	socklen_t len = (socklen_t)(c->out_cap - SIZED_HDR);
	int fd;

	if (c->out_cap < SIZED_HDR)
		return -EINVAL;
	fd = accept4((int)c->a[0], (struct sockaddr *)((char *)c->out + SIZED_HDR),
		     &len, (int)c->a[1]);
	if (fd < 0)
		return -errno;
	c->hostfd = fd;
	sized(c, len);
	return 0;
}

static long host_sockname(struct nd_call *c)
{
	socklen_t len = (socklen_t)(c->out_cap - SIZED_HDR);
	struct sockaddr *sa = (struct sockaddr *)((char *)c->out + SIZED_HDR);
	int r;

	if (c->out_cap < SIZED_HDR)
		return -EINVAL;
	r = c->a[1] ? getpeername((int)c->a[0], sa, &len)
		    : getsockname((int)c->a[0], sa, &len);
	if (r < 0)
		return -errno;
	sized(c, len);
	return 0;
}

static long host_getsockopt(struct nd_call *c)
{
	socklen_t len = (socklen_t)(c->out_cap - SIZED_HDR);

	if (c->out_cap < SIZED_HDR)
		return -EINVAL;
	if (getsockopt((int)c->a[0], (int)c->a[1], (int)c->a[2],
		       (char *)c->out + SIZED_HDR, &len) < 0)
		return -errno;
	sized(c, len);
	return 0;
}

static long host_sendmsg(struct nd_call *c)
{
	struct nd_sendmsg h;
	const char *p = (const char *)c->in + sizeof(h);
	struct iovec iov;
	struct msghdr m = { 0 };

	if (c->in_len < sizeof(h))
		return -EINVAL;
	memcpy(&h, c->in, sizeof(h));
	if ((size_t)h.namelen + h.controllen > c->in_len - sizeof(h))
		return -EINVAL;
	m.msg_name = h.namelen ? (void *)p : NULL;
	m.msg_namelen = h.namelen;
	m.msg_control = h.controllen ? (void *)(p + h.namelen) : NULL;
	m.msg_controllen = h.controllen;
	iov.iov_base = (void *)(p + h.namelen + h.controllen);
	iov.iov_len = c->in_len - sizeof(h) - h.namelen - h.controllen;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	return ret(sendmsg((int)c->a[0], &m, (int)c->a[1] | MSG_NOSIGNAL));
}

/* Received descriptors would become deja's own host fds: close them and
 * tell the guest its control data was cut (MSG_CTRUNC). */
static void drop_rights(struct msghdr *m)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(m); cm; cm = CMSG_NXTHDR(m, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		for (size_t i = 0; i + sizeof(int) <= cm->cmsg_len - CMSG_LEN(0);
		     i += sizeof(int)) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i, sizeof(fd));
			close(fd);
		}
		m->msg_controllen = 0;
		m->msg_flags |= MSG_CTRUNC;
		return;
	}
}

static long host_recvmsg(struct nd_call *c)
{
	size_t ncap = (uint32_t)c->a[2], ccap = (uint64_t)c->a[2] >> 32;
	char *name = (char *)c->out + sizeof(struct nd_recvmsg);
	struct nd_recvmsg h = { 0 };
	struct iovec iov;
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r;

	if (c->out_cap < sizeof(h) + ncap + ccap)
		return -EINVAL;
	m.msg_name = ncap ? name : NULL;
	m.msg_namelen = (socklen_t)ncap;
	m.msg_control = ccap ? name + ncap : NULL;
	m.msg_controllen = ccap;
	iov.iov_base = name + ncap + ccap;
	iov.iov_len = c->out_cap - sizeof(h) - ncap - ccap;
	r = recvmsg((int)c->a[0], &m, (int)c->a[1] | MSG_CMSG_CLOEXEC);
	if (r < 0)
		return -errno;
	drop_rights(&m);
	h.namelen = ncap ? m.msg_namelen : 0;
	h.controllen = (uint32_t)m.msg_controllen;
	h.flags = (uint32_t)m.msg_flags; /* the host echoes our flag: hide it */
	if (!(c->a[1] & MSG_CMSG_CLOEXEC))
		h.flags &= ~(uint32_t)MSG_CMSG_CLOEXEC;
	h.datalen = (uint32_t)((size_t)r < iov.iov_len ? (size_t)r : iov.iov_len);
	/* pack: name and control as long as the host filled them, then data */
	size_t nlen = h.namelen < ncap ? h.namelen : ncap;
	memmove(name + nlen, name + ncap, h.controllen);
	memmove(name + nlen + h.controllen, iov.iov_base, h.datalen);
	memcpy(c->out, &h, sizeof(h));
	c->out_len = sizeof(h) + nlen + h.controllen + h.datalen;
	return r;
}

long host_net(struct nd_call *c)
{
	int fd = (int)c->a[0];

	switch (c->op) {
	case ND_SOCKET: return host_socket(c);
	case ND_CONNECT: return ret(connect(fd, c->in, (socklen_t)c->in_len));
	case ND_BIND: return ret(bind(fd, c->in, (socklen_t)c->in_len));
	case ND_LISTEN: return ret(listen(fd, (int)c->a[1]));
	case ND_ACCEPT: return host_accept(c);
	case ND_SOCKNAME: return host_sockname(c);
	case ND_SETSOCKOPT: return ret(setsockopt(fd, (int)c->a[1], (int)c->a[2],
						  c->in, (socklen_t)c->in_len));
	case ND_GETSOCKOPT: return host_getsockopt(c);
	case ND_SHUTDOWN: return ret(shutdown(fd, (int)c->a[1]));
	case ND_SENDMSG: return host_sendmsg(c);
	case ND_RECVMSG: return host_recvmsg(c);
	default: return -ENOSYS;
	}
}
