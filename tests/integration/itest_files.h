/* tests/integration/itest_files.h — file helpers shared by the
 * integration tests: read a whole file, write one, remove a tree. They
 * fail the current cmocka test on errors they cannot report. */
#ifndef DEJA_ITEST_FILES_H
#define DEJA_ITEST_FILES_H

#include <stddef.h>
#include <sys/types.h>

/* The whole file, NUL-terminated (malloc'd), or NULL if it cannot be
 * opened; *LEN (if given) gets its size. */
char *itest_read_all(const char *path, size_t *len);
void itest_write_all(const char *path, const void *data, size_t len,
		     mode_t mode);
void itest_rm_rf(const char *path);

#endif
