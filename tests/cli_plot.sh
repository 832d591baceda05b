#!/usr/bin/env bash
# cli_plot.sh: `logreg plot loss` and `logreg plot boundary` end to end on
# ../shared/data/tumors.csv.
# Each picture is checked with the Python standard library only: the PNG signature, a CRC-valid
# IHDR with the requested width and height, more than 5 KB, and the decoded pixels (IDAT
# inflated and un-filtered): a white background in the corner, at least 4 distinct colours, and
# the colours the plot must show (train/validation lines; each class's region shade covering a
# real part of the picture, and its points), or must not (no validation line without a
# validation split). Then every bad input: one "logreg: error:" line naming the file:line:column
# or option, exit status 1 (bad data) or 2 (bad command line), and no output or temp file left.
. "$(dirname "$0")/lib.sh"
need_shared tumors.csv
data="$SHARED/data/tumors.csv"

cat > "$WORK/pngcheck.py" <<'PY'
"""pngcheck.py FILE WIDTH HEIGHT [present R,G,B MINFRAC]... [absent R,G,B]...

Fails (exit 1, with the reason) unless FILE is a complete PNG of WIDTH x HEIGHT with a white
top-left pixel, >= 4 distinct colours, each `present` colour on at least MINFRAC of the pixels
(MINFRAC 0: on at least 20 pixels), and no `absent` colour on more than 20 pixels."""
import struct, sys, zlib

path, want_w, want_h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = open(path, "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
assert len(data) > 5 * 1024, "only %d bytes: a blank picture?" % len(data)
pos, chunks = 8, []
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body, crc = data[pos + 8:pos + 8 + n], struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0]
    assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, "bad CRC in chunk %r" % kind
    chunks.append((kind, body))
    pos += 12 + n
assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", "IHDR first, IEND last"
w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
assert (w, h) == (want_w, want_h), "size %dx%d, wanted %dx%d" % (w, h, want_w, want_h)
assert depth == 8 and ctype in (2, 6) and interlace == 0, "unexpected format %d/%d/%d" % (
    depth, ctype, interlace)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(b"".join(b for k, b in chunks if k == b"IDAT"))
stride = w * bpp
assert len(raw) == h * (stride + 1), "IDAT holds %d bytes, not %d" % (len(raw), h * (stride + 1))

# Un-filter (PNG spec section 9) into rows of bytes.
rows, prev = [], bytearray(stride)
for y in range(h):
    f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    if f == 1:
        for i in range(bpp, stride):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif f == 2:
        line = bytearray((a + b) & 255 for a, b in zip(line, prev))
    elif f == 3:
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif f == 4:
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    else:
        assert f == 0, "bad filter type %d in row %d" % (f, y)
    rows.append(bytes(line))
    prev = line

counts = {}
for line in rows:
    for i in range(0, stride, bpp):
        px = line[i:i + 3]
        counts[px] = counts.get(px, 0) + 1
assert rows[0][:3] == b"\xff\xff\xff", "top-left pixel %r is not white" % (rows[0][:3],)
assert len(counts) >= 4, "only %d distinct colours" % len(counts)
total = w * h
args = sys.argv[4:]
while args:
    what, rgb = args[0], bytes(int(v) for v in args[1].split(","))
    n = counts.get(rgb, 0)
    if what == "present":
        frac = float(args[2])
        need = max(20, frac * total)
        assert n >= need, "colour %s on %d pixels, wanted >= %d" % (args[1], n, need)
        args = args[3:]
    else:
        assert n <= 20, "colour %s should be absent but is on %d pixels" % (args[1], n)
        args = args[2:]
print("%s: %dx%d, %d bytes, %d colours" % (path, w, h, len(data), len(counts)))
PY
png() { python3 "$WORK/pngcheck.py" "$@" >&2; }

# Colours cmd_plot.c draws with: train and validation lines; class k's points (Tableau 10) and
# its region shade (three parts white to one part the point colour).
TRAIN=31,119,180 VAL=255,127,14
DARK0=31,119,180 DARK1=214,39,40 DARK2=44,160,44
LIGHT0=199,221,236 LIGHT1=244,201,201 LIGHT2=202,231,202

# Models and histories: multinomial with a validation split, binary on everything (no
# validation columns, few epochs), and a 3-class model on generated blobs.
"$LOGREG" train "$data" --target tumor_class --quiet --model "$WORK/m.json" \
  --history "$WORK/h.csv" > /dev/null 2> "$WORK/err" || fail "train exited $?: $(cat "$WORK/err")"
"$LOGREG" train "$data" --target tumor_class --quiet --binary --split 1,0,0 --epochs 12 \
  --model "$WORK/b.json" --history "$WORK/hb.csv" > /dev/null 2> "$WORK/err" \
  || fail "train --binary exited $?: $(cat "$WORK/err")"
"$LOGREG" gen blobs --rows 300 --features 2 --classes 3 --seed 5 -o "$WORK/blobs.csv" 2> /dev/null \
  && "$LOGREG" train "$WORK/blobs.csv" --quiet --model "$WORK/m3.json" > /dev/null 2> "$WORK/err" \
  || fail "blobs: $(cat "$WORK/err")"

# plot: runs a plot command that must succeed, with nothing on stdout.
plot() {
  local name=$1
  shift
  if "$LOGREG" plot "$@" > "$WORK/out" 2> "$WORK/err"; then
    [ -s "$WORK/out" ] && fail "$name: printed on stdout: $(head -c 200 "$WORK/out")"
    return 0
  fi
  fail "$name: plot $* exited $?: $(cat "$WORK/err")"
  return 1
}

plot "loss" loss --history "$WORK/h.csv" -o "$WORK/loss.png" \
  && { png "$WORK/loss.png" 800 600 present $TRAIN 0.002 present $VAL 0.002 \
         && pass "plot loss: 800x600 PNG with train and validation curves" \
         || fail "plot loss: picture check failed"; }

plot "loss without val" loss --history "$WORK/hb.csv" -o "$WORK/loss-b.png" \
  --width 640 --height 480 --title 'binary #1: "quoted" title' \
  && { png "$WORK/loss-b.png" 640 480 present $TRAIN 0.001 absent $VAL \
         && pass "plot loss: 640x480, train curve only when there is no validation split" \
         || fail "plot loss (no val): picture check failed"; }

plot "boundary" boundary --model "$WORK/m.json" --data "$data" -o "$WORK/b.png" \
  && { png "$WORK/b.png" 800 600 present $LIGHT0 0.05 present $LIGHT1 0.05 \
         present $DARK0 0.003 present $DARK1 0.003 \
         && pass "plot boundary: both class regions shaded, points of both classes on top" \
         || fail "plot boundary: picture check failed"; }

plot "boundary binary" boundary --model "$WORK/b.json" "$data" -o "$WORK/bb.png" \
  --width 700 --height 500 --resolution 80 --target tumor_class \
  && { png "$WORK/bb.png" 700 500 present $LIGHT0 0.05 present $LIGHT1 0.05 \
         present $DARK0 0.003 present $DARK1 0.003 \
         && pass "plot boundary: binary model, 700x500, positional DATA" \
         || fail "plot boundary (binary): picture check failed"; }

plot "boundary 3 classes" boundary --model "$WORK/m3.json" --data "$WORK/blobs.csv" \
  -o "$WORK/b3.png" \
  && { png "$WORK/b3.png" 800 600 present $LIGHT0 0.03 present $LIGHT1 0.03 present $LIGHT2 0.03 \
         present $DARK2 0.001 \
         && pass "plot boundary: three class regions" \
         || fail "plot boundary (3 classes): picture check failed"; }

# Bad inputs. bad CODE PATTERN ARGS...: exit status CODE, exactly one stderr line that starts
# with "logreg: error: " and matches PATTERN (grep -E), nothing on stdout, no output file and
# no temp file beside it.
bad() {
  local code=$1 pat=$2
  shift 2
  rm -f "$WORK/out.png"
  "$LOGREG" plot "$@" > "$WORK/out" 2> "$WORK/err"
  local rc=$?
  local lines
  lines=$(wc -l < "$WORK/err")
  if [ "$rc" -ne "$code" ]; then
    fail "plot $*: exit $rc, wanted $code ($(cat "$WORK/err"))"
  elif [ "$lines" -ne 1 ] || ! grep -qE "^logreg: error: .*$pat" "$WORK/err"; then
    fail "plot $*: wanted one error line matching /$pat/, got: $(cat "$WORK/err")"
  elif [ -s "$WORK/out" ]; then
    fail "plot $*: printed on stdout"
  elif [ -e "$WORK/out.png" ] || ls "$WORK" | grep -q '\.tmp'; then
    fail "plot $*: left a file behind: $(ls "$WORK")"
  else
    pass "error $code: $(cat "$WORK/err")"
  fi
}
H="$WORK/h.csv"
head -1 "$H" > "$WORK/header-only.csv"
: > "$WORK/empty.csv"
printf 'epoch,loss\n1,0.5\n' > "$WORK/bad-header.csv"
# Line 4, column 3 (train_loss) is not a number.
awk -F, -v OFS=, 'NR == 4 { $3 = "0.5x" } { print }' "$H" > "$WORK/nan-cell.csv"
awk -F, -v OFS=, 'NR == 3 { NF = 7 } { print }' "$H" > "$WORK/short-row.csv"
"$LOGREG" gen blobs --rows 200 --features 9 --classes 2 --seed 1 -o "$WORK/nine.csv" 2> /dev/null
"$LOGREG" train "$WORK/nine.csv" --quiet --epochs 3 --model "$WORK/nine.json" > /dev/null 2>&1 \
  || fail "train on 9 features"

O="$WORK/out.png"
bad 1 "nope\.csv: cannot open" loss --history "$WORK/nope.csv" -o "$O"
bad 1 "bad-header\.csv:1: not a logreg history header" loss --history "$WORK/bad-header.csv" -o "$O"
bad 1 "nan-cell\.csv:4:3: train_loss: not a number: \"0\.5x\"" \
  loss --history "$WORK/nan-cell.csv" -o "$O"
bad 1 "short-row\.csv:3: 7 fields, expected 8" loss --history "$WORK/short-row.csv" -o "$O"
bad 1 "header-only\.csv: empty history" loss --history "$WORK/header-only.csv" -o "$O"
bad 1 "empty\.csv: empty history" loss --history "$WORK/empty.csv" -o "$O"
bad 2 "--output \(-o\) is required" loss --history "$H"
bad 2 "--history is required" loss -o "$O"
bad 2 "--width: 50 is outside" loss --history "$H" -o "$O" --width 50
bad 2 "--height: \"abc\" is not a whole number" loss --history "$H" -o "$O" --height abc
bad 2 "unknown option" loss --history "$H" -o "$O" --colour red
bad 2 "plot: unknown kind \"scatter\"" scatter -o "$O"
bad 1 "nine\.json has 9" boundary --model "$WORK/nine.json" --data "$data" -o "$O"
bad 1 "nope\.json" boundary --model "$WORK/nope.json" --data "$data" -o "$O"
bad 1 "blobs\.csv:1: .*leukocyte_count" \
  boundary --model "$WORK/m.json" --data "$WORK/blobs.csv" -o "$O"
bad 2 "--model is required" boundary --data "$data" -o "$O"
bad 2 "--data is required" boundary --model "$WORK/m.json" -o "$O"
bad 2 "--output \(-o\) is required" boundary --model "$WORK/m.json" --data "$data"
bad 2 "--resolution: 3 is outside" \
  boundary --model "$WORK/m.json" --data "$data" -o "$O" --resolution 3
# Unwritable output paths: a missing folder, a path through a regular file, a folder.
bad 1 "--output: .*nodir/x\.png: cannot create file" loss --history "$H" -o "$WORK/nodir/x.png"
bad 1 "--output: .*h\.csv/x\.png: cannot create file" loss --history "$H" -o "$H/x.png"
mkdir -p "$WORK/adir"
bad 1 "--output: .*adir: cannot replace file" loss --history "$H" -o "$WORK/adir"
ls -A "$WORK/adir" | grep -q . && fail "temp file left in $WORK/adir: $(ls -A "$WORK/adir")"

# A failure once PLplot has started (no pngcairo device found) keeps an existing output as it
# was and leaves no temp file.
echo "old picture" > "$WORK/keep.png"
PLPLOT_DRV_DIR="$WORK/adir" "$LOGREG" plot loss --history "$H" -o "$WORK/keep.png" \
  > "$WORK/out" 2> "$WORK/err"
rc=$?
if [ "$rc" -ne 1 ] || [ "$(wc -l < "$WORK/err")" -ne 1 ] \
  || ! grep -q '^logreg: error: .*PLplot' "$WORK/err"; then
  fail "plot without a PLplot device: exit $rc, stderr: $(cat "$WORK/err")"
elif [ "$(cat "$WORK/keep.png")" != "old picture" ] || ls "$WORK" | grep -q '\.tmp'; then
  fail "plot without a PLplot device touched the output or left a temp file"
else
  pass "PLplot failure: $(cat "$WORK/err"); the old output is untouched"
fi
finish
