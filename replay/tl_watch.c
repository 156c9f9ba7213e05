/* replay/tl_watch.c — watchpoints by comparison: the watched bytes are
 * read at every boundary while watchpoints exist (the guest then runs by
 * single steps), so any change is seen, whether the guest's instruction
 * or deja's kernel (a read() into the buffer) made it. Works without
 * debug registers. */
#include <string.h>

#include "replay/tl_internal.h"

static void read_value(struct timeline *tl, const struct tl_watch *w,
		       uint8_t *buf)
{
	memset(buf, 0, sizeof(w->old));
	if (guest_read_mem(tl->live, w->addr, buf, w->len) < 0)
		memset(buf, 0, sizeof(w->old));
}

void watch_snapshot(struct timeline *tl)
{
	for (int i = 0; i < tl->nwatch; i++)
		read_value(tl, &tl->watch[i], tl->watch[i].old);
}

struct tl_watch *watch_changed(struct timeline *tl)
{
	struct tl_watch *first = NULL;
	uint8_t now[sizeof(tl->watch[0].old)];

	for (int i = 0; i < tl->nwatch; i++) {
		struct tl_watch *w = &tl->watch[i];
		read_value(tl, w, now);
		if (memcmp(now, w->old, w->len)) {
			memcpy(w->old, now, sizeof(now));
			if (!first)
				first = w;
		}
	}
	return first;
}
