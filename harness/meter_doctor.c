/* `zerowatt doctor`'s energy lines: one per meter kind (RAPL powercap with
 * its domains and permissions, perf power PMU, hwmon, the model), then one
 * saying what the lab will actually report. Kept apart from meter.c so the
 * meters' unit tests need not link the doctor. */
#include <stdio.h>
#include <string.h>

#include "doctor.h"
#include "meter.h"
#include "results.h"

void doctor_energy(struct doctor_report *rep)
{
	struct meter_capability caps[8];
	struct meter_env env;
	struct meter m;
	char detail[400];
	int n;

	meter_env_default(&env);
	n = meter_capabilities(&env, caps, 8);
	for (int i = 0; i < n; i++)
		doctor_add(rep, caps[i].name, caps[i].status, caps[i].reason,
			   strcmp(caps[i].status, "ok") ? caps[i].fix : NULL);

	if (meter_open_best(&env, &m, NULL) != 0) {
		doctor_add(rep, "energy", "unusable", "no meter and no model: energy is reported "
			   "unavailable", "mount procfs so the model can read /proc/stat");
		return;
	}
	snprintf(detail, sizeof(detail), "%s %s (%s boundary) via %s", m.method, m.source,
		 m.boundary, m.ops->name);
	if (!strcmp(m.method, METHOD_MEASURED))
		doctor_add(rep, "energy", "ok", detail, NULL);
	else
		doctor_add(rep, "energy", "warn", detail,
			   "a host with RAPL (bare metal, root) reports measured joules; the model "
			   "only rescales CPU time");
	meter_close(&m);
}
