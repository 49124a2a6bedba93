/*
 * kern/subr_prf.c: formatted output and panic.
 *
 * vsnprintf is the one formatter; kprintf formats into a per-call buffer and
 * hands whole strings to the console, so lines from different CPUs do not
 * interleave. panic prints the message, the caller's registers and a
 * symbolized backtrace, stops the other CPUs and powers the machine off with
 * a failure status. A second panic while panicking only prints and stops.
 */
#include "lib.h"
#include "cons.h"
#include "cpu.h"
#include "cpufunc.h"
#include "machdep.h"

const char *panicstr;
static int panic_cpu = -1;

struct fmtbuf {
	char	*buf;
	size_t	size;
	size_t	len;	/* characters produced, even past size */
};

static void
fmt_put(struct fmtbuf *fb, char c)
{
	if (fb->len + 1 < fb->size)
		fb->buf[fb->len] = c;
	fb->len++;
}

static void
fmt_num(struct fmtbuf *fb, uint64_t v, int base, bool neg, int width,
    char pad, bool left, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, total;

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v != 0);
	total = n + (neg ? 1 : 0);
	if (neg && pad == '0')
		fmt_put(fb, '-');
	if (!left)
		for (; total < width; total++)
			fmt_put(fb, pad);
	if (neg && pad != '0')
		fmt_put(fb, '-');
	while (n > 0)
		fmt_put(fb, tmp[--n]);
	if (left)
		for (; total < width; total++)
			fmt_put(fb, ' ');
}

/* Format into buf (always NUL-terminated when size > 0); return the full length. */
int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct fmtbuf fb = { buf, size, 0 };

	for (; *fmt; fmt++) {
		int width = 0, lng = 0;
		char pad = ' ';
		bool left = false, alt = false;
		uint64_t u;
		int64_t s;
		const char *str;

		if (*fmt != '%') {
			fmt_put(&fb, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '#')
				alt = true;
			else if (*fmt == '0')
				pad = '0';
			else
				break;
		}
		if (*fmt == '*') {
			width = va_arg(ap, int);
			fmt++;
		}
		for (; *fmt >= '0' && *fmt <= '9'; fmt++)
			width = width * 10 + (*fmt - '0');
		for (; *fmt == 'l' || *fmt == 'z'; fmt++)
			lng++;
		switch (*fmt) {
		case 'd':
		case 'i':
			s = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			fmt_num(&fb, s < 0 ? -(uint64_t)s : (uint64_t)s, 10,
			    s < 0, width, pad, left, false);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			if (alt && (*fmt == 'x' || *fmt == 'X')) {
				fmt_put(&fb, '0');
				fmt_put(&fb, 'x');
			}
			fmt_num(&fb, u, *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16,
			    false, width, pad, left, *fmt == 'X');
			break;
		case 'p':
			fmt_put(&fb, '0');
			fmt_put(&fb, 'x');
			fmt_num(&fb, (uint64_t)va_arg(ap, void *), 16, false,
			    16, '0', false, false);
			break;
		case 's':
			str = va_arg(ap, const char *);
			if (str == NULL)
				str = "(null)";
			u = strlen(str);
			if (!left)
				for (; (int)u < width; width--)
					fmt_put(&fb, ' ');
			while (*str)
				fmt_put(&fb, *str++);
			if (left)
				for (; (int)u < width; width--)
					fmt_put(&fb, ' ');
			break;
		case 'c':
			fmt_put(&fb, (char)va_arg(ap, int));
			break;
		case '%':
			fmt_put(&fb, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			fmt_put(&fb, '%');
			fmt_put(&fb, *fmt);
			break;
		}
	}
	if (size > 0)
		buf[fb.len < size ? fb.len : size - 1] = '\0';
	return (int)fb.len;
}

/* Format into buf; return the length the whole output would have. */
int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

/* Print to the console; return the number of characters. */
int
vkprintf(const char *fmt, va_list ap)
{
	char buf[256];
	va_list ap2;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(buf, sizeof(buf), fmt, ap2);
	va_end(ap2);
	cons_write(buf, MIN((size_t)n, sizeof(buf) - 1));
	if ((size_t)n >= sizeof(buf))
		cons_write("...\n", 4);
	return n;
}

/* Print to the console; return the number of characters. */
int
kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vkprintf(fmt, ap);
	va_end(ap);
	return n;
}

/* Print the message, registers and a backtrace, then stop the machine. */
void
panic(const char *fmt, ...)
{
	static char msg[256];
	va_list ap;

	int self = (int)cpu_number(), prev = -1;

	intr_disable();
	if (!__atomic_compare_exchange_n(&panic_cpu, &prev, self, false,
	    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
		if (prev == self) {	/* panic while reporting a panic */
			cons_panic();
			kprintf("panic: nested panic: %s\n", fmt);
			machine_halt(EXIT_PANIC);
		}
		for (;;)		/* another CPU is reporting */
			hlt();
	}
	cpu_stop_others();
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	panicstr = msg;
	cons_panic();
	kprintf("\npanic: %s\n", msg);
	db_print_regs_here();
	kprintf("backtrace:\n");
	db_stack_trace((uint64_t)__builtin_frame_address(0));
	machine_halt(EXIT_PANIC);
}
