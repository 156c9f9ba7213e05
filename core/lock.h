/* core/lock.h — advisory file locks (core/sys_lock.c). */
#ifndef DEJA_LOCK_H
#define DEJA_LOCK_H

#include <stdint.h>

struct task;
struct file;

/* fcntl's lock commands on F with the struct flock at guest ARG;
 * -EINVAL for any other CMD. */
long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg);

#endif
