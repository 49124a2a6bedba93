/*
 * counters: exeunt's teardown counters (/proc/exeunt, described in
 * kernel/dev/procfs_exeunt.c) as a compact table, refreshed every second:
 * one row per group of keys (pages, vmspaces by state, the reaper and
 * SMR backlogs, trace, ...), then the pools. A value that changed since
 * the last refresh shows the change, "free=48001(-12)", in bold on a
 * terminal, which is also cleared before each refresh.
 *
 * usage: counters [-1 | -n COUNT]
 *   -1		print once and exit (the same as -n 1)
 *   -n COUNT	print COUNT times, a second apart (default: until killed)
 *
 * No locks and no state beyond the previous snapshot.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exeunt_counters.h"

#define MAXKEYS		128
#define MAXVALS		3		/* a pool line: live, peak, slabs */

/* One line of /proc/exeunt: "group.name: v [v v]" or "name: v". */
struct counter {
	char	key[48];
	char	text[48];		/* the value as written (purge: exit) */
	long	val[MAXVALS];
	int	nval;			/* numbers in text; 0: a word */
};

struct snapshot {
	struct counter	c[MAXKEYS];
	int		n;
};

static int use_ansi;			/* stdout is a terminal */

/* Read /proc/exeunt into *s; return 0, or -1 with errno set. */
static int
snapshot_read(struct snapshot *s)
{
	static char buf[EXEUNT_COUNTERS_TEXT];
	char *rest = buf, *key, *value, *end;
	struct counter *c;

	if (exeunt_counters_text(buf, sizeof(buf)) < 0)
		return -1;
	s->n = 0;
	while (s->n < MAXKEYS &&
	    (key = exeunt_counters_next(&rest, &value)) != NULL) {
		c = &s->c[s->n++];
		snprintf(c->key, sizeof(c->key), "%.*s",
		    (int)sizeof(c->key) - 1, key);
		snprintf(c->text, sizeof(c->text), "%.*s",
		    (int)sizeof(c->text) - 1, value + strspn(value, " \t"));
		for (c->nval = 0, end = c->text; c->nval < MAXVALS;
		    c->nval++) {
			char *p = end;

			c->val[c->nval] = strtol(p, &end, 10);
			if (end == p)
				break;
		}
	}
	return 0;
}

/* Return the counter of prev with c's key, or NULL. */
static const struct counter *
snapshot_find(const struct snapshot *prev, const struct counter *c)
{
	int i;

	for (i = 0; prev != NULL && i < prev->n; i++)
		if (strcmp(prev->c[i].key, c->key) == 0)
			return &prev->c[i];
	return NULL;
}

/* Print value i of c, with its change since old (if any) marked. */
static void
value_print(const struct counter *c, int i, const struct counter *old,
    int width)
{
	char out[48];
	long d = old != NULL && old->nval > i ? c->val[i] - old->val[i] : 0;

	if (c->nval == 0)
		snprintf(out, sizeof(out), "%s", c->text);
	else if (d != 0)
		snprintf(out, sizeof(out), "%ld(%+ld)", c->val[i], d);
	else
		snprintf(out, sizeof(out), "%ld", c->val[i]);
	printf(d != 0 && use_ansi ? "\033[1m%*s\033[0m" : "%*s", width, out);
}

/* Print one refresh: a row per group of keys ("vmspaces" for
 * vmspaces.live, .purged, .dead; keys without a group share an unnamed
 * row), then the pools. */
static void
snapshot_print(const struct snapshot *s, const struct snapshot *prev,
    int round)
{
	const struct counter *c;
	const char *dot, *group = NULL;
	int i, j, glen = 0, len, pools = 0;

	if (use_ansi)
		printf("\033[H\033[2J");
	printf("exeunt counters (%s, refresh %d%s)\n", EXEUNT_COUNTERS_PATH,
	    round, round > 1 ? "; (+n) changed since the last" : "");
	for (i = 0; i < s->n; i++) {
		c = &s->c[i];
		if (strncmp(c->key, "pool.", 5) == 0) {
			pools++;
			continue;
		}
		dot = strchr(c->key, '.');
		len = dot != NULL ? (int)(dot - c->key) : 0;
		if (group == NULL || len != glen ||
		    strncmp(group, c->key, len) != 0) {
			printf("%s%-10.*s", group != NULL ? "\n" : "", len,
			    c->key);
			group = c->key;
			glen = len;
		}
		printf(" %s=", dot != NULL ? dot + 1 : c->key);
		value_print(c, 0, snapshot_find(prev, c), 0);
	}
	printf("\n");
	if (pools > 0)
		printf("%-16s %10s %10s %10s\n", "pool", "live", "peak", "slabs");
	for (i = 0; i < s->n; i++) {
		c = &s->c[i];
		if (strncmp(c->key, "pool.", 5) != 0)
			continue;
		printf("  %-14s", c->key + 5);
		for (j = 0; j < c->nval; j++) {
			printf(" ");
			value_print(c, j, snapshot_find(prev, c), 10);
		}
		printf("\n");
	}
	fflush(stdout);
}

/* Print the usage and exit with status 2. */
static void
usage(void)
{
	fprintf(stderr, "usage: counters [-1 | -n COUNT]\n");
	exit(2);
}

/* Parse the options, then print a table per refresh until the count is
 * done (or forever); exit 1 if /proc/exeunt cannot be read. */
int
main(int argc, char **argv)
{
	static struct snapshot snaps[2];
	long count = -1;		/* refreshes left; -1: forever */
	char *end;
	int ch, round;

	while ((ch = getopt(argc, argv, "1n:")) != -1) {
		if (ch == '1')
			count = 1;
		else if (ch == 'n') {
			count = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || count < 1)
				usage();
		} else
			usage();
	}
	if (optind != argc)
		usage();
	use_ansi = isatty(STDOUT_FILENO);
	for (round = 1; count < 0 || round <= count; round++) {
		struct snapshot *s = &snaps[round % 2];

		if (round > 1)
			sleep(1);
		if (snapshot_read(s) < 0) {
			fprintf(stderr, "counters: %s: %s\n",
			    EXEUNT_COUNTERS_PATH, strerror(errno));
			return 1;
		}
		snapshot_print(s, round > 1 ? &snaps[(round + 1) % 2] : NULL,
		    round);
		if (!use_ansi && (count < 0 || round < count))
			printf("\n");
	}
	return 0;
}
