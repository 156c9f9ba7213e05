/* tests/guests/file.c — nondeterminism source: file system contents.
 * Reads the file named by argv[1] (checksum and first line), stats it,
 * and lists its directory (getdents64 through readdir), sorted. */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guest.h"

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int list_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;

	if (!d) {
		perror("opendir");
		return 1;
	}
	while ((e = readdir(d))) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = realloc(names, cap * sizeof(*names));
		}
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	printf("directory has %zu entries\n", n);
	for (size_t i = 0; i < n; i++) {
		printf("  %s\n", names[i]);
		free(names[i]);
	}
	free(names);
	return 0;
}

int main(int argc, char **argv)
{
	char buf[4096], dir[4096], *slash;
	uint64_t h = 0;
	size_t total = 0;
	ssize_t n;
	struct stat st;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: file PATH\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (total == 0) {
			size_t len = strcspn(buf, "\n");

			printf("first line: %.*s\n", (int)(len < (size_t)n ? len : (size_t)n), buf);
		}
		h = guest_hash(buf, n, h);
		total += n;
	}
	close(fd);
	printf("bytes %zu hash %016llx\n", total, (unsigned long long)h);

	if (stat(argv[1], &st) != 0) {
		perror("stat");
		return 1;
	}
	printf("stat size %lld mode %o nlink %ld regular %d\n",
	       (long long)st.st_size, (unsigned)st.st_mode, (long)st.st_nlink,
	       S_ISREG(st.st_mode));

	snprintf(dir, sizeof(dir), "%s", argv[1]);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(dir, ".");
	return list_dir(dir[0] ? dir : "/");
}
