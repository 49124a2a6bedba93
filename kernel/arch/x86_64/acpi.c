/*
 * arch/x86_64/acpi.c: the ACPI tables the kernel needs to find its CPUs.
 *
 * Owns acpi_madt, filled once by acpi_init on the boot CPU before any other
 * CPU runs and read-only afterwards (no lock). The RSDP is the loader's copy
 * (bootinfo.rsdp) when it checks out, else found by scanning the EBDA and the
 * BIOS area 0xE0000-0xFFFFF. From it the XSDT (ACPI 2.0+), or the RSDT when
 * there is none or it is unusable, leads to the MADT. Every table is read in
 * place through the direct map, and only after its address, length and
 * checksum passed: a bad table is reported and skipped, never followed.
 * Without a usable MADT the kernel runs on one CPU.
 */
#include "lib.h"
#include "param.h"
#include "bootinfo.h"
#include "acpi.h"

struct acpi_madt_info acpi_madt;
bool acpi_madt_found;

/* Tables must lie in the part of the direct map that always exists. */
#define ACPI_PHYS_LIMIT		(4UL << 30)
#define ACPI_TABLE_MAX		(1UL << 20)	/* larger is corrupt, not big */
#define RSDP_V1_LEN		20
#define BIOS_EBDA_PTR		0x40e		/* real-mode segment of the EBDA */
#define BIOS_ROM_START		0xe0000
#define BIOS_ROM_END		0x100000

struct madt_entry {
	uint8_t		type;
	uint8_t		length;
} __packed;

struct madt_lapic {
	struct madt_entry hdr;
	uint8_t		uid;
	uint8_t		apicid;
	uint32_t	flags;
} __packed;

struct madt_ioapic {
	struct madt_entry hdr;
	uint8_t		id;
	uint8_t		rsvd;
	uint32_t	addr;
	uint32_t	gsi_base;
} __packed;

struct madt_iso {
	struct madt_entry hdr;
	uint8_t		bus;
	uint8_t		source;
	uint32_t	gsi;
	uint16_t	flags;
} __packed;

struct madt_lapic_override {
	struct madt_entry hdr;
	uint16_t	rsvd;
	uint64_t	addr;
} __packed;

struct madt_x2apic {
	struct madt_entry hdr;
	uint16_t	rsvd;
	uint32_t	x2apicid;
	uint32_t	flags;
	uint32_t	uid;
} __packed;

/* Return the 8-bit sum of n bytes (0 for a table with a good checksum). */
uint8_t
acpi_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (n-- > 0)
		sum += *b++;
	return sum;
}

/* Copy the n-character field s into buf (n + 1 bytes) as a C string. */
static const char *
acpi_str(char *buf, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	buf[n] = '\0';
	return buf;
}

/* Return true if the RSDP at rsdp has a good signature and checksums. */
bool
acpi_rsdp_valid(const struct acpi_rsdp *rsdp)
{
	if (memcmp(rsdp->rsdp_sig, "RSD PTR ", 8) != 0 ||
	    acpi_checksum(rsdp, RSDP_V1_LEN) != 0)
		return false;
	if (rsdp->rsdp_revision < 2)
		return true;
	return rsdp->rsdp_length >= sizeof(*rsdp) &&
	    rsdp->rsdp_length <= PAGE_SIZE &&
	    acpi_checksum(rsdp, rsdp->rsdp_length) == 0;
}

/* Return the first valid RSDP on a 16-byte boundary in [start, end), or 0. */
static paddr_t
acpi_rsdp_scan_range(paddr_t start, paddr_t end)
{
	paddr_t pa;

	for (pa = roundup(start, 16); pa + sizeof(struct acpi_rsdp) <= end; pa += 16)
		if (acpi_rsdp_valid(PHYS_TO_DMAP(pa)))
			return pa;
	return 0;
}

/* Return the physical address of a valid RSDP found by scanning the EBDA
 * (its first KiB) and 0xE0000-0xFFFFF, or 0. */
paddr_t
acpi_rsdp_scan(void)
{
	paddr_t ebda = (paddr_t)*(const uint16_t *)PHYS_TO_DMAP(BIOS_EBDA_PTR) << 4;
	paddr_t pa = 0;

	if (ebda >= 0x80000 && ebda < 0xa0000)
		pa = acpi_rsdp_scan_range(ebda, ebda + 1024);
	if (pa == 0)
		pa = acpi_rsdp_scan_range(BIOS_ROM_START, BIOS_ROM_END);
	return pa;
}

/* Return the table at physical pa if it is in reach, sane and checksums to
 * zero (and has signature sig, unless sig is NULL); else NULL, with a message. */
static const struct acpi_sdt_hdr *
acpi_table_map(paddr_t pa, const char *sig)
{
	const struct acpi_sdt_hdr *h;
	char name[5];

	if (pa == 0 || pa + sizeof(*h) > ACPI_PHYS_LIMIT) {
		kprintf("acpi: table address %#lx out of reach, ignored\n", pa);
		return NULL;
	}
	h = PHYS_TO_DMAP(pa);
	if (sig != NULL && memcmp(h->sdt_sig, sig, 4) != 0) {
		kprintf("acpi: table at %#lx is not %s, ignored\n", pa, sig);
		return NULL;
	}
	if (h->sdt_length < sizeof(*h) || h->sdt_length > ACPI_TABLE_MAX ||
	    pa + h->sdt_length > ACPI_PHYS_LIMIT) {
		kprintf("acpi: table %s at %#lx has a bad length %u, ignored\n",
		    acpi_str(name, h->sdt_sig, 4), pa, h->sdt_length);
		return NULL;
	}
	if (acpi_checksum(h, h->sdt_length) != 0) {
		kprintf("acpi: table %s at %#lx has a bad checksum, ignored\n",
		    acpi_str(name, h->sdt_sig, 4), pa);
		return NULL;
	}
	return h;
}

/* Find the valid table with signature sig listed in the XSDT (xsdt) or RSDT
 * at root_pa; return it or NULL. */
static const struct acpi_sdt_hdr *
acpi_table_find_in(paddr_t root_pa, bool xsdt, const char *sig)
{
	const struct acpi_sdt_hdr *root, *h;
	size_t esize = xsdt ? 8 : 4, i, n;
	char name[5];

	root = acpi_table_map(root_pa, xsdt ? "XSDT" : "RSDT");
	if (root == NULL)
		return NULL;
	n = (root->sdt_length - sizeof(*root)) / esize;
	for (i = 0; i < n; i++) {
		const uint8_t *ep = (const uint8_t *)(root + 1) + i * esize;
		uint64_t pa = 0;

		memcpy(&pa, ep, esize);		/* entries may be unaligned */
		if (pa == 0 || pa + sizeof(*h) > ACPI_PHYS_LIMIT) {
			kprintf("acpi: %s entry %zu (%#lx) out of reach, ignored\n",
			    acpi_str(name, root->sdt_sig, 4), i, pa);
			continue;
		}
		if (memcmp(((const struct acpi_sdt_hdr *)PHYS_TO_DMAP(pa))->sdt_sig,
		    sig, 4) != 0)
			continue;
		h = acpi_table_map(pa, sig);
		if (h != NULL)
			return h;
	}
	return NULL;
}

/* Return the valid table with signature sig listed by rsdp's XSDT, or else
 * by its RSDT (firmware with a broken XSDT), or NULL. */
const struct acpi_sdt_hdr *
acpi_table_find(const struct acpi_rsdp *rsdp, const char *sig)
{
	const struct acpi_sdt_hdr *h = NULL;

	if (rsdp->rsdp_revision >= 2 && rsdp->rsdp_xsdt != 0)
		h = acpi_table_find_in(rsdp->rsdp_xsdt, true, sig);
	if (h == NULL && rsdp->rsdp_rsdt != 0)
		h = acpi_table_find_in(rsdp->rsdp_rsdt, false, sig);
	return h;
}

/* Record one processor of the MADT if it is enabled. */
static void
madt_add_cpu(struct acpi_madt_info *mi, uint32_t apicid, uint32_t uid,
    uint32_t flags)
{
	if ((flags & MADT_CPU_ENABLED) == 0)
		return;
	if (mi->mi_ncpus == MAXCPUS || apicid > 0xff) {
		mi->mi_ncpus_ignored++;	/* xAPIC mode reaches 8-bit IDs only */
		return;
	}
	mi->mi_cpus[mi->mi_ncpus].apicid = apicid;
	mi->mi_cpus[mi->mi_ncpus].uid = uid;
	mi->mi_ncpus++;
}

/* The minimum length of an entry of type type, or 0 for a type we skip. */
static size_t
madt_entry_minlen(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC:		return sizeof(struct madt_lapic);
	case MADT_IOAPIC:		return sizeof(struct madt_ioapic);
	case MADT_ISO:			return sizeof(struct madt_iso);
	case MADT_LAPIC_OVERRIDE:	return sizeof(struct madt_lapic_override);
	case MADT_X2APIC:		return sizeof(struct madt_x2apic);
	default:			return 0;
	}
}

/* Parse the MADT at madt (its sdt_length bytes are readable) into mi;
 * return 0, or -1 with a message if an entry is malformed. */
int
acpi_madt_parse(const struct acpi_madt_hdr *madt, struct acpi_madt_info *mi)
{
	const uint8_t *base = (const uint8_t *)madt;
	uint32_t len = madt->madt_hdr.sdt_length, off;

	memset(mi, 0, sizeof(*mi));
	if (len < sizeof(*madt)) {
		kprintf("acpi: MADT of %u bytes is shorter than its header\n", len);
		return -1;
	}
	mi->mi_lapic_pa = madt->madt_lapic;
	mi->mi_pcat = (madt->madt_flags & 1) != 0;
	for (off = sizeof(*madt); off < len;) {
		const struct madt_entry *e = (const void *)(base + off);
		size_t minlen;

		if (len - off < sizeof(*e) || e->length < sizeof(*e) ||
		    e->length > len - off) {
			kprintf("acpi: MADT entry at offset %u runs past the table "
			    "(length %u of %u bytes left)\n", off,
			    len - off < sizeof(*e) ? 0 : e->length, len - off);
			return -1;
		}
		minlen = madt_entry_minlen(e->type);
		if (e->length < minlen) {
			kprintf("acpi: MADT entry type %u at offset %u is %u bytes, "
			    "needs %zu\n", e->type, off, e->length, minlen);
			return -1;
		}
		switch (e->type) {
		case MADT_LAPIC: {
			const struct madt_lapic *l = (const void *)e;

			madt_add_cpu(mi, l->apicid, l->uid, l->flags);
			break;
		}
		case MADT_X2APIC: {
			const struct madt_x2apic *x = (const void *)e;

			madt_add_cpu(mi, x->x2apicid, x->uid, x->flags);
			break;
		}
		case MADT_IOAPIC: {
			const struct madt_ioapic *io = (const void *)e;

			if (mi->mi_nioapics == ACPI_MAX_IOAPICS) {
				kprintf("acpi: more than %d IOAPICs, id %u ignored\n",
				    ACPI_MAX_IOAPICS, io->id);
				break;
			}
			mi->mi_ioapics[mi->mi_nioapics].id = io->id;
			mi->mi_ioapics[mi->mi_nioapics].pa = io->addr;
			mi->mi_ioapics[mi->mi_nioapics].gsi_base = io->gsi_base;
			mi->mi_nioapics++;
			break;
		}
		case MADT_ISO: {
			const struct madt_iso *iso = (const void *)e;

			if (mi->mi_nisos == ACPI_MAX_ISOS) {
				kprintf("acpi: more than %d interrupt overrides, "
				    "IRQ %u ignored\n", ACPI_MAX_ISOS, iso->source);
				break;
			}
			mi->mi_isos[mi->mi_nisos].bus = iso->bus;
			mi->mi_isos[mi->mi_nisos].irq = iso->source;
			mi->mi_isos[mi->mi_nisos].gsi = iso->gsi;
			mi->mi_isos[mi->mi_nisos].flags = iso->flags;
			mi->mi_nisos++;
			break;
		}
		case MADT_LAPIC_OVERRIDE:
			mi->mi_lapic_pa = ((const struct madt_lapic_override *)e)->addr;
			break;
		}
		off += e->length;
	}
	return 0;
}

/* Return the loader's RSDP if valid, else one found by scanning, else NULL. */
static const struct acpi_rsdp *
acpi_rsdp_find(void)
{
	paddr_t pa;

	if (bootinfo.rsdp != 0) {
		if (acpi_rsdp_valid(PHYS_TO_DMAP(bootinfo.rsdp)))
			return PHYS_TO_DMAP(bootinfo.rsdp);
		kprintf("acpi: the loader's RSDP copy is invalid, scanning\n");
	}
	pa = acpi_rsdp_scan();
	return pa != 0 ? PHYS_TO_DMAP(pa) : NULL;
}

/* Boot CPU, once: find the RSDP and parse the MADT into acpi_madt.
 * Return 0, or -1 (with a message) if there is no usable MADT. */
int
acpi_init(void)
{
	const struct acpi_rsdp *rsdp = acpi_rsdp_find();
	const struct acpi_sdt_hdr *madt;
	char oem[7];

	if (rsdp == NULL) {
		kprintf("acpi: no RSDP found; running on one CPU\n");
		return -1;
	}
	madt = acpi_table_find(rsdp, "APIC");
	if (madt == NULL) {
		kprintf("acpi: no valid MADT; running on one CPU\n");
		return -1;
	}
	if (acpi_madt_parse((const struct acpi_madt_hdr *)madt, &acpi_madt) != 0) {
		kprintf("acpi: MADT unusable; running on one CPU\n");
		memset(&acpi_madt, 0, sizeof(acpi_madt));
		return -1;
	}
	acpi_madt_found = true;
	kprintf("acpi: rev %u (%s), MADT: %d CPU(s), %d IOAPIC(s), "
	    "%d override(s), LAPIC at %#lx\n", rsdp->rsdp_revision,
	    acpi_str(oem, rsdp->rsdp_oemid, 6), acpi_madt.mi_ncpus, acpi_madt.mi_nioapics,
	    acpi_madt.mi_nisos, acpi_madt.mi_lapic_pa);
	if (acpi_madt.mi_ncpus_ignored > 0)
		kprintf("acpi: %d enabled CPU(s) beyond %d or with APIC IDs above "
		    "255 ignored\n", acpi_madt.mi_ncpus_ignored, MAXCPUS);
	return 0;
}
