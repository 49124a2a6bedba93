/*
 * sh: the small shell init runs on the console. It owns the jobs it
 * started in the background (a table, no locks: one thread) and lives
 * until "exit" or the end of its input.
 *
 * A line is words separated by blanks; no quotes, variables or pipes.
 *	prog args...	run prog (searched in $PATH, default /bin:/tests,
 *			unless it holds a '/') and wait for it; a failure
 *			shows as "[exit 3]" or "[signal 11]"
 *	prog args... &	run it in the background: "[pid]"; when it ends,
 *			"[pid done]", "[pid exit 3]" or "[pid signal 11]"
 *	wait		wait for every background job
 *	exit [n]	leave with status n (default 0)
 *	# ...		a comment
 * The prompt "$ " is shown when the input is a terminal.
 */
#define _GNU_SOURCE		/* strchrnul */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_	512
#define ARGS_MAX	32
#define JOBS_MAX	64
#define PATH_DEFAULT	"/bin:/tests"
#define EXIT_NOTFOUND	127

extern char **environ;

static pid_t jobs[JOBS_MAX];		/* background pids; 0: free slot */

/* Read one line from fd 0 (a byte at a time, so that the programs run
 * later find the rest of the input) into buf without its newline; return
 * false at the end of input. An overlong line is cut. */
static bool
line_read(char *buf, size_t size)
{
	size_t n = 0;
	ssize_t got;
	char c;

	for (;;) {
		got = read(STDIN_FILENO, &c, 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			buf[n] = '\0';
			return n > 0;
		}
		if (c == '\n')
			break;
		if (n + 1 < size)
			buf[n++] = c;
	}
	buf[n] = '\0';
	return true;
}

/* Split line into blank-separated words (in place); return their count,
 * argv NULL-terminated. */
static int
line_split(char *line, char **argv)
{
	int argc = 0;
	char *save, *w;

	for (w = strtok_r(line, " \t", &save); w != NULL && argc < ARGS_MAX;
	    w = strtok_r(NULL, " \t", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	return argc;
}

/* In the child: exec argv[0] as given (with a '/') or from each $PATH
 * directory; print why not and exit EXIT_NOTFOUND. */
static void __attribute__((noreturn))
child_exec(char **argv)
{
	const char *path = getenv("PATH"), *dir, *end;
	char full[512];
	int err = ENOENT;

	if (strchr(argv[0], '/') != NULL) {
		execve(argv[0], argv, environ);
		err = errno;
	} else {
		for (dir = path != NULL ? path : PATH_DEFAULT; *dir != '\0';
		    dir = *end != '\0' ? end + 1 : end) {
			end = strchrnul(dir, ':');
			snprintf(full, sizeof(full), "%.*s/%s",
			    (int)(end - dir), dir, argv[0]);
			execve(full, argv, environ);
			if (errno != ENOENT)
				err = errno;
		}
	}
	if (err == ENOENT)
		fprintf(stderr, "sh: %s: not found\n", argv[0]);
	else
		fprintf(stderr, "sh: %s: %s\n", argv[0], strerror(err));
	_exit(EXIT_NOTFOUND);
}

/* Print how a background job ended. */
static void
job_report(pid_t pid, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		printf("[%d done]\n", (int)pid);
	else if (WIFEXITED(status))
		printf("[%d exit %d]\n", (int)pid, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("[%d signal %d]\n", (int)pid, WTERMSIG(status));
}

/* Forget background job pid, reporting its status; return false if pid
 * was not a job. */
static bool
job_end(pid_t pid, int status)
{
	int i;

	for (i = 0; i < JOBS_MAX; i++) {
		if (jobs[i] == pid) {
			jobs[i] = 0;
			job_report(pid, status);
			return true;
		}
	}
	return false;
}

/* Reap the background jobs that have ended, without blocking. */
static void
jobs_poll(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		job_end(pid, status);
}

/* Wait for every background job. */
static void
jobs_wait(void)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, 0)) > 0 || errno == EINTR)
		if (pid > 0)
			job_end(pid, status);
}

/* Run argv; in the foreground wait for it (reporting background jobs
 * that end meanwhile) and show a failure, else record it as a job. */
static void
command_run(char **argv, bool background)
{
	int status, i;
	pid_t pid, got;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "sh: fork: %s\n", strerror(errno));
		return;
	}
	if (pid == 0)
		child_exec(argv);
	if (background) {
		for (i = 0; i < JOBS_MAX && jobs[i] != 0; i++)
			continue;
		if (i < JOBS_MAX)
			jobs[i] = pid;
		else
			fprintf(stderr, "sh: too many jobs; %d untracked\n",
			    (int)pid);
		printf("[%d]\n", (int)pid);
		return;
	}
	while ((got = waitpid(-1, &status, 0)) != pid) {
		if (got > 0)
			job_end(got, status);
		else if (errno != EINTR)
			return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		printf("[exit %d]\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("[signal %d]\n", WTERMSIG(status));
}

int
main(void)
{
	char line[LINE_MAX_], *argv[ARGS_MAX + 1];
	bool tty = isatty(STDIN_FILENO), background;
	size_t len;
	int argc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		jobs_poll();
		if (tty) {
			printf("$ ");
			fflush(stdout);
		}
		if (!line_read(line, sizeof(line)))
			break;
		len = strlen(line);
		background = len > 0 && line[len - 1] == '&';
		if (background)
			line[len - 1] = '\0';
		argc = line_split(line, argv);
		if (argc == 0 || argv[0][0] == '#')
			continue;
		if (strcmp(argv[0], "exit") == 0)
			return argc > 1 ? atoi(argv[1]) : 0;
		if (strcmp(argv[0], "wait") == 0)
			jobs_wait();
		else
			command_run(argv, background);
	}
	return 0;
}
