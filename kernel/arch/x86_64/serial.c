/*
 * arch/x86_64/serial.c: the 16550 UART on COM1 (I/O port 0x3f8), polled.
 * No locking here: dev/cons.c serializes writers.
 */
#include "cons.h"
#include "cpufunc.h"

#define COM1		0x3f8
#define COM_DATA	0	/* data register, or divisor low with DLAB */
#define COM_IER		1	/* interrupt enable, or divisor high with DLAB */
#define COM_FCR		2	/* FIFO control */
#define COM_LCR		3	/* line control */
#define COM_MCR		4	/* modem control */
#define COM_LSR		5	/* line status */
#define LCR_DLAB	0x80
#define LCR_8N1		0x03
#define LSR_RXRDY	0x01
#define LSR_TXRDY	0x20

/* 115200 baud, 8N1, FIFOs on, interrupts off. */
void
com_init(void)
{
	outb(COM1 + COM_IER, 0);
	outb(COM1 + COM_LCR, LCR_DLAB);
	outb(COM1 + COM_DATA, 1);	/* divisor 1: 115200 baud */
	outb(COM1 + COM_IER, 0);
	outb(COM1 + COM_LCR, LCR_8N1);
	outb(COM1 + COM_FCR, 0xc7);	/* enable and clear FIFOs */
	outb(COM1 + COM_MCR, 0x03);	/* DTR, RTS */
}

/* Send one byte, waiting for room in the transmitter. */
void
com_putc(char c)
{
	while ((inb(COM1 + COM_LSR) & LSR_TXRDY) == 0)
		cpu_pause();
	outb(COM1 + COM_DATA, (uint8_t)c);
}

/* Return a received byte, or -1 if none is waiting. */
int
com_getc(void)
{
	if ((inb(COM1 + COM_LSR) & LSR_RXRDY) == 0)
		return -1;
	return inb(COM1 + COM_DATA);
}
