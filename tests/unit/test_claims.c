#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

#include "claims.h"
#include "results.h"

static struct sample mk(const char *exp, const char *target, const char *metric, double v)
{
	struct sample s;
	memset(&s, 0, sizeof(s));
	snprintf(s.experiment, sizeof(s.experiment), "%s", exp);
	snprintf(s.target, sizeof(s.target), "%s", target);
	snprintf(s.metric, sizeof(s.metric), "%s", metric);
	snprintf(s.method, sizeof(s.method), "measured");
	s.value = v;
	s.t_s = NAN;
	return s;
}

static const struct claim_result *find(const struct claim_result *r, int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(r[i].id, id))
			return &r[i];
	fail_msg("no claim %s", id);
	return NULL;
}

static void verdicts_from_medians(void **state)
{
	(void)state;
	struct sample s[] = {
		/* boot: unikernel 50 vs vm 2000 (and 2100, 1900): ratio 0.025 <= 0.05 → met */
		mk("boot", "unikernel", "first_200_ms", 50), mk("boot", "vm", "first_200_ms", 2000),
		mk("boot", "vm", "first_200_ms", 2100), mk("boot", "vm", "first_200_ms", 1900),
		/* syscall: 200 vs 800 → 0.25 > 0.2 → not met */
		mk("syscall", "unikernel", "getppid_ns", 200), mk("syscall", "vm", "getppid_ns", 800),
		mk("syscall", "unikernel-ring3", "getppid_ns", 300),
		/* idle: exactly 0 interrupts meets "0/s"; 0.2 would not */
		mk("idle", "unikernel", "guest_timer_irqs_per_s", 0),
	};
	cJSON *meta = cJSON_Parse("{\"targets\":{\"unikernel\":{\"kernel_stripped_bytes\":600000}},"
				  "\"skipped_targets\":{\"unikernel\":\"boot: other; boot-go: failed in repetition -1: "
				  "exited before READY; load-go: x\"}}");
	struct claim_result r[32];
	int n = claims_evaluate(s, sizeof(s) / sizeof(s[0]), meta, r, 32);
	assert_true(n >= 8);
	assert_int_equal(find(r, n, "3-boot")->verdict, CLAIM_MET);
	assert_int_equal(find(r, n, "3-syscall")->verdict, CLAIM_NOT_MET);
	assert_non_null(strstr(find(r, n, "3-syscall")->evidence, "0.250"));
	assert_int_equal(find(r, n, "3-ring3")->verdict, CLAIM_REPORTED);
	assert_int_equal(find(r, n, "3-idle-irq")->verdict, CLAIM_MET);
	assert_int_equal(find(r, n, "3-image")->verdict, CLAIM_NOT_MET); /* 600000 > 512 KiB */
	assert_int_equal(find(r, n, "3-rps")->verdict, CLAIM_NOT_MEASURED);
	assert_int_equal(find(r, n, "2-nginx")->verdict, CLAIM_NOT_MEASURED);
	const struct claim_result *go = find(r, n, "4-go");
	assert_int_equal(go->verdict, CLAIM_NOT_MET);
	assert_non_null(strstr(go->evidence, "exited before READY"));
	assert_null(strstr(go->evidence, "load-go"));
	cJSON_Delete(meta);
}

static void unavailable_values_do_not_count(void **state)
{
	(void)state;
	struct sample s[] = { mk("idle", "unikernel", "cpu_pct", NAN) };
	struct claim_result r[32];
	int n = claims_evaluate(s, 1, NULL, r, 32);
	assert_int_equal(find(r, n, "3-idle-cpu")->verdict, CLAIM_NOT_MEASURED);
	assert_int_equal(find(r, n, "3-image")->verdict, CLAIM_NOT_MEASURED);
	assert_int_equal(find(r, n, "4-go")->verdict, CLAIM_NOT_MEASURED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(verdicts_from_medians),
		cmocka_unit_test(unavailable_values_do_not_count),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
