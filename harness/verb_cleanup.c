/* zerowatt cleanup: remove what interrupted runs left behind. Every run
 * does this at start too; the verb is for users who want it now. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lab.h"
#include "log.h"
#include "verb.h"

static int cleanup_run(int argc, char **argv)
{
	if (argc > 1)
		die_usage("cleanup: unexpected argument '%s'", argv[1]);
	if (geteuid() != 0) {
		pr_err("cleanup needs root (namespaces and containers are root's)");
		return 1;
	}
	int n = lab_cleanup_stale();
	printf("removed state of %d interrupted run%s\n", n, n == 1 ? "" : "s");
	return 0;
}

static const struct verb cleanup_verb = {
	.name = "cleanup",
	.summary = "remove namespaces, processes and containers left by interrupted runs",
	.usage = "cleanup",
	.run = cleanup_run,
};
VERB_REGISTER(cleanup_verb);
