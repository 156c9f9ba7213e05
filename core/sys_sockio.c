/* core/sys_sockio.c — the send/recv family on host sockets: sendto,
 * recvfrom, sendmsg, recvmsg, sendmmsg, recvmmsg (send and recv are
 * sendto and recvfrom in the x86-64 ABI). Each message is one SENDMSG or
 * RECVMSG host op carrying
 * the address, the ancillary data and the bytes (core/sockmsg.h): the
 * bytes sent are checked by replay, the bytes received come from the
 * trace. Passing descriptors (SCM_RIGHTS) is refused: a guest fd is not
 * a host fd, and received ones are closed by the recorder. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "core/fileobj.h"
#include "core/signal.h"
#include "core/sockmsg.h"
#include "core/sys_net.h"
#include "core/syscall.h"
#include "core/task.h"

#define IOV_MAX_G 1024

/* The guest's buffers for one send or receive. */
struct xfer {
	struct iovec iov[IOV_MAX_G];
	size_t niov;
	size_t len;             /* their total, at most KERNEL_IO_MAX */
};

static long read_iovs(struct task *t, uint64_t addr, uint64_t cnt,
		      struct xfer *x)
{
	size_t total = 0;

	if (cnt > IOV_MAX_G)
		return -EMSGSIZE;
	if (cnt && task_read(t, addr, x->iov, cnt * sizeof(x->iov[0])) < 0)
		return -EFAULT;
	for (size_t i = 0; i < cnt; i++) {
		if (x->iov[i].iov_len > (size_t)SSIZE_MAX - total)
			return -EINVAL;
		total += x->iov[i].iov_len;
	}
	x->niov = cnt;
	x->len = total > KERNEL_IO_MAX ? KERNEL_IO_MAX : total;
	return 0;
}

static void one_buffer(struct xfer *x, uint64_t buf, uint64_t len)
{
	x->iov[0] = (struct iovec){ (void *)buf, len };
	x->niov = 1;
	x->len = len > KERNEL_IO_MAX ? KERNEL_IO_MAX : len;
}

/* Copy N bytes between guest buffers X and kernel memory P. */
static long copy_iovs(struct task *t, const struct xfer *x, uint8_t *p,
		      size_t n, bool to_guest)
{
	for (size_t i = 0, done = 0; done < n && i < x->niov; i++) {
		size_t k = x->iov[i].iov_len < n - done ? x->iov[i].iov_len : n - done;
		uint64_t at = (uint64_t)x->iov[i].iov_base;

		if ((to_guest ? task_write(t, at, p + done, k)
			      : task_read(t, at, p + done, k)) < 0)
			return -EFAULT;
		done += k;
	}
	return 0;
}

/* A host socket, or a socket pair's end (kernel object). */
static struct file *sock_file(struct task *t, int fd, long *err)
{
	struct file *f = fd_get(t->files, fd);

	if (f && f->kind == FILE_OBJ) {
		*err = unixsock_type(f) < 0 ? -ENOTSOCK : 0;
		return *err ? NULL : f;
	}
	return net_sock_file(t, fd, err);
}

/* send on a socket pair's end: the data only (a connected pair has no
 * use for an address; passing descriptors is refused). */
static long pair_send(struct task *t, struct file *f, const struct xfer *x,
		      int flags, uint32_t controllen)
{
	uint8_t *buf = kernel_scratch(t->k, x->len ? x->len : 1);

	if (controllen)
		return -EOPNOTSUPP;
	if (!buf)
		return -ENOMEM;
	if (copy_iovs(t, x, buf, x->len, false) < 0)
		return -EFAULT;
	return fileobj_send(t, f, buf, x->len, flags);
}

static long pair_recv(struct task *t, struct file *f, const struct xfer *x,
		      int flags, struct nd_recvmsg *h, uint8_t **name)
{
	uint8_t *buf = kernel_scratch(t->k, x->len ? x->len : 1);
	long r;

	if (!buf)
		return -ENOMEM;
	r = fileobj_recv(t, f, buf, x->len, flags);
	if (r < 0 || r == SYS_BLOCK)
		return r;
	memset(h, 0, sizeof(*h));
	h->datalen = (uint32_t)((size_t)r < x->len ? (size_t)r : x->len);
	*name = buf;
	if (copy_iovs(t, x, buf, h->datalen, true) < 0)
		return -EFAULT;
	return r;
}

static long do_send(struct task *t, struct file *f, const struct xfer *x,
		    int flags, const void *name, uint32_t namelen,
		    const void *control, uint32_t controllen)
{
	struct nd_sendmsg h = { namelen, controllen };
	struct nd_call c = { .op = ND_SENDMSG, .a = { f->hostfd, flags } };
	size_t head = sizeof(h) + namelen + controllen;
	uint8_t *buf = kernel_scratch(t->k, head + x->len);

	if (f->kind == FILE_OBJ)
		return pair_send(t, f, x, flags, controllen);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, &h, sizeof(h));
	if (namelen)
		memcpy(buf + sizeof(h), name, namelen);
	if (controllen)
		memcpy(buf + sizeof(h) + namelen, control, controllen);
	if (copy_iovs(t, x, buf + head, x->len, false) < 0)
		return -EFAULT;
	c.in = buf;
	c.in_len = head + x->len;
	nd_call(t->k->nd, &c);
	if (c.result == -EPIPE && !(flags & MSG_NOSIGNAL))
		signal_send(t, SIGPIPE, SI_USER, 0); /* as Linux */
	return c.result;
}

/* Receive into X; the source address (NCAP bytes at most) and ancillary
 * data (CCAP) are left at *NAME, control right after the name's
 * min(h->namelen, NCAP) bytes. */
static long do_recv(struct task *t, struct file *f, const struct xfer *x,
		    int flags, uint32_t ncap, uint32_t ccap,
		    struct nd_recvmsg *h, uint8_t **name)
{
	size_t cap = sizeof(*h) + ncap + ccap + x->len, nlen;
	struct nd_call c = { .op = ND_RECVMSG,
			     .a = { f->hostfd, flags, (long)ncap | (long)ccap << 32 } };
	uint8_t *buf;

	if (f->kind == FILE_OBJ)
		return pair_recv(t, f, x, flags, h, name);
	buf = kernel_scratch(t->k, cap);
	if (!buf)
		return -ENOMEM;
	c.out = buf;
	c.out_cap = cap;
	nd_call(t->k->nd, &c);
	if (c.result < 0)
		return c.result;
	if (c.out_len < sizeof(*h))
		return -EIO;
	memcpy(h, buf, sizeof(*h));
	nlen = h->namelen < ncap ? h->namelen : ncap;
	if (h->controllen > ccap || h->datalen > x->len ||
	    h->datalen > (size_t)c.result ||
	    c.out_len != sizeof(*h) + nlen + h->controllen + h->datalen)
		return -EIO;
	*name = buf + sizeof(*h);
	if (copy_iovs(t, x, *name + nlen + h->controllen, h->datalen, true) < 0)
		return -EFAULT;
	return c.result;
}

long sys_sendto(struct task *t, const uint64_t a[6])
{
	long err, namelen = 0;
	struct file *f = sock_file(t, (int)a[0], &err);
	struct sockaddr_storage sa;
	struct xfer x;

	if (!f)
		return err;
	if (a[4] && (namelen = net_read_addr(t, a[4], a[5], &sa)) < 0)
		return namelen;
	one_buffer(&x, a[1], a[2]);
	return do_send(t, f, &x, (int)a[3], &sa, (uint32_t)namelen, NULL, 0);
}

long sys_recvfrom(struct task *t, const uint64_t a[6])
{
	long err, r;
	struct file *f = sock_file(t, (int)a[0], &err);
	struct nd_recvmsg h;
	uint8_t *name;
	uint32_t cap = 0;
	struct xfer x;

	if (!f)
		return err;
	if (a[4] && (r = net_read_len(t, a[5], &cap)) < 0)
		return r;
	one_buffer(&x, a[1], a[2]);
	r = do_recv(t, f, &x, (int)a[3], a[4] ? SOCKADDR_MAX : 0, 0, &h, &name);
	if (r >= 0 && a[4] && net_put_sized(t, a[4], a[5], cap, name, h.namelen) < 0)
		return -EFAULT;
	return r;
}

/* Whether ancillary data CTL (LEN bytes) passes descriptors. */
static bool passes_fds(void *ctl, size_t len)
{
	struct msghdr m = { .msg_control = ctl, .msg_controllen = len };

	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
			return true;
	return false;
}

/* Send what the guest's msghdr M describes. */
static long send_one(struct task *t, struct file *f, struct msghdr *m,
		     int flags)
{
	long err, namelen = 0;
	struct sockaddr_storage sa;
	uint8_t ctl[SOCKOPT_MAX];
	struct xfer x;

	if (m->msg_name &&
	    (namelen = net_read_addr(t, (uint64_t)m->msg_name, m->msg_namelen, &sa)) < 0)
		return namelen;
	if (!m->msg_control)
		m->msg_controllen = 0;
	if (m->msg_controllen > SOCKOPT_MAX)
		return -ENOBUFS;
	if (m->msg_controllen &&
	    task_read(t, (uint64_t)m->msg_control, ctl, m->msg_controllen) < 0)
		return -EFAULT;
	if (passes_fds(ctl, m->msg_controllen)) {
		kernel_warn(t->k, "sendmsg: passing descriptors (SCM_RIGHTS) over host sockets is not supported, returning EOPNOTSUPP");
		return -EOPNOTSUPP;
	}
	if ((err = read_iovs(t, (uint64_t)m->msg_iov, m->msg_iovlen, &x)) < 0)
		return err;
	return do_send(t, f, &x, flags, &sa, (uint32_t)namelen, ctl,
		       (uint32_t)m->msg_controllen);
}

/* Receive as the guest's msghdr M describes; updates M's lengths and
 * flags (the caller writes it back). */
static long recv_one(struct task *t, struct file *f, struct msghdr *m,
		     int flags)
{
	long err, r;
	struct nd_recvmsg h;
	uint8_t *name;
	uint32_t ccap, nlen;
	struct xfer x;

	if ((err = read_iovs(t, (uint64_t)m->msg_iov, m->msg_iovlen, &x)) < 0)
		return err;
	ccap = !m->msg_control ? 0 : m->msg_controllen < SOCKOPT_MAX ?
	       (uint32_t)m->msg_controllen : SOCKOPT_MAX;
	r = do_recv(t, f, &x, flags, m->msg_name ? SOCKADDR_MAX : 0, ccap,
		    &h, &name);
	if (r < 0)
		return r;
	nlen = h.namelen < SOCKADDR_MAX ? h.namelen : SOCKADDR_MAX;
	if (m->msg_name) {
		if (task_write(t, (uint64_t)m->msg_name, name,
			       nlen < m->msg_namelen ? nlen : m->msg_namelen) < 0)
			return -EFAULT;
		m->msg_namelen = h.namelen;
	}
	if (h.controllen &&
	    task_write(t, (uint64_t)m->msg_control, name + nlen, h.controllen) < 0)
		return -EFAULT;
	m->msg_controllen = h.controllen;
	m->msg_flags = (int)h.flags;
	return r;
}

long sys_sendmsg(struct task *t, const uint64_t a[6])
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	struct msghdr m;

	if (!f)
		return err;
	if (task_read(t, a[1], &m, sizeof(m)) < 0)
		return -EFAULT;
	return send_one(t, f, &m, (int)a[2]);
}

long sys_recvmsg(struct task *t, const uint64_t a[6])
{
	long err, r;
	struct file *f = sock_file(t, (int)a[0], &err);
	struct msghdr m;

	if (!f)
		return err;
	if (task_read(t, a[1], &m, sizeof(m)) < 0)
		return -EFAULT;
	r = recv_one(t, f, &m, (int)a[2]);
	if (r < 0)
		return r;
	return task_write(t, a[1], &m, sizeof(m)) < 0 ? -EFAULT : r;
}

/* sendmmsg and recvmmsg: one host op per message, as many as succeed;
 * an error after the first message ends the batch (and is dropped). */
long sys_sendmmsg(struct task *t, const uint64_t a[6])
{
	long err, r = 0;
	struct file *f = sock_file(t, (int)a[0], &err);
	size_t n = a[2] < IOV_MAX_G ? a[2] : IOV_MAX_G, i;
	struct mmsghdr mm;

	if (!f)
		return err;
	for (i = 0; i < n; i++) {
		uint64_t at = a[1] + i * sizeof(mm);

		r = task_read(t, at, &mm, sizeof(mm)) < 0 ? -EFAULT :
		    send_one(t, f, &mm.msg_hdr, (int)a[3]);
		if (r < 0)
			break;
		mm.msg_len = (unsigned)r;
		if (task_write(t, at + offsetof(struct mmsghdr, msg_len),
			       &mm.msg_len, sizeof(mm.msg_len)) < 0) {
			r = -EFAULT;
			break;
		}
	}
	return i ? (long)i : r;
}

long sys_recvmmsg(struct task *t, const uint64_t a[6])
{
	long err, r = 0;
	struct file *f = sock_file(t, (int)a[0], &err);
	size_t n = a[2] < IOV_MAX_G ? a[2] : IOV_MAX_G, i;
	int flags = (int)a[3];
	struct mmsghdr mm;

	if (!f)
		return err;
	if (a[4]) { /* would need the guest's clock between messages */
		kernel_warn(t->k, "recvmmsg with a timeout is not supported, returning EINVAL");
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		uint64_t at = a[1] + i * sizeof(mm);

		r = task_read(t, at, &mm, sizeof(mm)) < 0 ? -EFAULT :
		    recv_one(t, f, &mm.msg_hdr, flags & ~MSG_WAITFORONE);
		if (r < 0)
			break;
		mm.msg_len = (unsigned)r;
		if (task_write(t, at, &mm, sizeof(mm)) < 0) {
			r = -EFAULT;
			break;
		}
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
	}
	return i ? (long)i : r;
}
