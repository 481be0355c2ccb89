/* What the domain XML parser's files share: the parse context (the first
 * error, strings borrowed from libxml2 until the parse ends), the walker
 * over an element's children, and the value checks. */
#ifndef VIREO_DAEMON_DOMXML_INT_H
#define VIREO_DAEMON_DOMXML_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "daemon/domxml.h"

struct px {
	char *err;
	size_t errlen;
	bool failed;		/* err holds the first problem */
	bool nomem;
	xmlChar **tmp;		/* freed when the parse ends */
	size_t ntmp, captmp;
};

/* Records the first problem (later ones are ignored); returns -EINVAL. */
int px_fail(struct px *px, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* -ENOMEM, remembered so that the parse reports it over any message. */
int px_nomem(struct px *px);

/* The value of attribute `name` (NULL when absent), valid until the parse
 * ends. */
const char *px_attr(struct px *px, xmlNode *n, const char *name);
/* Refuses any attribute of `n` not in the NULL-terminated `allowed`. */
int px_attrs(struct px *px, xmlNode *n, const char *const *allowed);
/* px_text() of an element without attributes. */
int px_leaf(struct px *px, xmlNode *n, const char **out);
/* Attribute `name` of `n`, one of the '|'-separated `values`: its index
 * in *out, or -1 when absent (which `required` refuses). */
int px_choice(struct px *px, xmlNode *n, const char *name,
	      const char *values, bool required, int *out);
/* Required attribute `name` of `n` into *out. */
int px_need(struct px *px, xmlNode *n, const char *name, const char **out);
/* A leaf element with no attributes whose text is one line shorter than
 * `max` bytes, copied into *out. */
int px_line(struct px *px, xmlNode *n, size_t max, char **out);
/* The text of a leaf element (children other than text refused). */
int px_text(struct px *px, xmlNode *n, const char **out);

/* One kind of child element: its handler, and whether it may repeat. */
struct px_child {
	const char *name;
	int (*fn)(struct px *px, xmlNode *n, void *obj);
	bool multi;
};

/* Calls the handler of each child element of `parent`; refuses unknown,
 * repeated and namespaced elements, non-blank text, entity references
 * and processing instructions, each with a message naming it. */
int px_walk(struct px *px, xmlNode *parent, const struct px_child *tab,
	    void *obj);

/* Value checks: 0 or px_fail() naming `what`. */
int px_uint(struct px *px, const char *s, uint64_t max, const char *what,
	    uint64_t *out);
int px_path(struct px *px, const char *s, const char *what);
/* Is `s` 1 to `max` bytes of letters, digits and `extra`? */
bool px_charset(const char *s, const char *extra, size_t max);
int px_ifname(struct px *px, const char *s, const char *what);
int px_mac(struct px *px, const char *s, uint8_t mac[6]);
/* Fills `buf` from getrandom(2); 0 or -errno. */
int px_random(void *buf, size_t len);

/* strdup that reports -ENOMEM through px. */
int px_dup(struct px *px, const char *s, char **out);

/* <devices> (domxml_dev.c). */
int domxml_parse_devices(struct px *px, xmlNode *n, void *obj);
/* After the walk: defaults (MACs) and cross-device checks. */
int domxml_finish_devices(struct px *px, struct domain_def *def);

/* Names of enum values, shared by the parser and the formatter. */
extern const char *const domxml_action_names[4];
extern const char *const domxml_cache_names[4];

#endif
