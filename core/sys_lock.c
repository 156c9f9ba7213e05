/* core/sys_lock.c — advisory record locks (fcntl F_SETLK, F_SETLKW,
 * F_GETLK and the open-file-description forms) and flock, for a guest
 * system of one process: a process's own locks never conflict with each
 * other, so every valid request succeeds and F_GETLK finds no lock.
 * Locks held by host processes outside the guest system are not seen
 * (they would make replay depend on the host). A lock table replaces
 * this when guests have several processes. */
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>

#include "core/lock.h"
#include "core/syscall.h"
#include "core/task.h"

static bool is_lock_cmd(int cmd)
{
	return cmd == F_SETLK || cmd == F_SETLKW || cmd == F_GETLK ||
	       cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK;
}

long fcntl_lock(struct task *t, struct file *f, int cmd, uint64_t arg)
{
	struct flock fl;
	int acc = f->flags & O_ACCMODE;

	if (!is_lock_cmd(cmd))
		return -EINVAL;
	if (task_read(t, arg, &fl, sizeof(fl)) < 0)
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence != SEEK_SET && fl.l_whence != SEEK_CUR &&
	    fl.l_whence != SEEK_END)
		return -EINVAL;
	if ((cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW || cmd == F_OFD_GETLK) &&
	    fl.l_pid != 0)
		return -EINVAL;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		fl.l_type = F_UNLCK;
		return task_write(t, arg, &fl, sizeof(fl)) < 0 ? -EFAULT : 0;
	}
	if ((fl.l_type == F_RDLCK && acc == O_WRONLY) ||
	    (fl.l_type == F_WRLCK && acc == O_RDONLY))
		return -EBADF;
	return 0;
}

long sys_flock(struct task *t, const uint64_t a[6])
{
	int op = (int)a[1] & ~LOCK_NB;

	if (!fd_get(t->files, (int)a[0]))
		return -EBADF;
	return op == LOCK_SH || op == LOCK_EX || op == LOCK_UN ? 0 : -EINVAL;
}
