#include "profile.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "target.h"

static int on_entry(void *user, const char *section, const char *key, const char *value)
{
	struct profile *p = user;
	struct profile_section *s = NULL;
	for (int i = 0; i < p->nsections; i++)
		if (strcmp(p->sec[i].name, section) == 0)
			s = &p->sec[i];
	if (!s) {
		if (p->nsections >= PROFILE_MAX_SECTIONS)
			return 0;
		s = &p->sec[p->nsections++];
		snprintf(s->name, sizeof(s->name), "%s", section);
	}
	if (s->nkeys >= PROFILE_MAX_KEYS || strlen(key) >= sizeof(s->key[0]) ||
	    strlen(value) >= sizeof(s->value[0]))
		return 0;
	snprintf(s->key[s->nkeys], sizeof(s->key[0]), "%s", key);
	snprintf(s->value[s->nkeys], sizeof(s->value[0]), "%s", value);
	s->nkeys++;
	return 1;
}

int profile_load(const char *name, struct profile *p)
{
	memset(p, 0, sizeof(*p));
	if (strchr(name, '/') || access(name, R_OK) == 0)
		snprintf(p->path, sizeof(p->path), "%s", name);
	else
		snprintf(p->path, sizeof(p->path), "%s/../profiles/%s.ini", zw_build_dir(), name);
	if (access(p->path, R_OK) != 0) {
		pr_err("no profile '%s' (%s): profiles are files in profiles/, e.g. quick, full", name, p->path);
		return -ENOENT;
	}
	int line = ini_parse(p->path, on_entry, p);
	if (line != 0) {
		pr_err("%s:%d: not a valid profile line (ini: [section] and key = value)", p->path, line);
		return -EINVAL;
	}
	return 0;
}

const struct profile_section *profile_section(const struct profile *p, const char *name)
{
	for (int i = 0; i < p->nsections; i++)
		if (strcmp(p->sec[i].name, name) == 0)
			return &p->sec[i];
	return NULL;
}

const char *profile_get(const struct profile_section *s, const char *key)
{
	for (int i = 0; s && i < s->nkeys; i++)
		if (strcmp(s->key[i], key) == 0)
			return s->value[i];
	return NULL;
}
