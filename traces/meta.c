/* traces/meta.c — encode, decode and free struct trace_meta (the payload
 * of the META chunk). A string is a varint of (length + 1) and its bytes;
 * 0 stands for NULL, so NULL and "" both survive a round trip. */
#include <stdlib.h>

#include "traces/format.h"

#define META_LIST_MAX (1u << 20)  /* argv/envp entries */

static int put_str(struct obuf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	int err = trace_obuf_reserve(b, n + 10);

	if (err)
		return err;
	trace_put_varint(b, s ? n + 1 : 0);
	trace_put_bytes(b, s, n);
	return TRACE_OK;
}

static int put_list(struct obuf *b, int n, char *const *v)
{
	int err;

	if (n < 0 || (n > 0 && !v) || (unsigned)n > META_LIST_MAX)
		return TRACE_E_INVAL;
	if ((err = trace_obuf_reserve(b, 10)))
		return err;
	trace_put_varint(b, (uint64_t)n);
	for (int i = 0; i < n; i++)
		if ((err = put_str(b, v[i])))
			return err;
	return TRACE_OK;
}

int trace_meta_encode(struct obuf *b, const struct trace_meta *m)
{
	int err;

	if ((err = put_str(b, m->program)) ||
	    (err = put_list(b, m->argc, m->argv)) ||
	    (err = put_list(b, m->envc, m->envp)) ||
	    (err = put_str(b, m->cwd)) || (err = put_str(b, m->hostname)) ||
	    (err = put_str(b, m->kernel)) || (err = put_str(b, m->cpu_model)))
		return err;
	if ((err = trace_obuf_reserve(b, 20)))
		return err;
	trace_put_varint(b, m->cpuid_leaf1_eax);
	if ((err = put_str(b, m->deja_version)) ||
	    (err = trace_obuf_reserve(b, 10)))
		return err;
	trace_put_varint(b, zigzag_enc(m->record_time_ns));
	return TRACE_OK;
}

static int get_str(struct ibuf *b, char **out)
{
	const uint8_t *p;
	uint64_t n;
	int err;

	*out = NULL;
	if ((err = trace_get_varint(b, &n)))
		return err;
	if (n == 0)
		return TRACE_OK;
	if ((err = trace_get_bytes(b, n - 1, &p)))
		return err;
	if (memchr(p, 0, n - 1))
		return TRACE_E_CORRUPT;
	*out = malloc(n);
	if (!*out)
		return TRACE_E_NOMEM;
	memcpy(*out, p, n - 1);
	(*out)[n - 1] = 0;
	return TRACE_OK;
}

/* A NULL-terminated array of n strings; never NULL itself on success. */
static int get_list(struct ibuf *b, int *count, char ***out)
{
	uint64_t n;
	int err;

	if ((err = trace_get_varint(b, &n)))
		return err;
	/* each entry takes at least one byte: bounds the allocation */
	if (n > META_LIST_MAX || n > b->len - b->pos)
		return TRACE_E_CORRUPT;
	*out = calloc(n + 1, sizeof(char *));
	if (!*out)
		return TRACE_E_NOMEM;
	*count = (int)n;
	for (uint64_t i = 0; i < n; i++)
		if ((err = get_str(b, &(*out)[i])))
			return err;
	return TRACE_OK;
}

int trace_meta_decode(const uint8_t *p, size_t len, struct trace_meta *m)
{
	struct ibuf b = { p, len, 0 };
	uint64_t t;
	int err;

	memset(m, 0, sizeof(*m));
	if ((err = get_str(&b, &m->program)) ||
	    (err = get_list(&b, &m->argc, &m->argv)) ||
	    (err = get_list(&b, &m->envc, &m->envp)) ||
	    (err = get_str(&b, &m->cwd)) || (err = get_str(&b, &m->hostname)) ||
	    (err = get_str(&b, &m->kernel)) ||
	    (err = get_str(&b, &m->cpu_model)) ||
	    (err = trace_get_u32(&b, &m->cpuid_leaf1_eax)) ||
	    (err = get_str(&b, &m->deja_version)) ||
	    (err = trace_get_varint(&b, &t)))
		goto fail;
	m->record_time_ns = zigzag_dec(t);
	if (b.pos != b.len) {
		err = TRACE_E_CORRUPT;
		goto fail;
	}
	return TRACE_OK;
fail:
	trace_meta_free(m);
	return err;
}

static void free_list(char **v, int n)
{
	if (!v)
		return;
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void trace_meta_free(struct trace_meta *m)
{
	if (!m)
		return;
	free(m->program);
	free_list(m->argv, m->argc);
	free_list(m->envp, m->envc);
	free(m->cwd);
	free(m->hostname);
	free(m->kernel);
	free(m->cpu_model);
	free(m->deja_version);
	memset(m, 0, sizeof(*m));
}
