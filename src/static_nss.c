/* static_nss: user and group names in the static binary, from /etc/passwd
 * and /etc/group alone.
 *
 * Linked only with --enable-static-binary. A static glibc answers getpwuid
 * and getpwnam by loading the NSS modules (libnss_files.so.2, ...) of the
 * glibc it was built with, at run time: a bare container has none, and
 * another glibc's modules may not load. These definitions take libc's place
 * at link time (libproc2's user names call getpwuid too) and read the
 * files with fgetpwent and fgetgrent, which need no NSS. No file, or no
 * line for the id: NULL, and the caller shows the number. */
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

static struct passwd *passwd_find(const char *name, uid_t uid)
{
	FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;

	if (!f)
		return NULL;
	while ((pw = fgetpwent(f)))
		if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid)
			break;
	fclose(f);
	return pw;
}

struct passwd *getpwuid(uid_t uid)
{
	return passwd_find(NULL, uid);
}

struct passwd *getpwnam(const char *name)
{
	return passwd_find(name, 0);
}

/* Groups: -g GROUP by name (getgrnam); libproc2 asks for group names only
 * for fields memslope does not read (getgrgid). Both from /etc/group. */
static struct group *group_find(const char *name, gid_t gid)
{
	FILE *f = fopen("/etc/group", "re");
	struct group *gr;

	if (!f)
		return NULL;
	while ((gr = fgetgrent(f)))
		if (name ? strcmp(gr->gr_name, name) == 0 : gr->gr_gid == gid)
			break;
	fclose(f);
	return gr;
}

struct group *getgrgid(gid_t gid)
{
	return group_find(NULL, gid);
}

struct group *getgrnam(const char *name)
{
	return group_find(name, 0);
}
