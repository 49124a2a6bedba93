/* Fixed-width types and the few freestanding basics every kernel file needs. */
#ifndef _TYPES_H_
#define _TYPES_H_

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint64_t paddr_t;	/* physical address */
typedef uint64_t vaddr_t;	/* virtual address */
typedef uint64_t vsize_t;
typedef int64_t ssize_t;
typedef int32_t pid_t;
typedef uint32_t uid_t;
typedef int64_t off_t;

#define __packed	__attribute__((packed))
#define __aligned(x)	__attribute__((aligned(x)))
#define __noreturn	__attribute__((noreturn))
#define __unused	__attribute__((unused))
#define __used		__attribute__((used))
#define __section(s)	__attribute__((section(s)))
#define __printflike(f, a) __attribute__((format(printf, f, a)))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define roundup(x, y)	((((x) + ((y) - 1)) / (y)) * (y))
#define rounddown(x, y)	(((x) / (y)) * (y))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))

#endif
