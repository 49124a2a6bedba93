/*
 * dev/cons.c: the kernel console. Output goes to the serial port under
 * cons_lock, whole strings at a time; a panic breaks the lock so its report
 * always gets out. "\n" is sent as "\r\n".
 */
#include "lib.h"
#include "cons.h"
#include "lock.h"

static struct spinlock cons_lock = SPINLOCK_INITIALIZER("cons");
static volatile bool cons_broken;	/* panic: write without the lock */

void
cons_init(void)
{
	com_init();
}

/* Write n bytes atomically with respect to other writers. */
void
cons_write(const char *s, size_t n)
{
	bool locked = !cons_broken;
	size_t i;

	if (locked)
		spinlock_acquire(&cons_lock);
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			com_putc('\r');
		com_putc(s[i]);
	}
	if (locked)
		spinlock_release(&cons_lock);
}

/* Read one byte if one is waiting; return -1 if none. */
int
cons_getc(void)
{
	return com_getc();
}

/* Panic: break the console lock so the report always gets out. */
void
cons_panic(void)
{
	cons_broken = true;
}
