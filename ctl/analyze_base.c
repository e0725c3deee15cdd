// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The base profile: files that programs touch without naming them (the C
 * library, the dynamic loader, kernel interfaces, what a container runtime
 * provides), applied by component where the image has the component.
 * `fguardctl build --print-base-profile' prints it; `--base-profile FILE'
 * replaces it.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <elf.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

const char fg_base_profile[] =
"# fguard base profile\n"
"#\n"
"# What programs touch without naming it: the C library, the dynamic\n"
"# loader, the kernel interfaces every process uses, and the files a\n"
"# container runtime provides. `fguardctl build' applies a component only\n"
"# when its condition holds for the image being analysed.\n"
"#\n"
"# Syntax:\n"
"#   [NAME] CONDITION...   a component; all its conditions must hold:\n"
"#       lib GLOB           an ELF object whose file name matches GLOB was\n"
"#                          reached from the entry point\n"
"#       exists PATH        PATH exists in the image\n"
"#       env NAME[|NAME]    one of these variables is set in the image's Env\n"
"#   PERMS PATH  # reason  a runtime path (kernel, runtime mounts): granted\n"
"#                         whether or not the image has it\n"
"#   PERMS ?PATH # reason  an image path: granted only if it exists in the\n"
"#                         image; symlinks are followed, the target granted\n"
"#   @nss                  the files and NSS modules that the image's\n"
"#                         /etc/nsswitch.conf names (never shadow)\n"
"# PATH may end in /* or /** and use $MULTIARCH (x86_64-linux-gnu, ...),\n"
"# $LOCALE (the locale of LC_ALL, LC_CTYPE or LANG, named as glibc names\n"
"# its directory: C.UTF-8 is C.utf8) and $TZ (the TZ of the Env); a rule\n"
"# whose variable is unset is left out.\n"
"\n"
"[runtime]\n"
"r   /etc/hosts                       # provided by the container runtime\n"
"r   /etc/hostname                    # provided by the container runtime\n"
"r   /etc/resolv.conf                 # provided by the container runtime\n"
"rw  /dev/null                        # standard device\n"
"r   /dev/zero                        # standard device\n"
"r   /dev/random                      # standard device\n"
"r   /dev/urandom                     # standard device\n"
"rw  /dev/tty                         # the terminal, with docker run -t\n"
"rw  /dev/pts/*                       # pseudo-terminals, with docker run -t\n"
"r   /proc/self/**                    # the process's own proc entries\n"
"r   /proc/thread-self/**             # the thread's own proc entries\n"
"r   /sys/devices/system/cpu/online   # sysconf(_SC_NPROCESSORS_ONLN)\n"
"r   /sys/devices/system/cpu/possible # sysconf, thread pools\n"
"r   /proc/sys/kernel/ngroups_max     # sysconf(_SC_NGROUPS_MAX), initgroups()\n"
"r   /proc/sys/vm/overcommit_memory   # malloc\n"
"r   /proc/meminfo                    # memory size (runtimes size their heaps)\n"
"r   /proc/cpuinfo                    # processor features\n"
"r   /proc/stat                       # get_nprocs() fallback\n"
"r   /sys/fs/cgroup/**                # the container's own limits (JVM, Go, .NET)\n"
"\n"
"[glibc] lib libc.so.6\n"
"r   ?/etc/ld.so.cache                # dynamic loader: library cache\n"
"r   ?/etc/ld.so.preload              # dynamic loader: preload list\n"
"r   ?/etc/localtime                  # local time zone (tzset)\n"
"r   ?/usr/share/zoneinfo/$TZ         # time zone of the TZ variable\n"
"r   ?/etc/host.conf                  # resolver configuration\n"
"r   ?/etc/gai.conf                   # getaddrinfo address selection\n"
"r   ?/usr/lib/$MULTIARCH/libgcc_s.so.1 # dlopened for thread cancellation\n"
"r   ?/lib/$MULTIARCH/libgcc_s.so.1   # dlopened for thread cancellation\n"
"@nss\n"
"\n"
"[glibc-locale] lib libc.so.6 env LC_ALL|LC_CTYPE|LANG\n"
"r   ?/usr/lib/locale/locale-archive  # setlocale: compiled locales\n"
"r   ?/usr/lib/locale/$LOCALE/**      # setlocale: the Env's locale\n"
"r   ?/usr/share/locale/locale.alias  # setlocale: locale aliases\n"
"r   ?/usr/lib/$MULTIARCH/gconv/gconv-modules.cache # iconv, multibyte locales\n"
"r   ?/usr/lib/$MULTIARCH/gconv/gconv-modules       # iconv, multibyte locales\n"
"r   ?/usr/lib/$MULTIARCH/gconv/gconv-modules.d/*   # iconv, multibyte locales\n"
"\n"
"[musl] lib ld-musl-*\n"
"r   ?/etc/ld-musl-x86_64.path        # dynamic loader: library path\n"
"r   ?/etc/ld-musl-aarch64.path       # dynamic loader: library path\n"
"r   ?/etc/localtime                  # local time zone\n"
"r   ?/usr/share/zoneinfo/$TZ         # time zone of the TZ variable\n"
"r   ?/etc/passwd                     # getpwnam\n"
"r   ?/etc/group                      # getgrnam\n"
"r   ?/etc/services                   # getservbyname\n"
"r   ?/etc/protocols                  # getprotobyname\n"
"\n"
"[openssl] lib libcrypto.so*\n"
"r   ?/usr/lib/ssl/openssl.cnf        # OpenSSL configuration\n"
"r   ?/etc/ssl/openssl.cnf            # OpenSSL configuration\n"
"r   ?/etc/ssl/certs/**               # CA certificates\n"
"r   ?/usr/share/ca-certificates/**   # CA certificates (link targets)\n"
"r   ?/usr/lib/ssl/cert.pem           # CA bundle\n"
"\n"
"[gnutls] lib libgnutls.so*\n"
"r   ?/etc/gnutls/config              # GnuTLS system configuration\n"
"r   ?/etc/ssl/certs/ca-certificates.crt # CA bundle\n"
"\n"
"[selinux] lib libselinux.so*\n"
"r   /proc/filesystems                # is selinuxfs mounted?\n"
"r   ?/etc/selinux/config             # SELinux configuration\n"
"\n"
"[kerberos] lib libkrb5.so*\n"
"r   ?/etc/krb5.conf                  # Kerberos configuration\n"
"\n"
"[curl] lib libcurl.so*\n"
"r   ?/etc/ssl/certs/**               # CA certificates\n"
"\n"
"[zoneinfo-tzdata] lib libc.so.6 env TZ\n"
"r   ?/usr/share/zoneinfo/posixrules  # TZ rules\n";

struct cond_ctx {
	bool ok;
};

static void locale_dir(const char *v, char *out, size_t len)
{
	const char *dot = strchr(v, '.'), *at = strchr(v, '@');
	size_t o = 0;

	out[0] = '\0';
	if (!*v || !strcmp(v, "C") || !strcmp(v, "POSIX") || strchr(v, '/'))
		return;
	if (!dot) {
		snprintf(out, len, "%s", v);
		return;
	}
	o = (size_t)snprintf(out, len, "%.*s.", (int)(dot - v), v);
	/* glibc's normalised codeset: lower case, alphanumerics only. */
	for (dot++; *dot && dot != at && o + 1 < len; dot++)
		if (isalnum((unsigned char)*dot))
			out[o++] = (char)tolower((unsigned char)*dot);
	out[o] = '\0';
	if (at && o + strlen(at) + 1 < len)
		strcat(out, at);
}

/* Expand $VARS; false if one is unset. */
static bool expand(struct az *az, const char *in, char *out, size_t len)
{
	const struct image *img = az_image(az);
	size_t o = 0;

	while (*in) {
		const char *val = NULL;
		char tmp[256];
		size_t skip = 0;

		if (*in != '$') {
			if (o + 1 >= len)
				return false;
			out[o++] = *in++;
			continue;
		}
		if (!strncmp(in, "$MULTIARCH", 10)) {
			val = az_reached_lib(az, "ld-linux-x86-64.so*") ? "x86_64-linux-gnu" :
			      az_reached_lib(az, "ld-linux-aarch64.so*") ? "aarch64-linux-gnu" :
			      az_reached_lib(az, "ld-linux.so.2") ? "i386-linux-gnu" :
			      az_reached_lib(az, "ld-linux-armhf.so*") ? "arm-linux-gnueabihf" :
			      NULL;
			skip = 10;
		} else if (!strncmp(in, "$LOCALE", 7)) {
			const char *v = img_getenv(img, "LC_ALL");

			if (!v || !*v)
				v = img_getenv(img, "LC_CTYPE");
			if (!v || !*v)
				v = img_getenv(img, "LANG");
			if (v) {
				locale_dir(v, tmp, sizeof(tmp));
				val = *tmp ? tmp : NULL;
			}
			skip = 7;
		} else if (!strncmp(in, "$TZ", 3)) {
			const char *v = img_getenv(img, "TZ");

			if (v && *v == ':')
				v++;
			val = v && *v && *v != '/' && !strstr(v, "..") ? v : NULL;
			skip = 3;
		} else {
			return false;
		}
		if (!val)
			return false;
		o += (size_t)snprintf(out + o, len - o, "%s", val);
		if (o >= len)
			return false;
		in += skip;
	}
	out[o] = '\0';
	return true;
}

static bool cond_holds(struct az *az, char *conds)
{
	const struct image *img = az_image(az);
	char *tok, *save = NULL;

	for (tok = strtok_r(conds, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		char *arg;

		if (!strcmp(tok, "always"))
			continue;
		arg = strtok_r(NULL, " \t", &save);
		if (!arg)
			return false;
		if (!strcmp(tok, "lib")) {
			if (!az_reached_lib(az, arg))
				return false;
		} else if (!strcmp(tok, "exists")) {
			struct img_res res;

			if (!img_resolve(img, NULL, arg, 0, &res))
				return false;
		} else if (!strcmp(tok, "env")) {
			char *n, *s2 = NULL;
			bool any = false;

			for (n = strtok_r(arg, "|", &s2); n; n = strtok_r(NULL, "|", &s2))
				if (img_getenv(img, n))
					any = true;
			if (!any)
				return false;
		} else {
			return false;
		}
	}
	return true;
}

struct nss_db {
	const char *db;
	const char *file;
};

static const struct nss_db nss_files[] = {
	{ "passwd", "/etc/passwd" }, { "group", "/etc/group" },
	{ "initgroups", "/etc/group" }, { "hosts", "/etc/hosts" },
	{ "networks", "/etc/networks" }, { "protocols", "/etc/protocols" },
	{ "services", "/etc/services" }, { "ethers", "/etc/ethers" },
	{ "rpc", "/etc/rpc" }, { "netgroup", "/etc/netgroup" },
	{ "aliases", "/etc/aliases" }, { NULL, NULL }
};

/* Services glibc has built in (no module to load) and their files. */
static void nss_service(struct az *az, const char *db, const char *svc)
{
	const struct image *img = az_image(az);
	struct img_res res;
	struct img_node *n;
	char name[128];
	int i;

	if (!strcmp(db, "shadow") || !strcmp(db, "gshadow"))
		return;	/* only login tools read them: never by default */
	if (!strcmp(svc, "files") || !strcmp(svc, "compat")) {
		for (i = 0; nss_files[i].db; i++) {
			if (strcmp(nss_files[i].db, db))
				continue;
			n = img_resolve(img, NULL, nss_files[i].file, 0, &res);
			if (n && n->type == IMG_REG)
				az_grant_node(az, n, FGUARD_PERM_READ, FGUARD_KIND_EXACT,
					      "base profile [glibc]: nsswitch %s: %s",
					      db, svc);
			else if (!strcmp(db, "hosts"))
				az_grant_path(az, nss_files[i].file, FGUARD_PERM_READ,
					      "base profile [glibc]: nsswitch hosts: files");
		}
		if (strcmp(svc, "files"))
			goto module;
		return;
	}
	if (!strcmp(svc, "dns")) {
		az_grant_path(az, "/etc/resolv.conf", FGUARD_PERM_READ,
			      "base profile [glibc]: nsswitch %s: dns", db);
		return;
	}
module:
	/* Other services are modules, libnss_NAME.so.2, loaded by name. */
	snprintf(name, sizeof(name), "libnss_%s.so.2", svc);
	{
		static const char *const dirs[] = {
			"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
			"/lib/aarch64-linux-gnu", "/usr/lib/aarch64-linux-gnu",
			"/lib64", "/usr/lib64", "/lib", "/usr/lib", NULL
		};
		char buf[512];

		for (i = 0; dirs[i]; i++) {
			snprintf(buf, sizeof(buf), "%s/%s", dirs[i], name);
			n = img_resolve(img, NULL, buf, 0, &res);
			if (n && n->type == IMG_REG) {
				az_lib(az, n, "base profile [glibc]: nsswitch %s: %s",
				       db, svc);
				return;
			}
		}
	}
}

static void do_nss(struct az *az)
{
	const struct image *img = az_image(az);
	struct img_res res;
	struct img_node *n = img_resolve(img, NULL, "/etc/nsswitch.conf", 0, &res);
	const char *s, *end;
	int i;

	if (!n || n->type != IMG_REG || !n->data) {
		/* glibc's defaults without the file. */
		for (i = 0; nss_files[i].db; i++)
			nss_service(az, nss_files[i].db, "files");
		nss_service(az, "hosts", "dns");
		return;
	}
	az_grant_node(az, n, FGUARD_PERM_READ, FGUARD_KIND_EXACT,
		      "base profile [glibc]: name service switch");
	s = (const char *)n->data;
	end = s + n->size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end;
		char line[1024], *p, *colon, *tok, *save = NULL;
		size_t l = (size_t)(e - s);

		if (l >= sizeof(line))
			l = sizeof(line) - 1;
		memcpy(line, s, l);
		line[l] = '\0';
		s = e + 1;
		if ((p = strchr(line, '#')))
			*p = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || strlen(p) > 32)
			continue;
		for (tok = strtok_r(colon + 1, " \t\r", &save); tok;
		     tok = strtok_r(NULL, " \t\r", &save)) {
			if (tok[0] == '[') {
				while (tok && !strchr(tok, ']'))
					tok = strtok_r(NULL, " \t\r", &save);
				if (!tok)
					break;
				continue;
			}
			if (strlen(tok) < 64 && strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_-") == strlen(tok))
				nss_service(az, p, tok);
		}
	}
}

int az_base_profile(struct az *az, const char *text, char *err, size_t errlen)
{
	const struct image *img = az_image(az);
	const char *s = text, *end = text + strlen(text);
	char comp[64] = "";
	bool active = false;
	unsigned int lineno = 0;

	while (s < end) {
		const char *nl = strchr(s, '\n');
		const char *e = nl ? nl : end;
		char line[1024], *p, *why = NULL, *q;
		size_t l = (size_t)(e - s);
		int perms;

		lineno++;
		if (l >= sizeof(line)) {
			snprintf(err, errlen, "base profile:%u: line too long", lineno);
			return -1;
		}
		memcpy(line, s, l);
		line[l] = '\0';
		s = e + 1;
		p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		if (*p == '[') {
			q = strchr(p, ']');
			if (!q) {
				snprintf(err, errlen, "base profile:%u: `[' without `]'", lineno);
				return -1;
			}
			snprintf(comp, sizeof(comp), "%.*s", (int)(q - p - 1), p + 1);
			active = cond_holds(az, q + 1);
			continue;
		}
		if (!active)
			continue;
		if (!strcmp(p, "@nss")) {
			do_nss(az);
			continue;
		}
		q = strstr(p, " #");
		if (!q)
			q = strstr(p, "\t#");
		if (q) {
			*q = '\0';
			why = q + 2;
			while (*why == ' ' || *why == '#')
				why++;
		}
		q = p + strcspn(p, " \t");
		perms = fg_perms_parse(p, (size_t)(q - p));
		if (perms <= 0 || !*q) {
			snprintf(err, errlen, "base profile:%u: expected `PERMS PATH'", lineno);
			return -1;
		}
		while (*q == ' ' || *q == '\t')
			q++;
		{
			char path[1024], *t = q + strlen(q);
			bool image = *q == '?';

			while (t > q && (t[-1] == ' ' || t[-1] == '\t'))
				*--t = '\0';
			if (image)
				q++;
			if (*q != '/') {
				snprintf(err, errlen, "base profile:%u: path not absolute", lineno);
				return -1;
			}
			if (!expand(az, q, path, sizeof(path)))
				continue;
			if (!image) {
				az_grant_path(az, path, (unsigned int)perms,
					      "base profile [%s]: %s", comp,
					      why ? why : "");
				continue;
			}
			{
				size_t n = strlen(path);
				int kind = FGUARD_KIND_EXACT;
				struct img_res res;
				struct img_node *node;

				if (n > 3 && !strcmp(path + n - 3, "/**")) {
					kind = FGUARD_KIND_TREE;
					path[n - 3] = '\0';
				} else if (n > 2 && !strcmp(path + n - 2, "/*")) {
					kind = FGUARD_KIND_CHILDREN;
					path[n - 2] = '\0';
				}
				node = img_resolve(img, NULL, path, 0, &res);
				if (!node)
					continue;
				if (kind != FGUARD_KIND_EXACT && node->type != IMG_DIR)
					continue;
				if (kind == FGUARD_KIND_TREE && az_system_dir(az_pathof(node)))
					continue;
				az_grant_node(az, node, (unsigned int)perms, kind,
					      "base profile [%s]: %s", comp,
					      why ? why : "");
				/* Links in a granted tree point elsewhere: follow. */
				if (kind == FGUARD_KIND_EXACT && node->type == IMG_REG &&
				    node->data && node->size >= 4 &&
				    !memcmp(node->data, "\177ELF", 4))
					az_lib(az, node, "base profile [%s]", comp);
			}
		}
	}
	return 0;
}
