/* hwmon power and energy sensors, in each <sysfs>/class/hwmon/hwmonN:
 *   energyN_input   cumulative microjoules (amd_energy, some BMC drivers)
 *   powerN_input / powerN_average   microwatts (acpi power_meter, fam15h_power)
 * A sensor only counts toward the host's energy when we know what it covers:
 * the whole platform (ACPI power meter) or a CPU package. GPUs and unnamed
 * sensors are listed in the note but never summed into the host figure.
 * Power sensors are integrated (trapezoid) between reads, so their energy is
 * only as good as the read rate; energy counters need no such help. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "meter.h"
#include "results.h"

struct sensor {
	int fd;
	int is_energy;
	double last_w;
	struct meter_counter ctr;
	double acc_j;          /* power sensors: integrated joules */
};

struct hwmon_priv {
	int n;
	struct sensor s[METER_MAX_DOMAINS];
	double last_t;
};

static const char *classify(const char *chip, const char *label)
{
	static const char *const gpus[] = { "amdgpu", "radeon", "nouveau", "i915", "xe" };

	if (!strcmp(chip, "power_meter"))   /* ACPI power meter: the whole box */
		return "platform";
	if (!strcmp(chip, "fam15h_power"))
		return "package";
	for (size_t i = 0; i < sizeof(gpus) / sizeof(gpus[0]); i++)
		if (!strcmp(chip, gpus[i]))
			return "gpu";
	if (!strncasecmp(label, "Esocket", 7) || strcasestr(label, "package") ||
	    strcasestr(label, "socket") || strcasestr(label, "pkg"))
		return "package";
	if (!strncasecmp(label, "Ecore", 5) || strcasestr(label, "core"))
		return "core";
	if (strcasestr(label, "platform") || strcasestr(label, "system"))
		return "platform";
	return "sensor";
}

/* "power1_average" -> kind 'p', index 1, suffix "average". */
static int parse_attr(const char *f, char *kind, int *index, const char **suffix)
{
	const char *p;

	if (!strncmp(f, "power", 5)) {
		*kind = 'p';
		p = f + 5;
	} else if (!strncmp(f, "energy", 6)) {
		*kind = 'e';
		p = f + 6;
	} else {
		return 0;
	}
	if (!isdigit((unsigned char)*p))
		return 0;
	*index = atoi(p);
	while (isdigit((unsigned char)*p))
		p++;
	if (!strcmp(p, "_input"))
		*suffix = "input";
	else if (*kind == 'p' && !strcmp(p, "_average"))
		*suffix = "average";
	else
		return 0;
	return 1;
}

struct candidate {
	char dir[600];
	char chip[32];
	char kind;
	int index;
	char suffix[8];
	char label[32];
	const char *boundary;
};

static int already(const struct candidate *c, int n, const struct candidate *x)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(c[i].dir, x->dir) && c[i].kind == x->kind && c[i].index == x->index)
			return i;
	return -1;
}

static int scan_dir(const char *dir, const char *chip, struct candidate *c, int n, int max)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return n;
	while ((de = readdir(d)) && n < max) {
		struct candidate x;
		const char *suffix;
		char path[700];
		int prev;

		memset(&x, 0, sizeof(x));
		if (!parse_attr(de->d_name, &x.kind, &x.index, &suffix))
			continue;
		meter_fmt(x.dir, sizeof(x.dir), "%s", dir);
		meter_fmt(x.chip, sizeof(x.chip), "%s", chip);
		meter_fmt(x.suffix, sizeof(x.suffix), "%s", suffix);
		meter_fmt(path, sizeof(path), "%s/%s%d_label", dir, x.kind == 'p' ? "power" : "energy",
			 x.index);
		if (meter_read_text(path, x.label, sizeof(x.label)) <= 0)
			x.label[0] = '\0';
		x.boundary = classify(chip, x.label);
		/* powerN_input over powerN_average for the same sensor. */
		prev = already(c, n, &x);
		if (prev >= 0) {
			if (!strcmp(x.suffix, "input"))
				c[prev] = x;
			continue;
		}
		c[n++] = x;
	}
	closedir(d);
	return n;
}

static void hwmon_close(struct meter *m)
{
	struct hwmon_priv *p = m->priv;

	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		if (p->s[i].fd >= 0)
			close(p->s[i].fd);
	free(p);
	m->priv = NULL;
}

static int hwmon_probe(struct meter *m, struct meter_verdict *v)
{
	char base[512];
	struct candidate *c;
	struct hwmon_priv *p;
	struct dirent *de;
	const char *primary = NULL;
	int n = 0, others = 0;
	DIR *d;

	meter_fmt(base, sizeof(base), "%s/class/hwmon", m->env.sysfs_root);
	d = opendir(base);
	if (!d) {
		meter_fmt(v->reason, sizeof(v->reason), "no %s", base);
		meter_fmt(v->fix, sizeof(v->fix), "load the board's power sensor driver "
			 "(acpi_power_meter, amd_energy) where the hardware has one");
		return -ENOENT;
	}
	c = calloc(METER_MAX_DOMAINS * 4, sizeof(*c));
	if (!c) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		char dir[600], sub[700], chip[32], path[700];
		if (strncmp(de->d_name, "hwmon", 5))
			continue;
		meter_fmt(dir, sizeof(dir), "%s/%s", base, de->d_name);
		meter_fmt(path, sizeof(path), "%s/name", dir);
		if (meter_read_text(path, chip, sizeof(chip)) <= 0)
			meter_fmt(chip, sizeof(chip), "%s", de->d_name);
		n = scan_dir(dir, chip, c, n, METER_MAX_DOMAINS * 4);
		/* Older drivers keep their attributes on the device. */
		meter_fmt(sub, sizeof(sub), "%s/device", dir);
		n = scan_dir(sub, chip, c, n, METER_MAX_DOMAINS * 4);
	}
	closedir(d);

	for (int i = 0; i < n; i++) {
		if (!strcmp(c[i].boundary, "platform"))
			primary = "platform";
		else if (!primary && !strcmp(c[i].boundary, "package"))
			primary = "package";
	}
	if (!primary) {
		size_t used = 0;
		used += (size_t)meter_fmt(v->reason, sizeof(v->reason), "%s",
					 n ? "no platform or package sensor among:"
					   : "no hwmon power or energy sensor");
		for (int i = 0; i < n && used + 1 < sizeof(v->reason); i++)
			used += (size_t)meter_fmt(v->reason + used, sizeof(v->reason) - used,
						 " %s/%s%d (%s)", c[i].chip,
						 c[i].kind == 'p' ? "power" : "energy", c[i].index,
						 c[i].boundary);
		meter_fmt(v->fix, sizeof(v->fix), "none needed where RAPL or the model serves; "
			 "acpi_power_meter needs a BMC/ACPI power meter");
		free(c);
		return -ENOENT;
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		free(c);
		return -ENOMEM;
	}
	m->priv = p;
	for (int i = 0; i < n; i++) {
		char src[48], path[700];
		const char *what = c[i].kind == 'p' ? "power" : "energy";
		struct sensor *s;
		uint64_t raw;
		int dom, e;

		if (strcmp(c[i].boundary, "platform") && strcmp(c[i].boundary, "package")) {
			others++;
			continue;
		}
		if (p->n >= METER_MAX_DOMAINS)
			break;
		meter_fmt(path, sizeof(path), "%s/%s%d_%s", c[i].dir, what, c[i].index, c[i].suffix);
		s = &p->s[p->n];
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		e = s->fd < 0 ? -errno : meter_pread_u64(s->fd, &raw);
		if (e) {
			if (s->fd >= 0)
				close(s->fd);
			s->fd = -1;
			if (!strcmp(c[i].boundary, primary)) {
				meter_fmt(v->reason, sizeof(v->reason), "%s: %s", path, strerror(-e));
				meter_fmt(v->fix, sizeof(v->fix), "run zerowatt as root");
				hwmon_close(m);
				free(c);
				return e;
			}
			meter_note(m, "%s left out: %s", path, strerror(-e));
			continue;
		}
		meter_fmt(src, sizeof(src), "hwmon:%.20s/%s%d", c[i].chip, what, c[i].index);
		dom = meter_add_domain(m, src, c[i].boundary, !strcmp(c[i].boundary, primary));
		s->is_energy = c[i].kind == 'e';
		s->ctr.unit_j = 1e-6;
		if (s->is_energy)
			meter_counter_update(&s->ctr, raw, 0);
		else
			s->last_w = (double)raw * 1e-6;
		if (c[i].label[0])
			meter_note(m, "%s is \"%s\"", src, c[i].label);
		p->n = dom + 1;
	}
	free(c);
	if (others)
		meter_note(m, "%d gpu/core/unclassified sensor(s) not counted", others);
	for (int i = 0; i < p->n; i++)
		if (!p->s[i].is_energy) {
			meter_note(m, "power sensors integrated between reads (trapezoid)");
			break;
		}
	m->method = METHOD_MEASURED;
	meter_set_primary_source(m, "hwmon:");
	meter_fmt(v->reason, sizeof(v->reason), "%d sensor(s), total over %s", m->ndomains, primary);
	p->last_t = m->env.now();
	return 0;
}

static int hwmon_read(struct meter *m, struct meter_reading *r)
{
	struct hwmon_priv *p = m->priv;
	double dt = r->t_s - p->last_t;
	int rc = 0;

	for (int i = 0; i < p->n; i++) {
		struct sensor *s = &p->s[i];
		uint64_t raw;
		int e = meter_pread_u64(s->fd, &raw);

		if (e) {
			rc = e;
			if (m->dom[i].primary)
				r->flags |= METER_F_PARTIAL;
		} else if (s->is_energy) {
			if (meter_counter_update(&s->ctr, raw, dt))
				r->flags |= METER_F_RESET;
		} else {
			double w = (double)raw * 1e-6;
			if (dt > 0)
				s->acc_j += 0.5 * (s->last_w + w) * dt;
			s->last_w = w;
		}
		r->joules[i] = s->is_energy ? s->ctr.acc_j : s->acc_j;
	}
	p->last_t = r->t_s;
	return rc;
}

static const struct meter_ops hwmon_ops = {
	.name = "hwmon",
	.capability = "hwmon-power",
	.rank = 30,
	.probe = hwmon_probe,
	.read = hwmon_read,
	.close = hwmon_close,
};
METER_REGISTER(hwmon_ops);
