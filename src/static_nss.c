/* static_nss: user names in the static binary, from /etc/passwd alone.
 *
 * Linked only with --enable-static-binary. A static glibc answers getpwuid
 * and getpwnam by loading the NSS modules (libnss_files.so.2, ...) of the
 * glibc it was built with, at run time: a bare container has none, and
 * another glibc's modules may not load. These definitions take libc's place
 * at link time (libproc2's user names call getpwuid too) and read
 * /etc/passwd with fgetpwent, which needs no NSS. No passwd file, or no
 * line for the uid: NULL, and the caller shows the number. */
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

/* libproc2 asks for group names only for fields memslope does not read;
 * defined here so that no NSS code is linked at all. */
struct group *getgrgid(gid_t gid)
{
	FILE *f = fopen("/etc/group", "re");
	struct group *gr;

	if (!f)
		return NULL;
	while ((gr = fgetgrent(f)))
		if (gr->gr_gid == gid)
			break;
	fclose(f);
	return gr;
}
