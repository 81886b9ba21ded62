# The emulated GIL's switch interval vs map time for one kernel: one line
# per executor and worker count, each measured at several intervals (log
# scale), with the bootstrap 95% CI as error bars. Dashed references: the
# serial time and the time of plain threads (no GIL) at the largest worker
# count, where the file has them. CPU-bound threads under a GIL take about
# the serial time or longer, whatever the interval; shorter intervals add
# switching cost.
#
# usage: gnuplot -c gil.gp gil.tsv OUT.png KID G0 G1
#   KID    kernel id (column kid); G0..G1 the series ids (column gsid)
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, series) is read as data with strcol() and used as a value;
# none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 5) {
    print "usage: gnuplot -c gil.gp DATA.tsv OUT.png KID G0 G1"
    exit status 2
}
K = int(ARG3 + 0)
G0 = int(ARG4 + 0)
G1 = int(ARG5 + 0)
NS = G1 - G0 + 1
if (NS < 1) { exit status 2 }

set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""

num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v
or(v, d) = ok(v) ? v : d

array T[NS]
do for [i=1:NS] { T[i] = "" }
array PT[6] = [7, 5, 9, 11, 13, 15]
KN = "?"
SERIAL = NaN
THREADS = NaN
WMAX = 0
TMAX = 0
XMIN = NaN
XMAX = NaN
pick(s) = s >= G0 && s <= G1
stats ARG1 using (pick(int(column("gsid"))) ? ( \
        I = int(column("gsid")) - G0 + 1, KN = strcol("kernel"), \
        T[I] = strcol("series"), \
        SERIAL = ok(SERIAL) ? SERIAL : num("serial_median_s"), \
        THREADS = column("workers") > WMAX ? num("threads_median_s") : THREADS, \
        WMAX = column("workers") > WMAX ? column("workers") : WMAX, \
        X = column("switch_interval_us"), \
        XMIN = !(X >= XMIN) ? X : XMIN, XMAX = !(X <= XMAX) ? X : XMAX, \
        Y = or(num("ci_hi_s"), num("median_s")), \
        TMAX = ok(Y) && Y > TMAX ? Y : TMAX, 0) : 0) nooutput
TMAX = ok(SERIAL) && SERIAL > TMAX ? SERIAL : TMAX

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
set title sprintf("GIL switch interval vs map time: kernel %s", KN)
set xlabel "switch interval (microseconds, log scale)" offset 0,0.4
set ylabel "median map time"
set logscale x
# 1-2-5 tics: measured intervals are often 100, 1000, 5000 (the default)
set xtics ()
if (XMIN > 0) {
    do for [d = floor(log10(XMIN)) : ceil(log10(XMAX))] {
        do for [m in "1 2 5"] {
            v = real(m) * 10.0**d
            if (v >= XMIN / 1.2 && v <= XMAX * 1.2) { set xtics add (sprintf("%.0f", v) v) }
        }
    }
}
set format y "%.0s %cs"
set yrange [0 : TMAX * 1.12]
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set grid
set border 3
set tics nomirror
set key below center horizontal Left reverse maxcols 3 samplen 2 spacing 1.05 width -1
set style line 1 lc rgb "#D55E00"
set style line 2 lc rgb "#8C564B"
set style line 3 lc rgb "#CC79A7"
set style line 4 lc rgb "#E69F00"
set style line 5 lc rgb "#6A3D9A"
set style line 6 lc rgb "#B22222"
set style increment user
sel(i) = int(column("gsid")) == G0 + i - 1

plot for [i=1:NS] ARG1 using "switch_interval_us":(sel(i) ? num("median_s") : NaN):(or(num("ci_lo_s"), num("median_s"))):(or(num("ci_hi_s"), num("median_s"))) \
        with yerrorlines ls ((i - 1) % 6 + 1) lw 2 pt PT[(i - 1) % 6 + 1] ps 1.4 title T[i], \
     (ok(SERIAL) ? SERIAL : NaN) with lines dt 2 lw 1.5 lc rgb "#555555" \
        title (ok(SERIAL) ? "serial" : ""), \
     (ok(THREADS) ? THREADS : NaN) with lines dt 2 lw 1.5 lc rgb "#0072B2" \
        title (ok(THREADS) ? sprintf("threads without a GIL, %d workers", WMAX) : "")
