/*
 * fixture: the programs tests/native/run-native gives init and sh to run
 * on Linux, one binary that acts by the name it was run as:
 *
 *	pass	prints a passing nested KTAP document (with $EXEUNT_SEED)
 *	argc	exits with its argument count (argv[0] included)
 *	segv	dies by SIGSEGV
 *	hang	waits for ever
 *	abandon	forks a child that exits at once and exits 0 without
 *		waiting for it (the child becomes an orphan)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 :
	    argv[0];
	const char *seed = getenv("EXEUNT_SEED");

	if (strcmp(name, "pass") == 0) {
		printf("    KTAP version 1\n    # Subtest: pass\n    1..1\n"
		    "    # fixture_case: EXEUNT_SEED=%s\n    ok 1 fixture_case\n",
		    seed != NULL ? seed : "unset");
		return 0;
	}
	if (strcmp(name, "argc") == 0)
		return argc;
	if (strcmp(name, "segv") == 0)
		*(volatile int *)0 = 1;
	if (strcmp(name, "hang") == 0)
		for (;;)
			pause();
	if (strcmp(name, "abandon") == 0) {
		if (fork() == 0)
			_exit(0);
		return 0;
	}
	fprintf(stderr, "fixture: unknown name %s\n", name);
	return 2;
}
