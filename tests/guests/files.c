/* tests/guests/files.c — file system operations in a fresh temporary
 * directory: write, rename, unlink, mkdir, rmdir, lseek, pread, pwrite,
 * ftruncate, fsync, dup2, fcntl, getcwd, chdir, symlink, readlink,
 * access. Prints results with the temp dir's random name hidden. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int saved_errno;

/* Print one result; with the errno of the DO() that produced it. */
static void check(const char *what, long value)
{
	if (saved_errno)
		printf("%-28s %ld (%s)\n", what, value, strerror(saved_errno));
	else
		printf("%-28s %ld\n", what, value);
	saved_errno = 0;
}
#define CHECK(what, expr) check(what, (long)(expr))

/* Run EXPR, keeping errno for the printout. */
#define DO(expr) (errno = 0, __extension__({ long r_ = (long)(expr); saved_errno = r_ < 0 ? errno : 0; r_; }))

static void rw_tests(void)
{
	char buf[64] = { 0 };
	int fd = DO(open("data", O_RDWR | O_CREAT | O_TRUNC, 0644)), fd2;

	CHECK("open data", fd >= 0);
	CHECK("write", DO(write(fd, "0123456789abcdef", 16)));
	CHECK("lseek set 4", DO(lseek(fd, 4, SEEK_SET)));
	CHECK("read 4", DO(read(fd, buf, 4)));
	printf("  read got %s\n", buf);
	CHECK("lseek cur", DO(lseek(fd, 0, SEEK_CUR)));
	CHECK("lseek end", DO(lseek(fd, 0, SEEK_END)));
	CHECK("pwrite at 2", DO(pwrite(fd, "XY", 2, 2)));
	memset(buf, 0, sizeof(buf));
	CHECK("pread 0..16", DO(pread(fd, buf, 16, 0)));
	printf("  pread got %s\n", buf);
	CHECK("offset unchanged by pread", DO(lseek(fd, 0, SEEK_CUR)));
	CHECK("ftruncate 10", DO(ftruncate(fd, 10)));
	CHECK("fsync", DO(fsync(fd)));
	CHECK("fdatasync", DO(fdatasync(fd)));
	CHECK("fcntl getfl rdwr", (DO(fcntl(fd, F_GETFL)) & O_ACCMODE) == O_RDWR);
	CHECK("fcntl setfl append", DO(fcntl(fd, F_SETFL, O_APPEND)));
	CHECK("fcntl getfl append", (DO(fcntl(fd, F_GETFL)) & O_APPEND) != 0);
	CHECK("fcntl setfd cloexec", DO(fcntl(fd, F_SETFD, FD_CLOEXEC)));
	CHECK("fcntl getfd", DO(fcntl(fd, F_GETFD)));
	fd2 = DO(fcntl(fd, F_DUPFD, 20));
	CHECK("fcntl dupfd >= 20", fd2 >= 20);
	CHECK("dup2 to 30", DO(dup2(fd, 30)));
	CHECK("write via dup (append)", DO(write(30, "!", 1)));
	CHECK("size after append", DO(lseek(fd, 0, SEEK_END)));
	memset(buf, 0, sizeof(buf));
	CHECK("pread all", DO(pread(fd2, buf, sizeof(buf) - 1, 0)));
	printf("  contents %s\n", buf);
	close(30);
	close(fd2);
	CHECK("close", DO(close(fd)));
	CHECK("close again EBADF", DO(close(fd)));
}

static void name_tests(const char *dir)
{
	char buf[4096];
	ssize_t n;
	struct stat st;

	CHECK("rename data->moved", DO(rename("data", "moved")));
	CHECK("access data F_OK", DO(access("data", F_OK)));
	CHECK("access moved R_OK", DO(access("moved", R_OK)));
	CHECK("stat moved", DO(stat("moved", &st)));
	printf("  size %lld\n", (long long)st.st_size);
	CHECK("mkdir sub", DO(mkdir("sub", 0755)));
	CHECK("mkdir sub again EEXIST", DO(mkdir("sub", 0755)));
	CHECK("symlink", DO(symlink("moved", "link")));
	memset(buf, 0, sizeof(buf));
	n = DO(readlink("link", buf, sizeof(buf) - 1));
	CHECK("readlink", n);
	printf("  link -> %s\n", buf);
	CHECK("chdir sub", DO(chdir("sub")));
	if (getcwd(buf, sizeof(buf))) {
		size_t dl = strlen(dir);

		printf("  cwd is tmpdir/sub: %d (tail %s)\n",
		       strncmp(buf, dir, dl) == 0, buf + dl);
	} else {
		printf("  getcwd failed: %s\n", strerror(errno));
	}
	CHECK("open ../moved", DO(open("../moved", O_RDONLY)));
	CHECK("chdir ..", DO(chdir("..")));
	CHECK("rmdir sub", DO(rmdir("sub")));
	CHECK("unlink link", DO(unlink("link")));
	CHECK("unlink moved", DO(unlink("moved")));
	CHECK("unlink moved ENOENT", DO(unlink("moved")));
}

int main(void)
{
	char tmpl[] = "/tmp/deja-files-XXXXXX";
	char *dir = mkdtemp(tmpl);

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!dir) {
		perror("mkdtemp");
		return 1;
	}
	CHECK("chdir tmpdir", DO(chdir(dir)));
	rw_tests();
	name_tests(dir);
	CHECK("chdir /", DO(chdir("/")));
	CHECK("rmdir tmpdir", DO(rmdir(dir)));
	CHECK("access tmpdir gone", DO(access(dir, F_OK)));
	return 0;
}
