/* core/procself.c — /proc/self files generated from deja's own state
 * (see core/procself.h). Contents are fixed when the file is opened, as
 * a snapshot, and kept as interned bytes (core/names.h) so that deep
 * copies of the file table can share them. Nothing here reaches the host
 * or the logging layer: record and replay generate the same bytes. */
#include "core/procself.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "core/names.h"
#include "core/path.h"
#include "core/task.h"

#define ENV_MAX (1UL << 20) /* bytes of cmdline/environ shown */

static const char *const generated[] = { "maps", "cmdline", "environ",
					 "comm", "fd", "auxv", "status" };

const char *procself_entry(const struct task *t, const char *path)
{
	size_t skip = path_proc_self_prefix(t, path);
	const char *e = path + skip + 1;

	if (!skip || path[skip] != '/')
		return NULL;
	for (size_t i = 0; i < sizeof(generated) / sizeof(generated[0]); i++)
		if (!strcmp(e, generated[i]))
			return e;
	if (!strncmp(e, "fd/", 3) && e[3] >= '0' && e[3] <= '9' &&
	    strspn(e + 3, "0123456789") == strlen(e + 3))
		return e;
	return NULL;
}

/* Guest memory [start, end) (cmdline, environ), as Linux reads it. */
static char *guest_strings(struct task *t, uint64_t start, uint64_t end,
			   size_t *len)
{
	size_t n = end > start ? end - start : 0;
	char *b;

	if (n > ENV_MAX)
		n = ENV_MAX;
	b = malloc(n + 1);
	if (b && n && task_read(t, start, b, n) < 0)
		n = 0;
	*len = n;
	return b;
}

/* The base name of argv[0] (Linux: of the path given to execve, the
 * same for programs started the usual way), at most 15 bytes. */
static char *comm(struct task *t, size_t *len)
{
	char arg0[PATH_MAX] = "", *b = malloc(18);
	const char *base;
	size_t n = t->mm->arg_end - t->mm->arg_start;

	if (!b)
		return NULL;
	if (t->comm[0]) { /* the program's name, or prctl(PR_SET_NAME) */
		*len = (size_t)snprintf(b, 18, "%.15s\n", t->comm);
		return b;
	}
	n = n < sizeof(arg0) - 1 ? n : sizeof(arg0) - 1;
	if (task_read(t, t->mm->arg_start, arg0, n) < 0)
		n = 0;
	arg0[n] = 0;
	base = strrchr(arg0, '/');
	*len = (size_t)snprintf(b, 18, "%.15s\n", base ? base + 1 : arg0);
	return b;
}

/* The auxiliary vector the process started with. */
static char *auxv(const struct task *t, size_t *len)
{
	char *b = malloc(t->auxv_len + 1);

	if (b && t->auxv_len)
		memcpy(b, t->auxv, t->auxv_len);
	*len = b ? t->auxv_len : 0;
	return b;
}

/* The identity part of Linux's status file; memory and signal lines
 * are left out (they would describe deja's host process). */
static char *status(struct task *t, size_t *len)
{
	const struct identity *id = &t->id;
	size_t clen;
	char *name = comm(t, &clen), *b = NULL;
	int n;

	if (!name)
		return NULL;
	name[clen ? clen - 1 : 0] = 0;
	n = asprintf(&b, "Name:\t%s\nState:\tR (running)\nTgid:\t%u\nNgid:\t0\n"
		     "Pid:\t%u\nPPid:\t%u\nTracerPid:\t0\n"
		     "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nThreads:\t1\n",
		     name, t->pid, t->tid, GUEST_PARENT_PID,
		     id->uid, id->euid, id->euid, id->euid,
		     id->gid, id->egid, id->egid, id->egid);
	free(name);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return b;
}

static char *contents(struct task *t, const char *entry, size_t *len)
{
	if (!strcmp(entry, "maps"))
		return procself_maps(t, len);
	if (!strcmp(entry, "cmdline"))
		return guest_strings(t, t->mm->arg_start, t->mm->arg_end, len);
	if (!strcmp(entry, "environ"))
		return guest_strings(t, t->mm->env_start, t->mm->env_end, len);
	if (!strcmp(entry, "comm"))
		return comm(t, len);
	if (!strcmp(entry, "auxv"))
		return auxv(t, len);
	if (!strcmp(entry, "status"))
		return status(t, len);
	*len = 0;
	return strdup("");
}

long procself_open(struct task *t, const char *entry, int flags)
{
	bool dir = !strcmp(entry, "fd");
	struct file *f;
	size_t len = 0;
	char *b;
	long rc;

	if (!strncmp(entry, "fd/", 3))
		return -ENOSYS; /* reopening a descriptor: the caller's */
	if ((flags & O_ACCMODE) != O_RDONLY)
		return dir ? -EISDIR : -EACCES;
	if ((flags & O_DIRECTORY) && !dir)
		return -ENOTDIR;
	b = dir ? strdup("") : contents(t, entry, &len);
	f = file_new(FILE_PROC, -1, flags & ~O_CLOEXEC);
	if (!b || !f) {
		free(b);
		free(f);
		return -ENOMEM;
	}
	f->data = bytes_intern(b, len);
	f->data_len = len;
	f->is_dir = dir;
	free(b);
	rc = f->data ? fd_install(t->files, f, 0, flags & O_CLOEXEC) : -ENOMEM;
	if (rc < 0)
		free(f);
	return rc;
}

long procself_readlink(struct task *t, const char *entry, char *buf,
		       size_t cap)
{
	struct file *f;
	size_t n;

	if (strncmp(entry, "fd/", 3))
		return 0;
	f = fd_get(t->files, atoi(entry + 3));
	if (!f)
		return -ENOENT;
	if (!f->path)
		return 0; /* stdio: what the host's descriptor names */
	n = strlen(f->path);
	n = n < cap ? n : cap;
	memcpy(buf, f->path, n);
	return (long)n;
}

long procself_read(struct task *t, struct file *f, size_t n, bool pos,
		   int64_t off, void **data)
{
	uint64_t at = pos ? (uint64_t)off : f->pos;

	if (f->is_dir)
		return -EISDIR;
	if (at >= f->data_len)
		return 0;
	if (n > f->data_len - at)
		n = f->data_len - at;
	*data = (void *)(f->data + at);
	if (!pos)
		f->pos = at + n;
	return (long)n;
}

long procself_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)f->pos : -1;

	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (uint64_t)(base + off);
	return (long)f->pos;
}

long procself_fstat(struct task *t, struct file *f, uint64_t buf)
{
	struct stat st = { 0 };

	st.st_mode = f->is_dir ? S_IFDIR | 0500 : S_IFREG | 0444;
	st.st_nlink = f->is_dir ? 2 : 1;
	st.st_uid = t->id.euid;
	st.st_gid = t->id.egid;
	st.st_blksize = 1024;
	return task_write(t, buf, &st, sizeof(st)) < 0 ? -EFAULT : 0;
}

/* One linux_dirent64 record of NAME; its size, or 0 if CAP is short. */
static size_t dirent(uint8_t *out, size_t cap, uint64_t ino, uint64_t next,
		     unsigned char type, const char *name)
{
	size_t nlen = strlen(name) + 1;
	size_t reclen = (19 + nlen + 7) & ~(size_t)7;

	if (reclen > cap)
		return 0;
	memset(out, 0, reclen);
	memcpy(out, &ino, 8);
	memcpy(out + 8, &next, 8);
	memcpy(out + 16, &(unsigned short){ (unsigned short)reclen }, 2);
	out[18] = type;
	memcpy(out + 19, name, nlen);
	return reclen;
}

/* Entries of /proc/self/fd: ".", "..", then each open descriptor; the
 * position counts entries, read live as Linux does. */
long procself_getdents(struct task *t, struct file *f, uint64_t buf,
		       size_t cap)
{
	uint8_t *out;
	size_t used = 0, got;
	bool short_buf = false;
	int fd = 0;

	if (!f->is_dir)
		return -ENOTDIR;
	cap = cap > 65536 ? 65536 : cap;
	out = kernel_scratch(t->k, cap ? cap : 1);
	if (!out)
		return -ENOMEM;
	for (uint64_t i = 0;; i++) {
		char name[16];
		if (i >= 2) {
			while (fd < FDTABLE_MAX && !fd_get(t->files, fd))
				fd++;
			if (fd == FDTABLE_MAX)
				break;
		}
		if (i < f->pos) {
			fd += i >= 2;
			continue;
		}
		snprintf(name, sizeof(name), "%s", i == 0 ? "." : "..");
		if (i >= 2)
			snprintf(name, sizeof(name), "%d", fd);
		got = dirent(out + used, cap - used, 1000 + i, i + 1,
			     i < 2 ? DT_DIR : DT_LNK, name);
		if (!got) {
			short_buf = true;
			break;
		}
		used += got;
		f->pos = i + 1;
		fd += i >= 2;
	}
	if (!used && short_buf)
		return -EINVAL; /* the buffer cannot hold one entry */
	return task_write(t, buf, out, used) < 0 ? -EFAULT : (long)used;
}
