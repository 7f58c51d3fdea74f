/* zerowatt <verb> [options]: dispatch to self-registered verbs. */
#include <stdio.h>
#include <string.h>

#include "experiment.h"
#include "log.h"
#include "proc.h"
#include "verb.h"

static void list_verbs(FILE *out)
{
	fprintf(out, "usage: zerowatt [-v] <verb> [options]   (zerowatt <verb> --help)\n\nverbs:\n");
	ZW_FOREACH(zw_verbs, struct verb, it)
		if (!(*it)->hidden)
			fprintf(out, "  %-10s %s\n", (*it)->name, (*it)->summary);
	fprintf(out, "\nexperiments (zerowatt <experiment> TARGET... [options]):\n");
	ZW_FOREACH(zw_experiments, struct experiment, it)
		fprintf(out, "  %-10s %s\n", (*it)->name, (*it)->summary);
}

void verb_usage(const struct verb *v)
{
	fprintf(stderr, "usage: zerowatt %s\n", v->usage);
}

int verb_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i = 1;
	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
			zw_verbose = 1;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			list_verbs(stdout);
			return 0;
		} else {
			list_verbs(stderr);
			die_usage("unknown option '%s'", argv[i]);
		}
		i++;
	}
	if (i >= argc) {
		list_verbs(stderr);
		die_usage("no verb given");
	}
	ZW_FOREACH(zw_verbs, struct verb, it) {
		const struct verb *v = *it;
		if (strcmp(v->name, argv[i]) != 0)
			continue;
		if (verb_wants_help(argc - i, argv + i)) {
			printf("usage: zerowatt %s\n", v->usage);
			return 0;
		}
		proc_install_signal_handlers();
		return v->run(argc - i, argv + i);
	}
	const struct experiment *e = experiment_find(argv[i]);
	if (e) {
		proc_install_signal_handlers();
		return experiment_main(e, argc - i, argv + i);
	}
	list_verbs(stderr);
	die_usage("unknown verb '%s'", argv[i]);
}
