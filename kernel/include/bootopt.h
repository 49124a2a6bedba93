/*
 * Kernel command-line options (kern/kern_bootopt.c), parsed in one place.
 * The command line is GRUB's, followed by QEMU's fw_cfg file
 * opt/exeunt/cmdline when present; a later option overrides an earlier one.
 * Every option is key=value or a bare key; unknown keys are reported.
 */
#ifndef _BOOTOPT_H_
#define _BOOTOPT_H_

#include "types.h"

/* Parse the full command line once at boot. */
void	bootopt_init(const char *cmdline);
/* Return the value of key, "" for a bare key, or def if absent. */
const char *bootopt_get(const char *key, const char *def);
/* Return the numeric value of key, or def if absent or not a number. */
uint64_t bootopt_num(const char *key, uint64_t def);
/* The whole command line as parsed. */
const char *bootopt_cmdline(void);

/* QEMU fw_cfg (dev/fw_cfg.c): copy the named file into buf (NUL-terminated);
 * return its length, or -1 if there is no fw_cfg or no such file. */
int	fw_cfg_read_file(const char *name, char *buf, size_t size);

#endif
