/* json.c: the JSON writer (json.h): numbers that read back bit-exact in any locale, and a
 * printer for cJSON trees built on them, to memory or straight to a file (with placeholders for
 * large arrays, so that a million-feature model is never held as text). The model file
 * (model/model_io.c) and the CLI's --json output both print through it; parsing stays with
 * cJSON (and the model loader's pre-pass, model/model_lift.c). */
#include "util/json.h"

#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* 1 when "%.{prec}g" of v reads back to the same bits (bits, so that -0.0 stays -0.0). */
static int round_trips(double v, int prec, char *buf) {
  /* A finite double with prec <= 17 always fits; checking the length anyway also tells GCC,
   * whose -Wformat-truncation cannot bound prec when sanitizers change its value ranges. */
  int len = snprintf(buf, LR_JSON_NUMBER_MAX, "%.*g", prec, v);
  if (len < 0 || len >= LR_JSON_NUMBER_MAX) return 0;
  double back = strtod(buf, NULL);
  return memcmp(&back, &v, sizeof v) == 0;
}

size_t lr_json_format_number(double v, char *buf) {
  if (!isfinite(v)) {
    memcpy(buf, "null", 5);
    return 4;
  }
  /* The shortest "%.Ng" that reads back exactly: 17 digits always do for IEEE doubles with
   * glibc's correctly rounded printf/strtod. Most values need 16 or 17; those that fit in 15
   * (0.1, 2.5, and subnormals, which carry fewer bits) are shortened further by bisection,
   * where every precision kept has been checked to round-trip. */
  if (v == floor(v) && fabs(v) < 1e15) {
    /* Whole numbers (counts, epochs, 100.0) read better without an exponent: "100", not
     * "1e+02"; below 1e15 every integer is exact in a double, so "%.0f" round-trips. A zero
     * keeps its sign ("-0"). */
    int len = snprintf(buf, LR_JSON_NUMBER_MAX, "%.0f", v);
    return (size_t)len;
  }
  /* `held`: the precision whose text buf holds now, so that it is not formatted twice (16
   * digits, the commonest answer with 17, is then one snprintf and one strtod fewer). */
  int prec = 17, held = 0;
  if (round_trips(v, 15, buf)) {
    int lo = 1, hi = 15;
    held = 15;
    while (lo < hi) {
      int mid = (lo + hi) / 2;
      held = mid;
      if (round_trips(v, mid, buf))
        hi = mid;
      else
        lo = mid + 1;
    }
    prec = hi;
  } else if (round_trips(v, 16, buf)) {
    prec = held = 16;
  }
  if (held != prec) snprintf(buf, LR_JSON_NUMBER_MAX, "%.*g", prec, v);
  /* The library never calls setlocale, so this normally runs in the "C" locale and prints '.'.
   * A program embedding the library may have switched LC_NUMERIC, though: then snprintf and
   * strtod above agreed on that locale's decimal point, and JSON needs '.' instead. */
  const char *dp = localeconv()->decimal_point;
  if (dp && dp[0] && strcmp(dp, ".") != 0) {
    char *p = strstr(buf, dp);
    if (p) {
      size_t dl = strlen(dp);
      *p = '.';
      memmove(p + 1, p + dl, strlen(p + dl) + 1);
    }
  }
  return strlen(buf);
}

/* A growable output buffer; `oom` latches the first allocation failure so that callers can
 * write freely and check once at the end. */
typedef struct jbuf {
  char *p;
  size_t len, cap;
  int oom;
  FILE *sink; /* when set, the text goes to it whenever the buffer passes JB_FLUSH bytes */
  int io;     /* a write to sink failed */
  const lr_json_array *arrays; /* what placeholders (lr_json_placeholder) stand for */
  size_t n_arrays;
} jbuf;

/* Buffer size at which a writer with a sink passes its text on. */
#define JB_FLUSH ((size_t)1 << 16)

static void jb_flush(jbuf *b) {
  if (b->sink && b->len && !b->io && fwrite(b->p, 1, b->len, b->sink) != b->len) b->io = 1;
  b->len = 0;
}

static void jb_put(jbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->sink && b->len + n > JB_FLUSH) {
    jb_flush(b);
    if (n > JB_FLUSH) { /* a long raw text: straight through */
      if (!b->io && fwrite(s, 1, n, b->sink) != n) b->io = 1;
      return;
    }
  }
  if (n > SIZE_MAX - b->len - 1) {
    b->oom = 1;
    return;
  }
  size_t need = b->len + n + 1;
  if (need > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q;
    b->cap = cap;
  }
  memcpy(b->p + b->len, s, n);
  b->len += n;
  b->p[b->len] = '\0';
}

static void jb_puts(jbuf *b, const char *s) { jb_put(b, s, strlen(s)); }

static void jb_indent(jbuf *b, int depth) {
  for (int i = 0; i < depth; i++) jb_put(b, "  ", 2);
}

static void jb_string(jbuf *b, const char *s) {
  jb_put(b, "\"", 1);
  const char *run = s, *p = s;
  for (; *p; p++) {
    unsigned char c = (unsigned char)*p;
    const char *esc = NULL;
    char ubuf[8];
    switch (c) {
    case '"':
      esc = "\\\"";
      break;
    case '\\':
      esc = "\\\\";
      break;
    case '\n':
      esc = "\\n";
      break;
    case '\r':
      esc = "\\r";
      break;
    case '\t':
      esc = "\\t";
      break;
    case '\b':
      esc = "\\b";
      break;
    case '\f':
      esc = "\\f";
      break;
    default:
      if (c < 0x20) {
        snprintf(ubuf, sizeof ubuf, "\\u%04x", (unsigned)c);
        esc = ubuf;
      }
    }
    if (esc) {
      jb_put(b, run, (size_t)(p - run));
      jb_puts(b, esc);
      run = p + 1;
    }
  }
  jb_put(b, run, (size_t)(p - run));
  jb_put(b, "\"", 1);
}

static void jb_array(jbuf *b, const lr_json_array *a);

static int jb_is_container(const cJSON *it) { return cJSON_IsArray(it) || cJSON_IsObject(it); }

static void jb_value(jbuf *b, const cJSON *it, int pretty, int depth) {
  if (!it || cJSON_IsNull(it)) {
    jb_puts(b, "null");
  } else if (cJSON_IsFalse(it)) {
    jb_puts(b, "false");
  } else if (cJSON_IsTrue(it)) {
    jb_puts(b, "true");
  } else if (cJSON_IsNumber(it)) {
    char num[LR_JSON_NUMBER_MAX];
    jb_put(b, num, lr_json_format_number(it->valuedouble, num));
  } else if (cJSON_IsString(it)) {
    jb_string(b, it->valuestring ? it->valuestring : "");
  } else if (cJSON_IsRaw(it)) {
    /* A placeholder (empty raw text) stands for arrays[valueint]. */
    if (it->valuestring && !it->valuestring[0] && it->valueint >= 0 &&
        (size_t)it->valueint < b->n_arrays)
      jb_array(b, &b->arrays[it->valueint]);
    else
      jb_puts(b, it->valuestring ? it->valuestring : "null");
  } else if (jb_is_container(it)) {
    int obj = cJSON_IsObject(it);
    const cJSON *c = it->child;
    if (!c) {
      jb_puts(b, obj ? "{}" : "[]");
      return;
    }
    /* Objects and arrays of containers get one element per line; arrays of scalars (a weight
     * row, a name list) stay on one line so the file reads like the matrix it holds. */
    int multiline = 0;
    if (pretty) {
      multiline = obj;
      for (const cJSON *e = c; e && !multiline; e = e->next) multiline = jb_is_container(e);
    }
    jb_puts(b, obj ? "{" : "[");
    for (; c; c = c->next) {
      if (multiline) {
        jb_puts(b, "\n");
        jb_indent(b, depth + 1);
      }
      if (obj) {
        jb_string(b, c->string ? c->string : "");
        jb_puts(b, pretty ? ": " : ":");
      }
      jb_value(b, c, pretty, depth + 1);
      if (c->next) jb_puts(b, (pretty && !multiline) ? ", " : ",");
    }
    if (multiline) {
      jb_puts(b, "\n");
      jb_indent(b, depth);
    }
    jb_puts(b, obj ? "}" : "]");
  } else {
    jb_puts(b, "null"); /* cJSON_Invalid: nothing meaningful to print */
  }
}

char *lr_json_print(const cJSON *item, int pretty) {
  jbuf b = {NULL, 0, 0, 0, NULL, 0, NULL, 0};
  jb_value(&b, item, pretty, 0);
  if (b.oom) {
    free(b.p);
    return NULL;
  }
  return b.p;
}

int lr_json_write(FILE *f, const cJSON *item, int pretty, const lr_json_array *arrays,
                  size_t n_arrays) {
  jbuf b = {NULL, 0, 0, 0, f, 0, arrays, n_arrays};
  jb_value(&b, item, pretty, 0);
  if (!b.oom) jb_flush(&b);
  free(b.p);
  return b.oom ? -1 : b.io ? -2 : 0;
}

cJSON *lr_json_placeholder(size_t index) {
  if (index > INT_MAX) return NULL;
  cJSON *it = cJSON_CreateRaw("");
  if (it) {
    it->valueint = (int)index;
    it->valuedouble = (double)index;
  }
  return it;
}

/* The raw node of a finished buffer (NULL after an allocation failure). */
static cJSON *jb_raw(jbuf *b) {
  cJSON *it = b->oom ? NULL : cJSON_CreateRaw(b->p);
  free(b->p);
  return it;
}

/* Numbers formatted ahead on several threads: the shortest round-trip text costs about a
 * microsecond per number (a few snprintf and strtod), most of saving a large model. A chunk
 * of NF_CHUNK numbers is formatted at a time into fixed slots, split over threads, then
 * written in order: the same bytes as one number at a time. Arrays below NF_CHUNK, or a
 * chunk buffer that cannot be allocated, are formatted on the calling thread. */
#define NF_CHUNK ((size_t)1 << 14)

typedef struct numfmt {
  const double *v;
  size_t n, base, count; /* the chunk [base, base + count) is in text and len */
  char *text;            /* NF_CHUNK slots of LR_JSON_NUMBER_MAX bytes, then len; NULL: none */
  unsigned char *len;    /* each slot's length */
  unsigned nt;
} numfmt;

static void nf_part(void *ctx, unsigned t, unsigned nt) {
  numfmt *f = ctx;
  size_t lo = f->count * t / nt, hi = f->count * (t + 1) / nt;
  for (size_t i = lo; i < hi; i++)
    f->len[i] =
        (unsigned char)lr_json_format_number(f->v[f->base + i], f->text + i * LR_JSON_NUMBER_MAX);
}

/* Starts f over v[0..n): no text is held until nf_put asks for it. */
static void nf_init(numfmt *f, const double *v, size_t n) {
  f->v = v;
  f->n = n;
  f->base = f->count = 0;
  f->text = n >= NF_CHUNK ? malloc(NF_CHUNK * (LR_JSON_NUMBER_MAX + 1)) : NULL;
  f->len = f->text ? (unsigned char *)f->text + NF_CHUNK * LR_JSON_NUMBER_MAX : NULL;
  f->nt = f->text ? lr_threads_for(n << 8, 0) : 1;
}

/* Writes number i of f's array. */
static void nf_put(jbuf *b, numfmt *f, size_t i) {
  if (!f->text) {
    char num[LR_JSON_NUMBER_MAX];
    jb_put(b, num, lr_json_format_number(f->v[i], num));
    return;
  }
  if (i < f->base || i >= f->base + f->count) {
    f->base = i;
    f->count = f->n - i < NF_CHUNK ? f->n - i : NF_CHUNK;
    lr_parallel(f->nt, nf_part, f);
  }
  jb_put(b, f->text + (i - f->base) * LR_JSON_NUMBER_MAX, f->len[i - f->base]);
}

/* "[a, b, ...]" of f's numbers i0 .. i0 + n - 1. */
static void jb_numbers_of(jbuf *b, numfmt *f, size_t i0, size_t n) {
  jb_put(b, "[", 1);
  for (size_t i = 0; i < n; i++) {
    if (i) jb_put(b, ", ", 2);
    nf_put(b, f, i0 + i);
  }
  jb_put(b, "]", 1);
}

static void jb_numbers(jbuf *b, const double *v, size_t n) {
  numfmt f;
  nf_init(&f, v, n);
  jb_numbers_of(b, &f, 0, n);
  free(f.text);
}

cJSON *lr_json_raw_numbers(const double *v, size_t n) {
  jbuf b = {NULL, 0, 0, 0, NULL, 0, NULL, 0};
  jb_numbers(&b, v, n);
  return jb_raw(&b);
}

static void jb_strings(jbuf *b, char *const *s, size_t n, const char *prefix) {
  jb_put(b, "[", 1);
  for (size_t i = 0; i < n; i++) {
    char def[48];
    if (i) jb_put(b, ", ", 2);
    if (!s[i]) snprintf(def, sizeof def, "%s%zu", prefix, i);
    jb_string(b, s[i] ? s[i] : def);
  }
  jb_put(b, "]", 1);
}

cJSON *lr_json_raw_strings(char *const *s, size_t n, const char *prefix) {
  jbuf b = {NULL, 0, 0, 0, NULL, 0, NULL, 0};
  jb_strings(&b, s, n, prefix);
  return jb_raw(&b);
}

static void jb_rows(jbuf *b, const double *v, size_t rows, size_t cols, int depth) {
  if (rows == 0) {
    jb_puts(b, "[]");
    return;
  }
  numfmt f;
  nf_init(&f, v, rows * cols);
  jb_put(b, "[", 1);
  for (size_t i = 0; i < rows; i++) {
    jb_put(b, "\n", 1);
    jb_indent(b, depth + 1);
    jb_numbers_of(b, &f, i * cols, cols);
    if (i + 1 < rows) jb_put(b, ",", 1);
  }
  jb_put(b, "\n", 1);
  jb_indent(b, depth);
  jb_put(b, "]", 1);
  free(f.text);
}

static void jb_array(jbuf *b, const lr_json_array *a) {
  if (a->names)
    jb_strings(b, a->names, a->rows, a->prefix ? a->prefix : "");
  else if (a->cols)
    jb_rows(b, a->v, a->rows, a->cols, a->depth);
  else
    jb_numbers(b, a->v, a->rows);
}

cJSON *lr_json_raw_rows(const double *v, size_t rows, size_t cols, int depth) {
  jbuf b = {NULL, 0, 0, 0, NULL, 0, NULL, 0};
  jb_rows(&b, v, rows, cols, depth);
  return jb_raw(&b);
}

int lr_json_put(cJSON *parent, const char *key, cJSON *item) {
  if (!item) return 0;
  cJSON_bool ok =
      key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item);
  if (!ok) cJSON_Delete(item);
  return ok ? 1 : 0;
}
