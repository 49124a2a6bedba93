/*
 * ps: list the processes, one line each, sorted by pid:
 *
 *	  PID  PPID S NAME
 *	    1     0 S init
 *
 * from /proc/<pid>/status, whose lines it reads as Linux writes them and
 * exeunt's /proc must too: "Name:\t<name>", "State:\t<letter> (<word>)",
 * "Pid:\t<pid>", "PPid:\t<ppid>" (others are ignored). A process that
 * exits while ps reads the directory is skipped. No locks, no state kept
 * between runs.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROC		"/proc"

/* One process, as its status file tells it. */
struct proc_info {
	int	pid;
	int	ppid;
	char	state;
	char	name[64];
};

/* Return the value of the line "key:\t<value>" of a status text, its end
 * at the newline, or NULL if the key is missing. */
static const char *
status_field(const char *text, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *p, *next;

	for (p = text; *p != '\0'; p = next) {
		next = p + strcspn(p, "\n");
		if (*next == '\n')
			next++;
		if (strncmp(p, key, klen) == 0 && p[klen] == ':') {
			p += klen + 1;
			p += strspn(p, " \t");
			*len = strcspn(p, "\n");
			return p;
		}
	}
	return NULL;
}

/* Read /proc/<dir>/status into *pi; return 0, or -1 if the process is
 * gone or its status lacks a field. */
static int
proc_read(const char *dir, struct proc_info *pi)
{
	const char *name, *state, *pid, *ppid;
	size_t nlen, slen, plen, pplen;
	char path[300], text[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), PROC "/%s/status", dir);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	name = status_field(text, "Name", &nlen);
	state = status_field(text, "State", &slen);
	pid = status_field(text, "Pid", &plen);
	ppid = status_field(text, "PPid", &pplen);
	if (name == NULL || state == NULL || slen == 0 || pid == NULL ||
	    ppid == NULL)
		return -1;
	if (nlen >= sizeof(pi->name))
		nlen = sizeof(pi->name) - 1;
	memcpy(pi->name, name, nlen);
	pi->name[nlen] = '\0';
	pi->state = state[0];
	pi->pid = atoi(pid);
	pi->ppid = atoi(ppid);
	return 0;
}

/* Order two processes by pid, for qsort. */
static int
proc_cmp(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Return whether s is a non-empty string of digits (a pid directory). */
static int
all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return 0;
	return 1;
}

int
main(void)
{
	struct proc_info *procs = NULL, *grown;
	size_t n = 0, cap = 0, i;
	struct dirent *de;
	DIR *d;

	if ((d = opendir(PROC)) == NULL) {
		fprintf(stderr, "ps: %s: %s\n", PROC, strerror(errno));
		return 1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!all_digits(de->d_name))
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			grown = realloc(procs, cap * sizeof(*procs));
			if (grown == NULL) {
				fprintf(stderr, "ps: out of memory\n");
				return 1;
			}
			procs = grown;
		}
		if (proc_read(de->d_name, &procs[n]) == 0)
			n++;
	}
	closedir(d);
	qsort(procs, n, sizeof(*procs), proc_cmp);
	printf("%5s %5s S NAME\n", "PID", "PPID");
	for (i = 0; i < n; i++)
		printf("%5d %5d %c %s\n", procs[i].pid, procs[i].ppid,
		    procs[i].state, procs[i].name);
	free(procs);
	return 0;
}
