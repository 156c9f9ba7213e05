/* tests/guests/jit.c — code generated at run time: into writable and
 * executable memory (written, run, rewritten, run again, filled by read()),
 * and into writable memory later made executable. Every version reads the
 * TSC; deja must trap each one before it runs. Prints what each returned. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* rdtsc; shl rdx, 32; or rax, rdx; ret */
static const unsigned char tsc_fn[] = { 0x0f, 0x31, 0x48, 0xc1, 0xe2, 0x20,
					0x48, 0x09, 0xd0, 0xc3 };
/* mov eax, 42; ret */
static const unsigned char const_fn[] = { 0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3 };

typedef unsigned long (*fn)(void);

int main(void)
{
	unsigned char *wx = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned char *w = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[] = "/tmp/deja-jit-XXXXXX";
	int fd = mkstemp(path);

	if (wx == MAP_FAILED || w == MAP_FAILED || fd < 0)
		return perror("setup"), 1;
	memcpy(wx, tsc_fn, sizeof(tsc_fn));
	printf("rwx tsc: %lu\n", ((fn)wx)());
	memcpy(wx, const_fn, sizeof(const_fn));          /* rewritten */
	printf("rwx rewritten: %lu\n", ((fn)wx)());
	memcpy(wx + 64, tsc_fn, sizeof(tsc_fn));          /* same page again */
	printf("rwx second function: %lu\n", ((fn)(wx + 64))());
	if (write(fd, tsc_fn, sizeof(tsc_fn)) != (ssize_t)sizeof(tsc_fn) ||
	    pread(fd, wx + 128, sizeof(tsc_fn), 0) != (ssize_t)sizeof(tsc_fn))
		return perror("read code"), 1;
	printf("rwx code from read(): %lu\n", ((fn)(wx + 128))());
	memcpy(w, tsc_fn, sizeof(tsc_fn));
	if (mprotect(w, 4096, PROT_READ | PROT_EXEC) != 0)
		return perror("mprotect"), 1;
	printf("w^x tsc: %lu\n", ((fn)w)());
	close(fd);
	unlink(path);
	return 0;
}
