/*
 * trace: print the newest events of exeunt's lifecycle trace
 * (/proc/exeunt_trace; the format is in docs/teardown.md), all of them or
 * those of one process or one address space.
 *
 * usage: trace [-p PID] [-v VM]
 *   -p PID	events recorded by PID, and its reap
 *   -v VM	events of the address space VM (hex, as the trace prints it)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Return whether the event line matches the filters (-1 / 0: none). */
static int
matches(const char *line, long pid, unsigned long vm)
{
	unsigned long seq, ns, evm, arg;
	char kind[32];
	int cpu, epid;

	if (sscanf(line, "%lu %lu %d %d %31s %lx %lu", &seq, &ns, &cpu, &epid,
	    kind, &evm, &arg) != 7)
		return 0;
	if (pid >= 0 && epid != pid &&
	    !(strcmp(kind, "reap") == 0 && (long)arg == pid))
		return 0;
	return vm == 0 || evm == vm;
}

int
main(int argc, char **argv)
{
	unsigned long vm = 0;
	long pid = -1;
	char line[256];
	FILE *f;
	int c;

	while ((c = getopt(argc, argv, "p:v:")) != -1) {
		if (c == 'p')
			pid = strtol(optarg, NULL, 10);
		else if (c == 'v')
			vm = strtoul(optarg, NULL, 16);
		else {
			fprintf(stderr, "usage: trace [-p PID] [-v VM]\n");
			return 2;
		}
	}
	if ((f = fopen("/proc/exeunt_trace", "r")) == NULL) {
		perror("trace: /proc/exeunt_trace");
		return 1;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (line[0] == '#' || matches(line, pid, vm))
			fputs(line, stdout);
	fclose(f);
	return 0;
}
