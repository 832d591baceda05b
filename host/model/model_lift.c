/* model_lift.c: the model loader's pre-pass (model_lift.h): finds the large arrays of a model
 * file by their keys, reads them into flat buffers and leaves the small rest to cJSON.
 *
 * The walk follows cJSON's reading of the text wherever that matters for finding keys: bytes up
 * to 32 are whitespace, a UTF-8 byte order mark may open the file, a string ends at the first
 * quote not escaped by a backslash, and the first occurrence of a key is the one the loader
 * uses (cJSON_GetObjectItemCaseSensitive). Where the walk meets anything it does not follow (a
 * key with an escape, which cJSON would decode, or text that is not JSON) it stops lifting:
 * cJSON then reads the remainder as before and reports the same error at the same place. */
#include "model/model_lift.h"

#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Upstream cJSON 1.7.15 reads at most 63 characters of a number (a longer one is a parse error
 * there), Debian's patched build reads longer ones: a longer token is left to cJSON, so that such
 * a file loads or fails as it did before, whichever cJSON is linked. */
#define LIFT_NUMBER_MAX 63

typedef struct walk {
  const char *s;
  size_t len, i;
} walk;

static void ws(walk *w) {
  while (w->i < w->len && (unsigned char)w->s[w->i] <= 32) w->i++;
}

static int peek(const walk *w) { return w->i < w->len ? (unsigned char)w->s[w->i] : -1; }

static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* A string at w->i (its opening quote): moves past the closing quote and gives the content's
 * range and whether it holds a backslash. 0 when the text ends inside it. */
static int string_token(walk *w, size_t *start, size_t *end, int *escaped) {
  size_t i = w->i + 1;
  *escaped = 0;
  *start = i;
  while (i < w->len && w->s[i] != '"') {
    if (w->s[i] == '\\') {
      *escaped = 1;
      i++;
    }
    i++;
  }
  if (i >= w->len) return 0;
  *end = i;
  w->i = i + 1;
  return 1;
}

/* A number in JSON's strict grammar at w->i, no longer than LIFT_NUMBER_MAX; moves past it. */
static int number_token(walk *w) {
  size_t i = w->i, n = w->len;
  const char *s = w->s;
  if (i < n && s[i] == '-') i++;
  if (i >= n || !is_digit(s[i])) return 0;
  if (s[i] == '0')
    i++;
  else
    while (i < n && is_digit(s[i])) i++;
  if (i < n && s[i] == '.') {
    i++;
    if (i >= n || !is_digit(s[i])) return 0;
    while (i < n && is_digit(s[i])) i++;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    if (i >= n || !is_digit(s[i])) return 0;
    while (i < n && is_digit(s[i])) i++;
  }
  if (i - w->i > LIFT_NUMBER_MAX) return 0;
  w->i = i;
  return 1;
}

/* Skips any value, checking only what finding its end needs (strings, bracket depth). If the
 * text is not JSON here, cJSON fails at or before the place where this walk could go astray,
 * so nothing lifted after it is ever used. 0 when the text ends first. */
static int skip_value(walk *w) {
  size_t depth = 0;
  while (w->i < w->len) {
    int c = peek(w);
    if (c == '"') {
      size_t a, b;
      int e;
      if (!string_token(w, &a, &b, &e)) return 0;
      if (depth == 0) return 1;
      continue;
    }
    if (c == ']' || c == '}') {
      if (depth == 0) return 1; /* a scalar ended by its container's close */
      w->i++;
      if (--depth == 0) return 1;
      continue;
    }
    if (c == ',' && depth == 0) return 1;
    if (c == '[' || c == '{') depth++;
    w->i++;
  }
  return depth == 0;
}

/* An array of numbers at w->i; moves past it and counts them into *n. 0 (w->i unchanged) when
 * it is anything else. */
static int number_array(walk *w, size_t *n) {
  size_t at = w->i;
  *n = 0;
  if (peek(w) != '[') return 0;
  w->i++;
  ws(w);
  if (peek(w) == ']') {
    w->i++;
    return 1;
  }
  for (;;) {
    ws(w);
    if (!number_token(w)) break;
    (*n)++;
    ws(w);
    int c = peek(w);
    w->i++;
    if (c == ']') return 1;
    if (c != ',') break;
  }
  w->i = at;
  return 0;
}

/* Reads the numbers of a checked array (or array of rows) from `at` to `end` into v. */
static void read_numbers(const char *s, size_t at, size_t end, double *v) {
  size_t k = 0;
  for (size_t i = at; i < end;) {
    int c = (unsigned char)s[i];
    if (c == '-' || is_digit(c)) {
      char *e;
      v[k++] = strtod(s + i, &e);
      i = (size_t)(e - s);
    } else {
      i++;
    }
  }
}

/* "C" numerics for strtod, whatever the embedding program set: JSON's decimal point is '.'.
 * uselocale is per thread, so other threads keep theirs. */
static int read_numbers_c(const char *s, size_t at, size_t end, double *v) {
  locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
  if (c == (locale_t)0) return -1;
  locale_t old = uselocale(c);
  read_numbers(s, at, end, v);
  uselocale(old);
  freelocale(c);
  return 0;
}

/* Tries to lift a numbers array (rows = 0) or an array of rows of numbers (rows = 1) at w->i
 * into *a; `keep` 0 checks it without keeping the numbers. 1 lifted, 0 not (w->i unchanged),
 * -1 out of memory. */
static int lift_numbers(walk *w, int rows, int keep, lr_lifted *a) {
  size_t at = w->i, total = 0, n = 0, cols = 0;
  if (!rows) {
    if (!number_array(w, &total)) return 0;
    n = total;
  } else {
    if (peek(w) != '[') return 0;
    w->i++;
    ws(w);
    if (peek(w) == ']') {
      w->i++;
    } else {
      for (;;) {
        size_t c;
        ws(w);
        if (!number_array(w, &c)) {
          w->i = at;
          return 0;
        }
        cols = n == 0 ? c : (cols == c ? cols : LR_LIFT_RAGGED);
        total += c;
        n++;
        ws(w);
        int ch = peek(w);
        w->i++;
        if (ch == ']') break;
        if (ch != ',') {
          w->i = at;
          return 0;
        }
      }
    }
  }
  double *v = NULL;
  if (keep) {
    v = malloc((total ? total : 1) * sizeof *v);
    if (!v) return -1;
    if (read_numbers_c(w->s, at, w->i, v) != 0) {
      free(v);
      w->i = at;
      return 0; /* no "C" locale object: leave the array to cJSON */
    }
  }
  a->n = n;
  a->cols = cols;
  a->v = v;
  return 1;
}

/* Tries to lift an array of strings without escapes at w->i into one block of names. */
static int lift_strings(walk *w, lr_lifted *a) {
  size_t at = w->i, n = 0, bytes = 0;
  if (peek(w) != '[') return 0;
  w->i++;
  ws(w);
  if (peek(w) == ']') {
    w->i++;
  } else {
    for (;;) {
      size_t s0, s1;
      int esc;
      ws(w);
      if (peek(w) != '"' || !string_token(w, &s0, &s1, &esc) || esc) {
        w->i = at;
        return 0;
      }
      n++;
      bytes += s1 - s0 + 1;
      ws(w);
      int c = peek(w);
      w->i++;
      if (c == ']') break;
      if (c != ',') {
        w->i = at;
        return 0;
      }
    }
  }
  char **names = malloc((n ? n : 1) * sizeof *names);
  char *block = malloc(bytes ? bytes : 1);
  if (!names || !block) {
    free(names);
    free(block);
    return -1;
  }
  size_t k = 0, o = 0;
  for (size_t i = at + 1; k < n; i++) {
    if (w->s[i] != '"') continue;
    size_t e = i + 1;
    while (w->s[e] != '"') e++;
    names[k++] = block + o;
    memcpy(block + o, w->s + i + 1, e - i - 1);
    o += e - i - 1;
    block[o++] = '\0';
    i = e;
  }
  a->n = n;
  a->names = names;
  a->block = block;
  return 1;
}

typedef struct target {
  const char *key;
  int id; /* an lr_lift_id, or -1 for an object holding targets ("scaler", "imputer") */
} target;

static const target root_targets[] = {{"features", LR_LIFT_FEATURES},
                                      {"weights", LR_LIFT_WEIGHTS},
                                      {"weights_raw", LR_LIFT_WEIGHTS_RAW},
                                      {"scaler", -1},
                                      {"imputer", -1}};
static const target scaler_targets[] = {{"mean", LR_LIFT_MEAN}, {"std", LR_LIFT_STD}};
static const target imputer_targets[] = {{"median", LR_LIFT_MEDIAN}};

typedef struct lifter {
  walk w;
  lr_lift *out;
  size_t n_spans, span_start[LR_LIFT_COUNT];
} lifter;

/* Lifts the value at w->i as `id` when it has the expected shape. 0 done (lifted or skipped),
 * 1 stop walking, -1 out of memory. */
static int lift_value(lifter *L, int id) {
  walk *w = &L->w;
  lr_lifted *a = &L->out->a[id];
  size_t at = w->i;
  int r = id == LR_LIFT_FEATURES
              ? lift_strings(w, a)
              : lift_numbers(w, id == LR_LIFT_WEIGHTS || id == LR_LIFT_WEIGHTS_RAW,
                             id != LR_LIFT_WEIGHTS_RAW, a);
  if (r < 0) return -1;
  if (r == 0) return skip_value(w) ? 0 : 1;
  a->found = 1;
  L->span_start[L->n_spans] = at;
  L->out->span_len[L->n_spans] = w->i - at;
  L->n_spans++;
  return 0;
}

/* An object at w->i whose first occurrences of `t`'s keys are lifted (objects of targets are
 * walked the same way, one level down). 0 done, 1 stop walking, -1 out of memory. */
static int walk_object(lifter *L, const target *t, size_t nt) {
  walk *w = &L->w;
  int seen[8] = {0};
  if (peek(w) != '{') return 1;
  w->i++;
  ws(w);
  if (peek(w) == '}') {
    w->i++;
    return 0;
  }
  for (;;) {
    size_t k0, k1;
    int esc;
    ws(w);
    if (peek(w) != '"' || !string_token(w, &k0, &k1, &esc) || esc) return 1;
    ws(w);
    if (peek(w) != ':') return 1;
    w->i++;
    ws(w);
    int r = -2;
    for (size_t q = 0; q < nt; q++) {
      if (seen[q] || strlen(t[q].key) != k1 - k0 || memcmp(t[q].key, w->s + k0, k1 - k0) != 0)
        continue;
      seen[q] = 1;
      if (t[q].id >= 0) {
        r = lift_value(L, t[q].id);
      } else if (peek(w) == '{') {
        int scaler = strcmp(t[q].key, "scaler") == 0;
        r = scaler ? walk_object(L, scaler_targets, 2) : walk_object(L, imputer_targets, 1);
      }
      break;
    }
    if (r == -2) r = skip_value(w) ? 0 : 1;
    if (r != 0) return r;
    ws(w);
    int c = peek(w);
    w->i++;
    if (c == '}') return 0;
    if (c != ',') return 1;
  }
}

/* Copies the text with every lifted span replaced by "null". */
static int build_rest(lifter *L) {
  lr_lift *o = L->out;
  size_t cut = 0;
  for (size_t q = 0; q < L->n_spans; q++) cut += o->span_len[q];
  size_t len = L->w.len - cut + 4 * L->n_spans;
  char *r = malloc(len + 1);
  if (!r) return -1;
  size_t from = 0, to = 0;
  for (size_t q = 0; q < L->n_spans; q++) {
    size_t a = L->span_start[q];
    memcpy(r + to, L->w.s + from, a - from);
    to += a - from;
    o->span_at[q] = to;
    memcpy(r + to, "null", 4);
    to += 4;
    from = a + o->span_len[q];
  }
  memcpy(r + to, L->w.s + from, L->w.len - from);
  to += L->w.len - from;
  r[to] = '\0';
  o->rest = r;
  o->rest_len = to;
  o->n_spans = L->n_spans;
  return 0;
}

int lr_lift_run(const char *text, size_t len, lr_lift *out) {
  memset(out, 0, sizeof *out);
  lifter L = {{text, len, 0}, out, 0, {0}};
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) L.w.i = 3; /* as cJSON skips a BOM */
  ws(&L.w);
  int r = walk_object(&L, root_targets, sizeof root_targets / sizeof *root_targets);
  if (r >= 0 && L.n_spans) r = build_rest(&L);
  if (r < 0) {
    lr_lift_free(out);
    return -1;
  }
  return 0;
}

size_t lr_lift_original_pos(const lr_lift *l, size_t pos) {
  size_t shift = 0;
  for (size_t q = 0; q < l->n_spans && l->span_at[q] < pos; q++)
    shift += l->span_len[q] - (pos >= l->span_at[q] + 4 ? 4 : pos - l->span_at[q]);
  return pos + shift;
}

void lr_lift_free(lr_lift *l) {
  if (!l) return;
  free(l->rest);
  for (int q = 0; q < LR_LIFT_COUNT; q++) {
    free(l->a[q].v);
    free(l->a[q].names);
    free(l->a[q].block);
  }
  memset(l, 0, sizeof *l);
}
