/* container: names for cgroup paths. See container.h.
 *
 * Path shapes, as the runtimes and kubelet write them:
 *   docker     /system.slice/docker-<id>.scope        /docker/<id>
 *   podman     /machine.slice/libpod-<id>.scope       /libpod_parent/libpod-<id>
 *   containerd .../cri-containerd-<id>.scope
 *   CRI-O      .../crio-<id>.scope                    .../crio-<id>
 *   kubelet    /kubepods.slice/kubepods-<qos>.slice/kubepods-<qos>-pod<uid, _ for ->.slice/...
 *              /kubepods/<qos>/pod<uid>/<id>          (cgroupfs; guaranteed pods have no <qos> level)
 *   LXC        /lxc.payload.<name>                    /lxc/<name>
 * conmon's own scopes (libpod-conmon-, crio-conmon-) and LXC's monitor are
 * not the container. */
#include "container.h"

#include <ctype.h>
#include <dirent.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "util.h"

static bool is_hex_id(const char *s, size_t n)
{
	if (n < 12 || n > CONTAINER_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool has_suffix(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static bool has_prefix(const char *s, size_t n, const char *pre)
{
	size_t k = strlen(pre);

	return n >= k && memcmp(s, pre, k) == 0;
}

/* "<pre><hex id><suf>" (suf may be ""): the id's span, else false. */
static bool id_between(const char *s, size_t n, const char *pre, const char *suf, const char **id, size_t *id_n)
{
	size_t a = strlen(pre), b = strlen(suf);

	if (!has_prefix(s, n, pre) || !has_suffix(s, n, suf) || n < a + b || !is_hex_id(s + a, n - a - b))
		return false;
	*id = s + a;
	*id_n = n - a - b;
	return true;
}

static void set_id(struct container *c, const char *runtime, const char *id, size_t n)
{
	if (n > CONTAINER_ID_MAX)
		n = CONTAINER_ID_MAX;
	c->runtime = runtime;
	free(c->id);
	c->id = xasprintf("%.*s", (int)n, id);
}

/* A pod's own cgroup: the uid, no container (yet). */
static void set_pod(struct container *c, const char *uid)
{
	free(c->pod_uid);
	c->pod_uid = xstrdup(uid);
	if (!c->qos)
		c->qos = "guaranteed";
	c->runtime = "kubernetes";
	free(c->id);
	c->id = NULL;
}

/* "pod<uid>" with the systemd driver's '_' for '-'; uids are hex and
 * dashes (static pods: a hash without dashes). */
static bool pod_uid(const char *s, size_t n, char *out, size_t cap)
{
	if (!has_prefix(s, n, "pod") || n == 3 || n - 3 >= cap)
		return false;
	for (size_t i = 3; i < n; i++) {
		char ch = s[i] == '_' ? '-' : s[i];

		if (!(isxdigit((unsigned char)ch) || ch == '-') || isupper((unsigned char)ch))
			return false;
		out[i - 3] = ch;
	}
	out[n - 3] = '\0';
	return true;
}

static const char *qos_name(const char *s, size_t n)
{
	if (n == 9 && memcmp(s, "burstable", 9) == 0)
		return "burstable";
	if (n == 10 && memcmp(s, "besteffort", 10) == 0)
		return "besteffort";
	return NULL;
}

/* One kubepods component: QoS level, pod, or (below a pod) a container id
 * in any runtime's spelling. Returns true when consumed. */
static bool kube_component(struct container *c, const char *s, size_t n, bool *in_pod)
{
	const char *id;
	size_t id_n;
	char uid[40];

	if (has_prefix(s, n, "kubepods-") && has_suffix(s, n, ".slice")) {
		/* kubepods-<qos>.slice, kubepods-pod<uid>.slice, kubepods-<qos>-pod<uid>.slice */
		const char *p = s + 9, *end = s + n - 6;
		const char *dash = memchr(p, '-', (size_t)(end - p));
		const char *q = qos_name(p, dash ? (size_t)(dash - p) : (size_t)(end - p));

		if (q) {
			c->qos = q;
			if (!dash)
				return true;
			p = dash + 1;
		}
		if (pod_uid(p, (size_t)(end - p), uid, sizeof(uid))) {
			set_pod(c, uid);
			*in_pod = true;
			return true;
		}
		return false;
	}
	if (!*in_pod) {
		const char *q = qos_name(s, n);

		if (q) {
			c->qos = q;
			return true;
		}
		if (pod_uid(s, n, uid, sizeof(uid))) {
			set_pod(c, uid);
			*in_pod = true;
			return true;
		}
		return false;
	}
	if (id_between(s, n, "cri-containerd-", ".scope", &id, &id_n))
		set_id(c, "containerd", id, id_n);
	else if (id_between(s, n, "crio-", ".scope", &id, &id_n) || id_between(s, n, "crio-", "", &id, &id_n))
		set_id(c, "cri-o", id, id_n);
	else if (id_between(s, n, "docker-", ".scope", &id, &id_n))
		set_id(c, "docker", id, id_n);
	else if (is_hex_id(s, n))
		set_id(c, "cri", s, n);
	else
		return false;
	return true;
}

static bool is_unit(const char *s, size_t n)
{
	static const char *const sufs[] = {".service", ".scope", ".slice", ".socket", ".mount", ".swap"};

	for (size_t i = 0; i < sizeof(sufs) / sizeof(sufs[0]); i++)
		if (has_suffix(s, n, sufs[i]) && n > strlen(sufs[i]))
			return true;
	return false;
}

bool container_parse(const char *path, struct container *c)
{
	const char *s = path ? path : "", *id;
	size_t n, id_n;
	bool kube = false, in_pod = false, after_docker = false, after_lxc = false;

	memset(c, 0, sizeof(*c));
	c->runtime = "";
	for (; *s; s += n) {
		while (*s == '/')
			s++;
		n = strcspn(s, "/");
		if (n == 0)
			break;
		if (n <= CONTAINER_UNIT_MAX && is_unit(s, n)) {
			free(c->unit);
			c->unit = xasprintf("%.*s", (int)n, s);
		}
		if ((n == 8 && memcmp(s, "kubepods", 8) == 0) || (n == 14 && memcmp(s, "kubepods.slice", 14) == 0)) {
			kube = true;
		} else if (kube && kube_component(c, s, n, &in_pod)) {
			/* consumed */
		} else if (id_between(s, n, "docker-", ".scope", &id, &id_n)) {
			set_id(c, "docker", id, id_n);
		} else if (after_docker && is_hex_id(s, n)) {
			set_id(c, "docker", s, n);
		} else if (!has_prefix(s, n, "libpod-conmon-") &&
			   (id_between(s, n, "libpod-", ".scope", &id, &id_n) || id_between(s, n, "libpod-", "", &id, &id_n))) {
			set_id(c, "podman", id, id_n);
		} else if (id_between(s, n, "cri-containerd-", ".scope", &id, &id_n)) {
			set_id(c, "containerd", id, id_n);
		} else if (!has_prefix(s, n, "crio-conmon-") && id_between(s, n, "crio-", ".scope", &id, &id_n)) {
			set_id(c, "cri-o", id, id_n);
		} else if (has_prefix(s, n, "lxc.payload.") && n > 12) {
			set_id(c, "lxc", s + 12, n - 12);
		} else if (after_lxc) {
			set_id(c, "lxc", s, n);
		}
		after_docker = n == 6 && memcmp(s, "docker", 6) == 0;
		after_lxc = n == 3 && memcmp(s, "lxc", 3) == 0;
	}
	c->label = container_label(c);
	return c->runtime[0] || c->unit;
}

/* ---- runtime state ---- */

/* Loads and frees path. */
static json_t *load_json(char *path)
{
	json_t *j = json_load_file(path, 0, NULL);

	free(path);
	return j;
}

static char *json_str_dup(json_t *o, const char *key)
{
	const char *v = json_string_value(json_object_get(o, key));

	return v && *v ? xstrdup(v) : NULL;
}

/* docker: config.v2.json's "Name" is "/web". */
static bool lookup_docker(struct container *c, const char *root)
{
	json_t *j = load_json(xasprintf("%s/var/lib/docker/containers/%s/config.v2.json", root, c->id));
	const char *v = json_string_value(json_object_get(j, "Name"));

	if (v && *v)
		c->name = xstrdup(v[0] == '/' && v[1] ? v + 1 : v);
	json_decref(j);
	return c->name != NULL;
}

/* podman (root): one containers.json lists every container's names. */
static bool lookup_podman(struct container *c, const char *root)
{
	json_t *j = load_json(xasprintf("%s/var/lib/containers/storage/overlay-containers/containers.json", root));
	size_t i;
	json_t *e;

	json_array_foreach(j, i, e) {
		const char *id = json_string_value(json_object_get(e, "id"));
		const char *name = json_string_value(json_array_get(json_object_get(e, "names"), 0));

		if (id && name && *name && strcmp(id, c->id) == 0) {
			c->name = xstrdup(name);
			break;
		}
	}
	json_decref(j);
	return c->name != NULL;
}

/* An OCI config.json's annotations: Kubernetes names, in the spelling of
 * containerd's CRI plugin (keys[0..2]) or CRI-O's (keys[3..5]). A sandbox
 * (pause) container has the pod's names but no container name. */
static bool lookup_oci(struct container *c, json_t *j)
{
	static const char *const keys[2][3] = {
		{"io.kubernetes.cri.container-name", "io.kubernetes.cri.sandbox-name",
		 "io.kubernetes.cri.sandbox-namespace"},
		{"io.kubernetes.container.name", "io.kubernetes.pod.name", "io.kubernetes.pod.namespace"},
	};
	json_t *a = json_object_get(j, "annotations");

	for (int k = 0; k < 2 && a; k++) {
		char *pod = json_str_dup(a, keys[k][1]);

		if (!pod)
			continue;
		c->pod_name = pod;
		c->name = json_str_dup(a, keys[k][0]);
		c->pod_namespace = json_str_dup(a, keys[k][2]);
		return true;
	}
	return false;
}

/* containerd keeps each task's bundle under its namespace (k8s.io for the
 * CRI plugin). */
static bool lookup_containerd(struct container *c, const char *root)
{
	char *dir = xasprintf("%s/run/containerd/io.containerd.runtime.v2.task", root);
	DIR *d = opendir(dir);
	struct dirent *e;
	bool found = false;

	while (d && !found && (e = readdir(d))) {
		char *path;
		json_t *j;

		if (e->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s/%s/config.json", dir, e->d_name, c->id);
		j = json_load_file(path, 0, NULL);
		found = j && lookup_oci(c, j);
		json_decref(j);
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	return found;
}

static bool lookup_crio(struct container *c, const char *root)
{
	/* CRI-O's run root (tmpfs), then its storage root. */
	static const char *const dirs[] = {"run", "var/lib"};

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		json_t *j = load_json(xasprintf("%s/%s/containers/storage/overlay-containers/%s/userdata/config.json",
						root, dirs[i], c->id));
		bool found = j && lookup_oci(c, j);

		json_decref(j);
		if (found)
			return true;
	}
	return false;
}

static void container_lookup_state(struct container *c, const char *root)
{
	const char *rt = c->runtime;

	if (strcmp(rt, "docker") == 0)
		lookup_docker(c, root);
	else if (strcmp(rt, "podman") == 0)
		lookup_podman(c, root);
	else if (strcmp(rt, "containerd") == 0)
		lookup_containerd(c, root);
	else if (strcmp(rt, "cri-o") == 0)
		lookup_crio(c, root);
	else if (strcmp(rt, "cri") == 0) {
		/* A bare id under kubepods: whichever runtime has it is the runtime. */
		if (lookup_containerd(c, root))
			c->runtime = "containerd";
		else if (lookup_crio(c, root))
			c->runtime = "cri-o";
	}
}

void container_lookup(struct container *c, const char *root)
{
	const char *rt = c->runtime;

	if (!root)
		root = "";
	if (!rt || !c->id || c->name || c->pod_name)
		return;
	container_lookup_state(c, root);
	free(c->label);
	c->label = container_label(c);
}

const char *container_runtime_known(const char *text, const char *fallback)
{
	static const char *const known[] = {"docker", "podman", "containerd", "cri-o", "cri", "lxc", "kubernetes"};

	for (size_t i = 0; text && i < sizeof(known) / sizeof(known[0]); i++)
		if (strcmp(text, known[i]) == 0)
			return known[i];
	return fallback;
}

void container_done(struct container *c)
{
	free(c->name);
	free(c->pod_name);
	free(c->pod_namespace);
	free(c->label);
	free(c->id);
	free(c->pod_uid);
	free(c->unit);
	c->name = c->pod_name = c->pod_namespace = c->label = c->id = c->pod_uid = c->unit = NULL;
}

void container_copy(struct container *dst, const struct container *src)
{
	*dst = *src;
	dst->name = src->name ? xstrdup(src->name) : NULL;
	dst->pod_name = src->pod_name ? xstrdup(src->pod_name) : NULL;
	dst->pod_namespace = src->pod_namespace ? xstrdup(src->pod_namespace) : NULL;
	dst->label = src->label ? xstrdup(src->label) : NULL;
	dst->id = src->id ? xstrdup(src->id) : NULL;
	dst->pod_uid = src->pod_uid ? xstrdup(src->pod_uid) : NULL;
	dst->unit = src->unit ? xstrdup(src->unit) : NULL;
}

const char *container_state_root(void)
{
	const char *r = getenv("MEMSLOPE_CONTAINER_STATE_ROOT");

	return r ? r : "";
}

/* ---- labels and matching ---- */

char *container_label(const struct container *c)
{
	if (c->pod_name)
		return c->name ? xasprintf("%s/%s/%s", c->pod_namespace ? c->pod_namespace : "-", c->pod_name, c->name)
			       : xasprintf("%s/%s", c->pod_namespace ? c->pod_namespace : "-", c->pod_name);
	if (c->name)
		return xstrdup(c->name);
	if (c->runtime && strcmp(c->runtime, "lxc") == 0)
		return xasprintf("lxc:%s", c->id);
	if (c->runtime && c->id)
		return xasprintf("%s:%.12s", c->runtime, c->id);
	if (c->pod_uid)
		return xasprintf("pod:%.8s", c->pod_uid);
	if (c->unit)
		return xstrdup(c->unit);
	return NULL;
}

static bool eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

bool container_matches(const struct container *c, const char *text)
{
	size_t n = strlen(text);
	char *label;
	bool hit;

	if (n == 0)
		return false;
	/* "docker:3f9a1c0e7b2d", as container_label shows an unnamed one */
	if (c->runtime && c->runtime[0] && strncmp(text, c->runtime, strlen(c->runtime)) == 0 &&
	    text[strlen(c->runtime)] == ':') {
		text += strlen(c->runtime) + 1;
		n = strlen(text);
	}
	if (n >= 4 && ((c->id && strncmp(c->id, text, n) == 0) || (c->pod_uid && strncmp(c->pod_uid, text, n) == 0)))
		return true;
	if (eq(c->name, text) || eq(c->pod_name, text))
		return true;
	if (c->unit) {
		/* "nginx" names nginx.service; the last dot starts the suffix. */
		size_t u = (size_t)(strrchr(c->unit, '.') - c->unit);

		if (strcmp(c->unit, text) == 0 || (n == u && strncmp(c->unit, text, n) == 0))
			return true;
	}
	label = container_label(c);
	hit = eq(label, text);
	free(label);
	return hit;
}

/* ---- -c by name ---- */

struct find {
	const char *text, *root;
	char **paths;
	size_t n;
};

static bool find_visit(const char *path, void *ctx)
{
	struct find *f = ctx;
	struct container c;
	bool hit;

	if (!container_parse(path, &c))
		return false;
	container_lookup(&c, f->root);
	hit = container_matches(&c, f->text);
	container_done(&c);
	if (hit) {
		f->paths = xrealloc(f->paths, (f->n + 1) * sizeof(*f->paths));
		f->paths[f->n++] = xstrdup(path);
	}
	return hit; /* what is below a match is the same container or unit */
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

size_t container_find(const struct cgroup_fs *fs, const char *text, const char *root, char ***paths)
{
	struct find f = {text, root ? root : "", NULL, 0};

	cgroup_walk(fs, find_visit, &f);
	if (f.n > 1)
		qsort(f.paths, f.n, sizeof(*f.paths), str_cmp);
	*paths = f.paths;
	return f.n;
}
