/* CLI verbs, in the manner of perf bench's command table: each verb is a
 * row that registers itself; main() only dispatches. */
#ifndef ZW_VERB_H
#define ZW_VERB_H
#include "registry.h"

struct verb {
	const char *name;
	const char *summary;
	const char *usage;     /* full --help text after "usage: zerowatt " */
	int (*run)(int argc, char **argv); /* argv[0] is the verb */
	int hidden;            /* internal verbs (oci-hook) are not listed */
};

#define VERB_REGISTER(v) ZW_REGISTER(zw_verbs, struct verb, v)

/* Prints "usage: zerowatt <usage>" to stderr. */
void verb_usage(const struct verb *v);
/* True if argv contains -h or --help (before a "--"). */
int verb_wants_help(int argc, char **argv);

#endif
