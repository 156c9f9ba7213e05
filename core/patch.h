/* core/patch.h — instructions that read nondeterministic CPU state without
 * a syscall (rdtsc, rdtscp, cpuid, rdrand, rdseed, xgetbv): finding them in
 * guest code with the Zydis decoder, the table of sites that deja rewrote
 * into a trap (ud2), and the view of guest memory with the original bytes.
 * Pure computation: no host access, no guest access. */
#ifndef DEJA_PATCH_H
#define DEJA_PATCH_H

#include <stddef.h>
#include <stdint.h>

enum patch_kind {
	PATCH_RDTSC = 1,
	PATCH_RDTSCP,
	PATCH_CPUID,
	PATCH_RDRAND,
	PATCH_RDSEED,
	PATCH_XGETBV,
	PATCH_RDPID,       /* reads TSC_AUX (the CPU number) into a register */
};
const char *patch_kind_name(int kind);

/* The trap written over the first bytes of each site: ud2 (0f 0b). */
#define PATCH_TRAP_LEN 2

struct patch_site {
	uint64_t addr;     /* guest address of the instruction */
	uint8_t len;       /* its full length in bytes */
	uint8_t kind;      /* enum patch_kind */
	uint8_t reg;       /* rdrand/rdseed/rdpid: destination GPR 0..15 */
	uint8_t width;     /* rdrand/rdseed: operand size in bytes 2, 4, 8 */
	uint8_t orig[PATCH_TRAP_LEN]; /* the bytes the trap replaced */
};

struct patch_table;
struct patch_table *patch_table_new(void);
/* Do not rewrite instructions of KIND (the CPU traps them itself). */
void patch_table_skip(struct patch_table *pt, int kind);
void patch_table_free(struct patch_table *pt);
/* An independent copy of PT (sites and skip mask), or NULL on ENOMEM. */
struct patch_table *patch_table_clone(const struct patch_table *pt);

/* Decode CODE, which will live at guest address BASE, and add a site for
 * each instruction of interest. STARTS (optional, sorted or not) are known
 * instruction boundaries such as function symbols, used to resynchronise
 * the linear sweep. Returns the number of sites added, or -errno. */
int patch_scan(struct patch_table *pt, uint64_t base, const uint8_t *code,
	       size_t len, const uint64_t *starts, size_t nstarts);
/* Write the trap bytes of every site inside [base, base+len) into BUF. */
void patch_apply(const struct patch_table *pt, uint64_t base, uint8_t *buf,
		 size_t len);
/* Replace trap bytes in BUF (guest bytes at ADDR) with the originals. */
void patch_unpatch_view(const struct patch_table *pt, uint64_t addr,
			uint8_t *buf, size_t len);
/* The site whose trap starts exactly at ADDR, or NULL. */
const struct patch_site *patch_lookup(const struct patch_table *pt,
				      uint64_t addr);
/* Forget sites in [addr, addr+len) (the code was unmapped). */
void patch_remove_range(struct patch_table *pt, uint64_t addr, size_t len);
size_t patch_count(const struct patch_table *pt);

#endif
