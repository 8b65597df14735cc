/* static_proc2: libproc2.a's calls into libsystemd and libnuma, in the
 * static binary.
 *
 * Linked only with --enable-static-binary. Debian's libproc2 reads the
 * systemd unit, slice, session, seat and machine of a process (the PIDS_SD_*
 * items) with libsystemd, which Debian ships as a shared library only.
 * memslope never asks for those items (it names units from the cgroup path,
 * container.c), so libproc2 never calls these; should a future libproc2
 * call one, each answers as libsystemd does on a host without systemd
 * logind data: -ENODATA, which libproc2 turns into "-".
 *
 * libproc2 also dlopen()s libnuma for the NUMA node of each task; from a
 * static binary that would load the container's own libc beside ours. These
 * definitions take the place of libproc2's numa.o: no NUMA library, as on a
 * host without one (node -1). */
#include <errno.h>
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

static int no_max_node(void)
{
	return -1;
}

static int no_node_of_cpu(int cpu)
{
	return -1;
}

void numa_init(void);
void numa_uninit(void);
extern int (*numa_max_node)(void);
extern int (*numa_node_of_cpu)(int);

int (*numa_max_node)(void) = no_max_node;
int (*numa_node_of_cpu)(int) = no_node_of_cpu;

void numa_init(void)
{
}

void numa_uninit(void)
{
}
