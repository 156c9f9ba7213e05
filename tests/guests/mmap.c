/* tests/guests/mmap.c — memory management: anonymous and file-backed
 * mmap, mprotect, mremap, madvise, munmap, and malloc of small (brk) and
 * big (mmap) blocks. Prints contents and results, never addresses, so
 * its output is the same every run. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest.h"

#define PAGE 4096

static int anon_tests(void)
{
	char *p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *q;

	if (p == MAP_FAILED)
		return perror("mmap"), 1;
	printf("anon zero-filled %d\n", p[0] == 0 && p[4 * PAGE - 1] == 0);
	memset(p, 'a', 4 * PAGE);
	printf("mprotect ro %d\n", mprotect(p + PAGE, PAGE, PROT_READ));
	printf("mprotect rw %d\n", mprotect(p + PAGE, PAGE, PROT_READ | PROT_WRITE));
	printf("madvise dontneed %d\n", madvise(p + 2 * PAGE, PAGE, MADV_DONTNEED));
	printf("after dontneed page is zero %d, others kept %d\n",
	       p[2 * PAGE] == 0, p[PAGE] == 'a' && p[3 * PAGE] == 'a');
	q = mremap(p, 4 * PAGE, 64 * PAGE, MREMAP_MAYMOVE);
	if (q == MAP_FAILED)
		return perror("mremap"), 1;
	printf("mremap grown keeps data %d new part zero %d\n",
	       q[0] == 'a' && q[3 * PAGE] == 'a', q[63 * PAGE] == 0);
	q = mremap(q, 64 * PAGE, 2 * PAGE, 0);
	printf("mremap shrink in place %d\n", q != MAP_FAILED);
	printf("munmap %d\n", munmap(q, 2 * PAGE));
	return 0;
}

static int file_tests(void)
{
	char path[] = "/tmp/deja-mmap-XXXXXX";
	int fd = mkstemp(path);
	char page[PAGE], *m;

	if (fd < 0)
		return perror("mkstemp"), 1;
	unlink(path);
	for (int i = 0; i < PAGE; i++)
		page[i] = (char)('A' + i % 26);
	for (int i = 0; i < 3; i++)
		if (write(fd, page, PAGE) != PAGE)
			return perror("write"), 1;
	m = mmap(NULL, 3 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return perror("mmap file"), 1;
	printf("file map hash %016llx\n",
	       (unsigned long long)guest_hash(m, 3 * PAGE, 0));
	munmap(m, 3 * PAGE);
	/* A shared writable mapping reaches the file at msync and munmap. */
	m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
	if (m == MAP_FAILED)
		return perror("mmap shared"), 1;
	memcpy(m, "shared write", 12);
	if (msync(m, PAGE, MS_SYNC) != 0)
		return perror("msync"), 1;
	if (pread(fd, page, 12, PAGE) != 12)
		return perror("pread"), 1;
	printf("after msync, pread sees: %.12s\n", page);
	memcpy(m, "second write", 12);
	munmap(m, PAGE);
	if (pread(fd, page, 12, PAGE) != 12)
		return perror("pread"), 1;
	printf("after munmap, pread sees: %.12s\n", page);
	m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, PAGE);
	if (m == MAP_FAILED)
		return perror("mmap shared read-only"), 1;
	printf("mapped again: %.12s\n", (char *)m);
	munmap(m, PAGE);
	close(fd);
	return 0;
}

static void malloc_tests(void)
{
	uint64_t h = 0;
	char *small[100], *big;

	for (int i = 0; i < 100; i++) {
		small[i] = malloc(100 + i);
		memset(small[i], i, 100 + i);
	}
	for (int i = 0; i < 100; i++) {
		h = guest_hash(small[i], 100 + i, h);
		free(small[i]);
	}
	big = malloc(8 << 20); /* big enough for mmap in glibc and musl */
	memset(big, 7, 8 << 20);
	h = guest_hash(big + (4 << 20), 4096, h);
	big = realloc(big, 16 << 20);
	h = guest_hash(big, 4096, h);
	free(big);
	printf("malloc hash %016llx\n", (unsigned long long)h);
	printf("sbrk(0) nonzero %d\n", sbrk(0) != NULL);
}

int main(void)
{
	if (anon_tests() || file_tests())
		return 1;
	malloc_tests();
	return 0;
}
