/*
 * dev/fw_cfg.c: QEMU's firmware configuration device (I/O ports 0x510/0x511),
 * read-only, used once at boot to fetch opt/exeunt/cmdline so that one ISO can
 * be booted with many command lines (-fw_cfg name=opt/exeunt/cmdline,string=...).
 */
#include "lib.h"
#include "cpufunc.h"
#include "bootopt.h"

#define FW_CFG_PORT_SEL		0x510
#define FW_CFG_PORT_DATA	0x511
#define FW_CFG_SIGNATURE	0x0000
#define FW_CFG_FILE_DIR		0x0019

static void
fw_cfg_read(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n-- > 0)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t
be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

/* Copy the named fw_cfg file into buf, NUL-terminated; return its length or -1. */
int
fw_cfg_read_file(const char *name, char *buf, size_t size)
{
	struct {
		uint32_t size;
		uint16_t select;
		uint16_t rsvd;
		char name[56];
	} f;
	char sig[4];
	uint32_t count, i, n;

	KASSERT(size > 0);
	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	fw_cfg_read(sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4) != 0)
		return -1;
	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	fw_cfg_read(&count, sizeof(count));
	for (i = 0; i < be32(count); i++) {
		fw_cfg_read(&f, sizeof(f));
		if (strncmp(f.name, name, sizeof(f.name)) != 0)
			continue;
		n = MIN(be32(f.size), size - 1);
		outw(FW_CFG_PORT_SEL, __builtin_bswap16(f.select));
		fw_cfg_read(buf, n);
		buf[n] = '\0';
		return (int)n;
	}
	return -1;
}
