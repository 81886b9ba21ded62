# Time per task vs chunksize for one kernel (log-log): one line per series
# and worker count, each measured at several chunksizes. Small chunks pay
# the per-task dispatch (and, for process pools, shipping) cost on every
# task; large chunks amortize it. The baseline's time per task is the
# dashed reference. On the `empty` kernel the whole time is overhead; on
# other kernels it includes the kernel's own work.
#
# usage: gnuplot -d common.gp -c overhead.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's overhead-K.tsv (series, chunksize,
#   per_task_s, baseline_per_task_s, ...), each line's rows consecutive
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
@CB_SERIES
if (CB_NS < 1) { exit status 2 }
NS = CB_NS
YMIN = NaN
YMAX = NaN
BASE = NaN
KN = ""
stats ARG1 using (KN = strcol("kernel"), Y = num("per_task_s"), \
        YMIN = ok(Y) && !(Y >= YMIN) ? Y : YMIN, \
        YMAX = ok(Y) && !(Y <= YMAX) ? Y : YMAX, \
        BASE = ok(BASE) ? BASE : num("baseline_per_task_s"), 0) nooutput
if (!ok(YMIN) || YMIN <= 0) { exit status 2 }
if (ok(BASE) && BASE > 0) {
    YMIN = BASE < YMIN ? BASE : YMIN
    YMAX = BASE > YMAX ? BASE : YMAX
}

@CB_PAGE
set xlabel "chunksize (tasks per dispatch, log scale)"
set ylabel (KN eq "empty" ? "time per task: all of it overhead (log scale)" : "time per task, with the kernel's work (log scale)")
set logscale xy
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
if (NS <= 6) {
    set key below center horizontal Left reverse maxcols 2 samplen 2 spacing 1.05 width -1
} else {
    set key outside right top vertical Left reverse samplen 1.5 spacing 0.95 font CB_SMALL
}
sel(i) = strcol("series") eq CB_T[i]
# side by side on a log axis: a few percent apart
xof(i) = column("chunksize") * 1.12 ** cb_spread(i, NS)

plot for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(num("per_task_s")) \
        with linespoints lw 2 dt cb_dash(i) pt cb_point(i) ps 1.5 lc rgb cb_color(i) title CB_T[i], \
     (ok(BASE) ? BASE : NaN) with lines dt 2 lw 1.5 lc rgb excolor("serial") \
        title (ok(BASE) ? "baseline time per task" : "")
