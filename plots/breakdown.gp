# Where the time goes, for one kernel: one stacked bar per executor series
# at its largest worker count (the serial baseline included): pool start-up,
# map time spent computing, map time spent waiting for a lock (mean per
# worker: the GIL, a queue), and pool shutdown. Bytes shipped to and from
# worker processes are written above the bar: the report does not turn them
# into a time estimate.
#
# usage: gnuplot -c breakdown.gp breakdown.tsv OUT.png KID
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, series) is read as data with strcol() and used as a value;
# none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 3) {
    print "usage: gnuplot -c breakdown.gp DATA.tsv OUT.png KID"
    exit status 2
}
K = int(ARG3 + 0)

set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""

# Undefined numbers are written "NaN"; gnuplot would drop the whole row on
# column() of such a cell, so read them through num(), which gives NaN.
num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v
z(v) = ok(v) ? v : 0
KN = "?"
NB = 0
TMAX = 0
# map time split into compute and lock wait; the wait cannot exceed it
wait(m, w) = z(w) < z(m) ? z(w) : z(m)
stats ARG1 using (int(column("kid")) == K && int(column("bar")) >= 0 ? ( \
        KN = strcol("kernel"), NB = NB + 1, \
        T = z(num("startup_s")) + z(num("compute_s")) + z(num("shutdown_s")), \
        TMAX = T > TMAX ? T : TMAX, 0) : 0) nooutput
if (NB < 1) { exit status 2 }
# Bar labels, by bar number. Tic labels are set from these values rather
# than with xtic(), which also takes labels from rows the plot filters out.
array L[NB]
do for [i=1:NB] { L[i] = "" }
stats ARG1 using (int(column("kid")) == K && int(column("bar")) >= 0 ? ( \
        L[int(column("bar")) + 1] = strcol("series") . sprintf(" w=%d", column("workers")), \
        0) : 0) nooutput

on(v) = int(column("kid")) == K && int(column("bar")) >= 0 ? v : NaN

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
set title sprintf("Time breakdown at the largest worker count: kernel %s", KN)
set ylabel "time per map (medians)"
set format y "%.0s %cs"
set yrange [0 : TMAX * 1.18]
set xrange [-0.6 : NB - 0.4]
set grid ytics
set border 3
set tics nomirror
set xtics rotate by 30 right font ",11" scale 0 offset 0.5,0
set key below center horizontal Left reverse maxcols 2 samplen 1.5 width 0
set lmargin 12
set rmargin 4
set style fill solid 0.85 border lc rgb "#333333"
set boxwidth 0.65

# Each bar is drawn as overlapping boxes from the total down to start-up,
# which stacks them without gnuplot's histogram mode (whose labels would
# have to be pasted in).
set xtics ()
if (NB > 12) { set xtics font ",9" }
do for [i=1:NB] { set xtics add (L[i] i - 1) }

plot ARG1 using (on(column("bar"))):(on(z(num("startup_s")) + z(num("compute_s")) + z(num("shutdown_s")))) \
        with boxes lc rgb "#999999" notitle, \
     '' using (on(column("bar"))):(on(z(num("startup_s")) + z(num("compute_s")))) \
        with boxes lc rgb "#D55E00" notitle, \
     '' using (on(column("bar"))):(on(z(num("startup_s")) + z(num("compute_s")) - wait(num("compute_s"), num("lock_wait_s")))) \
        with boxes lc rgb "#0072B2" notitle, \
     '' using (on(column("bar"))):(on(z(num("startup_s")))) \
        with boxes lc rgb "#E69F00" notitle, \
     '' using (on(column("bar"))):(on(z(num("startup_s")) + z(num("compute_s")) + z(num("shutdown_s")))):( \
            z(num("bytes_to_workers")) + z(num("bytes_from_workers")) > 0 ? \
            sprintf("%.3g MB\nshipped", (z(num("bytes_to_workers")) + z(num("bytes_from_workers"))) / 1e6) : "") \
        with labels offset 0,1.3 font ",10" notitle, \
     keyentry with boxes lc rgb "#E69F00" title "start-up (pool)", \
     keyentry with boxes lc rgb "#0072B2" title "map: compute, dispatch, shipping", \
     keyentry with boxes lc rgb "#D55E00" title "map: waiting for a lock (mean per worker)", \
     keyentry with boxes lc rgb "#999999" title "shutdown (pool)"
