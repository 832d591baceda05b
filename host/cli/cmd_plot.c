/* cmd_plot.c: `logreg plot loss` (train/val loss and accuracy per epoch from a --history CSV),
 * `logreg plot boundary` (the class regions of a 2-feature model with the data on top) and
 * `logreg plot path` (the coefficients against log C from train --path),
 * drawn with PLplot's headless pngcairo device.
 *
 * Everything that can fail on bad input (options, the history file, the model, the data) is
 * checked before PLplot starts. PLplot then renders into a temp file beside the output, with
 * stdout and stderr silenced (it prints warnings of its own); the file is renamed over the
 * output only once it is a complete PNG, so a failure is one error line and no file. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plplot.h>

#include "cli.h"

/* A filled circle (U+25CF; the pngcairo device draws text glyphs with the system fonts). */
#define DOT "#[0x25cf]"

#define PLOT_MIN_PX 200
#define PLOT_MAX_PX 8000

/* cmap0 entries (0 is the background). Class colours follow from COL_CLASS. */
enum { COL_BG = 0, COL_FG, COL_GRID, COL_TRAIN, COL_VAL, COL_EDGE, COL_TEXT2, COL_CLASS };

typedef struct rgb {
  unsigned char r, g, b;
} rgb;

/* Tableau 10: distinct, and readable by most colour-blind viewers. Points use these; regions
 * use them blended three parts in four with white. */
static const rgb palette[10] = {{31, 119, 180},  {214, 39, 40}, {44, 160, 44},   {255, 127, 14},
                                {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                {188, 189, 34},  {23, 190, 207}};

/* ------------------------------------------------------------------------------------------ */
/* PLplot session: temp file, silenced output, errors                                          */
/* ------------------------------------------------------------------------------------------ */

static struct {
  logreg_atomic_file af;
  const char *out;          /* the output path, for messages */
  int saved_out, saved_err; /* original stdout / stderr while PLplot runs, else -1 */
  PLINT errcode;
  char errmsg[1024];
} S = {.saved_out = -1, .saved_err = -1};

static void quiet_begin(void) {
  fflush(stdout);
  fflush(stderr);
  int devnull = open("/dev/null", O_WRONLY);
  if (devnull < 0) return;
  S.saved_out = dup(STDOUT_FILENO);
  S.saved_err = dup(STDERR_FILENO);
  if (S.saved_out >= 0) dup2(devnull, STDOUT_FILENO);
  if (S.saved_err >= 0) dup2(devnull, STDERR_FILENO);
  close(devnull);
}

static void quiet_end(void) {
  fflush(stdout);
  fflush(stderr);
  if (S.saved_out >= 0) dup2(S.saved_out, STDOUT_FILENO), close(S.saved_out);
  if (S.saved_err >= 0) dup2(S.saved_err, STDERR_FILENO), close(S.saved_err);
  S.saved_out = S.saved_err = -1;
}

/* PLplot's messages on one line: newlines to spaces, no trailing blanks. */
static const char *one_line(const char *msg, char *buf, size_t cap) {
  size_t o = 0;
  for (; msg && *msg && o + 1 < cap; msg++) buf[o++] = (*msg == '\n' || *msg == '\r') ? ' ' : *msg;
  while (o > 0 && (buf[o - 1] == ' ' || buf[o - 1] == ',')) o--;
  buf[o] = '\0';
  return o ? buf : "unknown error";
}

/* PLplot calls this on a fatal error and would exit after printing its own lines: report one
 * line, remove the temp file, and leave first. */
static int plot_exit_handler(const char *msg) {
  quiet_end();
  if (S.af.tmp_path) unlink(S.af.tmp_path);
  char buf[512];
  cli_error(CLI_EXIT_ERROR, "%s: PLplot failed: %s", S.out ? S.out : "plot",
            one_line(msg, buf, sizeof buf));
  _exit(CLI_EXIT_ERROR);
}

/* Axis labels: "%g" numbers (PLplot's own would print "1.0" for epoch 1, or "-0.0"). The
 * longest y label drawn since the last y_label_reset() places the y axis title beside them. */
static size_t y_label_len;

static void label_func(PLINT axis, PLFLT value, char *label, PLINT length, PLPointer data) {
  (void)data;
  if (fabs(value) < 1e-12) value = 0;
  snprintf(label, (size_t)length, "%.6g", value);
  size_t n = strlen(label);
  if (axis == PL_Y_AXIS && n > y_label_len) y_label_len = n;
}

/* The displacement (in character heights) for a y axis title clear of the tick labels. */
static double y_title_disp(void) { return 2.2 + 0.72 * (double)(y_label_len ? y_label_len : 3); }

/* Reserves the temp name beside `out`, silences stdout/stderr and starts PLplot on it. */
static int plot_begin(const char *out, int width, int height) {
  logreg_error err;
  S.out = out;
  if (logreg_atomic_open(&S.af, out, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--output: %s", err.message);
  fclose(S.af.f); /* PLplot writes the file by name; the name stays reserved */
  S.af.f = NULL;
  quiet_begin();
  plsexit(plot_exit_handler);
  S.errcode = 0;
  S.errmsg[0] = '\0';
  plsError(&S.errcode, S.errmsg);
  /* Without the device PLplot would ask for one on stdin: check that it is there first. */
  const char *menu[128], *devs[128], **pm = menu, **pd = devs;
  int ndev = 128, found = 0;
  plgDevs(&pm, &pd, &ndev);
  for (int i = 0; i < ndev; i++)
    if (devs[i] && strcmp(devs[i], "pngcairo") == 0) found = 1;
  if (!found) {
    quiet_end();
    logreg_atomic_abort(&S.af);
    return cli_error(CLI_EXIT_ERROR,
                     "%s: PLplot has no pngcairo device (install plplot-driver-cairo)", out);
  }
  plsdev("pngcairo");
  plsfnam(S.af.tmp_path);
  plspage(0.0, 0.0, width, height, 0, 0);
  plscolbg(255, 255, 255);
  plinit();
  plsError(&S.errcode, S.errmsg);
  plscmap0n(COL_CLASS + 2 * 10);
  plscol0(COL_FG, 0, 0, 0);
  plscol0(COL_GRID, 225, 225, 225);
  plscol0(COL_TRAIN, 31, 119, 180);
  plscol0(COL_VAL, 255, 127, 14);
  plscol0(COL_EDGE, 60, 60, 60);
  plscol0(COL_TEXT2, 90, 90, 90);
  for (int c = 0; c < 10; c++) {
    const rgb *p = &palette[c];
    plscol0(COL_CLASS + c, (255 * 3 + p->r) / 4, (255 * 3 + p->g) / 4, (255 * 3 + p->b) / 4);
    plscol0(COL_CLASS + 10 + c, p->r, p->g, p->b);
  }
  plslabelfunc(label_func, NULL);
  pladv(0);
  return 0;
}

/* Ends PLplot; renames the temp file over the output when it holds a PNG. */
static int plot_end(void) {
  plend();
  quiet_end();
  logreg_error err;
  if (S.errcode != 0) {
    logreg_atomic_abort(&S.af);
    char buf[512];
    return cli_error(CLI_EXIT_ERROR, "%s: PLplot failed: %s", S.out,
                     one_line(S.errmsg, buf, sizeof buf));
  }
  /* A complete PNG: its signature first and the IEND chunk last. */
  static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  unsigned char head[8] = {0}, tail[12] = {0};
  FILE *f = fopen(S.af.tmp_path, "rb");
  int whole = f && fread(head, 1, sizeof head, f) == sizeof head &&
              memcmp(head, sig, sizeof sig) == 0 && fseek(f, -12L, SEEK_END) == 0 &&
              fread(tail, 1, sizeof tail, f) == sizeof tail && memcmp(tail, iend, sizeof iend) == 0;
  if (f) fclose(f);
  if (!whole) {
    logreg_atomic_abort(&S.af);
    return cli_error(CLI_EXIT_ERROR, "%s: PLplot wrote no complete PNG", S.out);
  }
  if (!(S.af.f = fopen(S.af.tmp_path, "ab"))) {
    int e = errno;
    logreg_atomic_abort(&S.af);
    return cli_error(CLI_EXIT_ERROR, "%s: cannot reopen the rendered file: %s", S.out, strerror(e));
  }
  if (logreg_atomic_commit(&S.af, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "--output: %s", err.message);
  return 0;
}

/* Copies `s` into buf with PLplot's escape character '#' doubled. */
static const char *pl_text(const char *s, char *buf, size_t cap) {
  size_t o = 0;
  for (; *s && o + 2 < cap; s++) {
    if (*s == '#') buf[o++] = '#';
    buf[o++] = *s;
  }
  buf[o] = '\0';
  return buf;
}

static const char *base_name(const char *path) {
  const char *s = strrchr(path, '/');
  return s ? s + 1 : path;
}

/* Axis range [lo, hi] widened by `frac` of its span on each side (a flat range gets a width). */
static void pad_range(double *lo, double *hi, double frac) {
  double span = *hi - *lo;
  if (!(span > 0)) span = fabs(*lo) > 0 ? fabs(*lo) * 0.2 : 1.0;
  *lo -= frac * span;
  *hi += frac * span;
}

/* A light grid, drawn under the data. */
static void draw_grid(double xtick, PLINT nxsub) {
  plcol0(COL_GRID);
  plwidth(1.0);
  plbox("g", xtick, nxsub, "g", 0.0, 0);
}

/* The frame over the data: black box, ticks, %g labels. */
static void draw_frame(double xtick, PLINT nxsub) {
  y_label_len = 0;
  plcol0(COL_FG);
  plwidth(1.5);
  plbox("bcnsto", xtick, nxsub, "bcnstvo", 0.0, 0);
  plwidth(1.0);
}

/* Checks --width/--height. */
static int check_size(int w, int h) {
  if (w < PLOT_MIN_PX || w > PLOT_MAX_PX)
    return cli_error(CLI_EXIT_USAGE, "--width: %d is outside %d..%d pixels", w, PLOT_MIN_PX,
                     PLOT_MAX_PX);
  if (h < PLOT_MIN_PX || h > PLOT_MAX_PX)
    return cli_error(CLI_EXIT_USAGE, "--height: %d is outside %d..%d pixels", h, PLOT_MIN_PX,
                     PLOT_MAX_PX);
  return 0;
}

/* A picture's size and its text scale. Layouts are designed on an 800x600 page and given in
 * pixels there; margins grow with the text (t), so labels keep their room at any size. */
typedef struct page {
  int w, h;
  double t;  /* text size relative to the 800x600 design: proportional when larger, shrinking
              * more slowly when smaller so that it stays readable */
  double cs; /* what plschr needs for that: PLplot already scales text with the longer side */
} page;

static page page_make(int w, int h) {
  page p = {w, h, 1.0, 1.0};
  double s = sqrt((double)w * (double)h / (800.0 * 600.0));
  p.t = s >= 1 ? s : sqrt(s);
  p.cs = p.t / ((double)(w > h ? w : h) / 800.0);
  return p;
}

/* Design pixels to page fractions, from the left/bottom edge. */
static double px_x(const page *p, double px) { return px * p->t / p->w; }
static double px_y(const page *p, double px) { return px * p->t / p->h; }

/* ------------------------------------------------------------------------------------------ */
/* plot loss                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static const char history_header[] =
    "epoch,objective,train_loss,train_accuracy,val_loss,val_accuracy,lr,seconds";
static const char *const history_cols[8] = {
    "epoch",    "objective",    "train_loss", "train_accuracy",
    "val_loss", "val_accuracy", "lr",         "seconds"};

typedef struct history {
  size_t n, cap;
  double *v[8]; /* per column, n values; NaN where an optional cell is empty */
  int has_val;
} history;

static void history_free(history *h) {
  for (int j = 0; j < 8; j++) free(h->v[j]);
  memset(h, 0, sizeof *h);
}

static int history_push(history *h, const double *row) {
  if (h->n == h->cap) {
    size_t cap = h->cap ? 2 * h->cap : 64;
    for (int j = 0; j < 8; j++) {
      double *p = realloc(h->v[j], cap * sizeof *p);
      if (!p) return -1;
      h->v[j] = p;
    }
    h->cap = cap;
  }
  for (int j = 0; j < 8; j++) h->v[j][h->n] = row[j];
  h->n++;
  return 0;
}

/* Reads what `logreg train --history` writes; every problem names path:line(:column). */
static int read_history(const char *path, history *h) {
  FILE *f = fopen(path, "rb");
  if (!f) return cli_error(CLI_EXIT_ERROR, "%s: cannot open: %s", path, strerror(errno));
  char *line = NULL;
  size_t cap = 0, lineno = 0;
  ssize_t len;
  int rc = CLI_EXIT_ERROR;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    if (strlen(line) != (size_t)len) {
      cli_error(rc, "%s:%zu: NUL byte in a text file", path, lineno);
      goto out;
    }
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    char *s = line;
    if (lineno == 1) {
      if (strncmp(s, "\xEF\xBB\xBF", 3) == 0) s += 3;
      if (strcmp(s, history_header) != 0) {
        cli_error(rc,
                  "%s:1: not a logreg history header (expected \"%s\", as train --history "
                  "writes)",
                  path, history_header);
        goto out;
      }
      continue;
    }
    if (*s == '\0') continue; /* blank line */
    double row[8];
    size_t col = 0;
    for (char *field = s;; col++) {
      char *comma = strchr(field, ',');
      if (comma) *comma = '\0';
      if (col < 8) {
        int optional = col == 4 || col == 5; /* val_loss, val_accuracy: empty without val */
        if (optional && *field == '\0') {
          row[col] = NAN;
        } else {
          int r = logreg_parse_double(field, &row[col]);
          if (r != 0) {
            cli_error(rc, "%s:%zu:%zu: %s: %s: \"%.40s\"", path, lineno, col + 1, history_cols[col],
                      r == -2 ? "not a finite number" : "not a number", field);
            goto out;
          }
        }
      }
      if (!comma) break;
      field = comma + 1;
    }
    if (col + 1 != 8) {
      cli_error(rc, "%s:%zu: %zu fields, expected 8 (%s)", path, lineno, col + 1, history_header);
      goto out;
    }
    if (h->n > 0 && !(row[0] > h->v[0][h->n - 1])) {
      cli_error(rc, "%s:%zu:1: epoch %g does not follow epoch %g", path, lineno, row[0],
                h->v[0][h->n - 1]);
      goto out;
    }
    if (!isnan(row[4]) || !isnan(row[5])) h->has_val = 1;
    if (history_push(h, row) != 0) {
      cli_error(rc, "out of memory");
      goto out;
    }
  }
  if (ferror(f)) {
    cli_error(rc, "%s: read error: %s", path, strerror(errno));
    goto out;
  }
  if (lineno == 0) {
    cli_error(rc, "%s: empty history: an empty file (expected the header \"%s\")", path,
              history_header);
    goto out;
  }
  if (h->n == 0) {
    cli_error(rc, "%s: empty history: no epoch rows after the header", path);
    goto out;
  }
  rc = 0;
out:
  free(line);
  fclose(f);
  return rc;
}

/* Min and max of the finite values of a[0..n) and b[0..n) (b may be NULL). */
static void range2(const double *a, const double *b, size_t n, double *lo, double *hi) {
  *lo = INFINITY;
  *hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (isfinite(a[i])) *lo = fmin(*lo, a[i]), *hi = fmax(*hi, a[i]);
    if (b && isfinite(b[i])) *lo = fmin(*lo, b[i]), *hi = fmax(*hi, b[i]);
  }
  if (!isfinite(*lo)) *lo = 0, *hi = 1;
}

/* Draws the finite runs of (x, y) as lines (with markers when there are few points). */
static void draw_series(const double *x, const double *y, size_t n, int color, int markers,
                        double cs) {
  plcol0(color);
  plschr(0.0, 0.55 * cs);
  plwidth(2.5);
  size_t i = 0;
  while (i < n) {
    while (i < n && !isfinite(y[i])) i++;
    size_t j = i;
    while (j < n && isfinite(y[j])) j++;
    if (j > i) {
      if (j - i >= 2) plline((PLINT)(j - i), x + i, y + i);
      if (markers || j - i == 1) plstring((PLINT)(j - i), x + i, y + i, DOT);
    }
    i = j;
  }
  plwidth(1.0);
  plschr(0.0, 1.05 * cs);
}

/* The last finite value of a[0..n), NaN when none. */
static double last_finite(const double *a, size_t n) {
  for (size_t i = n; i-- > 0;)
    if (isfinite(a[i])) return a[i];
  return NAN;
}

/* One panel at page heights [vy0, vy1]: train (and val) columns ct/cv against epoch, the last
 * values above the frame, and the legend outside on the right, where it covers nothing. */
/* Design pixels of the frames' left margin (tick labels, y label) and right one (legend). */
#define LOSS_LEFT 92
#define LOSS_RIGHT 180

static void loss_panel(const history *h, int ct, int cv, const char *ylabel, int loss,
                       const page *pg, double vy0, double vy1) {
  double cs = pg->cs;
  const double *x = h->v[0];
  double x0 = x[0], x1 = x[h->n - 1];
  int markers = h->n <= 40; /* few epochs: mark each one, and keep the marks inside */
  if (h->n == 1)
    x0 -= 1, x1 += 1;
  else if (markers)
    x0 -= 0.02 * (x1 - x0), x1 += 0.02 * (x1 - x0);
  double y0, y1;
  range2(h->v[ct], h->has_val ? h->v[cv] : NULL, h->n, &y0, &y1);
  /* At least 0.02 (accuracy) or 2% of the top (loss) tall: flat curves get a few short tick
   * labels rather than many long ones. */
  double d0 = y0; /* the data's minimum */
  double min_span = loss ? fmax(0.02 * fabs(y1), 1e-6) : 0.02;
  if (y1 - y0 < min_span) {
    double mid = 0.5 * (y0 + y1);
    y0 = mid - 0.5 * min_span, y1 = mid + 0.5 * min_span;
  }
  double lo = y0, hi = y1;
  pad_range(&lo, &hi, 0.06);
  /* A loss axis starts at 0 when the curve comes near it anyway; neither goes below 0. */
  if (loss && d0 >= 0 && d0 < 0.35 * y1) lo = 0;
  if (lo < 0 && d0 >= 0) lo = 0;
  plvpor(px_x(pg, LOSS_LEFT), 1 - px_x(pg, LOSS_RIGHT), vy0, vy1);
  plwind(x0, x1, lo, hi);
  double xtick = 0;
  PLINT nxsub = 0;
  if (x1 - x0 <= 12) xtick = 1, nxsub = 1; /* whole epochs, never "1.5" */
  draw_grid(xtick, nxsub);
  draw_series(x, h->v[ct], h->n, COL_TRAIN, markers, cs);
  if (h->has_val) draw_series(x, h->v[cv], h->n, COL_VAL, markers, cs);
  draw_frame(xtick, nxsub);
  plcol0(COL_FG);
  plmtex("b", 2.6, 0.5, 0.5, "epoch");
  plmtex("l", y_title_disp(), 0.5, 0.5, ylabel);

  char text[128];
  if (h->has_val)
    snprintf(text, sizeof text, "epoch %g: train %.4f, val %.4f", x[h->n - 1], h->v[ct][h->n - 1],
             last_finite(h->v[cv], h->n));
  else
    snprintf(text, sizeof text, "epoch %g: train %.4f", x[h->n - 1], h->v[ct][h->n - 1]);
  plschr(0.0, 0.85 * cs);
  plcol0(COL_TEXT2);
  plmtex("t", 0.9, 1.0, 1.0, text);
  plschr(0.0, 1.05 * cs);

  const char *texts[2] = {"train", "validation"};
  PLINT opts[2] = {PL_LEGEND_LINE, PL_LEGEND_LINE};
  PLINT tcol[2] = {COL_FG, COL_FG}, lcol[2] = {COL_TRAIN, COL_VAL}, lsty[2] = {1, 1};
  PLFLT lw[2] = {2.5, 2.5};
  PLFLT lw_out, lh_out;
  /* pllegend sizes its text from PLplot's default height (hence cs) and its offset and line
   * length in fractions of the frame's width (hence vw, the frame's width in pixels). */
  double vw = pg->w - (px_x(pg, LOSS_LEFT) + px_x(pg, LOSS_RIGHT)) * pg->w;
  pllegend(&lw_out, &lh_out, 0, PL_POSITION_OUTSIDE | PL_POSITION_RIGHT | PL_POSITION_VIEWPORT,
           12 * pg->t / vw, 0.0, 34 * pg->t / vw, COL_BG, COL_FG, 1, 0, 0, h->has_val ? 2 : 1, opts,
           0.8, 0.95 * cs, 2.0, 0.0, tcol, texts, NULL, NULL, NULL, NULL, lcol, lsty, lw, NULL,
           NULL, NULL, NULL);
}

static int plot_loss(int argc, char **argv) {
  const char *hist_path = NULL, *output = NULL, *title = NULL;
  int width = 800, height = 600;
  const arg_spec specs[] = {
      {"--history", ARG_STR, &hist_path, "H.csv", "what 'logreg train --history' wrote (required)"},
      {"--output", ARG_STR, &output, "PNG", "the picture to write (also -o; required)"},
      {"--title", ARG_STR, &title, "TEXT", "title (default: the history file's name)"},
      {"--width", ARG_INT, &width, "PX", "picture width in pixels (default 800)"},
      {"--height", ARG_INT, &height, "PX", "picture height in pixels (default 600)"},
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("plot loss", "logreg plot loss --history H.csv -o loss.png [options]", specs,
                    argc, argv, pos, 1, &npos);
  if (r >= 0) return r;
  if (npos != 0) return cli_error(CLI_EXIT_USAGE, "plot loss: unexpected argument \"%s\"", pos[0]);
  if (!hist_path) return cli_error(CLI_EXIT_USAGE, "plot loss: --history is required");
  if (!output) return cli_error(CLI_EXIT_USAGE, "plot loss: --output (-o) is required");
  if (check_size(width, height) != 0) return CLI_EXIT_USAGE;

  history h = {0};
  if (read_history(hist_path, &h) != 0) {
    history_free(&h);
    return CLI_EXIT_ERROR;
  }
  if (plot_begin(output, width, height) != 0) {
    history_free(&h);
    return CLI_EXIT_ERROR;
  }
  page pg = page_make(width, height);
  double cs = pg.cs;
  plschr(0.0, 1.05 * cs);
  char buf[1024], tbuf[1100];
  if (!title) {
    snprintf(tbuf, sizeof tbuf, "training history: %s", base_name(hist_path));
    title = tbuf;
  }
  plvpor(px_x(&pg, LOSS_LEFT), 1 - px_x(&pg, LOSS_RIGHT), 0.0, 1 - px_y(&pg, 21));
  plwind(0, 1, 0, 1);
  plcol0(COL_FG);
  plschr(0.0, 1.3 * cs);
  plmtex("t", -0.2, 0.5, 0.5, pl_text(title, buf, sizeof buf));
  plschr(0.0, 1.05 * cs);
  /* Loss above (57% of the height the margins leave), accuracy below. */
  double top = 1 - px_y(&pg, 72), bottom = px_y(&pg, 60), gap = px_y(&pg, 90);
  double room = top - bottom - gap;
  loss_panel(&h, 2, 4, "cross-entropy loss", 1, &pg, top - 0.57 * room, top);
  loss_panel(&h, 3, 5, "accuracy", 0, &pg, bottom, bottom + 0.43 * room);
  size_t epochs = h.n;
  int rc = plot_end();
  history_free(&h);
  if (rc == 0) fprintf(stderr, "wrote %s (%dx%d, %zu epochs)\n", output, width, height, epochs);
  return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* plot boundary                                                                               */
/* ------------------------------------------------------------------------------------------ */

typedef struct boundary_opts {
  cli_data_opts dopt;
  const char *model_path, *data_path, *output, *title;
  int width, height, res;
} boundary_opts;

/* The command line of plot boundary into o: -1 when it is good, else the exit code. */
static int boundary_parse(int argc, char **argv, boundary_opts *o) {
  *o = (boundary_opts){.width = 800, .height = 600, .res = 300};
  const arg_spec specs[] = {
      {"--model", ARG_STR, &o->model_path, "M.json", "a model with 2 features (required)"},
      {"--data", ARG_STR, &o->data_path, "DATA", "labelled data to draw (required; or positional)"},
      {"--output", ARG_STR, &o->output, "PNG", "the picture to write (also -o; required)"},
      {"--title", ARG_STR, &o->title, "TEXT", "title (default: names the model file)"},
      {"--resolution", ARG_INT, &o->res, "N", "grid of N x N predictions (default 300)"},
      {"--width", ARG_INT, &o->width, "PX", "picture width in pixels (default 800)"},
      {"--height", ARG_INT, &o->height, "PX", "picture height in pixels (default 600)"},
      CLI_DATA_SPECS(o->dopt),
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("plot boundary",
                    "logreg plot boundary --model M.json --data D.csv -o b.png [options]", specs,
                    argc, argv, pos, 1, &npos);
  if (r >= 0) return r;
  if (npos == 1) {
    if (o->data_path)
      return cli_error(CLI_EXIT_USAGE, "plot boundary: DATA given twice (--data and \"%s\")",
                       pos[0]);
    o->data_path = pos[0];
  }
  if (!o->model_path) return cli_error(CLI_EXIT_USAGE, "plot boundary: --model is required");
  if (!o->data_path) return cli_error(CLI_EXIT_USAGE, "plot boundary: --data is required");
  if (!o->output) return cli_error(CLI_EXIT_USAGE, "plot boundary: --output (-o) is required");
  if (check_size(o->width, o->height) != 0) return CLI_EXIT_USAGE;
  if (o->res < 10 || o->res > 2000)
    return cli_error(CLI_EXIT_USAGE, "--resolution: %d is outside 10..2000", o->res);
  return -1;
}

/* What plot boundary draws: the points and the model's probabilities over a g x g grid. */
typedef struct boundary {
  logreg_model *m;
  logreg_dataset *ds, *grid;
  size_t n, k, correct; /* the points, the classes, the points the model gets right */
  const float *dx;      /* n x 2, NaN where missing */
  const int32_t *dy;
  const char *const *feature_names;
  const char *const *class_names;
  double lo[2], hi[2]; /* the axes' ranges */
  size_t g, ng;        /* grid side, grid points */
  float *gx;           /* ng x 2 */
  double *proba;       /* ng x k */
  double *xs, *ys, *field, *px, *py;
  const PLFLT **rows;
  PLcGrid cg;
} boundary;

static void boundary_free(boundary *b) {
  free(b->gx), free(b->xs), free(b->ys), free(b->proba), free(b->field), free(b->rows);
  free(b->px), free(b->py);
  logreg_dataset_free(b->grid);
  logreg_dataset_free(b->ds);
  logreg_model_free(b->m);
}

/* The model and the points, how many of them it classifies right, and the axes' ranges (the
 * data's, missing values skipped, plus 5% on each side). 0, or the exit code after the error. */
static int boundary_load(const boundary_opts *o, boundary *b) {
  logreg_error err;
  if (!(b->m = cli_load_model(o->model_path))) return CLI_EXIT_ERROR;
  if (logreg_model_features(b->m) != 2)
    return cli_error(CLI_EXIT_ERROR, "plot boundary needs a model with 2 features; %s has %zu",
                     o->model_path, logreg_model_features(b->m));
  if (!(b->ds = cli_read_for_model(o->data_path, &o->dopt, b->m, 1))) return CLI_EXIT_ERROR;
  if (logreg_dataset_is_sparse(b->ds))
    return cli_error(CLI_EXIT_ERROR, "plot boundary: %s is sparse (LIBSVM): give the points as CSV",
                     o->data_path);
  size_t n = b->n = logreg_dataset_rows(b->ds);
  b->dx = logreg_dataset_x(b->ds);
  b->dy = logreg_dataset_y(b->ds);
  b->feature_names = logreg_model_feature_names(b->m);
  b->class_names = logreg_model_class_names(b->m);
  if (n == 0) return cli_error(CLI_EXIT_ERROR, "%s: no rows to draw", o->data_path);
  size_t k = b->k = logreg_model_classes(b->m);
  double *proba = malloc(n * k * sizeof *proba);
  if (!proba) return cli_error(CLI_EXIT_ERROR, "out of memory");
  if (logreg_predict_proba(b->m, b->ds, proba, &err) != LOGREG_OK) {
    free(proba);
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  }
  for (size_t i = 0; i < n; i++) {
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
      if (proba[i * k + c] > proba[i * k + best]) best = c;
    b->correct += best == (size_t)b->dy[i];
  }
  free(proba);

  for (int j = 0; j < 2; j++) b->lo[j] = INFINITY, b->hi[j] = -INFINITY;
  for (size_t i = 0; i < n; i++)
    for (int j = 0; j < 2; j++) {
      double v = b->dx[i * 2 + (size_t)j];
      if (isfinite(v)) b->lo[j] = fmin(b->lo[j], v), b->hi[j] = fmax(b->hi[j], v);
    }
  for (int j = 0; j < 2; j++) {
    if (!isfinite(b->lo[j]))
      return cli_error(CLI_EXIT_ERROR, "%s: feature \"%s\" has no values", o->data_path,
                       b->feature_names[j]);
    pad_range(&b->lo[j], &b->hi[j], 0.05);
  }
  return 0;
}

/* The grid as a dataset in the model's feature names, predicted in one call, and the buffers
 * the drawing needs. 0, or the exit code after the error. */
static int boundary_grid(boundary *b, int res) {
  logreg_error err;
  size_t g = b->g = (size_t)res, ng = b->ng = g * g, k = b->k, n = b->n;
  b->gx = malloc(ng * 2 * sizeof *b->gx);
  b->xs = malloc(g * sizeof *b->xs);
  b->ys = malloc(g * sizeof *b->ys);
  b->proba = malloc(ng * k * sizeof *b->proba);
  b->field = malloc(ng * sizeof *b->field);
  b->rows = malloc(g * sizeof *b->rows);
  b->px = malloc(n * sizeof *b->px);
  b->py = malloc(n * sizeof *b->py);
  if (!b->gx || !b->xs || !b->ys || !b->proba || !b->field || !b->rows || !b->px || !b->py)
    return cli_error(CLI_EXIT_ERROR, "out of memory");
  for (size_t i = 0; i < g; i++) {
    b->xs[i] = b->lo[0] + (b->hi[0] - b->lo[0]) * (double)i / (double)(g - 1);
    b->ys[i] = b->lo[1] + (b->hi[1] - b->lo[1]) * (double)i / (double)(g - 1);
  }
  /* Row ix * g + iy holds (xs[ix], ys[iy]): PLplot's matrices are indexed [x][y]. */
  for (size_t ix = 0; ix < g; ix++)
    for (size_t iy = 0; iy < g; iy++) {
      b->gx[(ix * g + iy) * 2] = (float)b->xs[ix];
      b->gx[(ix * g + iy) * 2 + 1] = (float)b->ys[iy];
    }
  if (logreg_dataset_from_arrays(ng, 2, b->gx, NULL, 0, NULL, b->feature_names, &b->grid, &err) !=
          LOGREG_OK ||
      logreg_predict_proba(b->m, b->grid, b->proba, &err) != LOGREG_OK)
    return cli_error(CLI_EXIT_ERROR, "%s", err.message);
  for (size_t ix = 0; ix < g; ix++) b->rows[ix] = b->field + ix * g;
  b->cg = (PLcGrid){b->xs, b->ys, NULL, (PLINT)g, (PLINT)g, 0};
  return 0;
}

/* Class c's margin over the grid into b->field: p_c - max_{j != c} p_j, >= 0 where c wins.
 * That field is smooth, so its zero line is the model's boundary, not a grid step. */
static void boundary_field(boundary *b, size_t c) {
  size_t k = b->k;
  for (size_t i = 0; i < b->ng; i++) {
    const double *p = b->proba + i * k;
    double best = -1;
    for (size_t j = 0; j < k; j++)
      if (j != c && p[j] > best) best = p[j];
    b->field[i] = p[c] - best;
  }
}

/* The class regions in the light colours, the boundaries between them, and the grid lines. */
static void boundary_regions(boundary *b) {
  PLINT g = (PLINT)b->g;
  for (size_t c = 0; c < b->k; c++) {
    boundary_field(b, c);
    plshade(b->rows, g, g, NULL, b->lo[0], b->hi[0], b->lo[1], b->hi[1], 0.0, 2.0, 0,
            (PLFLT)(COL_CLASS + (int)(c % 10)), 1.0, 0, 0.0, 0, 0.0, plfill, 1, pltr1, &b->cg);
  }
  /* The boundaries: the zero line of each class's field (for 2 classes, p = 0.5). */
  plcol0(COL_EDGE);
  plwidth(2.0);
  PLFLT zero = 0.0;
  for (size_t c = 0; c < (b->k == 2 ? 1 : b->k); c++) {
    boundary_field(b, c);
    plcont(b->rows, g, g, 1, g, 1, g, &zero, 1, pltr1, &b->cg);
  }
  plwidth(1.0);
  draw_grid(0.0, 0);
}

/* Points on top, class by class in the dark colours, each with a thin white rim. */
static void boundary_points(boundary *b, double cs) {
  size_t n = b->n;
  double ps = cs * (n > 3000 ? 0.35 : n > 300 ? 0.45 : 0.6);
  for (size_t c = 0; c < b->k; c++) {
    PLINT np = 0;
    for (size_t i = 0; i < n; i++) {
      double x = b->dx[i * 2], y = b->dx[i * 2 + 1];
      if ((size_t)b->dy[i] == c && isfinite(x) && isfinite(y)) b->px[np] = x, b->py[np] = y, np++;
    }
    if (np == 0) continue;
    plschr(0.0, ps * 1.35);
    plcol0(COL_BG);
    plstring(np, b->px, b->py, DOT);
    plschr(0.0, ps);
    plcol0(COL_CLASS + 10 + (int)(c % 10));
    plstring(np, b->px, b->py, DOT);
  }
}

/* The legend outside on the right: a point and its region colour per class, then the edge.
 * 0, or -1 when out of memory (nothing drawn). */
static int boundary_legend(const boundary *b, const page *pg) {
  size_t k = b->k;
  double cs = pg->cs;
  PLINT nleg = (PLINT)k + 1;
  PLINT *opts = calloc((size_t)nleg, sizeof *opts), *tcol = calloc((size_t)nleg, sizeof *tcol);
  PLINT *bcol = calloc((size_t)nleg, sizeof *bcol), *bpat = calloc((size_t)nleg, sizeof *bpat);
  PLINT *lcol = calloc((size_t)nleg, sizeof *lcol), *lsty = calloc((size_t)nleg, sizeof *lsty);
  PLINT *scol = calloc((size_t)nleg, sizeof *scol), *snum = calloc((size_t)nleg, sizeof *snum);
  PLFLT *bsc = calloc((size_t)nleg, sizeof *bsc), *bw = calloc((size_t)nleg, sizeof *bw);
  PLFLT *lw = calloc((size_t)nleg, sizeof *lw), *ssc = calloc((size_t)nleg, sizeof *ssc);
  char **texts = calloc((size_t)nleg, sizeof *texts);
  const char **syms = calloc((size_t)nleg, sizeof *syms);
  int ok = opts && tcol && bcol && bpat && lcol && lsty && scol && snum && bsc && bw && lw && ssc &&
           texts && syms;
  for (PLINT i = 0; ok && i < nleg; i++) {
    tcol[i] = COL_FG;
    bpat[i] = 0;
    bsc[i] = 0.9;
    bw[i] = 1.0;
    lsty[i] = 1;
    lw[i] = 2.0;
    snum[i] = 1;
    ssc[i] = 1.1 * cs;
    syms[i] = DOT;
    if (i < (PLINT)k) {
      size_t c = (size_t)i;
      opts[i] = PL_LEGEND_SYMBOL;
      bcol[i] = COL_CLASS + (int)(c % 10);
      scol[i] = COL_CLASS + 10 + (int)(c % 10);
      texts[i] = malloc(1100);
      if (texts[i])
        pl_text(b->class_names[c], texts[i], 1100);
      else
        ok = 0;
    } else {
      opts[i] = PL_LEGEND_LINE;
      lcol[i] = COL_EDGE;
      texts[i] = strdup(k == 2 ? "p = 0.5" : "boundary");
      if (!texts[i]) ok = 0;
    }
  }
  if (ok) {
    PLFLT lw_out, lh_out;
    double vw = pg->w - (px_x(pg, 92) + px_x(pg, 192)) * pg->w;
    pllegend(&lw_out, &lh_out, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_OUTSIDE | PL_POSITION_RIGHT | PL_POSITION_VIEWPORT, 16 * pg->t / vw, 0.0,
             26 * pg->t / vw, COL_BG, COL_FG, 1, 0, 0, nleg, opts, 1.0, 0.9 * cs, 2.0, 0.0, tcol,
             (const char *const *)texts, bcol, bpat, bsc, bw, lcol, lsty, lw, scol, ssc, snum,
             syms);
  }
  for (PLINT i = 0; texts && i < nleg; i++) free(texts[i]);
  free(opts), free(tcol), free(bcol), free(bpat), free(lcol), free(lsty), free(scol);
  free(snum), free(bsc), free(bw), free(lw), free(ssc), free(texts), free(syms);
  return ok ? 0 : -1;
}

/* The picture, once everything that can fail on bad input has been checked. */
static int boundary_draw(const boundary_opts *o, boundary *b) {
  if (plot_begin(o->output, o->width, o->height) != 0) return CLI_EXIT_ERROR;
  page pg = page_make(o->width, o->height);
  double cs = pg.cs;
  plschr(0.0, 1.05 * cs);
  char buf[1024], tbuf[1100];
  const char *title = o->title;
  if (!title) {
    snprintf(tbuf, sizeof tbuf, "decision regions of %s (%s)", base_name(o->model_path),
             logreg_model_binary(b->m) ? "binary" : "multinomial");
    title = tbuf;
  }
  /* The title, centred on the page. */
  plvpor(0.0, 1.0, 0.0, 1 - px_y(&pg, 14));
  plwind(0, 1, 0, 1);
  plcol0(COL_FG);
  plschr(0.0, 1.3 * cs);
  plmtex("t", -0.2, 0.5, 0.5, pl_text(title, buf, sizeof buf));
  plschr(0.0, 1.05 * cs);
  plvpor(px_x(&pg, 92), 1 - px_x(&pg, 192), px_y(&pg, 60), 1 - px_y(&pg, 66));
  plwind(b->lo[0], b->hi[0], b->lo[1], b->hi[1]);

  boundary_regions(b);
  boundary_points(b, cs);
  plschr(0.0, 1.05 * cs);
  draw_frame(0.0, 0);
  plcol0(COL_FG);
  plmtex("b", 2.8, 0.5, 0.5, pl_text(b->feature_names[0], buf, sizeof buf));
  plmtex("l", y_title_disp(), 0.5, 0.5, pl_text(b->feature_names[1], buf, sizeof buf));
  snprintf(tbuf, sizeof tbuf, "points: %s, %zu rows, accuracy %.4f", base_name(o->data_path), b->n,
           (double)b->correct / (double)b->n);
  plschr(0.0, 0.85 * cs);
  plcol0(COL_TEXT2);
  plmtex("t", 1.0, 1.0, 1.0, pl_text(tbuf, buf, sizeof buf));
  plschr(0.0, 1.05 * cs);

  if (boundary_legend(b, &pg) != 0) {
    plend();
    quiet_end();
    logreg_atomic_abort(&S.af);
    return cli_error(CLI_EXIT_ERROR, "out of memory");
  }
  return plot_end() != 0 ? CLI_EXIT_ERROR : 0;
}

static int plot_boundary(int argc, char **argv) {
  boundary_opts o;
  int rc = boundary_parse(argc, argv, &o);
  if (rc >= 0) return rc;
  boundary b = {0};
  rc = boundary_load(&o, &b);
  if (rc == 0) rc = boundary_grid(&b, o.res);
  if (rc == 0) rc = boundary_draw(&o, &b);
  if (rc == 0)
    fprintf(stderr, "wrote %s (%dx%d, %zu points, %zu classes)\n", o.output, o.width, o.height, b.n,
            b.k);
  boundary_free(&b);
  return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* plot path                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* What train --path wrote: per C (increasing), its figures and the raw coefficients. */
typedef struct path_file {
  size_t n, ncoef;
  char **names; /* ncoef coefficient names */
  double *logc; /* n: log10 C */
  double *coef; /* ncoef x n, column-major by coefficient (a series each) */
  size_t *nz;   /* n nonzero counts */
} path_file;

static void path_free(path_file *p) {
  for (size_t j = 0; p->names && j < p->ncoef; j++) free(p->names[j]);
  free(p->names);
  free(p->logc);
  free(p->coef);
  free(p->nz);
}

/* The next CSV field of *s (quoted or not), NUL-terminated in place; NULL at the end. */
static char *next_field(char **s) {
  char *f = *s;
  if (!f) return NULL;
  if (*f == '"') {
    char *o = ++f, *r = f;
    while (*r && !(*r == '"' && r[1] != '"')) {
      if (*r == '"') r++;
      *o++ = *r++;
    }
    if (*r == '"') r++;
    *s = *r == ',' ? r + 1 : NULL;
    *o = '\0';
    return f;
  }
  char *c = strchr(f, ',');
  if (c) *c = '\0';
  *s = c ? c + 1 : NULL;
  return f;
}

static const char path_header[] = "C,objective,nonzeros,val_loss,val_accuracy,iterations";

static int read_path(const char *path, path_file *p) {
  FILE *f = fopen(path, "rb");
  if (!f) return cli_error(CLI_EXIT_ERROR, "%s: cannot open: %s", path, strerror(errno));
  char *line = NULL;
  size_t cap = 0, lineno = 0, rows_cap = 0;
  ssize_t len;
  int rc = CLI_EXIT_ERROR;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (lineno == 1) {
      if (strncmp(line, path_header, sizeof path_header - 1) != 0) {
        cli_error(rc, "%s:1: not a path file (expected \"%s,...\", as train --path writes)", path,
                  path_header);
        goto out;
      }
      char *s = line + sizeof path_header - 1;
      s = *s == ',' ? s + 1 : NULL;
      size_t m = 0;
      for (char *q = s; q; q = strchr(q, ',')) m++, q++;
      p->names = calloc(m ? m : 1, sizeof *p->names);
      if (!p->names) goto oom;
      for (char *fld; (fld = next_field(&s)) != NULL;)
        if (!(p->names[p->ncoef++] = strdup(fld))) goto oom;
      continue;
    }
    if (*line == '\0') continue;
    if (p->n == rows_cap) {
      rows_cap = rows_cap ? 2 * rows_cap : 16;
      double *lc = realloc(p->logc, rows_cap * sizeof *lc);
      if (lc) p->logc = lc;
      size_t *nz = realloc(p->nz, rows_cap * sizeof *nz);
      if (nz) p->nz = nz;
      double *co = realloc(p->coef, rows_cap * (p->ncoef ? p->ncoef : 1) * sizeof *co);
      if (co) p->coef = co;
      if (!lc || !nz || !co) goto oom;
    }
    char *s = line;
    double v[6];
    for (size_t c = 0; c < 6 + p->ncoef; c++) {
      char *fld = next_field(&s), *end;
      double x = fld ? strtod(fld, &end) : NAN;
      if (!fld || end == fld || *end) {
        cli_error(rc, "%s:%zu: field %zu is not a number", path, lineno, c + 1);
        goto out;
      }
      if (c < 6)
        v[c] = x;
      else
        p->coef[p->n * p->ncoef + (c - 6)] = x; /* row-major for now */
    }
    if (!(v[0] > 0)) {
      cli_error(rc, "%s:%zu: C must be > 0", path, lineno);
      goto out;
    }
    p->logc[p->n] = log10(v[0]);
    p->nz[p->n] = (size_t)v[2];
    p->n++;
  }
  if (p->n < 2 || p->ncoef == 0) {
    cli_error(rc, "%s: a path needs 2 values of C or more, and coefficients", path);
    goto out;
  }
  /* A series per coefficient. */
  double *t = malloc(p->n * p->ncoef * sizeof *t);
  if (!t) goto oom;
  for (size_t i = 0; i < p->n; i++)
    for (size_t j = 0; j < p->ncoef; j++) t[j * p->n + i] = p->coef[i * p->ncoef + j];
  free(p->coef);
  p->coef = t;
  rc = 0;
  goto out;
oom:
  cli_error(rc, "%s: out of memory", path);
out:
  free(line);
  fclose(f);
  return rc;
}

/* Design pixels of the path plot's margins: tick labels and y title left, labels right. */
#define PATH_LEFT 92
#define PATH_RIGHT 190
#define PATH_LABELS 10

static int plot_path(int argc, char **argv) {
  const char *path = NULL, *output = NULL, *title = NULL;
  int width = 800, height = 600;
  const arg_spec specs[] = {
      {"--path", ARG_STR, &path, "P.csv", "what 'logreg train --path' wrote (required)"},
      {"--output", ARG_STR, &output, "PNG", "the picture to write (also -o; required)"},
      {"--title", ARG_STR, &title, "TEXT", "title (default: the path file's name)"},
      {"--width", ARG_INT, &width, "PX", "picture width in pixels (default 800)"},
      {"--height", ARG_INT, &height, "PX", "picture height in pixels (default 600)"},
      {NULL, ARG_FLAG, NULL, NULL, NULL}};
  const char *pos[1];
  size_t npos;
  int r = cli_parse("plot path", "logreg plot path --path P.csv -o path.png [options]", specs, argc,
                    argv, pos, 1, &npos);
  if (r >= 0) return r;
  if (npos != 0) return cli_error(CLI_EXIT_USAGE, "plot path: unexpected argument \"%s\"", pos[0]);
  if (!path) return cli_error(CLI_EXIT_USAGE, "plot path: --path is required");
  if (!output) return cli_error(CLI_EXIT_USAGE, "plot path: --output (-o) is required");
  if (check_size(width, height) != 0) return CLI_EXIT_USAGE;
  path_file pf = {0};
  if (read_path(path, &pf) != 0) {
    path_free(&pf);
    return CLI_EXIT_ERROR;
  }
  /* The coefficients that are ever nonzero, labelled: the PATH_LABELS largest at the least
   * penalized C. */
  size_t n = pf.n, shown = 0, *lab = calloc(PATH_LABELS, sizeof *lab), nlab = 0;
  double lo = 0, hi = 0;
  for (size_t j = 0; j < pf.ncoef; j++) {
    const double *c = pf.coef + j * n;
    int any = 0;
    for (size_t i = 0; i < n; i++) {
      any |= c[i] != 0;
      lo = fmin(lo, c[i]), hi = fmax(hi, c[i]);
    }
    if (!any) continue;
    shown++;
    size_t at = nlab < PATH_LABELS ? nlab++ : PATH_LABELS;
    while (at > 0 && fabs(pf.coef[lab[at - 1] * n + n - 1]) < fabs(c[n - 1])) {
      if (at < PATH_LABELS) lab[at] = lab[at - 1];
      at--;
    }
    if (at < PATH_LABELS) lab[at] = j;
  }
  if (!lab || plot_begin(output, width, height) != 0) {
    free(lab);
    path_free(&pf);
    return lab ? CLI_EXIT_ERROR : cli_error(CLI_EXIT_ERROR, "plot path: out of memory");
  }
  page pg = page_make(width, height);
  double cs = pg.cs;
  char buf[1024], tbuf[1100];
  if (!title) {
    snprintf(tbuf, sizeof tbuf, "regularization path: %s", base_name(path));
    title = tbuf;
  }
  double x0 = pf.logc[0], x1 = pf.logc[n - 1];
  pad_range(&lo, &hi, 0.05);
  plvpor(px_x(&pg, PATH_LEFT), 1 - px_x(&pg, PATH_RIGHT), px_y(&pg, 60), 1 - px_y(&pg, 60));
  plwind(x0, x1, lo, hi);
  plschr(0.0, 1.3 * cs);
  plcol0(COL_FG);
  plmtex("t", 2.2, 0.5, 0.5, pl_text(title, buf, sizeof buf));
  plschr(0.0, 1.05 * cs);
  draw_grid(0, 0);
  plcol0(COL_GRID);
  PLFLT zx[2] = {x0, x1}, zy[2] = {0, 0};
  plline(2, zx, zy);
  for (size_t j = 0, q = 0; j < pf.ncoef; j++) {
    const double *c = pf.coef + j * n;
    int any = 0;
    for (size_t i = 0; i < n; i++) any |= c[i] != 0;
    if (any) draw_series(pf.logc, c, n, COL_CLASS + 10 + (int)(q++ % 10), n <= 30, cs);
  }
  draw_frame(0, 0);
  plcol0(COL_FG);
  plmtex("b", 2.6, 0.5, 0.5, "log#d10#u C (more penalty to the left)");
  plmtex("l", y_title_disp(), 0.5, 0.5, "coefficient per standard deviation");
  /* Labels at the right end, in the lines' colours, spread so that they do not overlap. */
  double ly[PATH_LABELS], gap = (hi - lo) * 0.045 * pg.t * 600.0 / height;
  for (size_t a = 0; a < nlab; a++) ly[a] = pf.coef[lab[a] * n + n - 1];
  for (size_t a = 0; a < nlab; a++) /* by height, then pushed apart from the top */
    for (size_t b = a + 1; b < nlab; b++)
      if (ly[b] > ly[a]) {
        double t = ly[a];
        ly[a] = ly[b], ly[b] = t;
        size_t u = lab[a];
        lab[a] = lab[b], lab[b] = u;
      }
  for (size_t a = 1; a < nlab; a++)
    if (ly[a] > ly[a - 1] - gap) ly[a] = ly[a - 1] - gap;
  plschr(0.0, 0.75 * cs);
  for (size_t a = 0; a < nlab; a++) {
    size_t q = 0; /* the line's colour: its rank among the drawn coefficients */
    for (size_t j = 0; j < lab[a]; j++) {
      int any = 0;
      for (size_t i = 0; i < n; i++) any |= pf.coef[j * n + i] != 0;
      q += (size_t)any;
    }
    plcol0(COL_CLASS + 10 + (int)(q % 10));
    plmtex("rv", 0.6, (ly[a] - lo) / (hi - lo), 0.0, pl_text(pf.names[lab[a]], buf, 40));
  }
  snprintf(tbuf, sizeof tbuf, "%zu of %zu coefficients ever nonzero; %zu at the largest C", shown,
           pf.ncoef, pf.nz[n - 1]);
  plcol0(COL_TEXT2);
  plmtex("t", 0.9, 1.0, 1.0, tbuf);
  free(lab);
  int rc = plot_end();
  if (rc == 0)
    fprintf(stderr, "wrote %s (%dx%d, %zu values of C, %zu coefficients drawn)\n", output, width,
            height, n, shown);
  path_free(&pf);
  return rc;
}

/* ------------------------------------------------------------------------------------------ */

static const char plot_usage[] =
    "usage: logreg plot loss --history H.csv -o loss.png [--title T] [--width PX --height PX]\n"
    "       logreg plot boundary --model M.json --data D.csv -o b.png [options]\n"
    "       logreg plot path --path P.csv -o path.png [options]\n"
    "\n"
    "  loss       train (and validation) loss and accuracy per epoch, from train --history\n"
    "  boundary   the class regions of a 2-feature model, with the data's points on top\n"
    "  path       the coefficients against log C, from train --path (glmnet's picture)\n"
    "\n"
    "Run 'logreg plot KIND --help' for the options.\n";

int cmd_plot(int argc, char **argv) {
  if (argc < 1) {
    fputs(plot_usage, stderr);
    return CLI_EXIT_USAGE;
  }
  if (strcmp(argv[0], "--help") == 0 || strcmp(argv[0], "-h") == 0) {
    fputs(plot_usage, stdout);
    return 0;
  }
  if (strcmp(argv[0], "loss") == 0) return plot_loss(argc - 1, argv + 1);
  if (strcmp(argv[0], "boundary") == 0) return plot_boundary(argc - 1, argv + 1);
  if (strcmp(argv[0], "path") == 0) return plot_path(argc - 1, argv + 1);
  return cli_error(CLI_EXIT_USAGE, "plot: unknown kind \"%s\" (loss, boundary or path)", argv[0]);
}
