/* static_deps: the static binary's answers where a dynamic one would load
 * a shared library.
 *
 * Linked only with --enable-static-binary. Debian's libproc2 reads the
 * systemd unit, slice, session, seat and machine of a process (the PIDS_SD_*
 * items) with libsystemd, which Debian ships as a shared library only.
 * memslope never asks for those items (it names units from the cgroup path,
 * container.c), so libproc2 never calls these; should a future libproc2
 * call one, each answers as libsystemd does on a host without systemd
 * logind data: -ENODATA, which libproc2 turns into "-". */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

int sd_pid_get_machine_name(pid_t pid, char **name);
int sd_pid_get_owner_uid(pid_t pid, uid_t *uid);
int sd_pid_get_session(pid_t pid, char **session);
int sd_pid_get_slice(pid_t pid, char **slice);
int sd_pid_get_unit(pid_t pid, char **unit);
int sd_pid_get_user_unit(pid_t pid, char **unit);
int sd_session_get_seat(const char *session, char **seat);

int sd_pid_get_machine_name(pid_t pid, char **name)
{
	return -ENODATA;
}

int sd_pid_get_owner_uid(pid_t pid, uid_t *uid)
{
	return -ENODATA;
}

int sd_pid_get_session(pid_t pid, char **session)
{
	return -ENODATA;
}

int sd_pid_get_slice(pid_t pid, char **slice)
{
	return -ENODATA;
}

int sd_pid_get_unit(pid_t pid, char **unit)
{
	return -ENODATA;
}

int sd_pid_get_user_unit(pid_t pid, char **unit)
{
	return -ENODATA;
}

int sd_session_get_seat(const char *session, char **seat)
{
	return -ENODATA;
}

/* dlopen: a shared object loaded into a static binary brings the
 * container's own libc.so beside the one linked in, which need not match.
 * So the static binary loads none: dlopen fails, and its callers take their
 * "library not available" path (libproc2's NUMA nodes: -1; the GPU sampler:
 * no NVML). libc's own dl* definitions are weak, these take their place. */
static const char dl_refused[] = "the static memslope loads no shared libraries";
static const char *dl_error;

void *dlopen(const char *file, int mode)
{
	dl_error = dl_refused;
	return NULL;
}

void *dlsym(void *restrict handle, const char *restrict name)
{
	dl_error = dl_refused;
	return NULL;
}

int dlclose(void *handle)
{
	dl_error = dl_refused;
	return -1;
}

char *dlerror(void)
{
	const char *e = dl_error;

	dl_error = NULL;
	return (char *)e;
}
