# Shared by corebench's gnuplot scripts, loaded before each one:
#   gnuplot -d plots/common.gp -c plots/SCRIPT.gp DATA OUT TITLE FOOTER
# (`corebench report` calls every script that way; `make lesson` calls its
# own with other arguments after OUT.)
#
# One colour per executor, the same in every figure and every report, so a
# reader who learns "green is processes" once can read every figure.
# Colour-blind safe where it matters (Okabe-Ito for the C executors); the
# CPython executors take a darker shade of their C counterpart's hue.
# excolor() takes a series name and looks at its first word, so
# "py-threads si=100us" is coloured as py-threads.

exname(s) = (strstrt(s, " ") > 0) ? s[1:strstrt(s, " ") - 1] : s
exrgb(s) = \
    exname(s) eq "serial"               ? 0x555555 : \
    exname(s) eq "threads"              ? 0x0072B2 : \
    exname(s) eq "thread-pool"          ? 0x56B4E9 : \
    exname(s) eq "gil"                  ? 0xD55E00 : \
    exname(s) eq "processes"            ? 0x009E73 : \
    exname(s) eq "process-pool"         ? 0xE69F00 : \
    exname(s) eq "openmp"               ? 0xCC79A7 : \
    exname(s) eq "mpi"                  ? 0x6A3D9A : \
    exname(s) eq "py-serial"            ? 0x222222 : \
    exname(s) eq "py-threads"           ? 0x8B1A1A : \
    exname(s) eq "py-processes"         ? 0x00563B : \
    exname(s) eq "py-processes-chunked" ? 0x7A5C00 : \
    exname(s) eq "ideal"                ? 0x999999 : 0x444444
# as "#RRGGBB" for `lc rgb`; exrgb() itself for `lc rgb variable`
excolor(s) = sprintf("#%06X", exrgb(s))
# CPython executors are drawn dashed beside their solid C counterparts
exdash(s) = (exname(s)[1:3] eq "py-") ? 2 : 1
expoint(s) = (exname(s)[1:3] eq "py-") ? 6 : 7

# Fonts big enough for a slide; every figure the same size.
CB_FONT = "sans,14"
CB_SMALL = "sans,11"
CB_SIZE_X = 1000
CB_SIZE_Y = 620

# ---- for `corebench report`'s scripts ---------------------------------------
#
# The page: terminal, output, title (ARG3), and the footer (ARG4: hosts,
# dates, samples per point) in a band at the bottom that the plot leaves
# free. ARG2..ARG4 are read as string values here, never pasted into a
# command: this macro is corebench's own text.
CB_FOOT = 0.045
CB_PAGE = 'set terminal pngcairo size CB_SIZE_X,CB_SIZE_Y font CB_FONT noenhanced; ' . \
          'set output ARG2; set title ARG3 font ",16"; ' . \
          'set label 100 ARG4 at screen 0.99, screen 0.018 right font CB_SMALL textcolor rgb "#555555"; ' . \
          'set origin 0, CB_FOOT; set size 1, 1 - CB_FOOT'

# Tables are tab-separated with a header line; undefined numbers are
# "NaN", which column() would turn into a skipped row: num() gives NaN.
set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""
num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v            # false for NaN
or(v, d) = ok(v) ? v : d  # a CI bound, or the value when there is none

# Series: a script collects the `series` column's names, in the order of
# the rows (each series' rows are consecutive), into CB_T[1..CB_NS]:
#   @CB_SERIES
# (an array element cannot be set inside a function, hence a macro).
CB_SERIES = 'CB_NS = 0; CB_LAST = ""; ' . \
    'stats ARG1 using (strcol("series") ne CB_LAST ? (CB_NS = CB_NS + 1, CB_LAST = strcol("series")) : 0, 0) nooutput; ' . \
    'array CB_T[CB_NS > 0 ? CB_NS : 1]; CB_T[1] = ""; CB_NS = 0; CB_LAST = ""; ' . \
    'stats ARG1 using (strcol("series") ne CB_LAST ? (CB_NS = CB_NS + 1, CB_LAST = strcol("series"), CB_T[CB_NS] = CB_LAST) : 0, 0) nooutput'
# No series hides another: series of one colour (variants of one
# executor; executors this file does not know) get distinct markers, and
# series at the same x are drawn side by side.
array CB_PT[8] = [7, 5, 9, 11, 13, 15, 4, 6]
cb_variant(i) = sum [j=1:i-1] (exrgb(CB_T[j]) == exrgb(CB_T[i]) ? 1 : 0)
cb_point(i) = CB_PT[cb_variant(i) % 8 + 1]
cb_color(i) = excolor(CB_T[i])
cb_dash(i) = exdash(CB_T[i])
# series i of n, spread over [-0.5, 0.5] (0 for one series)
cb_spread(i, n) = n > 1 ? (i - (n + 1) / 2.0) / (n - 1) : 0
# y values spanning more than this ratio get a log axis
CB_DECADES = 20

# Numbers in figure text as corebench writes them everywhere
# (harness/base/units.c): three significant digits, SI prefixes, bytes decimal.
cb_3(x) = x >= 99.95 ? sprintf("%.0f", x) : x >= 9.995 ? sprintf("%.1f", x) : sprintf("%.2f", x)
cb_bytes(b) = b < 999.5 ? sprintf("%.0f B", b) : b < 999.5e3 ? cb_3(b / 1e3) . " kB" : \
    b < 999.5e6 ? cb_3(b / 1e6) . " MB" : b < 999.5e9 ? cb_3(b / 1e9) . " GB" : cb_3(b / 1e12) . " TB"
cb_pct(f) = sprintf("%.0f%%", 100 * f)
cb_time(t) = t < 999.5e-9 ? cb_3(t * 1e9) . " ns" : t < 999.5e-6 ? cb_3(t * 1e6) . " us" : \
    t < 999.5e-3 ? cb_3(t * 1e3) . " ms" : cb_3(t) . " s"
