/*
 * ACPI tables (arch/x86_64/acpi.c): just enough to find the processors and
 * interrupt controllers. The RSDP comes from the loader (bootinfo.rsdp) or a
 * scan of the BIOS areas; the XSDT (or RSDT) leads to the MADT, whose
 * contents are copied into acpi_madt once at boot and read-only afterwards.
 * Tables are read in place through the direct map and checked (signature,
 * length, checksum, entry bounds) before anything in them is believed.
 */
#ifndef _ACPI_H_
#define _ACPI_H_

#include "types.h"
#include "param.h"

struct acpi_rsdp {
	char		rsdp_sig[8];	/* "RSD PTR " */
	uint8_t		rsdp_checksum;	/* of the first 20 bytes */
	char		rsdp_oemid[6];
	uint8_t		rsdp_revision;	/* 0: ACPI 1.0; 2: has the fields below */
	uint32_t	rsdp_rsdt;
	uint32_t	rsdp_length;
	uint64_t	rsdp_xsdt;
	uint8_t		rsdp_xchecksum;	/* of rsdp_length bytes */
	uint8_t		rsdp_rsvd[3];
} __packed;

struct acpi_sdt_hdr {
	char		sdt_sig[4];
	uint32_t	sdt_length;	/* of the whole table, header included */
	uint8_t		sdt_revision;
	uint8_t		sdt_checksum;
	char		sdt_oemid[6];
	char		sdt_oemtable[8];
	uint32_t	sdt_oemrev;
	uint32_t	sdt_creator;
	uint32_t	sdt_creatorrev;
} __packed;

/* The MADT: the header, then variable-length entries (type, length, ...). */
struct acpi_madt_hdr {
	struct acpi_sdt_hdr madt_hdr;
	uint32_t	madt_lapic;	/* local APIC physical address */
	uint32_t	madt_flags;	/* bit 0: 8259 PICs present */
} __packed;

#define MADT_LAPIC		0
#define MADT_IOAPIC		1
#define MADT_ISO		2
#define MADT_LAPIC_OVERRIDE	5
#define MADT_X2APIC		9
#define MADT_CPU_ENABLED	0x1

#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_ISOS		16

/* What the MADT says. [const after acpi_init] */
struct acpi_madt_info {
	paddr_t		mi_lapic_pa;
	bool		mi_pcat;		/* legacy 8259 PICs present */
	int		mi_ncpus;		/* enabled processors recorded */
	int		mi_ncpus_ignored;	/* enabled beyond MAXCPUS or APIC ID > 255 */
	struct {
		uint32_t apicid;
		uint32_t uid;			/* ACPI processor UID */
	} mi_cpus[MAXCPUS];
	int		mi_nioapics;
	struct {
		uint8_t	 id;
		paddr_t	 pa;
		uint32_t gsi_base;
	} mi_ioapics[ACPI_MAX_IOAPICS];
	int		mi_nisos;
	struct {
		uint8_t	 bus, irq;		/* ISA IRQ irq ... */
		uint32_t gsi;			/* ... arrives as GSI gsi */
		uint16_t flags;			/* MPS INTI polarity/trigger */
	} mi_isos[ACPI_MAX_ISOS];
};

extern struct acpi_madt_info acpi_madt;
extern bool acpi_madt_found;

/* Boot CPU, once: find the RSDP and parse the MADT into acpi_madt.
 * Return 0, or -1 (with a message) if there is no usable MADT; the kernel
 * then runs on the boot CPU alone. */
int	acpi_init(void);

/* Return the physical address of a valid RSDP found by scanning the EBDA
 * and 0xE0000-0xFFFFF, or 0. */
paddr_t	acpi_rsdp_scan(void);
/* Return true if the RSDP at rsdp has a good signature and checksums. */
bool	acpi_rsdp_valid(const struct acpi_rsdp *rsdp);
/* Return the valid table with signature sig listed by rsdp's XSDT, or else
 * by its RSDT, or NULL. Tables must lie below 4 GiB. */
const struct acpi_sdt_hdr *acpi_table_find(const struct acpi_rsdp *rsdp,
	    const char *sig);
/* Parse the MADT at madt (length already checked against its mapping) into
 * mi; return 0, or -1 with a message if an entry is malformed. */
int	acpi_madt_parse(const struct acpi_madt_hdr *madt, struct acpi_madt_info *mi);
/* Return the 8-bit sum of n bytes (0 for a table with a good checksum). */
uint8_t	acpi_checksum(const void *p, size_t n);

#endif
