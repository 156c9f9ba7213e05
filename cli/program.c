/* cli/program.c — finding and vetting the program to record, before the
 * guest system starts: PATH lookup, ELF class and type checks, with one
 * clear message per problem. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/program.h"
#include "core/kernel.h"
#include "core/loader.h"

static char *search_path(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *out = NULL;

	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	copy = strdup(path);
	for (dir = strtok_r(copy, ":", &save); dir && !out;
	     dir = strtok_r(NULL, ":", &save)) {
		char *cand;
		if (asprintf(&cand, "%s/%s", *dir ? dir : ".", name) < 0)
			break;
		if (access(cand, X_OK) == 0)
			out = cand;
		else
			free(cand);
	}
	free(copy);
	return out;
}

/* Parse the file's ELF headers; returns 0 or a kernel_err / -errno. */
static int check_elf(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	struct load_plan plan;
	struct stat st;
	void *map;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return S_ISDIR(st.st_mode) ? -EISDIR : KERNEL_E_NOEXEC;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -errno;
	rc = loader_parse(map, (size_t)st.st_size, &plan);
	if (rc == 0)
		loader_plan_free(&plan);
	munmap(map, (size_t)st.st_size);
	return rc;
}

char *program_resolve(const char *name)
{
	char *found = strchr(name, '/') ? strdup(name) : search_path(name);
	char *abs;
	int rc;

	if (!found) {
		cli_error("%s: program not found", name);
		return NULL;
	}
	abs = realpath(found, NULL);
	free(found);
	if (!abs) {
		cli_error("%s: %s", name, strerror(errno));
		return NULL;
	}
	if (access(abs, X_OK) < 0) {
		cli_error("%s: not executable: %s", name, strerror(errno));
		free(abs);
		return NULL;
	}
	rc = check_elf(abs);
	if (rc < 0) {
		cli_error("%s: %s", name, kernel_strerror(rc));
		free(abs);
		return NULL;
	}
	return abs;
}
