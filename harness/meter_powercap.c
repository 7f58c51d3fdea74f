/* RAPL through the powercap sysfs class: intel-rapl (MSR) and intel-rapl-mmio
 * zones under <sysfs>/class/powercap/. AMD's RAPL uses the same names.
 *
 * Zones are known by their `name` file, never by index (intel-rapl:0 need not
 * be package-0). The zones nest - psys contains the packages, a package
 * contains its core and uncore - so the meter's total is one level only:
 * platform (psys) when it is readable, else the packages summed. DRAM is a
 * sibling of the package (not inside its energy) and reported on its own.
 * The same zone seen through both intel-rapl and intel-rapl-mmio is one
 * counter read twice, so it is kept once. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meter.h"
#include "results.h"

#define MAX_ZONES 64

struct zone {
	char id[64];          /* "intel-rapl:0:1" */
	int mmio;             /* intel-rapl-mmio control type */
	char name[32];        /* contents of name: package-0, core, dram, psys */
	char label[48];       /* package-0, package-0:core, psys */
	char boundary[16];
	int depth;            /* 0 for top-level zones */
	int err;              /* -errno reading energy_uj, 0 when readable */
	uint64_t max_raw;
	int dup;              /* same label already kept from intel-rapl */
};

struct domain_state {
	int fd;
	struct meter_counter ctr;
};

struct powercap_priv {
	int n;
	struct domain_state d[METER_MAX_DOMAINS];
	double last_t;
};

/* "intel-rapl:0:1" -> type length and depth; 0 for other entries. */
static int parse_zone_id(const char *id, int *mmio, int *depth)
{
	const char *p;
	int colons = 0;

	if (!strncmp(id, "intel-rapl-mmio:", 16)) {
		*mmio = 1;
		p = id + 15;
	} else if (!strncmp(id, "intel-rapl:", 11)) {
		*mmio = 0;
		p = id + 10;
	} else {
		return 0;
	}
	for (; *p; p++) {
		if (*p == ':')
			colons++;
		else if (*p < '0' || *p > '9')
			return 0;
	}
	*depth = colons - 1;
	return colons > 0;
}

static const char *boundary_of(const char *name)
{
	if (!strncmp(name, "package-", 8))
		return "package";
	if (!strcmp(name, "psys"))
		return "platform";
	if (!strcmp(name, "dram"))
		return "dram";
	if (!strcmp(name, "core"))
		return "core";
	if (!strcmp(name, "uncore"))
		return "uncore";
	return "other";
}

static struct zone *find_zone(struct zone *z, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(z[i].id, id))
			return &z[i];
	return NULL;
}

static int cmp_zone(const void *a, const void *b)
{
	const struct zone *x = a, *y = b;
	if (x->depth != y->depth)
		return x->depth - y->depth;
	if (x->mmio != y->mmio)
		return x->mmio - y->mmio;   /* intel-rapl before intel-rapl-mmio */
	return strcmp(x->id, y->id);
}

static void read_zone(const char *dir, struct zone *z)
{
	char path[512], buf[64];
	uint64_t v;
	int fd;

	meter_fmt(path, sizeof(path), "%s/%s/name", dir, z->id);
	if (meter_read_text(path, z->name, sizeof(z->name)) <= 0)
		meter_fmt(z->name, sizeof(z->name), "unnamed");
	meter_fmt(path, sizeof(path), "%s/%s/max_energy_range_uj", dir, z->id);
	if (meter_read_text(path, buf, sizeof(buf)) > 0 && !meter_parse_u64(buf, &v))
		z->max_raw = v;
	meter_fmt(path, sizeof(path), "%s/%s/energy_uj", dir, z->id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		z->err = -errno;
		return;
	}
	z->err = meter_pread_u64(fd, &v);
	close(fd);
}

/* Labels need parents' names, so zones are sorted by depth first. */
static void label_zones(struct zone *z, int n)
{
	for (int i = 0; i < n; i++) {
		char parent[64];
		char *colon;
		struct zone *p;

		meter_fmt(z[i].boundary, sizeof(z[i].boundary), "%s", boundary_of(z[i].name));
		meter_fmt(parent, sizeof(parent), "%s", z[i].id);
		colon = strrchr(parent, ':');
		if (colon)
			*colon = '\0';
		p = z[i].depth > 0 ? find_zone(z, n, parent) : NULL;
		if (p)
			meter_fmt(z[i].label, sizeof(z[i].label), "%.23s:%.23s", p->label, z[i].name);
		else
			meter_fmt(z[i].label, sizeof(z[i].label), "%s", z[i].name);
		/* The same label twice: one counter through both control types
		 * (drop the mmio copy), or genuinely two zones of one name
		 * (keep both, told apart by id). */
		for (int j = 0; j < i; j++) {
			if (strcmp(z[j].label, z[i].label) || z[j].dup)
				continue;
			if (z[j].mmio != z[i].mmio) {
				/* Keep whichever copy can be read. */
				if (z[j].err && !z[i].err)
					z[j].dup = 1;
				else
					z[i].dup = 1;
			} else {
				char l[48];
				meter_fmt(l, sizeof(l), "%.20s@%.26s", z[i].label, z[i].id);
				meter_fmt(z[i].label, sizeof(z[i].label), "%s", l);
			}
			break;
		}
	}
}

static const char *errname(int err)
{
	switch (err) {
	case -EACCES:
	case -EPERM:
		return "permission denied";
	case -ENODATA:
		return "empty";
	case -EINVAL:
		return "not a number";
	case -ENOENT:
		return "no energy_uj";
	default:
		return strerror(-err);
	}
}

static int pick_boundary(struct zone *z, int n, const char *boundary, int *denied, char *why,
			 size_t len)
{
	int count = 0, bad = 0;
	size_t used = strlen(why);

	for (int i = 0; i < n; i++) {
		if (z[i].dup || strcmp(z[i].boundary, boundary))
			continue;
		count++;
		if (z[i].err) {
			bad++;
			if (z[i].err == -EACCES || z[i].err == -EPERM)
				(*denied)++;
			if (used + 1 < len)
				used += (size_t)meter_fmt(why + used, len - used, "%s%s: energy_uj %s",
							 used ? "; " : "", z[i].id, errname(z[i].err));
		}
	}
	return count && !bad ? count : 0;
}

static void powercap_close(struct meter *m)
{
	struct powercap_priv *p = m->priv;

	if (!p)
		return;
	for (int i = 0; i < p->n; i++)
		if (p->d[i].fd >= 0)
			close(p->d[i].fd);
	free(p);
	m->priv = NULL;
}

static int powercap_probe(struct meter *m, struct meter_verdict *v)
{
	char dir[512], problems[256] = "";
	struct zone *z;
	struct powercap_priv *p;
	struct dirent *de;
	const char *primary = NULL;
	int n = 0, denied = 0;
	DIR *d;

	meter_fmt(dir, sizeof(dir), "%s/class/powercap", m->env.sysfs_root);
	d = opendir(dir);
	if (!d) {
		meter_fmt(v->reason, sizeof(v->reason), "no %s (no RAPL driver, or a VM/CPU that "
			 "does not expose RAPL)", dir);
		meter_fmt(v->fix, sizeof(v->fix), "on bare metal: modprobe intel_rapl_msr "
			 "(intel_rapl_common; AMD needs Linux >= 5.8)");
		return -ENOENT;
	}
	z = calloc(MAX_ZONES, sizeof(*z));
	if (!z) {
		closedir(d);
		return -ENOMEM;
	}
	while ((de = readdir(d)) && n < MAX_ZONES) {
		int mmio, depth;
		if (!parse_zone_id(de->d_name, &mmio, &depth))
			continue;
		meter_fmt(z[n].id, sizeof(z[n].id), "%s", de->d_name);
		z[n].mmio = mmio;
		z[n].depth = depth;
		n++;
	}
	closedir(d);
	if (!n) {
		free(z);
		meter_fmt(v->reason, sizeof(v->reason), "%s has no intel-rapl or intel-rapl-mmio "
			 "zones", dir);
		meter_fmt(v->fix, sizeof(v->fix), "modprobe intel_rapl_msr (and "
			 "processor_thermal_rapl for intel-rapl-mmio)");
		return -ENOENT;
	}
	qsort(z, n, sizeof(*z), cmp_zone);
	for (int i = 0; i < n; i++)
		read_zone(dir, &z[i]);
	label_zones(z, n);

	/* One level only: the widest boundary that is complete and readable. */
	if (pick_boundary(z, n, "platform", &denied, problems, sizeof(problems)))
		primary = "platform";
	else if (pick_boundary(z, n, "package", &denied, problems, sizeof(problems)))
		primary = "package";
	if (!primary) {
		free(z);
		if (denied) {
			meter_fmt(v->reason, sizeof(v->reason),
				 "%s: energy_uj is readable by root only since Linux 5.10 (the "
				 "PLATYPUS power side channel, CVE-2020-8694)", problems);
			meter_fmt(v->fix, sizeof(v->fix),
				 "run zerowatt as root, or chmod o+r %s/intel-rapl*/energy_uj "
				 "(re-opens the side channel)", dir);
			return -EACCES;
		}
		meter_fmt(v->reason, sizeof(v->reason), "no readable package or psys zone%s%s",
			 problems[0] ? ": " : "", problems);
		meter_fmt(v->fix, sizeof(v->fix), "check the RAPL driver (dmesg | grep -i rapl)");
		return -EIO;
	}

	p = calloc(1, sizeof(*p));
	if (!p) {
		free(z);
		return -ENOMEM;
	}
	m->priv = p;
	for (int i = 0; i < n; i++) {
		char src[64], path[600];
		int idx;

		if (z[i].dup) {
			meter_note(m, "%s duplicates %s, counted once", z[i].id, z[i].label);
			continue;
		}
		if (z[i].err) {
			meter_note(m, "%s (%s) left out: energy_uj %s", z[i].id, z[i].label,
				   errname(z[i].err));
			continue;
		}
		meter_fmt(src, sizeof(src), "rapl:%s", z[i].label);
		idx = meter_add_domain(m, src, z[i].boundary, !strcmp(z[i].boundary, primary));
		if (idx < 0)
			break;
		meter_fmt(path, sizeof(path), "%s/%s/energy_uj", dir, z[i].id);
		p->d[idx].fd = open(path, O_RDONLY | O_CLOEXEC);
		p->d[idx].ctr.max_raw = z[i].max_raw;
		p->d[idx].ctr.unit_j = 1e-6;
		p->n = idx + 1;
		if (p->d[idx].fd < 0) {
			int e = -errno;
			meter_fmt(v->reason, sizeof(v->reason), "%s: %s", path, strerror(-e));
			free(z);
			powercap_close(m);
			return e;
		}
		if (!z[i].max_raw)
			meter_note(m, "%s has no max_energy_range_uj: a wrap would read as a reset",
				   z[i].label);
	}
	free(z);
	m->method = METHOD_MEASURED;
	meter_set_primary_source(m, "rapl:");
	meter_fmt(v->reason, sizeof(v->reason), "%d RAPL domain(s), total over %s", m->ndomains,
		 primary);
	/* Prime the counters so the first reading is zero joules. */
	for (int i = 0; i < p->n; i++) {
		uint64_t raw;
		if (meter_pread_u64(p->d[i].fd, &raw) == 0)
			meter_counter_update(&p->d[i].ctr, raw, 0);
	}
	p->last_t = m->env.now();
	return 0;
}

static int powercap_read(struct meter *m, struct meter_reading *r)
{
	struct powercap_priv *p = m->priv;
	double dt = r->t_s - p->last_t;
	int rc = 0;

	for (int i = 0; i < p->n; i++) {
		uint64_t raw;
		int e = meter_pread_u64(p->d[i].fd, &raw);
		if (e) {
			rc = e;
			if (m->dom[i].primary)
				r->flags |= METER_F_PARTIAL;
		} else if (meter_counter_update(&p->d[i].ctr, raw, dt)) {
			r->flags |= METER_F_RESET;
		}
		r->joules[i] = p->d[i].ctr.acc_j;
	}
	p->last_t = r->t_s;
	return rc;
}

static const struct meter_ops powercap_ops = {
	.name = "powercap",
	.capability = "rapl-powercap",
	.rank = 10,
	.probe = powercap_probe,
	.read = powercap_read,
	.close = powercap_close,
};
METER_REGISTER(powercap_ops);
