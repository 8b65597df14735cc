/* test_limit: /proc/PID/limits parsing, the ELF class, the limit set of a
 * process, the binding limit and a launched command's cause of death. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "check.h"
#include "limit.h"
#include "util.h"

#define MIB (INT64_C(1) << 20)
#define GIB (INT64_C(1) << 30)

static const char limits_text[] =
	"Limit                     Soft Limit           Hard Limit           Units     \n"
	"Max cpu time              unlimited            unlimited            seconds   \n"
	"Max file size             unlimited            unlimited            bytes     \n"
	"Max data size             268435456            unlimited            bytes     \n"
	"Max stack size            8388608              unlimited            bytes     \n"
	"Max core file size        0                    unlimited            bytes     \n"
	"Max resident set          unlimited            unlimited            bytes     \n"
	"Max processes             63250                63250                processes \n"
	"Max open files            1024                 1048576              files     \n"
	"Max locked memory         8388608              8388608              bytes     \n"
	"Max address space         536870912            1073741824           bytes     \n"
	"Max file locks            unlimited            unlimited            locks     \n";

static void test_parse(void)
{
	static const struct {
		const char *text;
		int rc;
		int64_t as_soft, as_hard, data_soft, data_hard;
	} cases[] = {
		{limits_text, 0, 512 * MIB, GIB, 256 * MIB, MS_UNLIMITED},
		{"Max address space  unlimited  unlimited  bytes\n", 0, MS_UNLIMITED, MS_UNLIMITED,
		 MS_ABSENT, MS_ABSENT},
		{"Max data size 4096 8192 bytes", 0, MS_ABSENT, MS_ABSENT, 4096, 8192},
		/* RLIM_INFINITY written as a number, and past int64. */
		{"Max data size 18446744073709551615 18446744073709551615 bytes\n", 0, MS_ABSENT,
		 MS_ABSENT, MS_UNLIMITED, MS_UNLIMITED},
		{"Max address spaces 1 2 bytes\n", -1, MS_ABSENT, MS_ABSENT, MS_ABSENT, MS_ABSENT},
		{"Max address space  lots  1 bytes\n", -1, MS_ABSENT, MS_ABSENT, MS_ABSENT, MS_ABSENT},
		{"Max address space  1\n", -1, MS_ABSENT, MS_ABSENT, MS_ABSENT, MS_ABSENT},
		{"", -1, MS_ABSENT, MS_ABSENT, MS_ABSENT, MS_ABSENT},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct limit_rlimits rl;

		CHECK(limit_parse_rlimits(cases[i].text, &rl) == cases[i].rc);
		CHECK_I64(rl.as_soft_bytes, cases[i].as_soft);
		CHECK_I64(rl.as_hard_bytes, cases[i].as_hard);
		CHECK_I64(rl.data_soft_bytes, cases[i].data_soft);
		CHECK_I64(rl.data_hard_bytes, cases[i].data_hard);
	}
}

static void test_elf(void)
{
	static const struct {
		const char *head;
		size_t n;
		int bits;
	} cases[] = {
		{"\177ELF\001\001\001", 7, 32},
		{"\177ELF\002\001\001", 7, 64},
		{"\177ELF\003", 5, 0},
		{"\177ELF", 4, 0},
		{"#!/bin/sh\n", 10, 0},
		{"", 0, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_I64(limit_elf_bits((const unsigned char *)cases[i].head, cases[i].n), cases[i].bits);
}

static struct limit_input input_none(void)
{
	struct limit_input in = {
		.cgroup_max_bytes = MS_UNLIMITED, .cgroup_high_bytes = MS_UNLIMITED,
		.cgroup_used_bytes = MS_ABSENT, .machine_bytes = 16 * GIB,
		.machine_used_bytes = 100 * MIB, .vm_size_bytes = 300 * MIB,
		.vm_data_bytes = 200 * MIB, .address_bits = 64, .overcommit_mode = 0,
		.commit_limit_bytes = 20 * GIB, .committed_as_bytes = 5 * GIB,
		.rl = {MS_UNLIMITED, MS_UNLIMITED, MS_UNLIMITED, MS_UNLIMITED},
	};
	return in;
}

/* The kinds limit_build gives, as a string of tags. */
static const char *kinds_of(const struct limit_input *in, struct limit *out, size_t *n)
{
	static char buf[128];

	*n = limit_build(in, out);
	buf[0] = '\0';
	for (size_t i = 0; i < *n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, limit_kind_name(out[i].kind));
	}
	return buf;
}

static void test_build(void)
{
	struct limit v[LIMIT_KINDS];
	struct limit_input in;
	size_t n;

	in = input_none();
	CHECK_STR(kinds_of(&in, v, &n), "machine");
	CHECK_I64(v[0].used_bytes, 100 * MIB);
	CHECK_STR(v[0].source, "machine");
	CHECK(isnan(v[0].ttl_s) && !v[0].imminent);

	in = input_none();
	in.cgroup_max_bytes = GIB;
	in.cgroup_max_source = "/job";
	in.cgroup_high_bytes = 800 * MIB;
	in.cgroup_high_source = "/job";
	in.cgroup_used_bytes = 500 * MIB;
	CHECK_STR(kinds_of(&in, v, &n), "cgroup_max,cgroup_high");
	CHECK_STR(v[0].source, "/job");
	CHECK_I64(v[1].limit_bytes, 800 * MIB);
	CHECK_I64(v[1].used_bytes, 500 * MIB);

	/* memory.high above memory.max never throttles. */
	in.cgroup_high_bytes = 2 * GIB;
	CHECK_STR(kinds_of(&in, v, &n), "cgroup_max");

	in = input_none();
	in.rl.as_soft_bytes = 512 * MIB;
	in.rl.data_soft_bytes = 256 * MIB;
	CHECK_STR(kinds_of(&in, v, &n), "machine,rlimit_as,rlimit_data");
	CHECK_I64(v[1].used_bytes, 300 * MIB);
	CHECK_I64(v[2].used_bytes, 200 * MIB);
	CHECK_STR(v[1].source, "rlimit");

	/* Strict overcommit only. */
	in = input_none();
	CHECK_STR(kinds_of(&in, v, &n), "machine");
	in.overcommit_mode = 2;
	CHECK_STR(kinds_of(&in, v, &n), "machine,commit");
	CHECK_I64(v[1].limit_bytes, 20 * GIB);
	CHECK_I64(v[1].used_bytes, 5 * GIB);
	CHECK_STR(v[1].source, "sysctl");
	in.commit_limit_bytes = MS_ABSENT;
	CHECK_STR(kinds_of(&in, v, &n), "machine");

	/* 32-bit: 4 GiB, unless RLIMIT_AS is already lower. */
	in = input_none();
	in.address_bits = 32;
	CHECK_STR(kinds_of(&in, v, &n), "machine,address_space");
	CHECK_I64(v[1].limit_bytes, 4 * GIB);
	in.rl.as_soft_bytes = GIB;
	CHECK_STR(kinds_of(&in, v, &n), "machine,rlimit_as");
	in.rl.as_soft_bytes = 8 * GIB;
	CHECK_STR(kinds_of(&in, v, &n), "machine,rlimit_as,address_space");

	/* Unknown values: no machine limit, used absent. */
	in = input_none();
	in.machine_bytes = MS_ABSENT;
	in.rl.as_soft_bytes = GIB;
	in.vm_size_bytes = MS_ABSENT;
	CHECK_STR(kinds_of(&in, v, &n), "rlimit_as");
	CHECK_I64(v[0].used_bytes, MS_ABSENT);
	CHECK(isnan(limit_used_pct(&v[0])));

	/* GPU memory: a limit only while the process holds some. */
	in = input_none();
	in.gpu_limit_bytes = 16 * GIB;
	in.gpu_used_bytes = 8 * GIB;
	in.gpu_source = "nvml:0,1";
	CHECK_STR(kinds_of(&in, v, &n), "machine,gpu");
	CHECK_I64(v[1].limit_bytes, 16 * GIB);
	CHECK_I64(v[1].used_bytes, 8 * GIB);
	CHECK_STR(v[1].source, "nvml:0,1");
	in.gpu_used_bytes = 0;
	CHECK_STR(kinds_of(&in, v, &n), "machine");
	in.gpu_used_bytes = MS_ABSENT;
	CHECK_STR(kinds_of(&in, v, &n), "machine");
	in.gpu_used_bytes = GIB;
	in.gpu_limit_bytes = MS_ABSENT;
	CHECK_STR(kinds_of(&in, v, &n), "machine");
	CHECK_STR(limit_kind_tag(LIMIT_GPU), "GP");
	CHECK(limit_kind_refuses(LIMIT_GPU));

	for (int k = 0; k < LIMIT_KINDS; k++)
		CHECK_I64(limit_kind_parse(limit_kind_name((enum limit_kind)k)), k);
	CHECK_I64(limit_kind_parse("swap"), -1);
	CHECK_STR(limit_kind_tag(LIMIT_RLIMIT_AS), "AS");
	CHECK(limit_kind_refuses(LIMIT_COMMIT) && !limit_kind_refuses(LIMIT_CGROUP_MAX));
}

static struct limit lim(enum limit_kind k, int64_t limit, int64_t used, double ttl)
{
	struct limit l = {.kind = k, .limit_bytes = limit, .used_bytes = used, .source = "x",
			  .ttl_s = ttl, .ttl_lo_s = NAN, .ttl_hi_s = NAN};
	return l;
}

static void test_binding(void)
{
	static const struct {
		const char *what;
		struct { int kind; int64_t limit, used; double ttl; } v[4];
		size_t n;
		int binding;
	} cases[] = {
		{"nothing", {{0}}, 0, -1},
		{"nearest when nothing grows",
		 {{LIMIT_CGROUP_MAX, GIB, 900 * MIB, NAN}, {LIMIT_RLIMIT_AS, 2 * GIB, GIB, NAN}}, 2, 0},
		{"nearest by share, not by bytes",
		 {{LIMIT_MACHINE, 16 * GIB, 15 * GIB, NAN}, {LIMIT_RLIMIT_AS, 512 * MIB, 500 * MIB, NAN}},
		 2, 1},
		{"predicted first beats nearer",
		 {{LIMIT_CGROUP_MAX, GIB, 1000 * MIB, NAN}, {LIMIT_RLIMIT_AS, 2 * GIB, GIB, 600}}, 2, 1},
		{"earliest of the predicted",
		 {{LIMIT_CGROUP_MAX, GIB, 500 * MIB, 300}, {LIMIT_RLIMIT_AS, 2 * GIB, GIB, 60},
		  {LIMIT_RLIMIT_DATA, 2 * GIB, GIB, 90}}, 3, 1},
		{"unknown use never binds", {{LIMIT_RLIMIT_AS, GIB, MS_ABSENT, NAN}}, 1, -1},
		{"GPU predicted before the cgroup",
		 {{LIMIT_CGROUP_MAX, GIB, 900 * MIB, 300}, {LIMIT_GPU, 16 * GIB, 8 * GIB, 32}}, 2, 1},
		{"GPU nearest when nothing grows",
		 {{LIMIT_MACHINE, 16 * GIB, 2 * GIB, NAN}, {LIMIT_RLIMIT_AS, 8 * GIB, 3 * GIB, NAN},
		  {LIMIT_GPU, 80 * GIB, 70 * GIB, NAN}}, 3, 2},
		{"an earlier host limit beats the GPU",
		 {{LIMIT_RLIMIT_AS, 2 * GIB, GIB, 20}, {LIMIT_GPU, 16 * GIB, 15 * GIB, 30}}, 2, 0},
		{"infinite TTL is no prediction",
		 {{LIMIT_CGROUP_MAX, GIB, 100 * MIB, INFINITY}, {LIMIT_RLIMIT_DATA, GIB, 200 * MIB, NAN}},
		 2, 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct limit v[4];
		int got;

		for (size_t j = 0; j < cases[i].n; j++)
			v[j] = lim((enum limit_kind)cases[i].v[j].kind, cases[i].v[j].limit,
				   cases[i].v[j].used, cases[i].v[j].ttl);
		got = limit_binding(v, cases[i].n);
		if (got != cases[i].binding)
			fprintf(stderr, "binding case \"%s\"\n", cases[i].what);
		CHECK_I64(got, cases[i].binding);
	}
}

static int exited(int code)
{
	return (code & 0xff) << 8;
}

static void test_cause(void)
{
	struct limit as_near = lim(LIMIT_RLIMIT_AS, 512 * MIB, 480 * MIB, NAN);
	struct limit as_far = lim(LIMIT_RLIMIT_AS, 4 * GIB, GIB, NAN);
	struct limit data_near = lim(LIMIT_RLIMIT_DATA, 256 * MIB, 250 * MIB, NAN);
	struct limit cg_near = lim(LIMIT_CGROUP_MAX, 512 * MIB, 511 * MIB, NAN);
	struct limit commit_near = lim(LIMIT_COMMIT, 16 * GIB, 15 * GIB, NAN);
	struct limit as_imminent = as_far;
	struct limit as_unknown = lim(LIMIT_RLIMIT_AS, 512 * MIB, MS_ABSENT, NAN);
	static const char *const names[] = {"exit", "signal", "oom_kill", "memory_error"};

	as_imminent.imminent = true;
	const struct {
		const char *what;
		int status;
		bool oom;
		struct limit v[2];
		size_t n;
		enum limit_cause cause;
		int limit;
	} cases[] = {
		{"clean exit near a limit", exited(0), false, {as_near}, 1, CAUSE_EXIT, -1},
		{"MemoryError under RLIMIT_AS", exited(1), false, {as_near}, 1, CAUSE_MEMORY_ERROR, 0},
		{"the nearer of two", exited(1), false, {as_far, data_near}, 2, CAUSE_MEMORY_ERROR, 1},
		{"imminent counts as near", exited(1), false, {cg_near, as_imminent}, 2,
		 CAUSE_MEMORY_ERROR, 1},
		{"commit", exited(1), false, {commit_near}, 1, CAUSE_MEMORY_ERROR, 0},
		{"abort near the limit", SIGABRT, false, {as_near}, 1, CAUSE_MEMORY_ERROR, 0},
		{"failure far from any limit", exited(1), false, {as_far}, 1, CAUSE_EXIT, -1},
		{"a cgroup limit does not refuse", exited(1), false, {cg_near}, 1, CAUSE_EXIT, -1},
		{"unknown use", exited(1), false, {as_unknown}, 1, CAUSE_EXIT, -1},
		{"SIGKILL is not a refusal", SIGKILL, false, {as_near}, 1, CAUSE_SIGNAL, -1},
		{"OOM kill", SIGKILL, true, {cg_near}, 1, CAUSE_OOM_KILL, -1},
		{"shell reporting its child's OOM kill", exited(137), true, {cg_near}, 1,
		 CAUSE_OOM_KILL, -1},
		{"OOM kill of a child, command succeeded", exited(0), true, {cg_near}, 1, CAUSE_EXIT,
		 -1},
		{"signal", SIGTERM, false, {{0}}, 0, CAUSE_SIGNAL, -1},
		{"exit code", exited(3), false, {{0}}, 0, CAUSE_EXIT, -1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct limit_verdict r = limit_cause_of(cases[i].status, cases[i].oom, cases[i].v,
							  cases[i].n);

		if (r.cause != cases[i].cause || r.limit != cases[i].limit)
			fprintf(stderr, "cause case \"%s\"\n", cases[i].what);
		CHECK_STR(limit_cause_name(r.cause), names[cases[i].cause]);
		CHECK_I64(r.limit, cases[i].limit);
		CHECK(r.likely == (cases[i].cause == CAUSE_MEMORY_ERROR));
	}
	CHECK(WIFSIGNALED(SIGABRT) && WIFEXITED(exited(1)));
}

/* A process whose VmSize grows 10 MB/s toward a 600 MB RLIMIT_AS while
 * the machine is nearer by share: the machine binds until the address
 * space is predicted; then rlimit_as binds, with a TTL whose band holds
 * the true time, and is imminent before it is reached. */
static void test_state_as(void)
{
	struct limit_state st;
	struct {
		double first_pred_s, first_imminent_s;
	} seen = {NAN, NAN};
	struct limit_input in = input_none();
	const double rate = 10.0 * MIB, limit = 600.0 * MIB, base = 100.0 * MIB;
	const double t_end = (limit - base) / rate;
	bool ttl_ok = true;

	limit_state_init(&st);
	in.machine_used_bytes = 15 * GIB;
	in.rl.as_soft_bytes = (int64_t)limit;
	for (int64_t t_ms = 0; t_ms < (int64_t)(t_end * 1000); t_ms += 500) {
		const struct limit *b, *as;
		double t = t_ms / 1000.0;

		in.vm_size_bytes = (int64_t)(base + rate * t);
		limit_state_update(&st, &in, &(struct limit_trends){NULL, NULL, NULL}, 1000000 + t_ms);
		b = limit_state_binding(&st);
		as = limit_state_find(&st, LIMIT_RLIMIT_AS);
		CHECK(b && as);
		if (!b || !as)
			break;
		if (isnan(seen.first_pred_s) && isfinite(as->ttl_s))
			seen.first_pred_s = t;
		if (isnan(seen.first_pred_s))
			CHECK_I64(b->kind, LIMIT_MACHINE);
		else
			CHECK_I64(b->kind, LIMIT_RLIMIT_AS);
		if (isnan(seen.first_imminent_s) && as->imminent)
			seen.first_imminent_s = t;
		/* The band holds the true time to the limit. */
		if (isfinite(as->ttl_s) && !(as->ttl_lo_s <= t_end - t + 2 && as->ttl_hi_s >= t_end - t - 2))
			ttl_ok = false;
	}
	printf("rlimit_as: predicted at %.1f s, imminent at %.1f s, reached at %.1f s\n",
	       seen.first_pred_s, seen.first_imminent_s, t_end);
	CHECK(seen.first_pred_s < t_end - 10);
	CHECK(seen.first_imminent_s < t_end - 10);
	CHECK(ttl_ok);
	CHECK(st.own[LIMIT_RLIMIT_AS] != NULL && st.own[LIMIT_RLIMIT_DATA] == NULL);

	/* execve: the series starts afresh. */
	limit_state_reset(&st);
	limit_state_update(&st, &in, NULL, 1000000 + (int64_t)(t_end * 1000));
	CHECK(isnan(limit_state_find(&st, LIMIT_RLIMIT_AS)->ttl_s));
	/* prlimit --as=unlimited: the limit and its trend are gone. */
	in.rl.as_soft_bytes = MS_UNLIMITED;
	limit_state_update(&st, &in, NULL, 1000000 + (int64_t)(t_end * 1000) + 500);
	CHECK(limit_state_find(&st, LIMIT_RLIMIT_AS) == NULL);
	CHECK(st.own[LIMIT_RLIMIT_AS] == NULL);
	CHECK_I64(limit_state_binding(&st)->kind, LIMIT_MACHINE);
	limit_state_done(&st);
	CHECK(limit_state_binding(&st) == NULL);
}

/* Limits whose trend lives elsewhere: the process's (cgroup_max to its
 * limit, cgroup_high to memory.high) and the machine's Committed_AS. */
static void test_state_shared(void)
{
	struct limit_state st;
	struct limit_input in = input_none();
	struct trend_result proc = {.ttl_s = 100, .ttl_lo_s = 80, .ttl_hi_s = 130, .ttl_max_s = 300,
				    .ttl_target = TTL_HIGH};
	struct trend_result commit = {.ttl_s = 50, .ttl_lo_s = 40, .ttl_hi_s = 70, .ttl_max_s = 50,
				      .ttl_target = TTL_MAX, .oom_imminent = true};
	const struct limit *l;

	limit_state_init(&st);
	in.cgroup_max_bytes = GIB;
	in.cgroup_high_bytes = 800 * MIB;
	in.cgroup_used_bytes = 500 * MIB;
	limit_state_update(&st, &in, &(struct limit_trends){&proc, &commit, NULL}, 0);
	l = limit_state_find(&st, LIMIT_CGROUP_HIGH);
	CHECK(l && l->ttl_s == 100 && l->ttl_lo_s == 80 && l->ttl_hi_s == 130 && !l->imminent);
	l = limit_state_find(&st, LIMIT_CGROUP_MAX);
	/* Its TTL, without a band: the result's band is memory.high's. */
	CHECK(l && l->ttl_s == 300 && isnan(l->ttl_lo_s) && isnan(l->ttl_hi_s));
	CHECK_I64(limit_state_binding(&st)->kind, LIMIT_CGROUP_HIGH);
	CHECK(limit_state_find(&st, LIMIT_COMMIT) == NULL);

	in.overcommit_mode = LIMIT_OVERCOMMIT_NEVER;
	limit_state_update(&st, &in, &(struct limit_trends){&proc, &commit, NULL}, 500);
	l = limit_state_binding(&st);
	CHECK(l && l->kind == LIMIT_COMMIT && l->ttl_s == 50 && l->ttl_lo_s == 40 && l->imminent);
	limit_state_done(&st);
}

/* The GPU limit takes its TTL, band and imminence from the GPU series'
 * own trend (no second trend), binds when predicted first, and is not
 * what the detail view's refusing-limit plot shows. */
static void test_state_gpu(void)
{
	struct limit_state st;
	struct limit_input in = input_none();
	struct trend_result proc = {.ttl_s = NAN, .ttl_lo_s = NAN, .ttl_hi_s = NAN, .ttl_max_s = NAN};
	struct trend_result gpu = {.ttl_s = 32, .ttl_lo_s = 28, .ttl_hi_s = 37, .ttl_max_s = 32,
				   .ttl_target = TTL_MAX, .oom_imminent = true};
	const struct limit *l;

	limit_state_init(&st);
	in.rl.as_soft_bytes = 64 * GIB;
	in.gpu_limit_bytes = 16 * GIB;
	in.gpu_used_bytes = 8 * GIB;
	in.gpu_source = "nvml:1";
	limit_state_update(&st, &in, &(struct limit_trends){&proc, NULL, &gpu}, 0);
	l = limit_state_binding(&st);
	CHECK(l && l->kind == LIMIT_GPU && l->ttl_s == 32 && l->ttl_lo_s == 28 && l->ttl_hi_s == 37 &&
	      l->imminent);
	CHECK_STR(l->source, "nvml:1");
	CHECK(limit_state_trend(&st, LIMIT_GPU) == NULL);
	CHECK(limit_state_refusing(&st) && limit_state_refusing(&st)->kind == LIMIT_RLIMIT_AS);
	/* Ended while near its GPU limit: the cause names the GPU. */
	{
		struct limit_verdict vd = limit_cause_of(exited(1), false, st.v, st.n);

		CHECK_I64(vd.cause, CAUSE_MEMORY_ERROR);
		CHECK(vd.limit >= 0 && st.v[vd.limit].kind == LIMIT_GPU);
	}
	/* Freed its GPU memory: the limit goes. */
	in.gpu_used_bytes = 0;
	limit_state_update(&st, &in, &(struct limit_trends){&proc, NULL, &gpu}, 500);
	CHECK(limit_state_find(&st, LIMIT_GPU) == NULL);
	CHECK(limit_state_binding(&st) && limit_state_binding(&st)->kind != LIMIT_GPU);
	limit_state_done(&st);
}

int main(void)
{
	test_parse();
	test_elf();
	test_build();
	test_binding();
	test_cause();
	test_state_as();
	test_state_shared();
	test_state_gpu();
	return check_done("test_limit");
}
