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

/* The "#!" line of PATH: *INTERP and *ARG (or NULL), malloc'd; 1 if it
 * has one, 0 if not a script. */
static int shebang(const char *path, char **interp, char **arg)
{
	char line[256] = "", *p, *e;
	FILE *f = fopen(path, "re");

	if (!f)
		return 0;
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	fclose(f);
	if (strncmp(line, "#!", 2))
		return 0;
	line[strcspn(line, "\n")] = 0;
	for (p = line + 2; *p == ' ' || *p == '\t'; p++)
		;
	e = p + strcspn(p, " \t");
	*interp = strndup(p, (size_t)(e - p));
	e += strspn(e, " \t");
	for (char *z = e + strlen(e); z > e && (z[-1] == ' ' || z[-1] == '\t');)
		*--z = 0;
	*arg = *e ? strdup(e) : NULL;
	return 1;
}

int program_script(char **program, char ***argv)
{
	char *interp = NULL, *arg = NULL, *abs, **v;
	int n = 0, rc;

	if (!shebang(*program, &interp, &arg))
		return 0;
	abs = interp && interp[0] == '/' ? realpath(interp, NULL) : NULL;
	rc = abs ? check_elf(abs) : -ENOENT;
	if (rc < 0) {
		cli_error("%s: its interpreter %s: %s", *program, interp ? interp : "",
			  kernel_strerror(rc));
		free(abs), free(interp), free(arg);
		return -1;
	}
	while ((*argv)[n])
		n++;
	v = calloc((size_t)n + 3, sizeof(*v));
	if (!v) {
		free(abs), free(interp), free(arg);
		return -1;
	}
	n = 0;
	v[n++] = interp; /* argv[0]: the interpreter as the script names it */
	if (arg)
		v[n++] = arg;
	v[n++] = (*argv)[0]; /* the script as the user named it */
	for (int i = 1; (*argv)[i]; i++)
		v[n++] = (*argv)[i];
	free(*program);
	*program = abs;
	*argv = v;
	return 0;
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
	if (rc == KERNEL_E_NOEXEC) { /* a "#!" script is run by its interpreter */
		char *interp = NULL, *arg = NULL;
		if (shebang(abs, &interp, &arg))
			rc = 0;
		free(interp), free(arg);
	}
	if (rc < 0) {
		cli_error("%s: %s", name, kernel_strerror(rc));
		free(abs);
		return NULL;
	}
	return abs;
}
