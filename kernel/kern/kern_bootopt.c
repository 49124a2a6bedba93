/*
 * kern/kern_bootopt.c: the kernel command line.
 *
 * Parsed once by bootopt_init on the boot CPU before anything reads it, then
 * read-only. Options are space-separated key=value pairs or bare keys; the
 * last occurrence of a key wins. The table below is the list of options the
 * kernel knows; anything else is reported at boot and otherwise ignored.
 */
#include "lib.h"
#include "bootopt.h"

static const struct {
	const char *key;
	const char *help;
} bootopt_known[] = {
	{ "ktest",	"in-kernel test suites to run: all, or suite,suite,..." },
	{ "init",	"path of the first user program (default /init)" },
	{ "purge",	"where address spaces are purged: exit (default) or reaper" },
	{ "tests",	"user tests for init to run, comma-separated" },
	{ "seed",	"seed for randomized tests" },
	{ "stress",	"scale of the stress tests' iteration counts (default 1)" },
	{ "test_timeout", "seconds init gives each user test (default 60)" },
	{ "poison",	"fill freed pages with 0xd5 and check on allocation: 1 (default) or 0" },
	{ "halt",	"power off after the in-kernel tests instead of starting init" },
	{ "smr_backlog", "SMR callbacks pending before smr_call waits (default 1024)" },
	{ "witness",	"lock-order checking: on (default), off, or panic on a report" },
	{ "failinject",	"allocation-failure injection for user tests: 1, 0 (default: 1 with tests=)" },
};

#define BOOTOPT_MAX	32
#define CMDLINE_MAX	2048

static char cmdline[CMDLINE_MAX];
static char *opt_key[BOOTOPT_MAX];
static char *opt_val[BOOTOPT_MAX];
static int nopts;

static bool
bootopt_is_known(const char *key)
{
	size_t i;

	for (i = 0; i < nitems(bootopt_known); i++)
		if (strcmp(bootopt_known[i].key, key) == 0)
			return true;
	return false;
}

/* Parse the full command line once at boot. */
void
bootopt_init(const char *line)
{
	static char buf[CMDLINE_MAX];
	char *p, *eq;

	strlcpy(cmdline, line, sizeof(cmdline));
	strlcpy(buf, line, sizeof(buf));
	for (p = buf; *p != '\0';) {
		while (*p == ' ')
			*p++ = '\0';
		if (*p == '\0')
			break;
		if (nopts == BOOTOPT_MAX) {
			kprintf("bootopt: more than %d options, ignoring '%s'\n",
			    BOOTOPT_MAX, p);
			break;
		}
		opt_key[nopts] = p;
		while (*p != '\0' && *p != ' ')
			p++;
		eq = strchr(opt_key[nopts], '=');
		if (eq != NULL && eq < p) {
			*eq = '\0';
			opt_val[nopts] = eq + 1;
		} else
			opt_val[nopts] = NULL;
		if (*p != '\0')
			*p++ = '\0';
		if (!bootopt_is_known(opt_key[nopts]))
			kprintf("bootopt: unknown option '%s' ignored\n", opt_key[nopts]);
		else
			nopts++;
	}
}

/* Return the value of key, "" for a bare key, or def if absent. */
const char *
bootopt_get(const char *key, const char *def)
{
	int i;

	KASSERT(bootopt_is_known(key));
	for (i = nopts - 1; i >= 0; i--)
		if (strcmp(opt_key[i], key) == 0)
			return opt_val[i] != NULL ? opt_val[i] : "";
	return def;
}

/* Return the numeric value of key, or def if absent or not a number. */
uint64_t
bootopt_num(const char *key, uint64_t def)
{
	const char *v = bootopt_get(key, NULL);
	uint64_t n;

	if (v == NULL)
		return def;
	if (strtou64(v, &n) != 0) {
		kprintf("bootopt: %s=%s is not a number, using %lu\n", key, v, def);
		return def;
	}
	return n;
}

/* The whole command line as parsed. */
const char *
bootopt_cmdline(void)
{
	return cmdline;
}
