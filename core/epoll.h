/* core/epoll.h — epoll sets as kernel-internal objects: the interest
 * list of (file, fd) entries. An entry holds no reference on its file:
 * it goes away when the file's last reference does, as on Linux. Level
 * triggered; EPOLLONESHOT disables an entry once reported; EPOLLET
 * entries of internal objects are reported again only after their object
 * changed (ops->gen); host files stay level-triggered. */
#ifndef DEJA_EPOLL_H
#define DEJA_EPOLL_H

#include <stddef.h>
#include <stdint.h>

#include "core/ready.h"

struct file;

/* A new epoll set's file (FLAGS: unused today). */
int epoll_new(struct file **out);
int file_is_epoll(const struct file *f);
/* EPOLL_CTL_ADD/MOD/DEL of (F, FD) in the set EP; 0 or -errno. */
int epoll_ctl_op(struct file *ep, int op, int fd, struct file *f,
		 uint32_t events, uint64_t data);
/* How many entries are active (not disabled by EPOLLONESHOT). */
size_t epoll_active(struct file *ep);
/* Fill Q[0..epoll_active) with the active entries, in report order. */
void epoll_query(struct file *ep, struct ready_q *q);
/* After ready_scan() of Q: write up to MAX reports (events, data) to
 * OUT, disable one-shot entries, move reported entries to the end (as
 * Linux rotates its ready list). Returns how many. */
struct epoll_report { uint32_t events; uint64_t data; };
size_t epoll_collect(struct file *ep, const struct ready_q *q, size_t n,
		     struct epoll_report *out, size_t max);

#endif
