/*
 * kern/kern_ksyms.c: the kernel's own symbol table, for backtraces.
 *
 * tools/ksyms.py writes the text symbols of a first link into the .ksyms
 * section of the final one (linker.ld puts it last, so filling it moves no
 * other symbol). Layout: a count, then (address, name offset) pairs sorted by
 * address, then the NUL-terminated names. Read-only after link.
 */
#include "lib.h"
#include "machdep.h"

struct ksym {
	uint64_t addr;
	uint64_t name;		/* offset into the string table */
};

extern const struct {
	uint64_t count;
	struct ksym syms[];
} ksyms_table;
extern const char _text[], _etext[];

static const char *
ksym_name(uint64_t i)
{
	const char *strtab = (const char *)&ksyms_table.syms[ksyms_table.count];

	return strtab + ksyms_table.syms[i].name;
}

/* Return the name of the function containing addr and its offset, or NULL. */
const char *
ksyms_lookup(uint64_t addr, uint64_t *offp)
{
	uint64_t lo = 0, hi = ksyms_table.count;

	if (addr < (uint64_t)_text || addr >= (uint64_t)_etext || hi == 0)
		return NULL;
	/* find the last symbol whose address is <= addr */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksyms_table.syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (ksyms_table.syms[lo].addr > addr)
		return NULL;
	if (offp != NULL)
		*offp = addr - ksyms_table.syms[lo].addr;
	return ksym_name(lo);
}

/* Return the address of the named symbol, or 0. */
uint64_t
ksyms_addr(const char *name)
{
	uint64_t i;

	for (i = 0; i < ksyms_table.count; i++)
		if (strcmp(ksym_name(i), name) == 0)
			return ksyms_table.syms[i].addr;
	return 0;
}
