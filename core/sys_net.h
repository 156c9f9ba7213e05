/* core/sys_net.h — helpers the socket syscalls (core/sys_net.c) share
 * with the send/recv family (core/sys_sockio.c). Internal to core/. */
#ifndef DEJA_SYS_NET_H
#define DEJA_SYS_NET_H

#include <stdint.h>
#include <sys/socket.h>

struct task;
struct file;

/* The socket file behind guest FD, or NULL with *ERR = -EBADF or
 * -ENOTSOCK (host files that are not sockets: the host says ENOTSOCK). */
struct file *net_sock_file(struct task *t, int fd, long *err);
/* The guest's socket address at ADDR (LEN bytes) into SA, a relative
 * AF_UNIX path made absolute against the guest's working directory;
 * returns the length to give the host or -errno. */
long net_read_addr(struct task *t, uint64_t addr, uint64_t len,
		   struct sockaddr_storage *sa);
/* The guest's buffer size at LENP (an int), for an address or option. */
long net_read_len(struct task *t, uint64_t lenp, uint32_t *cap);
/* Give the guest what the host reported: min(LEN, CAP) bytes at ADDR
 * and the host's length LEN at LENP. */
long net_put_sized(struct task *t, uint64_t addr, uint64_t lenp,
		   uint32_t cap, const void *data, uint32_t len);

#endif
