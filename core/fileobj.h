/* core/fileobj.h — kernel-internal objects behind guest fds (FILE_OBJ):
 * pipes (core/pipe.c), AF_UNIX socket pairs (core/unixsock.c), eventfds
 * (core/eventfd.c), timerfds (core/timerfd.c) and epoll sets
 * (core/epoll.c). They live entirely in deja's kernel: deterministic,
 * never recorded, rebuilt by replay. Each kind gives a table of
 * operations; the syscall layers (sys_io.c, sys_poll.c, sys_epoll.c)
 * call them and never look inside. */
#ifndef DEJA_FILEOBJ_H
#define DEJA_FILEOBJ_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/files.h"

struct kernel;

/* The guest's present for objects that change with time: read from the
 * clock (kernel_now, logged) at the first obj_now, the same afterwards.
 * Unit tests set KNOWN and NOW themselves. */
struct obj_clock {
	struct kernel *k;
	bool known;
	uint64_t now;
};
uint64_t obj_now(struct obj_clock *c);

/* Who asks, for the bookkeeping of a write that blocks midway. */
struct obj_io {
	uint32_t tid;
	bool retry;        /* the same syscall again after SYS_BLOCK */
};

struct file_ops {
	const char *name;
	unsigned mode;     /* st_mode for fstat (type and permissions) */
	/* Bytes moved, 0 at end of file, -EAGAIN when the call would block
	 * (the caller turns it into SYS_BLOCK or -EAGAIN by O_NONBLOCK), or
	 * another -errno; -EPIPE from write also means SIGPIPE. NULL: the
	 * object cannot be read (written): -EINVAL. */
	long (*read)(struct file *f, const struct obj_io *io, void *buf, size_t n);
	long (*write)(struct file *f, const struct obj_io *io,
		      const void *buf, size_t n);
	/* Readiness now: POLLIN, POLLOUT, POLLHUP, POLLERR, POLLRDHUP. */
	unsigned (*poll)(struct file *f);
	/* Wake-ups of F for EVENTS so far (data arriving wakes POLLIN,
	 * room appearing POLLOUT, a closed end both): what fires EPOLLET
	 * entries again. NULL: they are level-triggered. */
	uint64_t (*gen)(struct file *f, unsigned events);
	/* Bytes a read would return now (FIONREAD); NULL: -ENOTTY. */
	long (*nread)(struct file *f);
	/* shutdown(2); NULL: -ENOTSOCK. */
	int (*shutdown)(struct file *f, int how);
	/* Objects that change with time (timerfds, epoll sets watching
	 * them): F brought to the guest's present (obj_now(C), read only if
	 * needed), what was due by then happening; returns the guest
	 * CLOCK_MONOTONIC time (ns) F next changes by itself, 0: never.
	 * NULL: F changes only when it is used. */
	uint64_t (*deadline)(struct file *f, struct obj_clock *c);
	/* F's last reference is gone: drop its share of the object. */
	void (*release)(struct file *f);
	/* The copy of OLD->obj for a checkpoint; objects shared by several
	 * files are copied once through M (file_remap_obj). NULL: ENOMEM. */
	void *(*clone)(const struct file *old, struct file_remap *m);
};

/* A new FILE_OBJ file with no references yet; NULL on ENOMEM. */
struct file *fileobj_new(const struct file_ops *ops, void *obj, int flags);
/* Readiness of any file: objects answer themselves; host files say
 * POLLIN | POLLOUT here (sys_poll.c asks the host instead). */
unsigned fileobj_poll(struct file *f);

struct task;
/* F (any file) brought to the guest's present C for T (ops->deadline);
 * its next deadline lowers t->wake_at, so that T, if it blocks, is tried
 * again then. Call before asking F for readiness or data. */
void fileobj_tick(struct task *t, struct file *f, struct obj_clock *c);
/* read(2) and write(2) on an object for task T: -EAGAIN becomes
 * SYS_BLOCK unless F is O_NONBLOCK; -EPIPE also sends T SIGPIPE. */
long fileobj_read(struct task *t, struct file *f, void *buf, size_t n);
long fileobj_write(struct task *t, struct file *f, const void *buf, size_t n);
/* The send and recv families on an internal socket (a socket pair end),
 * for the socket syscalls to call on FILE_OBJ files: FLAGS may have
 * MSG_DONTWAIT (this call does not block) and MSG_NOSIGNAL (no SIGPIPE),
 * and MSG_EOR for send; others give -EOPNOTSUPP. -ENOTSOCK for a file
 * that is not a socket. */
long fileobj_send(struct task *t, struct file *f, const void *buf, size_t n,
		  int flags);
long fileobj_recv(struct task *t, struct file *f, void *buf, size_t n,
		  int flags);
/* Give a new object its inode number (deterministic: a kernel counter). */
void fileobj_number(struct task *t, struct file *f);
/* fstat(2) of an object into the guest's struct stat at ADDR. */
long fileobj_fstat(struct task *t, struct file *f, uint64_t addr);
/* shutdown(2) on an internal socket (-ENOTSOCK for other objects). */
long obj_shutdown(struct file *f, int how);

/* Wake-up counters of one object (or one socket end) for ops->gen. */
struct obj_wakes {
	uint64_t in, out;
};
static inline uint64_t obj_wakes_for(const struct obj_wakes *w, unsigned events)
{
	return (events & POLLIN ? w->in : 0) + (events & POLLOUT ? w->out : 0);
}

/* ---- the objects ---- */

/* Capacity of a pipe and of each direction of a stream socket pair. */
#define PIPE_CAPACITY 65536
/* Writes of at most this many bytes to a pipe are atomic. */
#define PIPE_ATOMIC 4096

/* pipe2(): *RD and *WR with FLAGS (O_NONBLOCK, O_DIRECT for packets;
 * O_CLOEXEC is the fd's). */
int pipe_new(int flags, struct file **rd, struct file **wr);
/* socketpair(AF_UNIX, TYPE): SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET. */
int unixsock_pair(int type, int flags, struct file *f[2]);
/* SOCK_STREAM/DGRAM/SEQPACKET of a socket pair's end, else -ENOTSOCK. */
int unixsock_type(struct file *f);
/* eventfd2(): counter INITVAL; EFD_SEMAPHORE; FLAGS O_NONBLOCK. */
int eventfd_new(uint64_t initval, bool semaphore, int flags,
		struct file **out);

/* core/epoll.c: F, watched by epoll sets, is being freed. */
void epoll_file_gone(struct file *f);

#endif
