#ifndef ZW_DOCTOR_H
#define ZW_DOCTOR_H

struct cJSON;

#define DOCTOR_MAX_LINES 48

struct doctor_line {
	char name[24];
	char status[12];     /* ok, missing, unusable, warn */
	char detail[400];
	char fix[200];
};

struct doctor_report {
	struct doctor_line lines[DOCTOR_MAX_LINES];
	int n;
};

void doctor_add(struct doctor_report *rep, const char *name, const char *status,
		const char *detail, const char *fix);
void doctor_collect(struct doctor_report *rep);
struct cJSON *doctor_json(const struct doctor_report *rep);
/* Provided by the energy meters: one line per energy source. */
void doctor_energy(struct doctor_report *rep);

#endif
