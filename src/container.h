/* container: names people recognise for a cgroup path (sample stage).
 *
 * container_parse is pure: from a cgroup path alone (no daemon, no root) it
 * recognises docker, podman, containerd, CRI-O and bare-id Kubernetes
 * containers (systemd and cgroupfs drivers), Kubernetes pod cgroups, LXC,
 * and the deepest systemd unit (service, scope, slice; user sessions are
 * session-N.scope). The deepest container segment wins: a cgroup a
 * container made below its own is still that container.
 *
 * container_lookup reads a runtime's state files, when readable (usually
 * as root), for the names the path does not hold: docker's config.v2.json,
 * podman's containers.json, the OCI config.json annotations that containerd
 * and CRI-O write for Kubernetes. Unreadable state leaves the names NULL. */
#ifndef MEMSLOPE_CONTAINER_H
#define MEMSLOPE_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>

#define CONTAINER_ID_MAX 128
#define CONTAINER_UNIT_MAX 256

struct container {
	/* "docker", "podman", "containerd", "cri-o", "cri" (a bare id under
	 * kubepods: the runtime cannot be told from the path), "lxc",
	 * "kubernetes" (a pod's own cgroup, no container id); "" when none. */
	const char *runtime;
	const char *qos;                   /* "guaranteed", "burstable", "besteffort"; NULL */
	/* Owned strings, NULL when absent (most processes have a unit and
	 * nothing else, so the struct stays small). */
	char *id;                          /* full id (LXC: the name); NULL for a pod */
	char *pod_uid;                     /* Kubernetes, with dashes */
	char *unit;                        /* deepest systemd unit */
	/* From container_lookup (raw: sanitise before showing). */
	char *name;                        /* container name */
	char *pod_name, *pod_namespace;    /* Kubernetes */
	char *label;                       /* container_label's text, kept; NULL: none */
};

/* Fill c from a cgroup path ("/system.slice/docker-<id>.scope", ...).
 * Returns true when a container, pod or unit was recognised. Free with
 * container_done. */
bool container_parse(const char *cgroup_path, struct container *c);
/* Read the runtime's state under root ("" for the real one) for c's names.
 * Cheap enough to call once per new cgroup, not every tick. */
void container_lookup(struct container *c, const char *root);
void container_done(struct container *c);
/* The runtime name text as one of the names above (a log read back);
 * fallback when it is none of them. */
const char *container_runtime_known(const char *text, const char *fallback);
/* dst = src, names duplicated (dst holds no names before). */
void container_copy(struct container *dst, const struct container *src);
/* The state root: $MEMSLOPE_CONTAINER_STATE_ROOT (tests point it at a
 * fixture tree), else "". */
const char *container_state_root(void);

/* The short label for a row: the name ("web", "ns/pod/ctr"), else
 * "runtime:<12 chars of id>", else "pod:<8 of uid>", else the unit; NULL
 * when nothing was recognised. Caller frees; raw, sanitise to show. */
char *container_label(const struct container *c);
/* The cgroups under fs that text names (container_matches, with the
 * runtime's names from root): the outermost cgroup of each match, sorted.
 * Returns the count; *paths (caller frees each and the array) is NULL when
 * none. For -c: a container id prefix, a container or pod name, a unit. */
struct cgroup_fs;
size_t container_find(const struct cgroup_fs *fs, const char *text, const char *root, char ***paths);
/* Does user text name this cgroup: a container id prefix (at least 4
 * characters), a container or pod name, or a unit name (with or without
 * its .service/.scope/.slice suffix)? */
bool container_matches(const struct container *c, const char *text);

#endif
