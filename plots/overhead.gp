# Time per task vs chunksize for one kernel (log-log): one line per
# executor series and worker count, each measured at several chunksizes.
# Small chunks pay the per-task dispatch (and, for process pools, shipping)
# cost on every task; large chunks amortize it. The serial time per task is
# the dashed reference. On the `empty` kernel the whole time is overhead; on
# other kernels it includes the kernel's own work.
#
# usage: gnuplot -c overhead.gp overhead.tsv OUT.png KID O0 O1
#   KID    kernel id (column kid); O0..O1 the series ids (column osid)
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, series) is read as data with strcol() and used as a value;
# none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 5) {
    print "usage: gnuplot -c overhead.gp DATA.tsv OUT.png KID O0 O1"
    exit status 2
}
K = int(ARG3 + 0)
O0 = int(ARG4 + 0)
O1 = int(ARG5 + 0)
NS = O1 - O0 + 1
if (NS < 1) { exit status 2 }

set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""

# Undefined numbers are written "NaN"; gnuplot would drop the whole row on
# column() of such a cell, so read them through num(), which gives NaN.
num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v

array T[NS]
array C[NS]
do for [i=1:NS] { T[i] = ""; C[i] = "#000000" }
array PT[6] = [7, 5, 9, 11, 13, 15]
YMIN = NaN
YMAX = NaN
KN = "?"
SERIAL = NaN
pick(s) = s >= O0 && s <= O1
stats ARG1 using (pick(int(column("osid"))) ? ( \
        I = int(column("osid")) - O0 + 1, KN = strcol("kernel"), \
        T[I] = strcol("series"), C[I] = strcol("color"), \
        Y = num("per_task_s"), \
        YMIN = ok(Y) && !(Y >= YMIN) ? Y : YMIN, \
        YMAX = ok(Y) && !(Y <= YMAX) ? Y : YMAX, \
        SERIAL = ok(SERIAL) ? SERIAL : num("serial_per_task_s"), 0) : 0) nooutput
if (!ok(YMIN) || YMIN <= 0) { exit status 2 }
if (ok(SERIAL) && SERIAL > 0) {
    YMIN = SERIAL < YMIN ? SERIAL : YMIN
    YMAX = SERIAL > YMAX ? SERIAL : YMAX
}

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
set title sprintf("Time per task vs chunksize: kernel %s%s", KN, \
    KN eq "empty" ? " (all of it is overhead)" : " (includes the kernel's work)")
set xlabel "chunksize (tasks per dispatch, log scale)" offset 0,0.4
set ylabel "median map time / tasks (log scale)"
set logscale xy
set format y "%.0s %cs"
set format x "%.0f"
set grid xtics ytics mxtics mytics lc rgb "#dddddd", lc rgb "#f0f0f0"
set border 3
set tics nomirror
# Data-tight ranges with a margin, and 1-2-5 tics: a range within one or
# two decades would otherwise get one or two labels.
set autoscale xfix
set offsets graph 0.05, graph 0.05, 0, 0
set yrange [YMIN / 1.4 : YMAX * 1.4]
set ytics ()
do for [d = floor(log10(YMIN / 1.4)) : ceil(log10(YMAX * 1.4))] {
    do for [m in "1 2 5"] {
        v = real(m) * 10.0**d
        if (v >= YMIN / 1.4 && v <= YMAX * 1.4) { set ytics add (gprintf("%.0s %cs", v) v) }
    }
}
set key below center horizontal Left reverse maxcols 3 samplen 2 spacing 1.05 width -1
sel(i) = int(column("osid")) == O0 + i - 1

plot for [i=1:NS] ARG1 using "chunksize":(sel(i) ? num("per_task_s") : NaN) \
        with linespoints lw 2 pt PT[(i - 1) % 6 + 1] ps 1.4 lc rgb C[i] title T[i], \
     (ok(SERIAL) ? SERIAL : NaN) with lines dt 2 lw 1.5 lc rgb "#555555" \
        title (ok(SERIAL) ? "serial time per task" : "")
