/* core/sys_cred.c — changing credentials: setuid/setgid and the
 * setre*, setres* and getres* families. The ids start as the host's
 * (logged); each process keeps its own (fork copies them) and the kernel applies
 * Linux's permission rule: an unprivileged caller may only switch among
 * its current real, effective and saved ids. Host files are still
 * accessed with deja's own rights. */
#include <errno.h>

#include "core/syscall.h"
#include "core/task.h"

#define KEEP ((uint32_t)-1)

static bool may_become(const struct identity *id, uint32_t want, bool gid)
{
	uint32_t r = gid ? id->gid : id->uid, e = gid ? id->egid : id->euid;
	uint32_t s = gid ? id->sgid : id->suid;

	return want == KEEP || id->euid == 0 || want == r || want == e || want == s;
}

static long set_res(struct task *t, uint32_t r, uint32_t e, uint32_t s, bool gid)
{
	struct identity *id = &t->id;

	if (!may_become(id, r, gid) || !may_become(id, e, gid) || !may_become(id, s, gid))
		return -EPERM;
	if (gid) {
		if (r != KEEP) id->gid = r;
		if (e != KEEP) id->egid = e;
		if (s != KEEP) id->sgid = s;
	} else {
		if (r != KEEP) id->uid = r;
		if (e != KEEP) id->euid = e;
		if (s != KEEP) id->suid = s;
	}
	return 0;
}

long sys_setresuid(struct task *t, const uint64_t a[6])
{
	return set_res(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], false);
}

long sys_setresgid(struct task *t, const uint64_t a[6])
{
	return set_res(t, (uint32_t)a[0], (uint32_t)a[1], (uint32_t)a[2], true);
}

/* setre*id: the saved id follows the new effective one when the real
 * id is set or the effective one differs from the old real one. */
static long set_re(struct task *t, uint32_t r, uint32_t e, bool gid)
{
	uint32_t old_r = gid ? t->id.gid : t->id.uid;
	uint32_t new_e = e != KEEP ? e : gid ? t->id.egid : t->id.euid;
	uint32_t s = r != KEEP || (e != KEEP && e != old_r) ? new_e : KEEP;

	if (!(t->id.euid == 0 || r == KEEP || r == old_r ||
	      r == (gid ? t->id.egid : t->id.euid)))
		return -EPERM;
	return set_res(t, r, e, s, gid);
}

long sys_setreuid(struct task *t, const uint64_t a[6])
{
	return set_re(t, (uint32_t)a[0], (uint32_t)a[1], false);
}

long sys_setregid(struct task *t, const uint64_t a[6])
{
	return set_re(t, (uint32_t)a[0], (uint32_t)a[1], true);
}

long sys_setuid(struct task *t, const uint64_t a[6])
{
	uint32_t u = (uint32_t)a[0];

	if (t->id.euid == 0)
		return set_res(t, u, u, u, false);
	return set_res(t, KEEP, u, KEEP, false);
}

long sys_setgid(struct task *t, const uint64_t a[6])
{
	uint32_t g = (uint32_t)a[0];

	if (t->id.euid == 0)
		return set_res(t, g, g, g, true);
	return set_res(t, KEEP, g, KEEP, true);
}

static long get_res(struct task *t, const uint64_t a[6], bool gid)
{
	const struct identity *id = &t->id;
	uint32_t v[3] = { gid ? id->gid : id->uid, gid ? id->egid : id->euid,
			  gid ? id->sgid : id->suid };

	for (int i = 0; i < 3; i++)
		if (task_write(t, a[i], &v[i], sizeof(v[i])) < 0)
			return -EFAULT;
	return 0;
}

long sys_getresuid(struct task *t, const uint64_t a[6])
{
	return get_res(t, a, false);
}

long sys_getresgid(struct task *t, const uint64_t a[6])
{
	return get_res(t, a, true);
}
