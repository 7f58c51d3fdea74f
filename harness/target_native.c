/* native: the workload as a plain process in the lab namespace, reached
 * over loopback. The reference every other platform is compared to. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "target.h"

static int native_available(char *why, size_t len)
{
	(void)why;
	(void)len;
	return 0;
}

static int native_prepare(struct target_instance *ti)
{
	snprintf(ti->addr, sizeof(ti->addr), "127.0.0.1");
	return 0;
}

static int native_start(struct target_instance *ti)
{
	char *argv[17];
	int i;
	argv[0] = ti->wl.path;
	for (i = 1; i < 16 && ti->wl.argv[i]; i++)
		argv[i] = (char *)ti->wl.argv[i];
	argv[i] = NULL;
	return proc_spawn(argv, PROC_MERGE_STDERR, &ti->pid, &ti->out_fd);
}

static void native_describe(struct target_instance *ti, cJSON *obj)
{
	struct stat st;
	if (stat(ti->wl.path, &st) == 0)
		cJSON_AddNumberToObject(obj, "workload_bytes", (double)st.st_size);
	cJSON_AddStringToObject(obj, "accelerator", "none");
}

static const struct target_ops native_ops = {
	.name = "native",
	.summary = "the workload as a plain process on the host",
	.shares_network_stack = 1,
	.available = native_available,
	.prepare = native_prepare,
	.start = native_start,
	.describe = native_describe,
};
TARGET_REGISTER(native_ops);
