/* Threads and demand-paged memory, as a Go or pthread program uses them:
 * pthread_create (clone with CLONE_SETTLS and CLONE_CHILD_CLEARTID, a stack
 * mmapped PROT_NONE then mprotected), mutexes and condition variables
 * (futex wait, wake, requeue), a thread blocked reading a pipe while
 * another writes, epoll on a pipe, concurrent sleeps, join, detached
 * threads that unmap their own stack before exit; then
 * reservations larger than RAM, a fixed mapping inside one, MADV_DONTNEED
 * and a hinted address in the window. Exits 0 when all hold. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond, ...) do { if (!(cond)) { printf("threads: FAIL " __VA_ARGS__); printf("\n"); failures++; } } while (0)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static long counter, queued, consumed;
static int pipefd[2];

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *adder(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10000; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 1000 == 0)
			sched_yield();
	}
	return (void *)(long)syscall(SYS_gettid);
}

static void *consumer(void *arg)
{
	(void)arg;
	long got = 0;
	pthread_mutex_lock(&lock);
	while (got < 50) {
		while (queued == 0)
			pthread_cond_wait(&cond, &lock);
		queued--;
		got++;
		consumed++;
	}
	pthread_mutex_unlock(&lock);
	return (void *)got;
}

static void *pipe_reader(void *arg)
{
	(void)arg;
	char c = 0;
	long n = read(pipefd[0], &c, 1);   /* blocks until main writes */
	return (void *)(n == 1 ? (long)c : -1L);
}

static void *sleeper(void *arg)
{
	uint64_t t0 = now_ns();
	struct timespec ts = { 0, 100 * 1000000L };
	nanosleep(&ts, NULL);
	*(uint64_t *)arg = now_ns() - t0;
	return NULL;
}

static void test_threads(void)
{
	pthread_t t[4];
	long tids[4];
	for (int i = 0; i < 4; i++)
		CHECK(pthread_create(&t[i], NULL, adder, NULL) == 0, "pthread_create adder %d", i);
	for (int i = 0; i < 4; i++) {
		void *r;
		pthread_join(t[i], &r);
		tids[i] = (long)r;
		CHECK(tids[i] > 1, "adder %d tid %ld", i, tids[i]);
		for (int j = 0; j < i; j++)
			CHECK(tids[i] != tids[j], "adders %d and %d share tid %ld", i, j, tids[i]);
	}
	CHECK(counter == 40000, "mutex counter %ld, want 40000", counter);
	printf("threads: 4 threads x 10000 locked increments = %ld, tids %ld %ld %ld %ld, pid %d\n",
	       counter, tids[0], tids[1], tids[2], tids[3], getpid());

	pthread_t c[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&c[i], NULL, consumer, NULL);
	for (int i = 0; i < 100; i++) {
		pthread_mutex_lock(&lock);
		queued++;
		if (i % 2)
			pthread_cond_broadcast(&cond);
		else
			pthread_cond_signal(&cond);
		pthread_mutex_unlock(&lock);
		if (i % 10 == 0)
			sched_yield();
	}
	long total = 0;
	for (int i = 0; i < 2; i++) {
		void *r;
		pthread_join(c[i], &r);
		total += (long)r;
	}
	CHECK(total == 100 && consumed == 100, "condition variable: consumed %ld", total);
	printf("threads: condition variable handed over %ld items to 2 consumers\n", total);
}

static volatile int detached_ran;

static void *detached(void *arg)
{
	(void)arg;
	detached_ran = 1;
	return NULL;   /* musl unmaps this thread's own stack, then exits */
}

static void test_detached(void)
{
	pthread_attr_t a;
	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	pthread_t t;
	for (int i = 0; i < 3; i++) {
		detached_ran = 0;
		CHECK(pthread_create(&t, &a, detached, NULL) == 0, "detached pthread_create %d", i);
		while (!detached_ran)
			sched_yield();
		struct timespec ts = { 0, 1000000L };
		nanosleep(&ts, NULL);   /* it has unmapped its stack and exited by now */
	}
	printf("threads: 3 detached threads ran and exited on their own\n");
}

static void test_pipe(void)
{
	CHECK(pipe2(pipefd, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	pthread_t r;
	pthread_create(&r, NULL, pipe_reader, NULL);
	struct timespec ts = { 0, 30 * 1000000L };
	nanosleep(&ts, NULL);           /* the reader is blocked by now */
	CHECK(write(pipefd[1], "z", 1) == 1, "pipe write");
	void *v;
	pthread_join(r, &v);
	CHECK((long)v == 'z', "blocked pipe reader got %ld", (long)v);

	int nb[2];
	CHECK(pipe2(nb, O_NONBLOCK) == 0, "pipe2 O_NONBLOCK");
	char c;
	CHECK(read(nb[0], &c, 1) == -1 && errno == EAGAIN, "empty non-blocking pipe: want EAGAIN");
	int ep = epoll_create1(0);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u32 = 7 }, out;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, nb[0], &ev) == 0, "epoll_ctl on a pipe");
	CHECK(epoll_wait(ep, &out, 1, 0) == 0, "epoll on an empty pipe reported an event");
	CHECK(write(nb[1], "ab", 2) == 2, "pipe write 2");
	CHECK(epoll_wait(ep, &out, 1, 1000) == 1 && out.data.u32 == 7 && (out.events & EPOLLIN),
	      "epoll did not see the pipe readable");
	CHECK(read(nb[0], &c, 1) == 1 && c == 'a', "pipe byte order");
	close(nb[1]);
	CHECK(read(nb[0], &c, 1) == 1 && c == 'b', "pipe second byte");
	CHECK(read(nb[0], &c, 1) == 0, "pipe without writers: want EOF");
	close(nb[0]);
	close(ep);
	printf("threads: pipe: blocked reader woken by another thread; EAGAIN, epoll, EOF ok\n");
}

static void test_sleeps(void)
{
	pthread_t t[3];
	uint64_t slept[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, sleeper, &slept[i]);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		CHECK(slept[i] >= 100 * 1000000ull, "sleeper %d slept only %llu ns", i,
		      (unsigned long long)slept[i]);
	}
	printf("threads: 3 threads slept 100 ms side by side: %llu %llu %llu us\n",
	       (unsigned long long)slept[0] / 1000, (unsigned long long)slept[1] / 1000,
	       (unsigned long long)slept[2] / 1000);
}

static void test_memory(void)
{
	/* More than this guest's RAM: a reservation costs no memory. */
	size_t big = 256ul << 20;
	char *r = mmap(NULL, big, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r != MAP_FAILED, "256 MiB PROT_NONE reservation: %s", strerror(errno));
	if (r == MAP_FAILED)
		return;
	char *w = mmap(r + (64ul << 20), 1 << 20, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(w == r + (64ul << 20), "fixed mapping inside the reservation");
	for (size_t i = 0; i < (1 << 20); i += 4096)
		CHECK(w[i] == 0, "fresh page not zero at %zu", i);
	memset(w, 0x5a, 1 << 20);
	CHECK(madvise(w, 1 << 20, MADV_DONTNEED) == 0, "madvise");
	CHECK(w[4096] == 0 && w[(1 << 20) - 1] == 0, "MADV_DONTNEED pages did not read back as zero");
	CHECK(munmap(r, big) == 0, "munmap of the reservation");

	char *lazy = mmap(NULL, 32ul << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(lazy != MAP_FAILED, "32 MiB read-write mapping");
	if (lazy != MAP_FAILED) {
		lazy[0] = 1;
		lazy[(32ul << 20) - 1] = 2;
		CHECK(lazy[0] == 1 && lazy[(32ul << 20) - 1] == 2, "32 MiB mapping ends");
		munmap(lazy, 32ul << 20);
	}
	void *hint = (void *)0xc000000000ul;
	void *h = mmap(hint, 64ul << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(h == hint, "hinted reservation at %p landed at %p", hint, h);
	printf("threads: memory: 256 MiB reserved, fixed map + DONTNEED, 32 MiB lazy, hint %p ok\n", h);
}

int main(void)
{
	test_threads();
	test_detached();
	test_pipe();
	test_sleeps();
	test_memory();
	printf("threads: %s\n", failures ? "FAILED" : "all ok");
	return failures ? 1 : 0;
}
