#include "wrk.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "proc.h"
#include "results.h"

/* latency:percentile() is in microseconds; summary.duration too. */
static const char wrk_lua[] =
	"done = function(summary, latency, requests)\n"
	"  local e = summary.errors\n"
	"  io.write(string.format('WRKJSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,'\n"
	"    .. '\"errors_connect\":%d,\"errors_read\":%d,\"errors_write\":%d,\"errors_status\":%d,'\n"
	"    .. '\"errors_timeout\":%d,\"lat_mean_us\":%.3f,\"lat_max_us\":%d,\"p50_us\":%d,'\n"
	"    .. '\"p90_us\":%d,\"p99_us\":%d,\"p999_us\":%d}\\n',\n"
	"    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write,\n"
	"    e.status, e.timeout, latency.mean, latency.max, latency:percentile(50),\n"
	"    latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))\n"
	"end\n";

static double num(cJSON *o, const char *key)
{
	cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

int wrk_parse(const char *output, struct wrk_result *r)
{
	memset(r, 0, sizeof(*r));
	const char *line = strstr(output, "WRKJSON ");
	if (!line)
		return -ENODATA;
	cJSON *o = cJSON_Parse(line + 8);
	if (!o)
		return -EPROTO;
	r->requests = num(o, "requests");
	r->duration_s = num(o, "duration_us") / 1e6;
	r->bytes = num(o, "bytes");
	r->errors_connect = num(o, "errors_connect");
	r->errors_read = num(o, "errors_read");
	r->errors_write = num(o, "errors_write");
	r->errors_status = num(o, "errors_status");
	r->errors_timeout = num(o, "errors_timeout");
	r->lat_mean_us = num(o, "lat_mean_us");
	r->lat_max_us = num(o, "lat_max_us");
	r->p50_us = num(o, "p50_us");
	r->p90_us = num(o, "p90_us");
	r->p99_us = num(o, "p99_us");
	r->p999_us = num(o, "p999_us");
	cJSON_Delete(o);
	if (r->requests < 0 || r->duration_s <= 0)
		return -EPROTO;
	r->rps = r->requests / r->duration_s;
	return 0;
}

double wrk_errors(const struct wrk_result *r)
{
	return r->errors_connect + r->errors_read + r->errors_write + r->errors_status + r->errors_timeout;
}

int wrk_run(const struct wrk_options *o, struct wrk_result *r)
{
	char script[] = "/tmp/zw-wrk-XXXXXX.lua";
	int fd = mkstemps(script, 4);
	if (fd < 0)
		return -errno;
	if (write(fd, wrk_lua, sizeof(wrk_lua) - 1) != (ssize_t)(sizeof(wrk_lua) - 1)) {
		close(fd);
		unlink(script);
		return -EIO;
	}
	close(fd);
	char threads[16], conns[16], dur[32], timeout[32], url[96], cpu[16];
	snprintf(threads, sizeof(threads), "%u", o->threads ? o->threads : 1);
	snprintf(conns, sizeof(conns), "%u", o->connections ? o->connections : 50);
	snprintf(dur, sizeof(dur), "%.0fs", o->duration_s > 0 ? o->duration_s : 5);
	snprintf(timeout, sizeof(timeout), "%.0fs", o->timeout_s > 0 ? o->timeout_s : 2);
	snprintf(url, sizeof(url), "http://%s:%d/", o->addr, o->port);
	snprintf(cpu, sizeof(cpu), "%d", o->cpu);
	char *argv[20];
	int argc = 0;
	if (o->cpu >= 0) {
		argv[argc++] = "taskset";
		argv[argc++] = "-c";
		argv[argc++] = cpu;
	}
	char *rest[] = { "wrk", "-t", threads, "-c", conns, "-d", dur, "--timeout", timeout,
			 "-s", script, url, NULL };
	for (int i = 0; rest[i]; i++)
		argv[argc++] = rest[i];
	argv[argc] = NULL;
	char out[16384];
	double limit = (o->duration_s > 0 ? o->duration_s : 5) + 30;
	int rc = proc_run(argv, out, sizeof(out), limit);
	unlink(script);
	if (rc < 0)
		return rc;
	if (rc == 127) {
		pr_err("wrk is not installed (apt-get install wrk)");
		return -ENOENT;
	}
	int p = wrk_parse(out, r);
	if (p < 0) {
		pr_err("wrk gave no result (exit %d): %.200s", rc, out);
		return p;
	}
	return 0;
}
