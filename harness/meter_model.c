/* The fallback when no sensor exists: Cloud Carbon Footprint's linear model.
 *
 *   W = vCPUs * (Wmin + u * (Wmax - Wmin))
 *
 * with Wmin = 0.74 W and Wmax = 3.5 W per vCPU, CCF's averages over AWS
 * instance CPU families (CCF methodology, "Energy Estimate (Watt-Hours)":
 * https://www.cloudcarbonfootprint.org/docs/methodology), overridable through
 * meter_model_set (the profile's keys). u is host-wide utilisation from
 * /proc/stat between two reads.
 *
 * What it cannot do: the model only rescales CPU time. Two platforms that use
 * the same CPU time get the same joules, whatever the hardware really does
 * (C-states, frequency, memory, I/O), and its idle floor - vCPUs x Wmin -
 * never goes away at scale to zero unless the host itself powers down. So
 * every figure it makes is labelled estimated, source model:ccf, boundary
 * model, and its parameters are written into the meter's note. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "meter.h"
#include "results.h"

static double model_wmin = METER_MODEL_WMIN_DEFAULT;
static double model_wmax = METER_MODEL_WMAX_DEFAULT;

int meter_model_set(double wmin, double wmax)
{
	if (!isfinite(wmin) || !isfinite(wmax) || wmin < 0 || wmax < wmin)
		return -EINVAL;
	model_wmin = wmin;
	model_wmax = wmax;
	return 0;
}

void meter_model_get(double *wmin, double *wmax)
{
	*wmin = model_wmin;
	*wmax = model_wmax;
}

double meter_model_watts(const struct meter_env *env, int vcpus, double u)
{
	if (vcpus <= 0 || !(u >= 0))
		return NAN;
	if (u > 1)
		u = 1;
	return vcpus * (env->model_wmin + u * (env->model_wmax - env->model_wmin));
}

/* Integrated form: u * vCPUs * interval is the CPU time used, so the energy
 * is the idle floor plus (Wmax - Wmin) per CPU-second. */
double meter_model_joules(const struct meter_env *env, int vcpus, double interval_s, double cpu_s)
{
	if (vcpus <= 0 || !(interval_s >= 0) || !(cpu_s >= 0))
		return NAN;
	if (cpu_s > vcpus * interval_s)
		cpu_s = vcpus * interval_s;
	return vcpus * env->model_wmin * interval_s + (env->model_wmax - env->model_wmin) * cpu_s;
}

struct model_priv {
	int vcpus;
	unsigned long long busy, total;   /* /proc/stat ticks at the last read */
	double last_t;
	double last_u;
	double acc_j;
};

/* Busy and total ticks from the aggregate "cpu" line; guest time is already
 * inside user time, so it is not added again. Steal is time the hypervisor
 * gave to someone else: it counts in total, not in busy. */
static int read_proc_stat(const char *proc_root, unsigned long long *busy,
			  unsigned long long *total, int *vcpus)
{
	char path[512], line[512];
	unsigned long long v[8] = { 0 };
	int cpus = 0, have = 0;
	FILE *f;

	meter_fmt(path, sizeof(path), "%s/stat", proc_root);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "cpu ", 4)) {
			int k = sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
				       &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
			if (k < 4) {
				fclose(f);
				return -EINVAL;
			}
			have = 1;
		} else if (!strncmp(line, "cpu", 3) && line[3] >= '0' && line[3] <= '9') {
			cpus++;
		}
	}
	fclose(f);
	if (!have || !cpus)
		return -EINVAL;
	/* user nice system idle iowait irq softirq steal */
	*busy = v[0] + v[1] + v[2] + v[5] + v[6];
	*total = *busy + v[3] + v[4] + v[7];
	if (vcpus)
		*vcpus = cpus;
	return 0;
}

static int model_probe(struct meter *m, struct meter_verdict *v)
{
	struct model_priv *p = calloc(1, sizeof(*p));
	int rc;

	if (!p)
		return -ENOMEM;
	rc = read_proc_stat(m->env.proc_root, &p->busy, &p->total, &p->vcpus);
	if (rc) {
		meter_fmt(v->reason, sizeof(v->reason), "cannot read utilisation from %s/stat: %s",
			 m->env.proc_root, strerror(-rc));
		meter_fmt(v->fix, sizeof(v->fix), "mount procfs");
		free(p);
		return rc;
	}
	if (!isfinite(m->env.model_wmin) || !isfinite(m->env.model_wmax) ||
	    m->env.model_wmin < 0 || m->env.model_wmax < m->env.model_wmin) {
		meter_fmt(v->reason, sizeof(v->reason), "bad model parameters Wmin=%g Wmax=%g",
			 m->env.model_wmin, m->env.model_wmax);
		free(p);
		return -EINVAL;
	}
	m->priv = p;
	p->last_u = NAN;
	p->last_t = m->env.now();
	m->method = METHOD_ESTIMATED;
	meter_add_domain(m, "model:ccf", "model", 1);
	meter_fmt(m->source, sizeof(m->source), "model:ccf");
	meter_fmt(m->boundary, sizeof(m->boundary), "model");
	meter_note(m, "CCF linear model W = vCPUs*(Wmin + u*(Wmax-Wmin)), Wmin=%.3g W, "
		   "Wmax=%.3g W per vCPU, %d vCPUs, u = host busy/total from %s/stat; "
		   "rescales CPU time only, idle floor %.3g W never reaches 0",
		   m->env.model_wmin, m->env.model_wmax, p->vcpus, m->env.proc_root,
		   p->vcpus * m->env.model_wmin);
	meter_fmt(v->reason, sizeof(v->reason), "estimated from CPU utilisation (%d vCPUs, "
		 "%.3g-%.3g W each)", p->vcpus, m->env.model_wmin, m->env.model_wmax);
	meter_fmt(v->fix, sizeof(v->fix), "a host with RAPL gives measured joules");
	return 0;
}

static int model_read(struct meter *m, struct meter_reading *r)
{
	struct model_priv *p = m->priv;
	unsigned long long busy, total;
	double dt = r->t_s - p->last_t, u;
	int rc = read_proc_stat(m->env.proc_root, &busy, &total, NULL);

	if (rc) {
		r->joules[0] = p->acc_j;
		return rc;
	}
	if (total > p->total && busy >= p->busy) {
		u = (double)(busy - p->busy) / (double)(total - p->total);
		p->busy = busy;
		p->total = total;
	} else if (busy < p->busy || total < p->total) {
		/* /proc/stat went backwards (CPU hot-unplug): start again. */
		u = p->last_u;
		p->busy = busy;
		p->total = total;
		r->flags |= METER_F_RESET;
	} else {
		/* Within one tick: nothing new; the tick baseline stays. */
		u = p->last_u;
	}
	/* Until a first utilisation is known the interval is not integrated
	 * but carried over to the next read, so no energy is guessed. */
	if (isnan(u)) {
		r->joules[0] = p->acc_j;
		return 0;
	}
	if (dt > 0)
		p->acc_j += meter_model_watts(&m->env, p->vcpus, u) * dt;
	p->last_u = u;
	p->last_t = r->t_s;
	r->joules[0] = p->acc_j;
	return 0;
}

static void model_close(struct meter *m)
{
	free(m->priv);
	m->priv = NULL;
}

static const struct meter_ops model_ops = {
	.name = "model",
	.capability = "energy-model",
	.rank = 90,
	.probe = model_probe,
	.read = model_read,
	.close = model_close,
};
METER_REGISTER(model_ops);
