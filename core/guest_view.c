/* core/guest_view.c — what a debugger may see of a guest system: ids,
 * registers, memory as the program sees it (deja's rewritten bytes
 * hidden), the auxiliary vector. */
#include <errno.h>

#include "core/debug.h"
#include "core/task.h"

int guest_pid(const struct guest *g)
{
	return (int)g->first->pid;
}

int guest_process_count(const struct guest *g)
{
	return tasks_alive(&g->k);
}

struct plat_task *guest_plat(struct guest *g)
{
	return g->k.cur ? g->k.cur->plat : NULL;
}

int guest_get_regs(struct guest *g, guest_regs *r)
{
	struct plat_task *p = guest_plat(g);

	return p ? plat_get_regs(p, r) : -ESRCH;
}

int guest_set_regs(struct guest *g, const guest_regs *r)
{
	struct plat_task *p = guest_plat(g);

	return p ? plat_set_regs(p, r) : -ESRCH;
}

long guest_read_mem(struct guest *g, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		size_t chunk = PAGE_SIZE_G - (a & (PAGE_SIZE_G - 1));

		if (chunk > len - done)
			chunk = len - done;
		if (!guest_plat(g) || plat_mem_read(guest_plat(g), a, (char *)buf + done, chunk) < 0)
			break;
		done += chunk;
	}
	if (!done && len)
		return -EFAULT;
	if (g->k.cur->patches)
		patch_unpatch_view(g->k.cur->patches, addr, buf, done);
	return (long)done;
}

const uint8_t *guest_auxv(const struct guest *g, size_t *len)
{
	*len = g->k.cur->auxv_len;
	return g->k.cur->auxv;
}
