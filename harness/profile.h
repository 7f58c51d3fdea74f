/* Profiles are plain ini files (profiles/<name>.ini): one section per
 * experiment, in the order they run, plus [suite] and [energy]. */
#ifndef ZW_PROFILE_H
#define ZW_PROFILE_H

#define PROFILE_MAX_SECTIONS 32
#define PROFILE_MAX_KEYS 24

struct profile_section {
	char name[32];
	int nkeys;
	char key[PROFILE_MAX_KEYS][32];
	char value[PROFILE_MAX_KEYS][128];
};

struct profile {
	char path[512];
	int nsections;
	struct profile_section sec[PROFILE_MAX_SECTIONS];
};

/* name is a profile name (looked up in <repo>/profiles/) or a path. Returns
 * 0, or -errno with a one-line reason logged (file and line for syntax). */
int profile_load(const char *name, struct profile *p);
const struct profile_section *profile_section(const struct profile *p, const char *name);
const char *profile_get(const struct profile_section *s, const char *key);

#endif
