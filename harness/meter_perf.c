/* RAPL through the perf "power" PMU: perf_event_open on one CPU per package.
 *
 * Everything needed comes from sysfs (<sysfs>/bus/event_source/devices/power:
 * type, cpumask, events/energy-* with .scale and .unit, the format directory), so new
 * CPUs work as soon as the kernel knows them. libpfm4 is asked too, as a
 * cross-check of the event encodings and as a fallback when sysfs lists no
 * events, but never relied on alone: its list of CPU models lags the
 * kernel's. The kernel widens the RAPL counters to 64 bits, so there is no
 * wrap to handle here, only resets. */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "meter.h"
#include "results.h"

#define MAX_CPUS 64
#define MAX_EVENTS 8
/* The perf RAPL driver's unit (arch/x86/events/rapl.c): 2^-32 J. */
#define RAPL_PERF_SCALE (1.0 / 4294967296.0)

struct perf_event_desc {
	char name[32];        /* energy-pkg */
	uint64_t config;
	double scale;
	const char *boundary;
	const char *pfm_name; /* RAPL_ENERGY_PKG */
};

struct perf_fd {
	int fd;
	int domain;
	struct meter_counter ctr;
};

struct perf_priv {
	int nfd;
	struct perf_fd f[MAX_EVENTS * MAX_CPUS];
	double last_t;
};

static const struct {
	const char *sysfs, *pfm, *boundary;
} known_events[] = {
	{ "energy-psys", "RAPL_ENERGY_PSYS", "platform" },
	{ "energy-pkg", "RAPL_ENERGY_PKG", "package" },
	{ "energy-ram", "RAPL_ENERGY_DRAM", "dram" },
	{ "energy-cores", "RAPL_ENERGY_CORES", "core" },
	{ "energy-gpu", "RAPL_ENERGY_GPU", "gpu" },
};
#define N_KNOWN (sizeof(known_events) / sizeof(known_events[0]))

/* "0,36" or "0-1,4" -> CPU numbers. */
static int parse_cpulist(const char *s, int *cpus, int max)
{
	int n = 0;

	while (*s) {
		char *end;
		long a = strtol(s, &end, 10), b;
		if (end == s || a < 0)
			return -EINVAL;
		b = a;
		s = end;
		if (*s == '-') {
			b = strtol(s + 1, &end, 10);
			if (end == s + 1 || b < a)
				return -EINVAL;
			s = end;
		}
		for (long c = a; c <= b && n < max; c++)
			cpus[n++] = (int)c;
		if (*s == ',')
			s++;
		else if (*s)
			return -EINVAL;
	}
	return n;
}

/* Places value into config following a format spec such as "config:0-7"
 * or "config:0-7,32-35" (low bits first). */
static int apply_format(const char *fmt, uint64_t value, uint64_t *config)
{
	const char *p;

	if (strncmp(fmt, "config:", 7))
		return -EINVAL;   /* config1/config2 terms: not used by RAPL */
	p = fmt + 7;
	while (*p) {
		char *end;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || lo < 0 || lo > 63)
			return -EINVAL;
		p = end;
		if (*p == '-') {
			hi = strtol(p + 1, &end, 10);
			if (end == p + 1 || hi < lo || hi > 63)
				return -EINVAL;
			p = end;
		}
		for (long bit = lo; bit <= hi; bit++) {
			if (value & 1)
				*config |= 1ull << bit;
			value >>= 1;
		}
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
	}
	return value ? -ERANGE : 0;
}

/* "event=0x02,umask=0x1" with the PMU's format directory. */
static int parse_event_config(const char *pmu, const char *spec, uint64_t *config)
{
	char buf[128], *save = NULL, *term;

	*config = 0;
	meter_fmt(buf, sizeof(buf), "%s", spec);
	for (term = strtok_r(buf, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '='), path[600], fmt[64];
		uint64_t value = 1;
		int rc;

		if (eq) {
			char *end;
			*eq = '\0';
			value = strtoull(eq + 1, &end, 0);
			if (end == eq + 1 || *end)
				return -EINVAL;
		}
		meter_fmt(path, sizeof(path), "%s/format/%s", pmu, term);
		if (meter_read_text(path, fmt, sizeof(fmt)) > 0) {
			rc = apply_format(fmt, value, config);
			if (rc)
				return rc;
		} else if (!strcmp(term, "event")) {
			*config |= value;   /* no format dir: event is the config */
		} else {
			return -EINVAL;
		}
	}
	return 0;
}

static int load_sysfs_event(const char *pmu, const char *name, struct perf_event_desc *e,
			    char *why, size_t len)
{
	char path[600], buf[128];
	char *end;

	meter_fmt(e->name, sizeof(e->name), "%s", name);
	meter_fmt(path, sizeof(path), "%s/events/%s", pmu, name);
	if (meter_read_text(path, buf, sizeof(buf)) <= 0 ||
	    parse_event_config(pmu, buf, &e->config)) {
		meter_fmt(why, len, "%s: unparsable event spec", name);
		return -EINVAL;
	}
	meter_fmt(path, sizeof(path), "%s/events/%s.unit", pmu, name);
	if (meter_read_text(path, buf, sizeof(buf)) <= 0 || strcmp(buf, "Joules")) {
		meter_fmt(why, len, "%s: unit is not Joules", name);
		return -EINVAL;
	}
	meter_fmt(path, sizeof(path), "%s/events/%s.scale", pmu, name);
	if (meter_read_text(path, buf, sizeof(buf)) <= 0) {
		meter_fmt(why, len, "%s: no .scale", name);
		return -EINVAL;
	}
	e->scale = strtod(buf, &end);
	if (end == buf || *end || !(e->scale > 0)) {
		meter_fmt(why, len, "%s: bad .scale \"%s\"", name, buf);
		return -EINVAL;
	}
	return 0;
}

/* libpfm4's encoding of a RAPL event, from whichever RAPL PMU it detects. */
static int pfm_lookup(const char *pfm_name, uint64_t *code, char *pmu_name, size_t len)
{
	static const char *const pmus[] = { "rapl", "amd64_rapl" };
	static int init_rc = 1;

	if (init_rc == 1)
		init_rc = pfm_initialize();
	if (init_rc != PFM_SUCCESS)
		return -ENOSYS;
	for (size_t i = 0; i < sizeof(pmus) / sizeof(pmus[0]); i++) {
		char full[64];
		pfm_event_info_t info;
		pfm_pmu_info_t pinfo;
		int idx;

		meter_fmt(full, sizeof(full), "%s::%s", pmus[i], pfm_name);
		idx = pfm_find_event(full);
		if (idx < 0)
			continue;
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		if (pfm_get_event_info(idx, PFM_OS_NONE, &info) != PFM_SUCCESS)
			continue;
		memset(&pinfo, 0, sizeof(pinfo));
		pinfo.size = sizeof(pinfo);
		if (pfm_get_pmu_info(info.pmu, &pinfo) != PFM_SUCCESS || !pinfo.is_present)
			continue;
		*code = info.code;
		meter_fmt(pmu_name, len, "%s", pmus[i]);
		return 0;
	}
	return -ENOENT;
}

static const char *pfm_name_of(const char *sysfs)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (!strcmp(known_events[i].sysfs, sysfs))
			return known_events[i].pfm;
	return NULL;
}

static const char *boundary_of(const char *sysfs)
{
	for (size_t i = 0; i < N_KNOWN; i++)
		if (!strcmp(known_events[i].sysfs, sysfs))
			return known_events[i].boundary;
	return "other";
}

static void cross_check(struct meter *m, struct perf_event_desc *ev, int n)
{
	int agree = 0, disagree = 0, unknown = 0;
	char pmu_name[32] = "";

	for (int i = 0; i < n; i++) {
		uint64_t code;
		if (!ev[i].pfm_name || pfm_lookup(ev[i].pfm_name, &code, pmu_name, sizeof(pmu_name))) {
			unknown++;
			continue;
		}
		if (code == ev[i].config) {
			agree++;
		} else {
			disagree++;
			meter_note(m, "libpfm4 %s encodes %s as 0x%llx, sysfs says 0x%llx (sysfs used)",
				   pmu_name, ev[i].name, (unsigned long long)code,
				   (unsigned long long)ev[i].config);
		}
	}
	if (agree && !disagree)
		meter_note(m, "libpfm4 %s agrees on %d event encoding(s)", pmu_name, agree);
	else if (!agree && !disagree)
		meter_note(m, "libpfm4 knows no RAPL PMU for this CPU (sysfs encodings used)");
	(void)unknown;
}

/* No events in sysfs: take libpfm4's encodings where it knows the CPU. */
static int events_from_pfm(struct meter *m, struct perf_event_desc *ev, int max)
{
	int n = 0;
	char pmu_name[32];

	for (size_t i = 0; i < N_KNOWN && n < max; i++) {
		uint64_t code;
		if (pfm_lookup(known_events[i].pfm, &code, pmu_name, sizeof(pmu_name)))
			continue;
		meter_fmt(ev[n].name, sizeof(ev[n].name), "%s", known_events[i].sysfs);
		ev[n].config = code;
		ev[n].scale = RAPL_PERF_SCALE;
		ev[n].boundary = known_events[i].boundary;
		ev[n].pfm_name = known_events[i].pfm;
		n++;
	}
	if (n)
		meter_note(m, "events from libpfm4 %s (sysfs lists none), scale 2^-32 J assumed",
			   pmu_name);
	return n;
}

static void perf_close(struct meter *m)
{
	struct perf_priv *p = m->priv;

	if (!p)
		return;
	for (int i = 0; i < p->nfd; i++)
		if (p->f[i].fd >= 0)
			close(p->f[i].fd);
	free(p);
	m->priv = NULL;
}

static void paranoid_fix(struct meter *m, struct meter_verdict *v, int err)
{
	char path[512], buf[16] = "?";

	meter_fmt(path, sizeof(path), "%s/sys/kernel/perf_event_paranoid", m->env.proc_root);
	meter_read_text(path, buf, sizeof(buf));
	meter_fmt(v->reason, sizeof(v->reason), "perf_event_open of the power PMU: %s "
		 "(perf_event_paranoid=%s; system-wide events need CAP_PERFMON or root)",
		 strerror(-err), buf);
	meter_fmt(v->fix, sizeof(v->fix), "run zerowatt as root, or sysctl "
		 "kernel.perf_event_paranoid=0");
}

static int perf_probe(struct meter *m, struct meter_verdict *v)
{
	char pmu[512], path[600], buf[256];
	struct perf_event_desc ev[MAX_EVENTS];
	int cpus[MAX_CPUS], ncpu, nev = 0, type;
	const char *primary = NULL;
	struct perf_priv *p;
	uint64_t t;
	DIR *d;

	meter_fmt(pmu, sizeof(pmu), "%s/bus/event_source/devices/power", m->env.sysfs_root);
	meter_fmt(path, sizeof(path), "%s/type", pmu);
	if (meter_read_text(path, buf, sizeof(buf)) <= 0 || meter_parse_u64(buf, &t)) {
		meter_fmt(v->reason, sizeof(v->reason), "no perf power PMU (%s missing): the "
			 "kernel's RAPL PMU is absent or this CPU/VM exposes no RAPL", path);
		meter_fmt(v->fix, sizeof(v->fix), "on bare metal with RAPL: a kernel with "
			 "CONFIG_PERF_EVENTS_INTEL_RAPL (x86 rapl perf driver)");
		return -ENOENT;
	}
	type = (int)t;

	meter_fmt(path, sizeof(path), "%s/cpumask", pmu);
	if (meter_read_text(path, buf, sizeof(buf)) > 0) {
		ncpu = parse_cpulist(buf, cpus, MAX_CPUS);
		if (ncpu <= 0) {
			meter_fmt(v->reason, sizeof(v->reason), "unparsable %s: \"%s\"", path, buf);
			return -EINVAL;
		}
	} else {
		cpus[0] = 0;
		ncpu = 1;
		meter_note(m, "no cpumask: CPU 0 only (one package assumed)");
	}

	meter_fmt(path, sizeof(path), "%s/events", pmu);
	d = opendir(path);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) && nev < MAX_EVENTS) {
			char why[128];
			if (strncmp(de->d_name, "energy-", 7) || strchr(de->d_name, '.'))
				continue;
			if (load_sysfs_event(pmu, de->d_name, &ev[nev], why, sizeof(why))) {
				meter_note(m, "%s left out", why);
				continue;
			}
			ev[nev].boundary = boundary_of(de->d_name);
			ev[nev].pfm_name = pfm_name_of(de->d_name);
			nev++;
		}
		closedir(d);
		if (nev)
			cross_check(m, ev, nev);
	}
	if (!nev)
		nev = events_from_pfm(m, ev, MAX_EVENTS);
	for (int i = 0; i < nev; i++) {
		if (!strcmp(ev[i].boundary, "platform"))
			primary = "platform";
		else if (!primary && !strcmp(ev[i].boundary, "package"))
			primary = "package";
	}
	if (!primary) {
		meter_fmt(v->reason, sizeof(v->reason), "power PMU has no usable energy-pkg or "
			 "energy-psys event%s%s", m->note[0] ? ": " : "", m->note);
		meter_fmt(v->fix, sizeof(v->fix), "check %s/events", pmu);
		return -EINVAL;
	}

	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	m->priv = p;
	for (int i = 0; i < nev; i++) {
		char src[48];
		int dom;

		meter_fmt(src, sizeof(src), "perf:%s", ev[i].name);
		dom = meter_add_domain(m, src, ev[i].boundary, !strcmp(ev[i].boundary, primary));
		if (dom < 0)
			break;
		for (int c = 0; c < ncpu; c++) {
			struct perf_event_attr attr;
			struct perf_fd *f = &p->f[p->nfd];
			long fd;

			memset(&attr, 0, sizeof(attr));
			attr.size = sizeof(attr);
			attr.type = (uint32_t)type;
			attr.config = ev[i].config;
			errno = 0;
			fd = m->env.perf_event_open(&attr, -1, cpus[c], -1, PERF_FLAG_FD_CLOEXEC);
			if (fd < 0) {
				int e = errno ? -errno : -EIO;
				if (e == -EACCES || e == -EPERM)
					paranoid_fix(m, v, e);
				else
					meter_fmt(v->reason, sizeof(v->reason),
						 "perf_event_open(%s, cpu %d): %s", ev[i].name,
						 cpus[c], strerror(-e));
				perf_close(m);
				return e;
			}
			f->fd = (int)fd;
			f->domain = dom;
			f->ctr.unit_j = ev[i].scale;
			p->nfd++;
		}
	}
	m->method = METHOD_MEASURED;
	meter_set_primary_source(m, "perf:");
	meter_fmt(v->reason, sizeof(v->reason), "power PMU type %d, %d event(s) on %d package "
		 "CPU(s), total over %s", type, nev, ncpu, primary);
	for (int i = 0; i < p->nfd; i++) {
		uint64_t count;
		if (m->env.perf_read(p->f[i].fd, &count) == 0)
			meter_counter_update(&p->f[i].ctr, count, 0);
	}
	p->last_t = m->env.now();
	return 0;
}

static int perf_read(struct meter *m, struct meter_reading *r)
{
	struct perf_priv *p = m->priv;
	double dt = r->t_s - p->last_t;
	int rc = 0;

	for (int i = 0; i < p->nfd; i++) {
		struct perf_fd *f = &p->f[i];
		uint64_t count;
		int e = m->env.perf_read(f->fd, &count);
		if (e) {
			rc = e;
			if (m->dom[f->domain].primary)
				r->flags |= METER_F_PARTIAL;
		} else if (meter_counter_update(&f->ctr, count, dt)) {
			r->flags |= METER_F_RESET;
		}
		r->joules[f->domain] += f->ctr.acc_j;
	}
	p->last_t = r->t_s;
	return rc;
}

static const struct meter_ops perf_ops = {
	.name = "perf-power",
	.capability = "perf-power",
	.rank = 20,
	.probe = perf_probe,
	.read = perf_read,
	.close = perf_close,
};
METER_REGISTER(perf_ops);
