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

#define CONTAINER_ID_MAX 128
#define CONTAINER_UNIT_MAX 256

struct container {
	/* "docker", "podman", "containerd", "cri-o", "cri" (a bare id under
	 * kubepods: the runtime cannot be told from the path), "lxc",
	 * "kubernetes" (a pod's own cgroup, no container id); "" when none. */
	const char *runtime;
	char id[CONTAINER_ID_MAX + 1];     /* full id (LXC: the name); "" for a pod */
	char pod_uid[40];                  /* Kubernetes, with dashes; "" otherwise */
	const char *qos;                   /* "guaranteed", "burstable", "besteffort"; NULL */
	char unit[CONTAINER_UNIT_MAX + 1]; /* deepest systemd unit; "" none */
	/* From container_lookup (owned, raw: sanitise before showing); NULL
	 * when unknown. */
	char *name;                        /* container name */
	char *pod_name, *pod_namespace;    /* Kubernetes */
};

/* Fill c from a cgroup path ("/system.slice/docker-<id>.scope", ...).
 * Returns true when a container, pod or unit was recognised. c needs no
 * container_done unless container_lookup filled names. */
bool container_parse(const char *cgroup_path, struct container *c);
/* Read the runtime's state under root ("" for the real one) for c's names.
 * Cheap enough to call once per new cgroup, not every tick. */
void container_lookup(struct container *c, const char *root);
void container_done(struct container *c);
/* The state root: $MEMSLOPE_CONTAINER_STATE_ROOT (tests point it at a
 * fixture tree), else "". */
const char *container_state_root(void);

/* The short label for a row: the name ("web", "ns/pod/ctr"), else
 * "runtime:<12 chars of id>", else "pod:<8 of uid>", else the unit; NULL
 * when nothing was recognised. Caller frees; raw, sanitise to show. */
char *container_label(const struct container *c);
/* Does user text name this cgroup: a container id prefix (at least 4
 * characters), a container or pod name, or a unit name (with or without
 * its .service/.scope/.slice suffix)? */
bool container_matches(const struct container *c, const char *text);

#endif
