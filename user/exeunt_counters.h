/*
 * exeunt_counters.h: reading exeunt's counters (/proc/exeunt, described
 * in kernel/dev/procfs_exeunt.c), header only, for the user programs that
 * read them: init's leak accounting (user/init.c), /bin/counters
 * (user/counters.c) and the failure-injection test
 * (user/tests/failinject.c). No locks: a snapshot belongs to its caller.
 *
 * The file is one "key: value" line per counter. The exact counters are
 * the ones that must come back to where they were once a process and all
 * it made are gone (init's protocol step 6 says which and why); reading
 * them also gives reaper.backlog and smr.pending, which say whether the
 * system is still freeing. Linux has no /proc/exeunt: every reader then
 * says so and the caller does without.
 */
#ifndef _USER_EXEUNT_COUNTERS_H_
#define _USER_EXEUNT_COUNTERS_H_

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXEUNT_COUNTERS_PATH	"/proc/exeunt"
#define EXEUNT_COUNTERS_TEXT	16384	/* the file's size, and more */
#define EXEUNT_COUNTERS_MAX	64	/* exact counters kept */
#define EXEUNT_STACK_PREFAULT	(32 * 1024)	/* a deep stack, and more */

/* The exact counters of one /proc/exeunt snapshot, in the file's order. */
struct exeunt_counters {
	int	n;
	char	name[EXEUNT_COUNTERS_MAX][40];
	long	val[EXEUNT_COUNTERS_MAX];
	long	backlog;		/* reaper.backlog; -1: not there */
	long	pending;		/* smr.pending; -1: not there */
};

/* Read /proc/exeunt into buf (NUL-terminated, truncated to size - 1
 * bytes); return its length, or -1 with errno set (Linux: ENOENT). */
static inline ssize_t
exeunt_counters_text(char *buf, size_t size)
{
	ssize_t n, len = 0;
	int fd = open(EXEUNT_COUNTERS_PATH, O_RDONLY);

	if (fd < 0)
		return -1;
	while (len < (ssize_t)size - 1 &&
	    (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/* Split the next "key: value" line off *text, in place (lines without a
 * colon are passed over); return its key, the text after the colon in
 * *value, or NULL at the end. */
static inline char *
exeunt_counters_next(char **text, char **value)
{
	char *line, *colon;

	while (**text != '\0') {
		line = *text;
		*text += strcspn(line, "\n");
		if (**text == '\n')
			*(*text)++ = '\0';
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		*value = colon + 1;
		return line;
	}
	return NULL;
}

/* Return whether counter name is exact (init's protocol step 6). */
static inline bool
exeunt_counter_exact(const char *name)
{
	static const char *const prefixes[] = { "pages.kernel", "pages.user",
	    "pages.ptp", "pmap.", "vmspaces.", "processes", "threads",
	    "kthreads", "pool." };
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	return false;
}

/* Read the exact counters, reaper.backlog and smr.pending into *c
 * (through a static buffer: taking a snapshot faults no page in once
 * one has been taken); return false if there is no /proc/exeunt. */
static inline bool
exeunt_counters_read(struct exeunt_counters *c)
{
	static char text[EXEUNT_COUNTERS_TEXT];
	char *rest = text, *key, *value;

	if (exeunt_counters_text(text, sizeof(text)) < 0)
		return false;
	c->n = 0;
	c->backlog = c->pending = -1;
	while ((key = exeunt_counters_next(&rest, &value)) != NULL) {
		if (strcmp(key, "reaper.backlog") == 0)
			c->backlog = atol(value);
		else if (strcmp(key, "smr.pending") == 0)
			c->pending = atol(value);
		else if (exeunt_counter_exact(key) &&
		    c->n < EXEUNT_COUNTERS_MAX) {
			snprintf(c->name[c->n], sizeof(c->name[0]), "%.*s",
			    (int)sizeof(c->name[0]) - 1, key);
			c->val[c->n++] = atol(value);
		}
	}
	return true;
}

/* Return the number of exact counters that differ between a and b (a
 * counter list of another length counts once more). */
static inline int
exeunt_counters_diff(const struct exeunt_counters *a,
    const struct exeunt_counters *b)
{
	int i, k = a->n != b->n;

	for (i = 0; i < a->n && i < b->n; i++)
		k += strcmp(a->name[i], b->name[i]) != 0 ||
		    a->val[i] != b->val[i];
	return k;
}

/* Fault in EXEUNT_STACK_PREFAULT bytes of the caller's stack, so that
 * what it runs next (up to that depth) faults no stack page in between
 * two snapshots (not inline: the frame must be its own). */
static void __attribute__((noinline, unused))
exeunt_stack_prefault(void)
{
	volatile char pad[EXEUNT_STACK_PREFAULT];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 512)
		pad[i] = 0;
}

#endif
