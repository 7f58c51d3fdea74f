#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "oci.h"

static cJSON *get(cJSON *o, const char *path)
{
	char copy[256];
	snprintf(copy, sizeof(copy), "%s", path);
	for (char *k = strtok(copy, "."); k && o; k = strtok(NULL, "."))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

static int has_namespace(cJSON *c, const char *type)
{
	cJSON *ns;
	cJSON_ArrayForEach(ns, get(c, "linux.namespaces"))
		if (strcmp(cJSON_GetObjectItem(ns, "type")->valuestring, type) == 0)
			return 1;
	return 0;
}

static void config_has_args_netns_and_hook(void **state)
{
	(void)state;
	const char *args[] = { "/httpd", "--port", "8080", NULL };
	const char *hook_args[] = { "zerowatt", "oci-hook", "3", NULL };
	struct oci_spec spec = { .args = args, .hostname = "h", .cgroups_path = "/zw-1-3-0",
				 .hook_path = "/abs/zerowatt", .hook_args = hook_args, .own_netns = 1,
				 .nofile = 4096 };
	cJSON *c = oci_config(&spec);
	assert_string_equal(get(c, "ociVersion")->valuestring, "1.0.2");
	cJSON *a = get(c, "process.args");
	assert_int_equal(cJSON_GetArraySize(a), 3);
	assert_string_equal(cJSON_GetArrayItem(a, 0)->valuestring, "/httpd");
	assert_true(cJSON_IsFalse(get(c, "process.terminal")));
	assert_true(cJSON_IsTrue(get(c, "root.readonly")));
	assert_true(has_namespace(c, "network"));
	assert_true(has_namespace(c, "pid"));
	assert_string_equal(get(c, "linux.cgroupsPath")->valuestring, "/zw-1-3-0");
	cJSON *hook = cJSON_GetArrayItem(get(c, "hooks.createRuntime"), 0);
	assert_string_equal(cJSON_GetObjectItem(hook, "path")->valuestring, "/abs/zerowatt");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(hook, "args")), 3);
	cJSON *rl = cJSON_GetArrayItem(get(c, "process.rlimits"), 0);
	assert_int_equal(cJSON_GetObjectItem(rl, "hard")->valueint, 4096);
	cJSON_Delete(c);
}

static void no_netns_no_hook_no_rlimit_when_not_asked(void **state)
{
	(void)state;
	const char *args[] = { "/busybox", "true", NULL };
	struct oci_spec spec = { .args = args };
	cJSON *c = oci_config(&spec);
	assert_false(has_namespace(c, "network"));
	assert_null(get(c, "hooks"));
	assert_null(get(c, "process.rlimits"));
	assert_null(get(c, "linux.cgroupsPath"));
	cJSON_Delete(c);
}

static void bundle_copies_binary_byte_for_byte(void **state)
{
	(void)state;
	char dir[] = "/tmp/zw-test-oci-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char bundle[64], src[64], dst[96], cmd[512];
	snprintf(bundle, sizeof(bundle), "%s/b", dir);
	snprintf(src, sizeof(src), "%s/bin", dir);
	FILE *f = fopen(src, "w");
	for (int i = 0; i < 100000; i++)
		fputc(i * 7, f);
	fclose(f);
	const char *args[] = { "/bin", NULL };
	struct oci_spec spec = { .args = args };
	assert_int_equal(oci_bundle_create(bundle, src, "bin", &spec), 0);
	snprintf(dst, sizeof(dst), "%s/rootfs/bin", bundle);
	snprintf(cmd, sizeof(cmd), "cmp -s %s %s && test -x %s && test -f %s/config.json", src, dst, dst, bundle);
	assert_int_equal(system(cmd), 0);
	oci_bundle_remove(bundle);
	struct stat st;
	assert_int_not_equal(stat(bundle, &st), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(config_has_args_netns_and_hook),
		cmocka_unit_test(no_netns_no_hook_no_rlimit_when_not_asked),
		cmocka_unit_test(bundle_copies_binary_byte_for_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
