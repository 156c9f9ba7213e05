/* core/names.h — interned file names for the kernel's bookkeeping (the
 * file behind a mapping or a descriptor). One copy of each string, kept
 * for the life of deja, so structures and their deep copies (checkpoints)
 * can share the pointers without owning them. */
#ifndef DEJA_NAMES_H
#define DEJA_NAMES_H

#include <stddef.h>

/* The interned copy of S (equal strings give the same pointer), or NULL
 * for NULL or when out of memory. */
const char *name_intern(const char *s);
/* The same for LEN bytes (may hold NULs); the copy is NUL-terminated. */
const char *bytes_intern(const void *p, size_t len);

#endif
