/*
 * Kernel library: formatted output, panic and assertions, string and memory
 * routines (kern/subr_prf.c, kern/subr_string.c).
 */
#ifndef _LIB_H_
#define _LIB_H_

#include "types.h"

int	kprintf(const char *fmt, ...) __printflike(1, 2);
int	vkprintf(const char *fmt, va_list ap);
int	snprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
int	vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Print the message, registers of the caller and a backtrace, then stop the machine. */
void	panic(const char *fmt, ...) __printflike(1, 2) __noreturn;

#define KASSERT(e) do {							\
	if (unlikely(!(e)))						\
		panic("%s: assertion \"%s\" failed at %s:%d",		\
		    __func__, #e, __FILE__, __LINE__);			\
} while (0)

#define CTASSERT(e)	_Static_assert(e, #e)

void	*memset(void *dst, int c, size_t n);
void	*memcpy(void *dst, const void *src, size_t n);
void	*memmove(void *dst, const void *src, size_t n);
int	memcmp(const void *a, const void *b, size_t n);
size_t	strlen(const char *s);
size_t	strnlen(const char *s, size_t max);
int	strcmp(const char *a, const char *b);
int	strncmp(const char *a, const char *b, size_t n);
char	*strchr(const char *s, int c);
size_t	strlcpy(char *dst, const char *src, size_t size);
/* Parse an unsigned decimal or 0x-hex number; return 0 on success, -1 on junk. */
int	strtou64(const char *s, uint64_t *out);

#endif
