/* core/names.c — interned strings and byte strings (see core/names.h):
 * an open addressing hash set that only grows. Each entry is a length
 * followed by the bytes and a NUL. */
#include "core/names.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	size_t len;
	char bytes[];
};

static struct {
	struct entry **v;
	size_t n, cap;  /* cap: a power of 2, at most half full */
} set;

static uint64_t hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (size_t i = 0; i < len; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static size_t slot(struct entry **v, size_t cap, const void *p, size_t len)
{
	size_t i = (size_t)hash(p, len) & (cap - 1);

	while (v[i] && (v[i]->len != len || memcmp(v[i]->bytes, p, len)))
		i = (i + 1) & (cap - 1);
	return i;
}

static int grow(void)
{
	size_t cap = set.cap ? set.cap * 2 : 64;
	struct entry **v = calloc(cap, sizeof(*v));

	if (!v)
		return -1;
	for (size_t i = 0; i < set.cap; i++)
		if (set.v[i])
			v[slot(v, cap, set.v[i]->bytes, set.v[i]->len)] = set.v[i];
	free(set.v);
	set.v = v;
	set.cap = cap;
	return 0;
}

const char *bytes_intern(const void *p, size_t len)
{
	struct entry *e;
	size_t i;

	if (!p)
		return NULL;
	if ((set.n + 1) * 2 > set.cap && grow() < 0)
		return NULL;
	i = slot(set.v, set.cap, p, len);
	if (set.v[i])
		return set.v[i]->bytes;
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	e->len = len;
	memcpy(e->bytes, p, len);
	e->bytes[len] = 0;
	set.v[i] = e;
	set.n++;
	return e->bytes;
}

const char *name_intern(const char *s)
{
	return s ? bytes_intern(s, strlen(s)) : NULL;
}
