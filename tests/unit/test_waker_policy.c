/* The waker's state machine with a fake clock and no target: every event is
 * a function call, every decision an action we can read back. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "waker_policy.h"

struct seen {
	int start, stop, relay, relay_cold, relay_warm, r502, r503, r504, states;
	unsigned long relayed[64], rejected[64];
	int nrelayed, nrejected;
	double wait_s[64];
	enum wk_state last_to;
};

/* Takes the core's pending actions and counts them. */
static struct seen take(struct wk_core *c)
{
	struct seen s;
	memset(&s, 0, sizeof(s));
	const struct wk_action *a;
	size_t n = wk_take(c, &a);
	for (size_t i = 0; i < n; i++) {
		switch (a[i].kind) {
		case WK_A_START:
			s.start++;
			break;
		case WK_A_STOP:
			s.stop++;
			break;
		case WK_A_RELAY:
			s.relay++;
			s.relay_cold += a[i].cold;
			s.relay_warm += !a[i].cold;
			s.wait_s[s.nrelayed] = a[i].wait_s;
			s.relayed[s.nrelayed++] = a[i].conn;
			break;
		case WK_A_REJECT:
			s.r502 += a[i].status == 502;
			s.r503 += a[i].status == 503;
			s.r504 += a[i].status == 504;
			s.rejected[s.nrejected++] = a[i].conn;
			break;
		case WK_A_STATE:
			assert_int_equal(a[i].from == a[i].to, 0);
			s.states++;
			s.last_to = a[i].to;
			break;
		}
	}
	return s;
}

static struct wk_config config(enum wk_policy p, double keep_alive)
{
	struct wk_config c = {
		.policy = p, .keep_alive_s = keep_alive, .queue_max = 4, .conn_max = 8,
		.ready_timeout_s = 5, .restart_backoff_s = 1,
	};
	return c;
}

static void arrivals_during_boot_share_one_boot(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_begin(&c, 0);
	assert_int_equal(take(&c).start, 0); /* scale to zero: nothing runs */
	assert_int_equal(c.state, WK_OFF);

	wk_connect(&c, 1.0, 100);
	struct seen s = take(&c);
	assert_int_equal(s.start, 1);
	assert_int_equal(s.last_to, WK_BOOTING);
	for (unsigned long k = 101; k < 104; k++) {
		wk_connect(&c, 1.1, k);
		s = take(&c);
		assert_int_equal(s.start, 0); /* no thundering herd */
		assert_int_equal(s.relay + s.r503, 0);
	}
	wk_ready(&c, 1.5);
	s = take(&c);
	assert_int_equal(s.relay, 4);
	assert_int_equal(s.relay_cold, 4);
	assert_int_equal(s.relayed[0], 100); /* FIFO */
	assert_int_equal(s.relayed[3], 103);
	assert_true(fabs(s.wait_s[0] - 0.5) < 1e-9);
	assert_true(fabs(s.wait_s[1] - 0.4) < 1e-9);
	assert_int_equal(s.last_to, WK_SERVING);
	assert_int_equal(c.n.boots, 1);

	/* A request while warm is relayed at once, and counted warm. */
	wk_connect(&c, 2.0, 104);
	s = take(&c);
	assert_int_equal(s.relay_warm, 1);
	assert_true(s.wait_s[0] == 0);
	for (unsigned long k = 100; k <= 104; k++)
		wk_conn_closed(&c, 2.5, k);
	s = take(&c);
	assert_int_equal(s.last_to, WK_IDLE);
	assert_int_equal(s.stop, 0);
	assert_int_equal(c.n.cold, 4);
	assert_int_equal(c.n.warm, 1);
	wk_free(&c);
}

static void keep_alive_expiry_stops_after_t(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 30);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_ready(&c, 0.1);
	wk_conn_closed(&c, 0.2, 1);
	take(&c);
	assert_true(fabs(wk_next_deadline(&c) - 30.2) < 1e-9);
	wk_tick(&c, 30.1);
	assert_int_equal(take(&c).stop, 0);
	/* A request inside the window resets the idle clock. */
	wk_connect(&c, 30.15, 2);
	wk_conn_closed(&c, 30.16, 2);
	take(&c);
	wk_tick(&c, 30.3);
	assert_int_equal(take(&c).stop, 0);
	assert_true(fabs(wk_next_deadline(&c) - 60.16) < 1e-9);
	wk_tick(&c, 60.16);
	struct seen s = take(&c);
	assert_int_equal(s.stop, 1);
	assert_int_equal(s.last_to, WK_STOPPING);
	wk_stopped(&c, 60.2);
	s = take(&c);
	assert_int_equal(s.last_to, WK_OFF);
	assert_int_equal(s.start, 0);
	assert_true(isinf(wk_next_deadline(&c)));
	/* The next arrival is cold again. */
	wk_connect(&c, 100, 3);
	assert_int_equal(take(&c).start, 1);
	wk_free(&c);
}

static void immediate_stops_when_last_connection_closes(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_IMMEDIATE, 0);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_connect(&c, 0, 2);
	wk_ready(&c, 0.1);
	take(&c);
	wk_conn_closed(&c, 0.2, 1);
	assert_int_equal(take(&c).stop, 0); /* one still open */
	wk_conn_closed(&c, 0.3, 2);
	struct seen s = take(&c);
	assert_int_equal(s.stop, 1);
	/* An arrival during the stop waits for it, then boots afresh. */
	wk_connect(&c, 0.31, 3);
	s = take(&c);
	assert_int_equal(s.start + s.relay + s.r503, 0);
	wk_stopped(&c, 0.35);
	s = take(&c);
	assert_int_equal(s.start, 1);
	assert_int_equal(c.state, WK_BOOTING);
	wk_ready(&c, 0.4);
	s = take(&c);
	assert_int_equal(s.relay_cold, 1);
	assert_true(fabs(s.wait_s[0] - 0.09) < 1e-9);
	wk_free(&c);
}

static void crash_during_boot_answers_502_and_recovers(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_connect(&c, 0, 2);
	take(&c);
	wk_crashed(&c, 0.5);
	struct seen s = take(&c);
	assert_int_equal(s.r502, 2);
	assert_int_equal(s.last_to, WK_OFF);
	assert_int_equal(s.start, 0); /* no restart loop without demand */
	assert_int_equal(c.n.crashes, 1);
	/* The next request restarts it. */
	wk_connect(&c, 1, 3);
	assert_int_equal(take(&c).start, 1);
	wk_ready(&c, 1.1);
	assert_int_equal(take(&c).relay, 1);
	wk_free(&c);
}

static void crash_while_serving_goes_off(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_ready(&c, 0.1);
	take(&c);
	wk_crashed(&c, 0.2);
	struct seen s = take(&c);
	assert_int_equal(s.last_to, WK_OFF);
	/* A newcomer boots a new instance; the dead relay closing later does
	 * not disturb the boot. */
	wk_connect(&c, 0.3, 2);
	assert_int_equal(take(&c).start, 1);
	wk_conn_closed(&c, 0.35, 1);
	s = take(&c);
	assert_int_equal(s.states + s.stop + s.start, 0);
	assert_int_equal(c.state, WK_BOOTING);
	wk_ready(&c, 0.4);
	assert_int_equal(take(&c).relay_cold, 1);
	assert_int_equal(c.active, 1);
	wk_free(&c);
}

static void never_ready_times_out_with_504(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_connect(&c, 1, 2);
	take(&c);
	assert_true(fabs(wk_next_deadline(&c) - 5) < 1e-9);
	wk_tick(&c, 4.9);
	assert_int_equal(take(&c).r504, 0);
	wk_tick(&c, 5.0);
	struct seen s = take(&c);
	assert_int_equal(s.r504, 2);
	assert_int_equal(s.stop, 1);
	assert_int_equal(c.n.timeouts, 1);
	/* The stop of a never-ready instance may show up as its exit. */
	wk_crashed(&c, 5.1);
	s = take(&c);
	assert_int_equal(s.last_to, WK_OFF);
	assert_int_equal(c.n.crashes, 0);
	/* The waker stays usable: the next arrival tries again. */
	wk_connect(&c, 6, 3);
	assert_int_equal(take(&c).start, 1);
	wk_free(&c);
}

static void overflow_answers_503(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	cfg.queue_max = 2;
	cfg.conn_max = 3;
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_connect(&c, 0, 2);
	take(&c);
	wk_connect(&c, 0, 3);
	struct seen s = take(&c);
	assert_int_equal(s.r503, 1);
	assert_int_equal(s.rejected[0], 3);
	wk_ready(&c, 0.1);
	assert_int_equal(take(&c).relay, 2);
	wk_connect(&c, 0.2, 4);
	assert_int_equal(take(&c).relay, 1);
	wk_connect(&c, 0.2, 5); /* 3 relayed already: over conn_max */
	s = take(&c);
	assert_int_equal(s.r503, 1);
	assert_int_equal(c.n.rejected_503, 2);
	wk_conn_closed(&c, 0.3, 1);
	wk_connect(&c, 0.3, 6);
	assert_int_equal(take(&c).relay, 1);
	wk_free(&c);
}

static void gone_while_waiting_leaves_the_queue(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	cfg.queue_max = 3;
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_connect(&c, 0, 1);
	wk_connect(&c, 0, 2);
	wk_connect(&c, 0, 3);
	wk_conn_gone(&c, 0.1, 2);
	wk_connect(&c, 0.1, 4); /* the freed place is usable */
	take(&c);
	wk_ready(&c, 0.2);
	struct seen s = take(&c);
	assert_int_equal(s.relay, 3);
	assert_int_equal(s.relayed[0], 1);
	assert_int_equal(s.relayed[1], 3);
	assert_int_equal(s.relayed[2], 4);
	wk_free(&c);
}

static void always_on_prewarms_and_restarts(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_ALWAYS_ON, 0);
	assert_int_equal(wk_init(&c, &cfg, 0), 0);
	wk_begin(&c, 0);
	assert_int_equal(take(&c).start, 1);
	wk_ready(&c, 0.1);
	assert_int_equal(take(&c).last_to, WK_IDLE);
	wk_tick(&c, 1e6);
	assert_int_equal(take(&c).stop, 0);
	wk_connect(&c, 1e6, 1);
	assert_int_equal(take(&c).relay_warm, 1);
	wk_conn_closed(&c, 1e6 + 1, 1);
	assert_int_equal(take(&c).stop, 0);
	wk_crashed(&c, 1e6 + 2);
	struct seen s = take(&c);
	assert_int_equal(s.last_to, WK_OFF);
	assert_int_equal(s.start, 0);
	assert_true(fabs(wk_next_deadline(&c) - (1e6 + 3)) < 1e-6);
	wk_tick(&c, 1e6 + 3);
	assert_int_equal(take(&c).start, 1);
	wk_free(&c);
}

static void bad_config_is_refused(void **state)
{
	(void)state;
	struct wk_core c;
	struct wk_config cfg = config(WK_KEEP_ALIVE, 10);
	cfg.queue_max = 0;
	assert_int_equal(wk_init(&c, &cfg, 0), -EINVAL);
	cfg = config(WK_KEEP_ALIVE, -1);
	assert_int_equal(wk_init(&c, &cfg, 0), -EINVAL);
	cfg = config(WK_KEEP_ALIVE, 1);
	cfg.ready_timeout_s = 0;
	assert_int_equal(wk_init(&c, &cfg, 0), -EINVAL);
}

static void policy_names_parse(void **state)
{
	(void)state;
	enum wk_policy p;
	double t;
	assert_int_equal(wk_policy_parse("always-on", &p, &t), 0);
	assert_int_equal(p, WK_ALWAYS_ON);
	assert_int_equal(wk_policy_parse("immediate", &p, &t), 0);
	assert_int_equal(p, WK_IMMEDIATE);
	assert_int_equal(wk_policy_parse("keep-alive:30", &p, &t), 0);
	assert_int_equal(p, WK_KEEP_ALIVE);
	assert_true(t == 30);
	assert_int_equal(wk_policy_parse("keep-alive=0.5", &p, &t), 0);
	assert_true(t == 0.5);
	assert_int_equal(wk_policy_parse("lambda", &p, &t), 0);
	assert_true(t == 600);
	assert_int_equal(wk_policy_parse("knative", &p, &t), 0);
	assert_true(t == 30);
	assert_int_equal(wk_policy_parse("keep-alive", &p, &t), -EINVAL);
	assert_int_equal(wk_policy_parse("keep-alive:", &p, &t), -EINVAL);
	assert_int_equal(wk_policy_parse("keep-alive:-3", &p, &t), -EINVAL);
	assert_int_equal(wk_policy_parse("keep-alive:3s", &p, &t), -EINVAL);
	assert_int_equal(wk_policy_parse("sometimes", &p, &t), -EINVAL);
	char buf[32];
	wk_policy_format(WK_KEEP_ALIVE, 600, buf, sizeof(buf));
	assert_string_equal(buf, "keep-alive:600");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(arrivals_during_boot_share_one_boot),
		cmocka_unit_test(keep_alive_expiry_stops_after_t),
		cmocka_unit_test(immediate_stops_when_last_connection_closes),
		cmocka_unit_test(crash_during_boot_answers_502_and_recovers),
		cmocka_unit_test(crash_while_serving_goes_off),
		cmocka_unit_test(never_ready_times_out_with_504),
		cmocka_unit_test(overflow_answers_503),
		cmocka_unit_test(gone_while_waiting_leaves_the_queue),
		cmocka_unit_test(always_on_prewarms_and_restarts),
		cmocka_unit_test(bad_config_is_refused),
		cmocka_unit_test(policy_names_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
