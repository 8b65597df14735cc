/* test_container: cgroup paths of every runtime's shape (systemd and
 * cgroupfs drivers) against container_parse, and the runtime state fixtures
 * in tests/fixtures/container-state against container_lookup. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "container.h"
#include "util.h"

#define D "3f9a1c0e7b2d4a58c6e1f0b9d8a7c6e5f4d3c2b1a0918273645546372819a0b1" /* docker fixture */
#define P "aa11bb22cc33dd44ee55ff6600778899aabbccddeeff00112233445566778899" /* podman fixture */
#define K "7e2b9c4d1a0f3e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d" /* containerd fixture */
#define C "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00" /* CRI-O fixture */
#define U_ "1f2e3d4c_5b6a_7980_a1b2_c3d4e5f6a7b8"
#define U "1f2e3d4c-5b6a-7980-a1b2-c3d4e5f6a7b8"

static const struct {
	const char *path;
	bool hit;
	const char *runtime, *id, *pod_uid, *qos, *unit, *label;
} cases[] = {
	/* docker, systemd and cgroupfs drivers; a cgroup the container made */
	{"/system.slice/docker-" D ".scope", true, "docker", D, "", NULL, "docker-" D ".scope", "docker:3f9a1c0e7b2d"},
	{"/docker/" D, true, "docker", D, "", NULL, "", "docker:3f9a1c0e7b2d"},
	{"/docker/" D "/init.scope", true, "docker", D, "", NULL, "init.scope", "docker:3f9a1c0e7b2d"},
	{"/system.slice/docker.service", true, "", "", "", NULL, "docker.service", "docker.service"},
	{"/docker", false, "", "", "", NULL, "", NULL},
	/* podman: root, rootless, cgroupfs; conmon is not the container */
	{"/machine.slice/libpod-" P ".scope", true, "podman", P, "", NULL, "libpod-" P ".scope", "podman:aa11bb22cc33"},
	{"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" P ".scope/container", true, "podman", P,
	 "", NULL, "libpod-" P ".scope", "podman:aa11bb22cc33"},
	{"/libpod_parent/libpod-" P, true, "podman", P, "", NULL, "", "podman:aa11bb22cc33"},
	{"/machine.slice/libpod-conmon-" P ".scope", true, "", "", "", NULL, "libpod-conmon-" P ".scope",
	 "libpod-conmon-" P ".scope"},
	/* Kubernetes, systemd driver: QoS classes, containerd, CRI-O, dockershim */
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" U_ ".slice/cri-containerd-" K ".scope",
	 true, "containerd", K, U, "burstable", "cri-containerd-" K ".scope", "containerd:7e2b9c4d1a0f"},
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" U_ ".slice/crio-" C ".scope", true,
	 "cri-o", C, U, "besteffort", "crio-" C ".scope", "cri-o:c0ffee00c0ff"},
	{"/kubepods.slice/kubepods-pod" U_ ".slice/docker-" D ".scope", true, "docker", D, U, "guaranteed",
	 "docker-" D ".scope", "docker:3f9a1c0e7b2d"},
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" U_ ".slice", true, "kubernetes", "", U,
	 "burstable", "kubepods-burstable-pod" U_ ".slice", "pod:1f2e3d4c"},
	{"/kubepods.slice/kubepods-besteffort.slice", true, "", "", "", "besteffort", "kubepods-besteffort.slice",
	 "kubepods-besteffort.slice"},
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" U_ ".slice/crio-conmon-" C ".scope", true,
	 "kubernetes", "", U, "burstable", "crio-conmon-" C ".scope", "pod:1f2e3d4c"},
	/* Kubernetes, cgroupfs driver: a bare id's runtime is not in the path */
	{"/kubepods/burstable/pod" U "/" K, true, "cri", K, U, "burstable", "", "cri:7e2b9c4d1a0f"},
	{"/kubepods/pod" U "/" K, true, "cri", K, U, "guaranteed", "", "cri:7e2b9c4d1a0f"},
	{"/kubepods/besteffort/pod" U "/crio-" C, true, "cri-o", C, U, "besteffort", "", "cri-o:c0ffee00c0ff"},
	{"/kubepods/besteffort/pod" U, true, "kubernetes", "", U, "besteffort", "", "pod:1f2e3d4c"},
	/* LXC 4+ and legacy; the monitor is not the container */
	{"/lxc.payload.web01", true, "lxc", "web01", "", NULL, "", "lxc:web01"},
	{"/lxc.payload.web01/system.slice/nginx.service", true, "lxc", "web01", "", NULL, "nginx.service", "lxc:web01"},
	{"/lxc/web01", true, "lxc", "web01", "", NULL, "", "lxc:web01"},
	{"/lxc.monitor.web01", false, "", "", "", NULL, "", NULL},
	/* systemd services, scopes, user sessions and user units */
	{"/system.slice/nginx.service", true, "", "", "", NULL, "nginx.service", "nginx.service"},
	{"/user.slice/user-1000.slice/session-3.scope", true, "", "", "", NULL, "session-3.scope", "session-3.scope"},
	{"/user.slice/user-1000.slice/user@1000.service/app.slice/app-firefox-1234.scope", true, "", "", "", NULL,
	 "app-firefox-1234.scope", "app-firefox-1234.scope"},
	{"/system.slice/run-u42.scope", true, "", "", "", NULL, "run-u42.scope", "run-u42.scope"},
	{"/system.slice/system-getty.slice/getty@tty1.service", true, "", "", "", NULL, "getty@tty1.service",
	 "getty@tty1.service"},
	/* not recognised: the root, plain directories, near misses */
	{"/", false, "", "", "", NULL, "", NULL},
	{"/memslope-test-1234/leaf", false, "", "", "", NULL, "", NULL},
	{"/docker/NOTHEX" D, false, "", "", "", NULL, "", NULL},
	{"/system.slice/docker-3f9a.scope", true, "", "", "", NULL, "docker-3f9a.scope", "docker-3f9a.scope"},
	{"/kubepods/burstable/podXYZ/" K, false, "", "", "", "burstable", "", NULL},
	{".service", false, "", "", "", NULL, "", NULL},
	{"", false, "", "", "", NULL, "", NULL},
};

static void test_parse(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct container c;
		bool hit = container_parse(cases[i].path, &c);
		char *label = container_label(&c);

		if (hit != cases[i].hit)
			fprintf(stderr, "case %zu: %s\n", i, cases[i].path);
		CHECK(hit == cases[i].hit);
		CHECK_STR(c.runtime, cases[i].runtime);
		CHECK_STR(c.id ? c.id : "", cases[i].id);
		CHECK_STR(c.pod_uid ? c.pod_uid : "", cases[i].pod_uid);
		CHECK(cases[i].qos ? c.qos && strcmp(c.qos, cases[i].qos) == 0 : c.qos == NULL);
		CHECK_STR(c.unit ? c.unit : "", cases[i].unit);
		CHECK(!c.id == !cases[i].id[0] && !c.unit == !cases[i].unit[0]); /* NULL, never "" */
		if (cases[i].label) {
			CHECK_STR(label, cases[i].label);
			CHECK_STR(c.label, cases[i].label);
		} else {
			CHECK(label == NULL && c.label == NULL);
		}
		free(label);
		container_done(&c);
	}
}

static void test_lookup(const char *root)
{
	static const struct {
		const char *path;
		const char *runtime, *name, *pod, *ns, *label;
	} lk[] = {
		{"/system.slice/docker-" D ".scope", "docker", "web-1", NULL, NULL, "web-1"},
		{"/machine.slice/libpod-" P ".scope", "podman", "db", NULL, NULL, "db"},
		{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" U_ ".slice/cri-containerd-" K ".scope",
		 "containerd", "api", "api-7d9f8b6c5-x2x4q", "shop", "shop/api-7d9f8b6c5-x2x4q/api"},
		/* cgroupfs driver: the state tells the runtime */
		{"/kubepods/burstable/pod" U "/" K, "containerd", "api", "api-7d9f8b6c5-x2x4q", "shop",
		 "shop/api-7d9f8b6c5-x2x4q/api"},
		{"/kubepods/besteffort/pod" U "/" C, "cri-o", "worker", "batch-28391", "jobs", "jobs/batch-28391/worker"},
		/* no state for this id: names stay unknown, the short id shows */
		{"/docker/" K, "docker", NULL, NULL, NULL, "docker:7e2b9c4d1a0f"},
		{"/kubepods/pod" U "/" D, "cri", NULL, NULL, NULL, "cri:3f9a1c0e7b2d"},
	};

	for (size_t i = 0; i < sizeof(lk) / sizeof(lk[0]); i++) {
		struct container c;
		char *label;

		container_parse(lk[i].path, &c);
		container_lookup(&c, root);
		label = container_label(&c);
		CHECK_STR(c.runtime, lk[i].runtime);
		CHECK(lk[i].name ? c.name && strcmp(c.name, lk[i].name) == 0 : c.name == NULL);
		CHECK(lk[i].pod ? c.pod_name && strcmp(c.pod_name, lk[i].pod) == 0 : c.pod_name == NULL);
		CHECK(lk[i].ns ? c.pod_namespace && strcmp(c.pod_namespace, lk[i].ns) == 0 : c.pod_namespace == NULL);
		CHECK_STR(label, lk[i].label);
		CHECK_STR(c.label, lk[i].label);
		free(label);
		container_done(&c);
	}
}

static void test_matches(const char *root)
{
	static const struct {
		const char *path, *text;
		bool hit;
	} mt[] = {
		{"/system.slice/docker-" D ".scope", "3f9a", true},
		{"/system.slice/docker-" D ".scope", "3f9a1c0e7b2d", true},
		{"/system.slice/docker-" D ".scope", "3f9", false},       /* too short a prefix */
		{"/system.slice/docker-" D ".scope", "3f9b", false},
		{"/system.slice/docker-" D ".scope", "web-1", true},
		{"/system.slice/docker-" D ".scope", "web", false},
		{"/system.slice/docker-" D ".scope", "docker:3f9a1c0e7b2d", true},
		{"/system.slice/nginx.service", "nginx.service", true},
		{"/system.slice/nginx.service", "nginx", true},
		{"/system.slice/nginx.service", "ngin", false},
		{"/system.slice/nginx.service", "system.slice", false},
		{"/kubepods/burstable/pod" U "/" K, "api-7d9f8b6c5-x2x4q", true},
		{"/kubepods/burstable/pod" U "/" K, "shop/api-7d9f8b6c5-x2x4q/api", true},
		{"/kubepods/burstable/pod" U "/" K, "1f2e3d4c", true}, /* pod uid prefix */
		{"/lxc.payload.web01", "web01", true},
		{"/", "", false},
	};

	for (size_t i = 0; i < sizeof(mt) / sizeof(mt[0]); i++) {
		struct container c;

		container_parse(mt[i].path, &c);
		container_lookup(&c, root);
		if (container_matches(&c, mt[i].text) != mt[i].hit)
			fprintf(stderr, "match case %zu: %s ~ %s\n", i, mt[i].path, mt[i].text);
		CHECK(container_matches(&c, mt[i].text) == mt[i].hit);
		container_done(&c);
	}
}

int main(void)
{
	const char *srcdir = getenv("srcdir");
	char *root = xasprintf("%s/tests/fixtures/container-state", srcdir ? srcdir : ".");

	test_parse();
	test_lookup(root);
	test_matches(root);
	/* No state at all (a non-root user): parse still names the container. */
	{
		struct container c;
		char *label;

		container_parse("/system.slice/docker-" D ".scope", &c);
		container_lookup(&c, "/nonexistent-memslope-root");
		label = container_label(&c);
		CHECK(c.name == NULL);
		CHECK_STR(label, "docker:3f9a1c0e7b2d");
		free(label);
		container_done(&c);
	}
	free(root);
	return check_done("test_container");
}
