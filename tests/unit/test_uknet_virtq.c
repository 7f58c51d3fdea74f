/* Split-virtqueue ring logic (unikernel/net/virtq.c) against a simulated
 * device that consumes the avail ring and fills the used ring. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "virtq.h"
#include "net_abi.h"

struct sim {
	struct virtq q;
	void *mem;
	void *cookies[256];
	uint16_t dev_avail;     /* device's next avail entry */
	unsigned ndesc_seen;
};

static struct sim *sim_new(uint16_t size)
{
	struct sim *s = calloc(1, sizeof(*s));
	s->mem = aligned_alloc(4096, virtq_legacy_bytes(size, 4096));
	memset(s->mem, 0, virtq_legacy_bytes(size, 4096));
	assert_int_equal(virtq_init(&s->q, s->mem, size, 4096, s->cookies), 0);
	return s;
}

static void sim_free(struct sim *s)
{
	free(s->mem);
	free(s);
}

/* The device takes every published chain and returns it, reporting as
 * written the total length of its device-writable buffers. Returns how
 * many chains it completed. */
static int sim_device_run(struct sim *s)
{
	int done = 0;
	struct virtq *q = &s->q;

	while (s->dev_avail != q->avail->idx) {
		uint16_t head = q->avail->ring[s->dev_avail % q->size];
		s->dev_avail++;
		uint32_t written = 0;
		uint16_t i = head;
		for (;;) {
			assert_true(i < q->size);
			s->ndesc_seen++;
			if (q->desc[i].flags & VRING_DESC_F_WRITE)
				written += q->desc[i].len;
			if (!(q->desc[i].flags & VRING_DESC_F_NEXT))
				break;
			i = q->desc[i].next;
		}
		q->used->ring[q->used->idx % q->size] = (struct vring_used_elem){ head, written };
		q->used->idx++;
		done++;
	}
	return done;
}

static void test_layout_sizes(void **state)
{
	(void)state;
	/* virtio legacy layout: 256 entries take 3 pages, 128 take 2. */
	assert_int_equal(virtq_legacy_used_offset(256, 4096), 8192);
	assert_int_equal(virtq_legacy_bytes(256, 4096), 12288);
	assert_int_equal(virtq_legacy_used_offset(128, 4096), 4096);
	assert_int_equal(virtq_legacy_bytes(128, 4096), 8192);
}

static void test_init_rejects_bad_sizes(void **state)
{
	(void)state;
	struct virtq q;
	void *cookies[8];
	char mem[8192] __attribute__((aligned(16)));
	assert_int_equal(virtq_init(&q, mem, 0, 4096, cookies), -EINVAL);
	assert_int_equal(virtq_init(&q, mem, 6, 4096, cookies), -EINVAL);
	assert_int_equal(virtq_init(&q, mem, 8, 3000, cookies), -EINVAL);
	assert_int_equal(virtq_init(&q, mem, 8, 4096, cookies), 0);
	assert_int_equal(q.num_free, 8);
}

static void test_chain_layout(void **state)
{
	(void)state;
	struct sim *s = sim_new(8);
	int cookie;
	struct virtq_buf b[3] = {
		{ 0x1000, 10, 0 }, { 0x2000, 100, 0 }, { 0x3000, 1500, 1 },
	};
	int head = virtq_add(&s->q, b, 3, &cookie);
	assert_true(head >= 0);
	assert_int_equal(s->q.num_free, 5);
	struct vring_desc *d = &s->q.desc[head];
	assert_int_equal(d->addr, 0x1000);
	assert_int_equal(d->len, 10);
	assert_int_equal(d->flags, VRING_DESC_F_NEXT);
	d = &s->q.desc[d->next];
	assert_int_equal(d->addr, 0x2000);
	assert_int_equal(d->flags, VRING_DESC_F_NEXT);
	d = &s->q.desc[d->next];
	assert_int_equal(d->addr, 0x3000);
	assert_int_equal(d->len, 1500);
	assert_int_equal(d->flags, VRING_DESC_F_WRITE);
	/* Not visible until published. */
	assert_int_equal(s->q.avail->idx, 0);
	assert_int_equal(sim_device_run(s), 0);
	assert_int_equal(virtq_publish(&s->q), 1);
	assert_int_equal(s->q.avail->idx, 1);
	sim_free(s);
}

static void test_full_ring_and_bad_args(void **state)
{
	(void)state;
	struct sim *s = sim_new(8);
	int c[8];
	struct virtq_buf b[3] = { { 1, 1, 0 }, { 2, 2, 0 }, { 3, 3, 1 } };
	assert_int_equal(virtq_add(&s->q, b, 0, &c[0]), -EINVAL);
	assert_int_equal(virtq_add(&s->q, b, 1, NULL), -EINVAL);
	assert_true(virtq_add(&s->q, b, 3, &c[0]) >= 0);
	assert_true(virtq_add(&s->q, b, 3, &c[1]) >= 0);
	assert_int_equal(virtq_add(&s->q, b, 3, &c[2]), -ENOSPC);
	assert_true(virtq_add(&s->q, b, 2, &c[2]) >= 0);
	assert_int_equal(s->q.num_free, 0);
	assert_int_equal(virtq_add(&s->q, b, 1, &c[3]), -ENOSPC);
	virtq_publish(&s->q);
	assert_int_equal(sim_device_run(s), 3);
	void *ck;
	uint32_t len;
	int seen = 0;
	while (virtq_get_used(&s->q, &ck, &len))
		seen++;
	assert_int_equal(seen, 3);
	assert_int_equal(s->q.num_free, 8);
	sim_free(s);
}

static void test_round_trip_order_and_lengths(void **state)
{
	(void)state;
	struct sim *s = sim_new(16);
	int c[5];
	for (int i = 0; i < 5; i++) {
		struct virtq_buf b = { (uint64_t)(0x10000 + i), (uint32_t)(100 + i), 1 };
		assert_true(virtq_add(&s->q, &b, 1, &c[i]) >= 0);
	}
	assert_false(virtq_has_used(&s->q));
	virtq_publish(&s->q);
	sim_device_run(s);
	assert_true(virtq_has_used(&s->q));
	for (int i = 0; i < 5; i++) {
		void *ck;
		uint32_t len;
		assert_int_equal(virtq_get_used(&s->q, &ck, &len), 1);
		assert_ptr_equal(ck, &c[i]);
		assert_int_equal(len, 100 + i);
	}
	void *ck;
	uint32_t len;
	assert_int_equal(virtq_get_used(&s->q, &ck, &len), 0);
	assert_false(virtq_has_used(&s->q));
	sim_free(s);
}

static void test_notify_suppression(void **state)
{
	(void)state;
	struct sim *s = sim_new(8);
	int c;
	struct virtq_buf b = { 1, 1, 0 };
	/* Nothing new: no kick. */
	assert_int_equal(virtq_publish(&s->q), 0);
	virtq_add(&s->q, &b, 1, &c);
	s->q.used->flags = VRING_USED_F_NO_NOTIFY;
	assert_int_equal(virtq_publish(&s->q), 0);
	assert_int_equal(s->q.avail->idx, 1);
	s->q.used->flags = 0;
	virtq_add(&s->q, &b, 1, &c);
	assert_int_equal(virtq_publish(&s->q), 1);
	virtq_set_interrupts(&s->q, 0);
	assert_int_equal(s->q.avail->flags & VRING_AVAIL_F_NO_INTERRUPT, VRING_AVAIL_F_NO_INTERRUPT);
	virtq_set_interrupts(&s->q, 1);
	assert_int_equal(s->q.avail->flags & VRING_AVAIL_F_NO_INTERRUPT, 0);
	sim_free(s);
}

/* 70000 chains through a 64-entry ring: both 16-bit indices wrap past
 * 65535, and the free list must come back whole every time. */
static void test_index_wraparound(void **state)
{
	(void)state;
	struct sim *s = sim_new(64);
	static int tokens[64];
	unsigned long completed = 0, added = 0;
	unsigned seed = 7;
	int wrapped = 0;

	while (completed < 70000) {
		/* Add a random batch of chains of 1..4 descriptors. */
		int batch = 1 + (int)(seed % 20);
		for (int i = 0; i < batch; i++) {
			seed = seed * 1103515245u + 12345u;
			unsigned n = 1 + (seed >> 16) % 4;
			struct virtq_buf b[4] = {
				{ added, 1, 0 }, { added, 2, 0 }, { added, 3, 1 }, { added, 4, 1 },
			};
			int h = virtq_add(&s->q, b, n, &tokens[added % 64]);
			if (h == -ENOSPC)
				break;
			assert_true(h >= 0);
			added++;
		}
		uint16_t before = s->q.avail->idx;
		virtq_publish(&s->q);
		if (s->q.avail->idx < before)
			wrapped = 1;
		sim_device_run(s);
		void *ck;
		uint32_t len;
		while (virtq_get_used(&s->q, &ck, &len)) {
			assert_ptr_equal(ck, &tokens[completed % 64]);
			completed++;
		}
		assert_int_equal(s->q.num_free, 64);
	}
	assert_true(wrapped);
	assert_int_equal(s->q.bad_used, 0);
	sim_free(s);
}

/* A device that returns garbage ids must not corrupt the free list. */
static void test_bad_used_entries_are_skipped(void **state)
{
	(void)state;
	struct sim *s = sim_new(8);
	int c;
	struct virtq_buf b = { 1, 1, 0 };
	int head = virtq_add(&s->q, &b, 1, &c);
	virtq_publish(&s->q);
	struct vring_used *u = s->q.used;
	u->ring[0] = (struct vring_used_elem){ 200, 0 };          /* out of range */
	u->ring[1] = (struct vring_used_elem){ (uint32_t)(head + 1) % 8, 0 }; /* not in flight */
	u->ring[2] = (struct vring_used_elem){ (uint32_t)head, 42 };
	u->ring[3] = (struct vring_used_elem){ (uint32_t)head, 42 }; /* returned twice */
	u->idx = 4;
	void *ck;
	uint32_t len;
	assert_int_equal(virtq_get_used(&s->q, &ck, &len), 1);
	assert_ptr_equal(ck, &c);
	assert_int_equal(len, 42);
	assert_int_equal(virtq_get_used(&s->q, &ck, &len), 0);
	assert_int_equal(s->q.bad_used, 3);
	assert_int_equal(s->q.num_free, 8);
	sim_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_init_rejects_bad_sizes),
		cmocka_unit_test(test_chain_layout),
		cmocka_unit_test(test_full_ring_and_bad_args),
		cmocka_unit_test(test_round_trip_order_and_lengths),
		cmocka_unit_test(test_notify_suppression),
		cmocka_unit_test(test_index_wraparound),
		cmocka_unit_test(test_bad_used_entries_are_skipped),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
