// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Shell scripts: the commands a script runs (resolved on the PATH, the
 * image's and what the script assigns), the scripts it sources, "$@" (the
 * arguments it was given, run by `exec "$@"'), and the paths it names.
 *
 * Not a shell parser: a tokenizer that knows quoting, comments, here-
 * documents, command substitution ($(...), `...`, also inside double
 * quotes), operators and the words that start a command, which is what
 * finding commands takes. A command it cannot see (in a variable) is left
 * out, with a note.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

#define MAXW	64
#define MAXDEPTH 16

static const char *const builtins[] = {
	":", ".", "[", "[[", "]]", "alias", "bg", "break", "builtin", "cd",
	"command", "continue", "declare", "echo", "eval", "exec", "exit",
	"export", "false", "fc", "fg", "getopts", "hash", "jobs", "kill", "let",
	"local", "printf", "pwd", "read", "readonly", "return", "set", "shift",
	"test", "times", "trap", "true", "type", "typeset", "ulimit", "umask",
	"unalias", "unset", "wait", "source", "shopt", "pushd", "popd", "dirs",
	"disown", "enable", "help", "logout", "mapfile", "readarray",
	"suspend", "caller", "complete", "compgen", "compopt", "bind", "history",
	NULL
};

/* Words after which the next word is (again) a command. */
static const char *const prefixes[] = {
	"exec", "command", "builtin", "!", "time", "then", "do", "else", "{",
	"if", "while", "until", "elif", "coproc", NULL
};

static const char *const keywords[] = {
	"fi", "done", "esac", "}", "in", "function", "select", "case", "for",
	NULL
};

static bool in_list(const char *w, const char *const *l)
{
	for (; *l; l++)
		if (!strcmp(w, *l))
			return true;
	return false;
}

struct word {
	char *raw;		/* text without quotes ($ kept) */
	bool dyn;		/* has an expansion */
	bool dollar_at;		/* exactly "$@", $@, "$*"... */
	unsigned int line;
};

struct shctx {
	struct az *az;
	struct img_node *script;
	char **args;		/* the script's arguments */
	const char *why;
	char **path;		/* directories of PATH assignments */
	bool dynamic_noted;
	int depth;
};

struct cmd {
	struct word w[MAXW];
	int nw;
};

static void parse(struct shctx *sh, const char *s, const char *end,
		  unsigned int line);

static const char *where(struct shctx *sh, unsigned int line)
{
	static char buf[4200];

	if (sh->script)
		snprintf(buf, sizeof(buf), "%s:%u", az_pathof(sh->script), line);
	else
		snprintf(buf, sizeof(buf), "a shell command line (%s)", sh->why);
	return buf;
}

static void path_assign(struct shctx *sh, const char *val)
{
	char *copy = strdup(val), *tok, *save = NULL;
	size_t n = 0;

	while (sh->path && sh->path[n])
		n++;
	for (tok = copy ? strtok_r(copy, ":", &save) : NULL; tok;
	     tok = strtok_r(NULL, ":", &save)) {
		char **np;

		if (tok[0] != '/' || n >= 64)
			continue;
		np = realloc(sh->path, (n + 2) * sizeof(*np));
		if (!np)
			break;
		sh->path = np;
		sh->path[n++] = strdup(tok);
		sh->path[n] = NULL;
	}
	free(copy);
}

static void source_file(struct shctx *sh, const char *name, unsigned int line)
{
	struct az *az = sh->az;
	struct img_res res;
	struct img_node *n;

	if (strpbrk(name, "*?["))
		return;	/* the path scan expands globs */
	if (strchr(name, '/'))
		n = img_resolve(az_image(az), az_workdir(az), name, 0, &res);
	else
		n = az_which(az, name, strlen(name), (const char *const *)sh->path);
	if (!n || n->type != IMG_REG)
		return;
	az_grant_node(az, n, FGUARD_PERM_READ, FGUARD_KIND_EXACT,
		      "sourced by %s", where(sh, line));
	if (!(n->mark & MK_SHELL) && az_is_text(n)) {
		n->mark |= MK_SHELL;
		az_shell(az, n, (const char *)n->data, n->size, sh->args, sh->why);
	}
}

static void cmd_reset(struct cmd *c)
{
	int i;

	for (i = 0; i < c->nw; i++)
		free(c->w[i].raw);
	c->nw = 0;
}

static bool is_assignment(const char *t)
{
	const char *eq = strchr(t, '=');

	return eq && eq != t &&
	       strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
	       (size_t)(eq - t);
}

static void run_command(struct shctx *sh, struct cmd *c)
{
	struct az *az = sh->az;
	struct img_node *n = NULL;
	struct word *w;
	char **args;
	int i = 0, k;

	for (; i < c->nw && is_assignment(c->w[i].raw); i++)
		if (!strncmp(c->w[i].raw, "PATH=", 5))
			path_assign(sh, c->w[i].raw + 5);
	while (i < c->nw && !c->w[i].dyn && in_list(c->w[i].raw, prefixes)) {
		i++;
		/* Options of exec/command (-a NAME, -p, -v). */
		while (i < c->nw && c->w[i].raw[0] == '-')
			i++;
	}
	if (i >= c->nw)
		return;
	w = &c->w[i];
	if (w->dollar_at) {
		/* exec "$@": the script's arguments are the command. */
		if (sh->args && sh->args[0]) {
			const char *a0 = sh->args[0];
			struct img_res res;

			n = strchr(a0, '/') ?
				img_resolve(az_image(az), az_workdir(az), a0, 0, &res) :
				az_which(az, a0, strlen(a0), (const char *const *)sh->path);
			if (n && n->type == IMG_REG)
				az_exec(az, n, sh->args + 1, "run by \"$@\" in %s",
					where(sh, w->line));
		}
		return;
	}
	if (w->dyn) {
		if (!sh->dynamic_noted && sh->script) {
			az_note(az, "%s: runs a command named by a variable (%s); "
				"not followed", where(sh, w->line), w->raw);
			sh->dynamic_noted = true;
		}
		return;
	}
	if (in_list(w->raw, keywords))
		return;
	if (!strcmp(w->raw, ".") || !strcmp(w->raw, "source")) {
		if (i + 1 < c->nw && !c->w[i + 1].dyn)
			source_file(sh, c->w[i + 1].raw, w->line);
		return;
	}
	if (in_list(w->raw, builtins))
		return;
	if (strchr(w->raw, '/')) {
		struct img_res res;

		n = img_resolve(az_image(az), az_workdir(az), w->raw, 0, &res);
		if (n && (n->type != IMG_REG || !(n->mode & 0111)))
			n = NULL;
	} else {
		/* A shell function of that name would win; we cannot tell. */
		n = az_which(az, w->raw, strlen(w->raw), (const char *const *)sh->path);
	}
	if (!n)
		return;
	args = calloc((size_t)(c->nw - i) + 1, sizeof(*args));
	if (!args)
		return;
	for (k = i + 1; k < c->nw; k++)
		args[k - i - 1] = c->w[k].raw;
	az_exec(az, n, args, "run by %s", where(sh, w->line));
	free(args);
}

/* End of a $( ... ) starting after "$(": the matching ')'. */
static const char *subst_end(const char *s, const char *end)
{
	int depth = 1;

	while (s < end) {
		if (*s == '\\' && s + 1 < end) {
			s += 2;
			continue;
		}
		if (*s == '\'') {
			const char *e = memchr(s + 1, '\'', (size_t)(end - s - 1));

			s = e ? e + 1 : end;
			continue;
		}
		if (*s == '(')
			depth++;
		else if (*s == ')' && !--depth)
			return s;
		s++;
	}
	return end;
}

static const char *backtick_end(const char *s, const char *end)
{
	while (s < end && *s != '`') {
		if (*s == '\\' && s + 1 < end)
			s++;
		s++;
	}
	return s;
}

static unsigned int count_nl(const char *s, const char *e)
{
	unsigned int n = 0;

	for (; s < e; s++)
		n += *s == '\n';
	return n;
}

/* A command substitution inside a word: its commands run too. */
static const char *substitution(struct shctx *sh, const char *s,
				const char *end, unsigned int *line)
{
	const char *b, *e;

	if (*s == '`') {
		b = s + 1;
		e = backtick_end(b, end);
	} else {
		b = s + 2;
		e = subst_end(b, end);
	}
	if (sh->depth < MAXDEPTH) {
		sh->depth++;
		parse(sh, b, e, *line);
		sh->depth--;
	}
	*line += count_nl(s, e);
	return e < end ? e + 1 : end;
}

static void put(char *buf, size_t *o, size_t cap, char c)
{
	if (*o < cap - 1)
		buf[(*o)++] = c;
}

static const char *read_word(struct shctx *sh, const char *s, const char *end,
			     struct word *w, unsigned int *line)
{
	char buf[4096];
	size_t o = 0;
	bool dyn = false;

	w->line = *line;
	while (s < end) {
		char c = *s;

		if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ';' ||
		    c == '&' || c == '|' || c == '(' || c == ')' || c == '<' ||
		    c == '>')
			break;
		if (c == '\\' && s + 1 < end) {
			if (s[1] == '\n')
				(*line)++;
			else
				put(buf, &o, sizeof(buf), s[1]);
			s += 2;
			continue;
		}
		if (c == '\'') {
			const char *e = memchr(s + 1, '\'', (size_t)(end - s - 1));

			if (!e)
				e = end;
			for (const char *k = s + 1; k < e; k++)
				put(buf, &o, sizeof(buf), *k);
			*line += count_nl(s, e);
			s = e < end ? e + 1 : end;
			continue;
		}
		if (c == '`' || (c == '$' && s + 1 < end && s[1] == '(')) {
			dyn = true;
			put(buf, &o, sizeof(buf), '$');
			s = substitution(sh, s, end, line);
			continue;
		}
		if (c == '"') {
			s++;
			while (s < end && *s != '"') {
				if (*s == '\\' && s + 1 < end) {
					put(buf, &o, sizeof(buf), s[1]);
					s += 2;
					continue;
				}
				if (*s == '`' || (*s == '$' && s + 1 < end && s[1] == '(')) {
					dyn = true;
					put(buf, &o, sizeof(buf), '$');
					s = substitution(sh, s, end, line);
					continue;
				}
				if (*s == '$')
					dyn = true;
				if (*s == '\n')
					(*line)++;
				put(buf, &o, sizeof(buf), *s);
				s++;
			}
			if (s < end)
				s++;
			continue;
		}
		if (c == '$') {
			dyn = true;
			if (s + 1 < end && s[1] == '{') {
				const char *e = memchr(s, '}', (size_t)(end - s));

				if (e) {
					for (; s <= e; s++)
						put(buf, &o, sizeof(buf), *s);
					continue;
				}
			}
		}
		put(buf, &o, sizeof(buf), c);
		s++;
	}
	buf[o] = '\0';
	w->raw = strdup(buf);
	if (!w->raw)
		w->raw = strdup("");
	w->dyn = dyn;
	w->dollar_at = !strcmp(buf, "$@") || !strcmp(buf, "${@}") ||
		       !strcmp(buf, "$*") || !strcmp(buf, "${*}");
	return s;
}

static void parse(struct shctx *sh, const char *s, const char *end,
		  unsigned int line)
{
	struct cmd c = { .nw = 0 };
	char heredoc[64] = "", pending[64] = "";
	bool in_case = false;

	while (s < end) {
		char ch = *s;

		if (heredoc[0]) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));
			const char *e = nl ? nl : end, *t = s;
			size_t dl = strlen(heredoc);

			while (t < e && *t == '\t')
				t++;
			if ((size_t)(e - t) == dl && !memcmp(t, heredoc, dl))
				heredoc[0] = '\0';
			s = e < end ? e + 1 : end;
			line++;
			continue;
		}
		if (ch == ' ' || ch == '\t' || ch == '\r') {
			s++;
			continue;
		}
		if (ch == '\\' && s + 1 < end && s[1] == '\n') {
			s += 2;
			line++;
			continue;
		}
		if (ch == '#' ) {
			const char *nl = memchr(s, '\n', (size_t)(end - s));

			s = nl ? nl : end;
			continue;
		}
		if (ch == '\n' || ch == ';' || ch == '&' || ch == '|' || ch == '(' ||
		    ch == ')') {
			if (ch == ')' && in_case && c.nw <= 2) {
				cmd_reset(&c);	/* "pattern)" of a case */
				s++;
				continue;
			}
			if (c.nw && !c.w[0].dyn) {
				if (!strcmp(c.w[0].raw, "case"))
					in_case = true;
				else if (!strcmp(c.w[0].raw, "esac"))
					in_case = false;
			}
			run_command(sh, &c);
			cmd_reset(&c);
			if (ch == '\n') {
				line++;
				if (pending[0]) {
					memcpy(heredoc, pending, sizeof(heredoc));
					pending[0] = '\0';
				}
			}
			s++;
			continue;
		}
		if (ch == '<' && s + 1 < end && s[1] == '<' &&
		    !(s + 2 < end && s[2] == '<')) {
			const char *d = s + 2;
			size_t o = 0;

			if (d < end && *d == '-')
				d++;
			while (d < end && (*d == ' ' || *d == '\t'))
				d++;
			while (d < end && o + 1 < sizeof(pending) &&
			       (isalnum((unsigned char)*d) || *d == '_' || *d == '-' ||
				*d == '\'' || *d == '"' || *d == '\\')) {
				if (*d != '\'' && *d != '"' && *d != '\\')
					pending[o++] = *d;
				d++;
			}
			pending[o] = '\0';
			s = d;
			continue;
		}
		if (ch == '<' || ch == '>') {
			struct word w;

			/* A redirection: its target is not a word of the command. */
			while (s < end && (*s == '<' || *s == '>' || *s == '&' || *s == '|'))
				s++;
			while (s < end && (*s == ' ' || *s == '\t'))
				s++;
			s = read_word(sh, s, end, &w, &line);
			free(w.raw);
			continue;
		}
		if (c.nw < MAXW) {
			const char *before = s;

			s = read_word(sh, s, end, &c.w[c.nw], &line);
			/* "2>file": a descriptor number, not a word. */
			if (s < end && (*s == '<' || *s == '>') && s - before == 1 &&
			    isdigit((unsigned char)*before)) {
				free(c.w[c.nw].raw);
				continue;
			}
			c.nw++;
			if (s == before)
				s++;
		} else {
			struct word w;

			s = read_word(sh, s, end, &w, &line);
			free(w.raw);
			if (s < end && !strchr(" \t\r\n;&|()<>", *s))
				s++;
		}
	}
	run_command(sh, &c);
	cmd_reset(&c);
}

void az_shell(struct az *az, struct img_node *script, const char *text,
	      size_t len, char **args, const char *why)
{
	static int depth;
	struct shctx sh = { .az = az, .script = script, .args = args,
			    .why = why };

	if (depth > MAXDEPTH)
		return;
	depth++;
	/* Paths the script names, at script strength. */
	az_scan_code(az, (const uint8_t *)text, len, EV_SCRIPT, script);
	parse(&sh, text, text + len, 1);
	for (char **p = sh.path; p && *p; p++)
		free(*p);
	free(sh.path);
	depth--;
}
