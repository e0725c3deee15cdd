// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Python programs: the interpreter's start-up (site, encodings), the
 * script, module or -c code it runs, and every module they import,
 * resolved on sys.path as the interpreter would (script directory,
 * PYTHONPATH, the standard library, lib-dynload, site directories and
 * their .pth files), with the byte-compiled files it reads instead of the
 * sources (__pycache__/NAME.cpython-XY.pyc) and the extension modules it
 * loads (ELF, analysed as libraries).
 *
 * Imports are read from the source: "import a.b", "from a import b"
 * (b may be a submodule), relative imports, and __import__/importlib
 * calls with a literal name. A module that imports by computed name
 * (encodings does) gets its whole package. Paths named in the
 * application's own modules count as script evidence; in the standard
 * library and site packages, as library evidence.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

#define R FGUARD_PERM_READ

struct py {
	struct az *az;
	struct img_node *interp;
	char ver[16];		/* "3.11" */
	char tag[32];		/* "cpython-311" */
	char **syspath;		/* directories, in order */
	size_t nsys;
	char *stdlib;		/* PREFIX/lib/pythonX.Y */
	unsigned int modules;
	struct pending {	/* modules found, to parse (no deep recursion) */
		struct img_node *n;
		char *name;
		bool is_pkg;
	} *q;
	size_t qn, qcap;
};

bool az_is_python(const struct img_node *interp)
{
	return !fnmatch("python*", interp->name, 0) ||
	       !fnmatch("pypy*", interp->name, 0);
}

static void sys_add(struct py *py, const char *dir)
{
	struct img_res res;
	struct img_node *n;
	char **nv;
	size_t i;

	n = img_resolve(az_image(py->az), NULL, dir, 0, &res);
	if (!n || n->type != IMG_DIR)
		return;
	dir = az_pathof(n);
	for (i = 0; i < py->nsys; i++)
		if (!strcmp(py->syspath[i], dir))
			return;
	nv = realloc(py->syspath, (py->nsys + 1) * sizeof(*nv));
	if (!nv)
		return;
	py->syspath = nv;
	py->syspath[py->nsys++] = strdup(dir);
	/* The import system lists every sys.path directory. */
	az_grant_node(py->az, n, R, FGUARD_KIND_EXACT, "python sys.path (%s)",
		      az_pathof(py->interp));
}

static bool is_app(struct py *py, const char *path)
{
	size_t i;

	if (py->stdlib && !strncmp(path, py->stdlib, strlen(py->stdlib)))
		return false;
	for (i = 0; i < py->nsys; i++)
		if ((strstr(py->syspath[i], "-packages")) &&
		    !strncmp(path, py->syspath[i], strlen(py->syspath[i])))
			return false;
	return true;
}

static void later(struct py *py, struct img_node *n, const char *modname,
		  bool is_pkg)
{
	if (py->qn == py->qcap) {
		size_t cap = py->qcap ? 2 * py->qcap : 64;
		struct pending *nq = realloc(py->q, cap * sizeof(*nq));

		if (!nq)
			return;
		py->q = nq;
		py->qcap = cap;
	}
	py->q[py->qn].n = n;
	py->q[py->qn].name = strdup(modname);
	py->q[py->qn].is_pkg = is_pkg;
	if (py->q[py->qn].name)
		py->qn++;
}

static void parse_module(struct py *py, struct img_node *n, const char *modname,
			 bool is_pkg);

static void drain(struct py *py)
{
	size_t i;

	for (i = 0; i < py->qn; i++) {
		parse_module(py, py->q[i].n, py->q[i].name, py->q[i].is_pkg);
		free(py->q[i].name);
	}
	py->qn = 0;
}

/*
 * The byte-compiled form of DIR/STEM.py, if the image has one. DIR is where
 * the import system found the module, before symlinks are resolved.
 */
static void pyc(struct py *py, const char *dir, const char *stem,
		const char *why)
{
	static const char *const opt[] = { "", ".opt-1", ".opt-2", NULL };
	char buf[8192];
	struct img_res res;
	int i;

	for (i = 0; opt[i]; i++) {
		struct img_node *c;

		snprintf(buf, sizeof(buf), "%s/__pycache__/%s.%s%s.pyc",
			 dir, stem, py->tag, opt[i]);
		c = img_resolve(az_image(py->az), NULL, buf, 0, &res);
		if (c && c->type == IMG_REG)
			az_grant_node(py->az, c, R, FGUARD_KIND_EXACT, "%s (compiled)", why);
	}
}

/* A module file found (as DIR/STEM.py): grant and queue its parsing. */
static void use_file(struct py *py, struct img_node *f, const char *dir,
		     const char *stem, const char *modname, bool is_pkg,
		     const char *why)
{
	const char *name = f->name;
	size_t nl = strlen(name);

	if (nl > 3 && !strcmp(name + nl - 3, ".so")) {
		az_lib(py->az, f, "python extension module %s (%s)", modname, why);
		return;
	}
	az_grant_node(py->az, f, R, FGUARD_KIND_EXACT, "python module %s (%s)",
		      modname, why);
	pyc(py, dir, stem, why);
	later(py, f, modname, is_pkg);
}

/*
 * Find module @name (one component) in directory @dir. Returns 1 for a
 * module, 2 for a package (its directory in *pkgdir), 0 if absent.
 */
static int find_in(struct py *py, const char *dir, const char *name,
		   const char *modname, struct img_node **pkgdir, const char *why)
{
	const struct image *img = az_image(py->az);
	char buf[8192];
	struct img_res res;
	struct img_node *n;
	static const char *const ext[] = { ".py", ".pyc", NULL };
	int i;

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	n = img_resolve(img, NULL, buf, 0, &res);
	if (n && n->type == IMG_DIR) {
		struct img_node *init;

		snprintf(buf, sizeof(buf), "%s/%s/__init__.py", dir, name);
		init = img_resolve(img, NULL, buf, 0, &res);
		*pkgdir = n;
		az_grant_node(py->az, n, R, FGUARD_KIND_EXACT, "python package %s (%s)",
			      modname, why);
		if (init && init->type == IMG_REG) {
			snprintf(buf, sizeof(buf), "%s/%s", dir, name);
			use_file(py, init, buf, "__init__", modname, true, why);
		}
		return 2;
	}
	for (i = 0; ext[i]; i++) {
		snprintf(buf, sizeof(buf), "%s/%s%s", dir, name, ext[i]);
		n = img_resolve(img, NULL, buf, 0, &res);
		if (n && n->type == IMG_REG) {
			use_file(py, n, dir, name, modname, false, why);
			return 1;
		}
	}
	/* Extension modules: NAME.cpython-311-x86_64-linux-gnu.so, .abi3.so, .so */
	{
		struct img_node *d = img_resolve(img, NULL, dir, 0, &res), *c;
		size_t ln = strlen(name);

		for (c = d && d->type == IMG_DIR ? d->child : NULL; c; c = c->next) {
			if (strncmp(c->name, name, ln) || c->name[ln] != '.')
				continue;
			if (c->namelen < 4 || strcmp(c->name + c->namelen - 3, ".so"))
				continue;
			if (c->name[ln + 1] != 's' && strncmp(c->name + ln + 1, "cpython-", 8) &&
			    strncmp(c->name + ln + 1, "abi3", 4) &&
			    strncmp(c->name + ln + 1, "pypy", 4))
				continue;
			n = img_resolve(img, d, c->name, 0, &res);
			if (n && n->type == IMG_REG) {
				use_file(py, n, dir, name, modname, false, why);
				return 1;
			}
		}
	}
	return 0;
}

/* Resolve dotted @mod; with @also_sub, try mod.sub for each of @subs. */
static struct img_node *import(struct py *py, const char *mod, const char *why)
{
	char comp[256], dotted[1024] = "";
	const char *s = mod;
	struct img_node *dir = NULL;
	size_t i;

	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		struct img_node *pkg = NULL;
		int r = 0;

		if (!l || l >= sizeof(comp))
			return NULL;
		memcpy(comp, s, l);
		comp[l] = '\0';
		snprintf(dotted + strlen(dotted), sizeof(dotted) - strlen(dotted),
			 "%s%s", *dotted ? "." : "", comp);
		if (!dir) {
			for (i = 0; i < py->nsys && !r; i++)
				r = find_in(py, py->syspath[i], comp, dotted, &pkg, why);
		} else {
			r = find_in(py, az_pathof(dir), comp, dotted, &pkg, why);
		}
		if (!r)
			return NULL;
		if (r == 1)
			return dot ? NULL : (struct img_node *)1;
		dir = pkg;
		s = dot ? dot + 1 : s + l;
	}
	return dir;
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

/* Base package of a relative import "..x" from module @cur. */
static void relative(const char *cur, bool is_pkg, const char *rel, char *out,
		     size_t len)
{
	char base[1024];
	int dots = 0;

	while (rel[dots] == '.')
		dots++;
	snprintf(base, sizeof(base), "%s", cur);
	if (!is_pkg) {
		char *d = strrchr(base, '.');

		if (d)
			*d = '\0';
		else
			base[0] = '\0';
	}
	for (int i = 1; i < dots; i++) {
		char *d = strrchr(base, '.');

		if (d)
			*d = '\0';
		else
			base[0] = '\0';
	}
	if (rel[dots])
		snprintf(out, len, "%s%s%s", base, *base ? "." : "", rel + dots);
	else
		snprintf(out, len, "%s", base);
}

static void import_from(struct py *py, const char *from, char *names,
			const char *why)
{
	struct img_node *pkg = import(py, from, why);
	char *tok, *save = NULL;

	if (!pkg || pkg == (struct img_node *)1)
		return;
	/* from package import a, b: a and b may be submodules. */
	for (tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char name[256], full[1300];
		size_t l = 0;

		while (*tok == ' ' || *tok == '(' || *tok == '\t')
			tok++;
		while (ident_char(tok[l]) && l < sizeof(name) - 1)
			l++;
		if (!l || tok[0] == '*')
			continue;
		memcpy(name, tok, l);
		name[l] = '\0';
		snprintf(full, sizeof(full), "%s.%s", from, name);
		import(py, full, why);
	}
}

/* A package importing by computed name: any of its modules may load. */
static void whole_package(struct py *py, struct img_node *init,
			  const char *pkgname, const char *why)
{
	struct img_node *dir = init->parent, *c;

	if (dir->mark & MK_PY)
		return;
	dir->mark |= MK_PY;
	az_grant_node(py->az, dir, R, FGUARD_KIND_TREE,
		      "python package imports by computed name (%s)", why);
	for (c = dir->child; c; c = c->next) {
		char mod[1400], stem[256];

		if (c->type != IMG_REG || c->namelen < 4 || c->namelen > 250 ||
		    strcmp(c->name + c->namelen - 3, ".py") ||
		    !strcmp(c->name, "__init__.py"))
			continue;
		memcpy(stem, c->name, c->namelen - 3);
		stem[c->namelen - 3] = '\0';
		snprintf(mod, sizeof(mod), "%.1000s.%s", pkgname, stem);
		later(py, c, mod, false);
	}
}

static void parse_module(struct py *py, struct img_node *n, const char *modname,
			 bool is_pkg)
{
	const char *s, *end;
	char why[1100], cur[1024];
	bool app;
	int triple = 0;

	if ((n->mark & MK_PY) || !az_is_text(n))
		return;
	n->mark |= MK_PY;
	py->modules++;
	snprintf(cur, sizeof(cur), "%s", modname);
	snprintf(why, sizeof(why), "imported by %s", az_pathof(n));
	app = is_app(py, az_pathof(n));
	az_scan_code(py->az, n->data, n->size, app ? EV_SCRIPT : EV_LIB, n);
	if (!strcmp(modname, "tempfile"))
		az_grant_path(py->az, "/tmp/**", FGUARD_PERM_READ | FGUARD_PERM_WRITE,
			      "python tempfile's default directory");
	s = (const char *)n->data;
	end = s + n->size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *e = nl ? nl : end, *t = s;
		char stmt[4096];
		size_t l;

		/* Statements continued by parentheses or backslashes. */
		l = 0;
		for (;;) {
			size_t k = (size_t)(e - t);
			bool more;

			if (l + k >= sizeof(stmt))
				k = sizeof(stmt) - 1 - l;
			memcpy(stmt + l, t, k);
			l += k;
			stmt[l] = '\0';
			more = (strchr(stmt, '(') && !strchr(stmt, ')') &&
				(!strncmp(stmt + strspn(stmt, " \t"), "from ", 5))) ||
			       (l && stmt[l - 1] == '\\');
			if (!more || e >= end || l >= sizeof(stmt) - 2)
				break;
			if (stmt[l - 1] == '\\')
				l--;
			stmt[l++] = ' ';
			t = e + 1;
			nl = memchr(t, '\n', (size_t)(end - t));
			e = nl ? nl : end;
		}
		s = e + 1;
		/* Docstrings: skip lines inside triple quotes. */
		{
			const char *q = stmt;
			int cnt = 0;

			while ((q = strstr(q, "\"\"\""))) {
				cnt++;
				q += 3;
			}
			q = stmt;
			while ((q = strstr(q, "'''"))) {
				cnt++;
				q += 3;
			}
			if (triple) {
				if (cnt % 2)
					triple = 0;
				continue;
			}
			if (cnt % 2) {
				triple = 1;
				continue;
			}
		}
		{
			char *p = stmt + strspn(stmt, " \t");
			char *h = strchr(p, '#');

			if (h)
				*h = '\0';
			if (!strncmp(p, "import ", 7)) {
				char *tok, *save = NULL;

				for (tok = strtok_r(p + 7, ",", &save); tok;
				     tok = strtok_r(NULL, ",", &save)) {
					char mod[512];
					size_t k = 0;

					while (*tok == ' ' || *tok == '\t' || *tok == '(')
						tok++;
					while (ident_char(tok[k]) && k < sizeof(mod) - 1)
						k++;
					memcpy(mod, tok, k);
					mod[k] = '\0';
					if (k && mod[0] != '.')
						import(py, mod, why);
				}
			} else if (!strncmp(p, "from ", 5)) {
				char mod[512], abs[1600], *imp;
				size_t k = 0;

				p += 5;
				while (*p == ' ')
					p++;
				while (ident_char(p[k]) && k < sizeof(mod) - 1)
					k++;
				memcpy(mod, p, k);
				mod[k] = '\0';
				imp = strstr(p + k, " import ");
				if (!k || !imp)
					continue;
				if (mod[0] == '.') {
					relative(cur, is_pkg, mod, abs, sizeof(abs));
					if (!*abs)
						continue;
				} else {
					snprintf(abs, sizeof(abs), "%s", mod);
				}
				import_from(py, abs, imp + 8, why);
			}
			/* Dynamic imports. */
			for (const char *q = p; (q = strstr(q, "import")); q += 6) {
				const char *a;

				if (!((q >= p + 2 && !strncmp(q - 2, "__import__(", 11)) ||
				      (q >= p + 10 && !strncmp(q - 10, "importlib.import_module(", 24)) ||
				      !strncmp(q, "import_module(", 14)))
					continue;
				a = strchr(q, '(');
				if (!a)
					continue;
				a++;
				while (*a == ' ')
					a++;
				if (*a == '"' || *a == '\'') {
					char mod[512];
					const char *e2 = strchr(a + 1, *a);

					if (e2 && e2[1] != ' ' && e2[1] != '+' &&
					    (size_t)(e2 - a - 1) < sizeof(mod)) {
						snprintf(mod, sizeof(mod), "%.*s",
							 (int)(e2 - a - 1), a + 1);
						if (mod[0] && mod[0] != '.')
							import(py, mod, why);
						continue;
					}
				}
				if (is_pkg)
					whole_package(py, n, cur, why);
			}
		}
	}
}

static void pth_files(struct py *py, const char *dir)
{
	const struct image *img = az_image(py->az);
	struct img_res res;
	struct img_node *d = img_resolve(img, NULL, dir, 0, &res), *c;

	for (c = d && d->type == IMG_DIR ? d->child : NULL; c; c = c->next) {
		struct img_node *f;
		const char *s, *end;

		if (c->namelen < 5 || strcmp(c->name + c->namelen - 4, ".pth"))
			continue;
		f = img_resolve(img, d, c->name, 0, &res);
		if (!f || f->type != IMG_REG || !f->data)
			continue;
		az_grant_node(py->az, f, R, FGUARD_KIND_EXACT, "python site .pth file");
		s = (const char *)f->data;
		end = s + f->size;
		while (s < end) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			const char *e = nl ? nl : end;
			char line[1024], path[2100];

			snprintf(line, sizeof(line), "%.*s", (int)(e - s), s);
			s = e + 1;
			if (!line[0] || line[0] == '#' || !strncmp(line, "import", 6))
				continue;
			if (line[0] == '/')
				snprintf(path, sizeof(path), "%s", line);
			else
				snprintf(path, sizeof(path), "%s/%s", az_pathof(d), line);
			sys_add(py, path);
		}
	}
}

void az_python(struct az *az, struct img_node *interp, char **args,
	       const char *why)
{
	const struct image *img = az_image(az);
	struct py py_s = { .az = az, .interp = interp }, *py = &py_s;
	char prefix[4096], buf[8192], *slash;
	const char *pp;
	struct img_res res;
	char **a = args;
	bool no_site = false, isolated = false, no_env = false;
	const char *script = NULL, *module = NULL, *code = NULL;
	size_t i;

	/* Version: from the name (python3.11), else the library directory. */
	{
		const char *v = interp->name + strcspn(interp->name, "0123456789");
		size_t k = strspn(v, "0123456789.");

		if (k && k < sizeof(py->ver) && strchr(v, '.'))
			snprintf(py->ver, sizeof(py->ver), "%.*s", (int)k, v);
	}
	snprintf(prefix, sizeof(prefix), "%s", az_pathof(interp->parent));
	slash = strrchr(prefix, '/');
	if (slash && slash != prefix)
		*slash = '\0';
	else
		strcpy(prefix, "/usr");
	if (!py->ver[0]) {
		struct img_node *lib;
		struct img_node *c;

		snprintf(buf, sizeof(buf), "%s/lib", prefix);
		lib = img_resolve(img, NULL, buf, 0, &res);
		for (c = lib && lib->type == IMG_DIR ? lib->child : NULL; c; c = c->next) {
			if (!strncmp(c->name, "python3.", 8) && c->type == IMG_DIR &&
			    img_child(img, c, "os.py", 5)) {
				snprintf(py->ver, sizeof(py->ver), "%s", c->name + 6);
				break;
			}
		}
	}
	if (!py->ver[0]) {
		az_note(az, "%s: python version unknown; modules not followed",
			az_pathof(interp));
		return;
	}
	{
		char nodot[16];
		size_t o = 0;

		for (i = 0; py->ver[i] && o + 1 < sizeof(nodot); i++)
			if (py->ver[i] != '.')
				nodot[o++] = py->ver[i];
		nodot[o] = '\0';
		snprintf(py->tag, sizeof(py->tag), "cpython-%s", nodot);
	}
	/* Options, then the script, -m module or -c code. */
	for (; a && *a; a++) {
		const char *o = *a;

		if (o[0] != '-' || !o[1])
			break;
		if (!strcmp(o, "--")) {
			a++;
			break;
		}
		if (o[1] == '-')
			continue;
		for (o++; *o; o++) {
			if (*o == 'S')
				no_site = true;
			else if (*o == 'I')
				isolated = no_env = true;
			else if (*o == 'E')
				no_env = true;
			else if (*o == 'c' || *o == 'm' || *o == 'W' || *o == 'X') {
				const char *val = o[1] ? o + 1 : a[1];

				if (!o[1] && a[1])
					a++;
				if (*o == 'c')
					code = val;
				else if (*o == 'm')
					module = val;
				break;
			}
		}
		if (code || module)
			break;
	}
	if (!code && !module && a && *a)
		script = *a;

	/* sys.path[0]: the script's directory, or the working directory. */
	if (script && !isolated) {
		struct img_node *sn = img_resolve(img, az_workdir(az), script, 0, &res);

		if (sn && sn->type == IMG_REG)
			sys_add(py, az_pathof(sn->parent));
	} else if (!isolated) {
		sys_add(py, az_pathof(az_workdir(az)));
	}
	pp = no_env ? NULL : img_getenv(img, "PYTHONPATH");
	if (pp) {
		char *copy = strdup(pp), *tok, *save = NULL;

		for (tok = copy ? strtok_r(copy, ":", &save) : NULL; tok;
		     tok = strtok_r(NULL, ":", &save))
			sys_add(py, tok);
		free(copy);
	}
	snprintf(buf, sizeof(buf), "%s/lib/python%s", prefix, py->ver);
	{
		struct img_node *sl = img_resolve(img, NULL, buf, 0, &res);

		py->stdlib = strdup(sl ? az_pathof(sl) : buf);
	}
	snprintf(buf, sizeof(buf), "%s/lib/python%s.zip", prefix, py->tag + 8);
	if (img_resolve(img, NULL, buf, 0, &res))
		az_grant_path(az, buf, R, "python standard library archive");
	sys_add(py, py->stdlib);
	snprintf(buf, sizeof(buf), "%s/lib-dynload", py->stdlib);
	sys_add(py, buf);
	if (!no_site) {
		const char *site[] = { "%s/local/lib/python%s/dist-packages",
				       "/usr/lib/python3/dist-packages",
				       "%s/lib/python%s/site-packages",
				       "%s/lib/python%s/dist-packages", NULL };

		for (i = 0; site[i]; i++) {
			size_t before = py->nsys;

			snprintf(buf, sizeof(buf), site[i], prefix, py->ver);
			sys_add(py, buf);
			if (py->nsys > before)
				pth_files(py, py->syspath[py->nsys - 1]);
		}
	}

	snprintf(buf, sizeof(buf), "python start-up (%s)", why);
	import(py, "encodings", buf);
	import(py, "encodings.utf_8", buf);
	import(py, "encodings.aliases", buf);
	if (!no_site) {
		import(py, "site", buf);
		import(py, "sitecustomize", buf);
		import(py, "usercustomize", buf);
	}
	if (script) {
		struct img_node *sn = img_resolve(img, az_workdir(az), script, 0, &res);

		if (sn && sn->type == IMG_REG) {
			az_grant_node(az, sn, R, FGUARD_KIND_EXACT, "python script (%s)", why);
			later(py, sn, "__main__", false);
		} else {
			az_note(az, "python script %s not in the image", script);
		}
	} else if (module) {
		if (!import(py, module, why))
			az_note(az, "python module %s not found on sys.path", module);
		else {
			/* -m pkg runs pkg.__main__. */
			snprintf(buf, sizeof(buf), "%s.__main__", module);
			import(py, buf, why);
		}
	} else if (code) {
		/* -c code: its imports and paths. */
		{
			char *line = strdup(code), *tok, *save = NULL;

			for (tok = line ? strtok_r(line, ";\n", &save) : NULL; tok;
			     tok = strtok_r(NULL, ";\n", &save)) {
				char *p = tok + strspn(tok, " \t");

				if (!strncmp(p, "import ", 7)) {
					char mod[512];
					size_t k = 0;

					p += 7;
					while (ident_char(p[k]) && k < sizeof(mod) - 1)
						k++;
					snprintf(mod, sizeof(mod), "%.*s", (int)k, p);
					if (k)
						import(py, mod, why);
				} else if (!strncmp(p, "from ", 5)) {
					char mod[512], *imp;
					size_t k = 0;

					p += 5;
					while (ident_char(p[k]) && k < sizeof(mod) - 1)
						k++;
					snprintf(mod, sizeof(mod), "%.*s", (int)k, p);
					imp = strstr(p, " import ");
					if (k && imp)
						import_from(py, mod, imp + 8, why);
				}
			}
			free(line);
		}
		az_scan_paths(az, (const uint8_t *)code, strlen(code), true,
			      EV_SCRIPT, NULL);
	}
	drain(py);
	az_stats_of(az)->modules += py->modules;
	free(py->q);
	for (i = 0; i < py->nsys; i++)
		free(py->syspath[i]);
	free(py->syspath);
	free(py->stdlib);
}
