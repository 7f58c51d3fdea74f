/* The report's setup pieces from meta.json: host facts, energy meters
 * probed, doctor's verdicts, skipped targets. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report_frag.h"
#include "report_md.h"

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* A meta value as text: strings as they are, numbers and booleans printed,
 * objects and arrays compact. */
static void json_text(const cJSON *it, char *out, size_t cap)
{
	if (!it) {
		snprintf(out, cap, "not recorded");
	} else if (cJSON_IsString(it)) {
		snprintf(out, cap, "%s", it->valuestring);
	} else if (cJSON_IsBool(it)) {
		snprintf(out, cap, "%s", cJSON_IsTrue(it) ? "yes" : "no");
	} else if (cJSON_IsNumber(it) && it->valuedouble == (double)(long long)it->valuedouble) {
		snprintf(out, cap, "%lld", (long long)it->valuedouble);
	} else if (cJSON_IsNumber(it)) {
		md_num(out, cap, it->valuedouble);
	} else {
		char *s = cJSON_PrintUnformatted(it);
		snprintf(out, cap, "%s", s ? s : "?");
		free(s);
	}
}

static void kv_row(FILE *f, const char *key, const char *value)
{
	const char *row[] = { key, value };
	md_table_row(f, row, 2);
}

static void kv_meta(FILE *f, const struct rd_run *run, const char *label, const char *key)
{
	char buf[2048];
	json_text(rd_meta_obj(run, key), buf, sizeof(buf));
	kv_row(f, label, buf);
}

static void kv_state(FILE *f, const struct rd_run *run, const char *label, const char *key)
{
	char a[128], b[128], buf[300];
	cJSON *before = rd_meta_obj(run, "host_state_before"), *after = rd_meta_obj(run, "host_state_after");
	json_text(before ? cJSON_GetObjectItemCaseSensitive(before, key) : NULL, a, sizeof(a));
	json_text(after ? cJSON_GetObjectItemCaseSensitive(after, key) : NULL, b, sizeof(b));
	snprintf(buf, sizeof(buf), "%s (before) / %s (after)", a, b);
	kv_row(f, label, buf);
}

static void mitigations_text(const struct rd_run *run, char *out, size_t cap)
{
	cJSON *m = rd_meta_obj(run, "mitigations");
	size_t k = 0;
	int affected = 0, total = 0;
	out[0] = '\0';
	cJSON *it;
	cJSON_ArrayForEach(it, m) {
		total++;
		if (!cJSON_IsString(it) || strncmp(it->valuestring, "Not affected", 12) == 0)
			continue;
		affected++;
		if (k + 1 < cap)
			k += (size_t)snprintf(out + k, cap - k, "%s%s: %s", affected > 1 ? "; " : "", it->string,
					      it->valuestring);
	}
	if (!total)
		snprintf(out, cap, "not recorded");
	else if (!affected)
		snprintf(out, cap, "not affected by any of %d listed", total);
}

static void host_block(FILE *f, const struct rd_set *set, const char *host)
{
	const struct rd_run *first = NULL;
	char runs[2048] = "";
	size_t k = 0;
	for (int i = 0; i < set->nruns; i++)
		if (!strcmp(set->runs[i].host, host)) {
			if (!first)
				first = &set->runs[i];
			if (k + 1 < sizeof(runs))
				k += (size_t)snprintf(runs + k, sizeof(runs) - k, "%s`%s`", k ? ", " : "",
						      set->runs[i].id);
		}
	if (!first)
		return;
	static const char *const head[] = { "fact", "value" };
	md_table_head(f, head, 2, "ll");
	kv_row(f, "run directories", runs);
	kv_meta(f, first, "host", "host");
	kv_meta(f, first, "CPU", "cpu_model");
	kv_meta(f, first, "CPUs online", "cpus_online");
	char buf[2048];
	cJSON *mem = rd_meta_obj(first, "mem_total_bytes");
	if (cJSON_IsNumber(mem)) {
		char num[32];
		md_num(num, sizeof(num), mem->valuedouble / (1024.0 * 1024 * 1024));
		snprintf(buf, sizeof(buf), "%s GiB", num);
		kv_row(f, "memory", buf);
	}
	kv_meta(f, first, "microcode", "microcode");
	kv_meta(f, first, "hypervisor flag (host is a VM)", "cpu_hypervisor_flag");
	kv_meta(f, first, "SMT active", "smt_active");
	kv_meta(f, first, "kernel", "kernel");
	kv_meta(f, first, "kernel command line", "kernel_cmdline");
	mitigations_text(first, buf, sizeof(buf));
	kv_row(f, "CPU vulnerabilities not 'Not affected'", buf);
	kv_state(f, first, "governor", "governor");
	kv_state(f, first, "turbo", "turbo");
	const char *accel = rd_meta_str(first, "accelerator"), *why = rd_meta_str(first, "accelerator_reason");
	snprintf(buf, sizeof(buf), "%s%s%s", *accel ? accel : "not recorded", *why ? " — " : "", why);
	kv_row(f, "accelerator (vm, unikernel)", buf);
	cJSON *energy = rd_meta_obj(first, "energy");
	if (energy) {
		const char *src = json_str(energy, "source"), *method = json_str(energy, "method");
		const char *boundary = json_str(energy, "boundary"), *note = json_str(energy, "note");
		snprintf(buf, sizeof(buf), "%s, %s, boundary %s", src ? src : "?", method ? method : "?",
			 boundary ? boundary : "?");
		kv_row(f, "energy source", buf);
		if (note)
			kv_row(f, "energy note", note);
	} else {
		kv_row(f, "energy source", "not recorded");
	}
	cJSON *tools = rd_meta_obj(first, "tools"), *it;
	cJSON_ArrayForEach(it, tools) {
		char label[80], val[512];
		snprintf(label, sizeof(label), "tool: %s", it->string);
		json_text(it, val, sizeof(val));
		kv_row(f, label, val);
	}
	const char *commit = rd_meta_str(first, "git_commit");
	cJSON *dirty = rd_meta_obj(first, "git_dirty");
	snprintf(buf, sizeof(buf), "%s%s", *commit ? commit : "not recorded",
		 cJSON_IsTrue(dirty) ? " (with uncommitted changes)" : "");
	kv_row(f, "git commit", buf);
	cJSON *pin = rd_meta_obj(first, "pinning");
	if (pin) {
		json_text(pin, buf, sizeof(buf));
		kv_row(f, "CPU pinning", buf);
	}
	/* Every run of the host: its own warnings and its targets. */
	for (int i = 0; i < set->nruns; i++) {
		const struct rd_run *run = &set->runs[i];
		if (strcmp(run->host, host) != 0)
			continue;
		char label[400];
		cJSON *warns = rd_meta_obj(run, "host_state_warnings");
		size_t wk = 0;
		buf[0] = '\0';
		cJSON_ArrayForEach(it, warns)
			if (cJSON_IsString(it) && wk + 1 < sizeof(buf))
				wk += (size_t)snprintf(buf + wk, sizeof(buf) - wk, "%s%s", wk ? "; " : "",
						       it->valuestring);
		snprintf(label, sizeof(label), "host-state warnings (%s)", run->id);
		kv_row(f, label, warns ? (wk ? buf : "none") : "not recorded");
		cJSON *cmd = rd_meta_obj(run, "command");
		if (cmd) {
			size_t ck = 0;
			buf[0] = '\0';
			cJSON_ArrayForEach(it, cmd)
				if (cJSON_IsString(it) && ck + 1 < sizeof(buf))
					ck += (size_t)snprintf(buf + ck, sizeof(buf) - ck, "%s%s", ck ? " " : "",
							       it->valuestring);
			snprintf(label, sizeof(label), "command (%s)", run->id);
			kv_row(f, label, buf);
		}
		cJSON *targets = rd_meta_obj(run, "targets");
		cJSON_ArrayForEach(it, targets) {
			snprintf(label, sizeof(label), "target %s (%s)", it->string, run->id);
			json_text(it, buf, sizeof(buf));
			kv_row(f, label, buf);
		}
	}
}

void rf_hosts(FILE *f, struct rf_ctx *ctx)
{
	struct rd_names hosts;
	rd_hosts(ctx->set, &hosts);
	for (int h = 0; h < hosts.n; h++) {
		if (hosts.n > 1)
			fprintf(f, "%sHost **%s**:\n\n", h ? "\n" : "", hosts.v[h]);
		host_block(f, ctx->set, hosts.v[h]);
	}
}

void rf_energy(FILE *f, struct rf_ctx *ctx)
{
	int any = 0;
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		cJSON *energy = rd_meta_obj(run, "energy");
		cJSON *probed = energy ? cJSON_GetObjectItemCaseSensitive(energy, "probed") : NULL;
		if (!cJSON_IsArray(probed))
			continue;
		/* Runs of one host usually probe alike: show a host's first run only. */
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= !strcmp(ctx->set->runs[j].host, run->host) &&
			       cJSON_GetObjectItemCaseSensitive(rd_meta_obj(&ctx->set->runs[j], "energy"), "probed");
		if (dup)
			continue;
		fprintf(f, "%sEnergy meters probed on %s (run `%s`):\n\n", any ? "\n" : "", run->host, run->id);
		static const char *const head[] = { "meter", "verdict", "chosen", "reason", "fix" };
		md_table_head(f, head, 5, "lllll");
		cJSON *it;
		cJSON_ArrayForEach(it, probed) {
			const char *row[] = { json_str(it, "meter"), json_str(it, "verdict"),
					      cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(it, "chosen")) ? "yes" : "",
					      json_str(it, "reason"), json_str(it, "fix") };
			md_table_row(f, row, 5);
		}
		any = 1;
	}
	if (!any)
		fprintf(f, "*No energy meter record in these runs.*\n");
}

static void doctor_table(FILE *f, const cJSON *lines)
{
	static const char *const head[] = { "capability", "status", "detail", "fix" };
	md_table_head(f, head, 4, "llll");
	const cJSON *it;
	cJSON_ArrayForEach(it, lines) {
		const char *row[] = { json_str(it, "name"), json_str(it, "status"), json_str(it, "detail"),
				      json_str(it, "fix") };
		md_table_row(f, row, 4);
	}
}

void rf_doctor(FILE *f, struct rf_ctx *ctx)
{
	struct rd_names hosts;
	rd_hosts(ctx->set, &hosts);
	for (int h = 0; h < hosts.n; h++) {
		const cJSON *rec = NULL;
		const char *id = NULL;
		for (int i = 0; i < ctx->set->nruns && !rec; i++)
			if (!strcmp(ctx->set->runs[i].host, hosts.v[h]) &&
			    cJSON_IsArray(rd_meta_obj(&ctx->set->runs[i], "doctor"))) {
				rec = rd_meta_obj(&ctx->set->runs[i], "doctor");
				id = ctx->set->runs[i].id;
			}
		if (h)
			fputc('\n', f);
		if (rec) {
			fprintf(f, "Host %s, as recorded by run `%s`:\n\n", hosts.v[h], id);
			doctor_table(f, rec);
		} else if (ctx->doctor_now && !strcmp(ctx->doctor_now_host, hosts.v[h])) {
			fprintf(f, "Host %s: the runs recorded no verdicts; `zerowatt doctor` run on the same host "
				   "when this report was written:\n\n", hosts.v[h]);
			doctor_table(f, ctx->doctor_now);
		} else {
			fprintf(f, "Host %s: no doctor's verdicts recorded in its runs.\n", hosts.v[h]);
		}
	}
}

void rf_skipped(FILE *f, struct rf_ctx *ctx)
{
	int any = 0;
	for (int i = 0; i < ctx->set->nruns; i++) {
		const struct rd_run *run = &ctx->set->runs[i];
		cJSON *sk = rd_meta_obj(run, "skipped_targets"), *it;
		cJSON_ArrayForEach(it, sk) {
			if (!any++) {
				static const char *const head[] = { "host", "run", "target", "reason" };
				md_table_head(f, head, 4, "llll");
			}
			char why[1024];
			json_text(it, why, sizeof(why));
			const char *row[] = { run->host, run->id, it->string, why };
			md_table_row(f, row, 4);
		}
	}
	if (!any)
		fprintf(f, "No target was skipped.\n");
}
