/* The kernel console (dev/cons.c): the serial port, one writer at a time. */
#ifndef _CONS_H_
#define _CONS_H_

#include "types.h"

void	cons_init(void);
/* Write n bytes atomically with respect to other writers. */
void	cons_write(const char *s, size_t n);
/* Read one byte if one is waiting; return -1 if none. */
int	cons_getc(void);
/* Panic: break the console lock so the report always gets out. */
void	cons_panic(void);

/* 16550 UART (arch/x86_64/serial.c) */
void	com_init(void);
void	com_putc(char c);
int	com_getc(void);

#endif
