# Where the time goes, for one kernel: one stacked bar per series at its
# largest worker count (the baseline included): pool start-up (yellow),
# the map in the executor's colour (common.gp), hatched where a worker
# waited for a lock (mean per worker: the GIL, a queue), and pool shutdown
# (grey). Above each bar its total time and, for worker processes, the
# bytes shipped to and from them per map; inside it, the start-up and the
# shutdown when under 2% of the bar (too thin to see). Always a linear axis: a stacked
# bar's segments on a log axis would not be proportional to their times
# (where totals span decades the short bars are thin, and their labels say
# what they hold).
#
# usage: gnuplot -d common.gp -c breakdown.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's breakdown-K.tsv (series, workers, startup_s,
#   map_s, lock_wait_s, shutdown_s, bytes_to_workers, bytes_from_workers),
#   one row per bar
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
z(v) = ok(v) ? v : 0
total(d) = z(num("startup_s")) + z(num("map_s")) + z(num("shutdown_s"))
NB = 0
HASB = 0
TMIN = NaN
TMAX = 0
stats ARG1 using (NB = NB + 1, T = total(0), TMAX = T > TMAX ? T : TMAX, \
                  HASB = HASB || z(num("bytes_to_workers")) + z(num("bytes_from_workers")) > 0, \
                  TMIN = T > 0 && !(T >= TMIN) ? T : TMIN, 0) nooutput
if (NB < 1) { exit status 2 }
# Bar labels by bar number, set as tic labels (xtic() would also take the
# labels of rows a plot filters out).
array L[NB]
stats ARG1 using (L[int($0) + 1] = strcol("series"), 0) nooutput
# the map's lock wait cannot exceed it
wait(m, w) = z(w) < z(m) ? z(w) : z(m)
# a part too thin to see in its bar (under 2% of it), named in the label
thin(v, t) = z(v) > 0 && z(v) < 0.02 * t
thinlabel(name, v, t) = thin(v, t) ? name . " " . cb_time(v) : ""
thinboth(t) = thinlabel("start-up", num("startup_s"), t) . \
    (thin(num("startup_s"), t) && thin(num("shutdown_s"), t) ? "\n" : "") . \
    thinlabel("shutdown", num("shutdown_s"), t)
LOG = 0

@CB_PAGE
set ylabel (LOG ? "time per map (medians, log scale)" : "time per map (medians)")
set format y "%.0s %cs"
if (LOG) {
    set logscale y
    set yrange [TMIN / 20 : TMAX * 4]
} else {
    # room above the tallest bar for its label (time, bytes)
    set yrange [0 : TMAX * (HASB ? 2.0 : 1.45)]
    # past 1 s, plain seconds (SI prefixes would print 1 s and 1.2 s
    # both as "1 s")
    if (TMAX * 2 >= 1) { set format y "%g s" }
}
set xrange [-0.6 : NB - 0.4]
set grid ytics
set border 3
set tics nomirror
XFONT = NB > 10 ? CB_SMALL : CB_FONT
set xtics rotate by 30 right scale 0 offset 0.5,0 font XFONT
set key below center horizontal Left reverse maxcols 2 samplen 1.5 width 0
set lmargin 12
set rmargin 4
set style fill border lc rgb "#333333"
set boxwidth 0.65
set xtics ()
do for [i=1:NB] { set xtics add (L[i] i - 1) }
BASE = LOG ? TMIN / 20 : 0
bar(v) = v > BASE ? v : BASE

# Each bar is overlapping boxes from the total down to start-up, which
# stacks them without gnuplot's histogram mode.
ex(d) = exrgb(strcol("series"))
plot ARG1 using 0:(bar(total(0))) with boxes fs solid 0.85 lc rgb "#BBBBBB" notitle, \
     '' using 0:(bar(z(num("startup_s")) + z(num("map_s")))):(ex(0)) \
        with boxes fs pattern 4 border lc rgb "#333333" lc rgb variable notitle, \
     '' using 0:(bar(z(num("startup_s")) + z(num("map_s")) - wait(num("map_s"), num("lock_wait_s")))):(ex(0)) \
        with boxes fs solid 0.85 lc rgb variable notitle, \
     '' using 0:(bar(z(num("startup_s")))) with boxes fs solid 0.85 lc rgb "#F0E442" notitle, \
     '' using 0:(total(0)):(B = z(num("bytes_to_workers")) + z(num("bytes_from_workers")), \
            cb_time(total(0)) . (B > 0 ? ", " . cb_bytes(B) : "")) \
        with labels rotate by 90 left offset 0,0.5 font CB_SMALL notitle, \
     '' using 0:(total(0) / 2):(thinboth(total(0))) \
        with labels center font CB_SMALL tc rgb "white" notitle, \
     keyentry with boxes fs solid 0.85 lc rgb "#F0E442" title "start-up (pool)", \
     keyentry with boxes fs solid 0.85 lc rgb "#777777" title "map (the executor's colour)", \
     keyentry with boxes fs pattern 4 lc rgb "#777777" title "map: waiting for a lock (mean per worker)", \
     keyentry with boxes fs solid 0.85 lc rgb "#BBBBBB" title "shutdown (pool)", \
     keyentry with labels title (HASB ? "above a bar: its time, bytes shipped per map; inside: a start-up or shutdown too thin to see" : "above a bar: its time; inside: a start-up or shutdown too thin to see")
