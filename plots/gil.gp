# The GIL's switch interval vs map time for one kernel: one line per series
# and worker count, each measured at several intervals (log x), with the
# bootstrap 95% interval of the median. Dashed references: the baseline's
# time and plain threads' (no GIL) at the largest worker count, where the
# file has them. CPU-bound threads under a GIL take about the serial time
# or longer, whatever the interval; shorter intervals add switching. A log
# y axis where the times span decades (CPython beside C).
#
# usage: gnuplot -d common.gp -c gil.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's gil-K.tsv (series, workers,
#   switch_interval_us, median_s, median_lo_s, median_hi_s,
#   baseline_median_s, threads_median_s), each line's rows consecutive
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
@CB_SERIES
if (CB_NS < 1) { exit status 2 }
NS = CB_NS
BASE = NaN
THREADS = NaN
WMAX = 0
TMIN = NaN
TMAX = 0
XMIN = NaN
XMAX = NaN
stats ARG1 using (BASE = ok(BASE) ? BASE : num("baseline_median_s"), \
        THREADS = column("workers") > WMAX ? num("threads_median_s") : THREADS, \
        WMAX = column("workers") > WMAX ? column("workers") : WMAX, \
        X = column("switch_interval_us"), \
        XMIN = !(X >= XMIN) ? X : XMIN, XMAX = !(X <= XMAX) ? X : XMAX, \
        Y = or(num("median_hi_s"), num("median_s")), TMAX = ok(Y) && Y > TMAX ? Y : TMAX, \
        Y = or(num("median_lo_s"), num("median_s")), TMIN = ok(Y) && Y > 0 && !(Y >= TMIN) ? Y : TMIN, \
        0) nooutput
TMAX = ok(BASE) && BASE > TMAX ? BASE : TMAX
TMIN = ok(BASE) && BASE < TMIN ? BASE : TMIN
TMIN = ok(THREADS) && THREADS < TMIN ? THREADS : TMIN
LOG = ok(TMIN) && TMIN > 0 && TMAX / TMIN > CB_DECADES

@CB_PAGE
set xlabel "switch interval (microseconds, log scale)"
set ylabel (LOG ? "median map time (log scale)" : "median map time")
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
if (LOG) {
    set logscale y
    set yrange [TMIN / 1.5 : TMAX * 1.5]
} else {
    set yrange [0 : TMAX * 1.12]
}
set autoscale xfix
set offsets graph 0.06, graph 0.06, 0, 0
set grid
set border 3
set tics nomirror
set key below center horizontal Left reverse maxcols 2 samplen 2 spacing 1.05 width -1
sel(i) = strcol("series") eq CB_T[i]
xof(i) = column("switch_interval_us") * 1.08 ** cb_spread(i, NS)

plot for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(num("median_s")):(or(num("median_lo_s"), num("median_s"))):(or(num("median_hi_s"), num("median_s"))) \
        with yerrorlines lw 2 dt cb_dash(i) pt cb_point(i) ps 1.5 lc rgb cb_color(i) title CB_T[i], \
     (ok(BASE) ? BASE : NaN) with lines dt 2 lw 1.5 lc rgb excolor("serial") \
        title (ok(BASE) ? "baseline" : ""), \
     (ok(THREADS) ? THREADS : NaN) with lines dt 2 lw 1.5 lc rgb excolor("threads") \
        title (ok(THREADS) ? sprintf("threads without a GIL, %d workers", WMAX) : "")
