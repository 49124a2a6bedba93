/*
 * arch/x86_64/multiboot.c: read the multiboot2 boot information.
 *
 * Called once, first thing, while the boot page tables still map physical
 * 0..4 GiB through the direct map. Copies what the kernel needs (memory map,
 * command line, modules, ACPI RSDP) into bootinfo; the structure itself is
 * then just memory for uvm_page to exclude until init is done with it.
 */
#include "lib.h"
#include "param.h"
#include "bootinfo.h"

struct bootinfo bootinfo;

#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_MODULE		3
#define MB2_TAG_MMAP		6
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_module {
	struct mb2_tag tag;
	uint32_t start;
	uint32_t end;
	char name[];
};

struct mb2_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
};

struct mb2_mmap_entry {
	uint64_t addr;
	uint64_t len;
	uint32_t type;
	uint32_t rsvd;
};

static void
mb2_mmap(const struct mb2_mmap *m)
{
	const uint8_t *p = (const uint8_t *)(m + 1);
	const uint8_t *end = (const uint8_t *)m + m->tag.size;

	for (; p + m->entry_size <= end; p += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;
		struct bi_mem *bm;

		if (bootinfo.nmem == BI_MAX_MEM) {
			kprintf("multiboot: more than %d memory ranges, rest ignored\n",
			    BI_MAX_MEM);
			return;
		}
		bm = &bootinfo.mem[bootinfo.nmem++];
		bm->start = e->addr;
		bm->len = e->len;
		bm->type = e->type;
	}
}

static void
mb2_module(const struct mb2_module *m)
{
	struct bi_module *bm;

	if (bootinfo.nmods == BI_MAX_MODS) {
		kprintf("multiboot: more than %d modules, rest ignored\n", BI_MAX_MODS);
		return;
	}
	bm = &bootinfo.mods[bootinfo.nmods++];
	bm->start = m->start;
	bm->end = m->end;
	strlcpy(bm->name, m->name, sizeof(bm->name));
}

/* Parse the multiboot2 information at physical address mbi into bootinfo. */
void
multiboot_parse(paddr_t mbi)
{
	const uint8_t *base = PHYS_TO_DMAP(mbi);
	uint32_t total = *(const uint32_t *)base;
	const uint8_t *p = base + 8;

	bootinfo.mbi_start = mbi;
	bootinfo.mbi_end = mbi + total;
	while (p + sizeof(struct mb2_tag) <= base + total) {
		const struct mb2_tag *tag = (const void *)p;

		if (tag->type == MB2_TAG_END)
			break;
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
			strlcpy(bootinfo.cmdline, (const char *)(tag + 1),
			    sizeof(bootinfo.cmdline));
			break;
		case MB2_TAG_MODULE:
			mb2_module((const void *)tag);
			break;
		case MB2_TAG_MMAP:
			mb2_mmap((const void *)tag);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* the loader's copy of the RSDP; prefer the ACPI 2.0 one */
			if (bootinfo.rsdp == 0 || tag->type == MB2_TAG_ACPI_NEW)
				bootinfo.rsdp = DMAP_TO_PHYS(tag + 1);
			break;
		}
		p += roundup(tag->size, 8);
	}
}
