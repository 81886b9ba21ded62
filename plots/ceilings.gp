# Achieved bandwidth vs workers for one memory-bound kernel: one line per
# series (bytes touched per map / median map time) in its executor's
# colour, against the STREAM triad the probe measured on the same machine
# at 1..N threads, one dashed curve per working-set level a run is
# compared with (ws, l2, llc, dram: each its own dashes and marker). The key gives each series' share
# of the triad of the level its working set fits at its largest worker
# count; above 100% the table's note column says why. Each triad point
# has a bar from its median repetition to its best (the point): a long
# bar is a probe disturbed while it measured, and the share a range.
#
# usage: gnuplot -d common.gp -c ceilings.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's ceilings-K.tsv (series, workers, kind = run
#   or triad, level, bytes_per_s, lo_bytes_per_s, fraction), each series'
#   rows consecutive
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
@CB_SERIES
if (CB_NS < 1) { exit status 2 }
NS = CB_NS
# per series: a triad curve?, its level, its largest workers and the
# fraction there
array TR[NS]
array LV[NS]
array W[NS]
array FR[NS]
do for [i=1:NS] { TR[i] = 0; LV[i] = ""; W[i] = 0; FR[i] = NaN }
WMAX = 1
YMIN = NaN
YMAX = 0
GB = 1e9
idx(s) = sum [j=1:NS] (CB_T[j] eq s ? j : 0)
stats ARG1 using (I = idx(strcol("series")), TR[I] = strcol("kind") eq "triad", \
        FR[I] = column("workers") >= W[I] ? num("fraction") : FR[I], \
        LV[I] = column("workers") >= W[I] ? strcol("level") : LV[I], \
        W[I] = column("workers") >= W[I] ? column("workers") : W[I], \
        WMAX = column("workers") > WMAX ? column("workers") : WMAX, \
        Y = num("bytes_per_s") / GB, \
        YMAX = ok(Y) && Y > YMAX ? Y : YMAX, \
        YMIN = ok(Y) && Y > 0 && !(Y >= YMIN) ? Y : YMIN, 0) nooutput
if (YMAX <= 0) { YMAX = 1 }
LOG = ok(YMIN) && YMAX / YMIN > CB_DECADES
# each level its own dashes and open marker
lvdash(l) = l eq "ws" ? 5 : l eq "l2" ? 3 : l eq "llc" ? 4 : 2
lvpoint(l) = l eq "ws" ? 10 : l eq "l2" ? 8 : l eq "llc" ? 4 : 6

@CB_PAGE
set xlabel "workers (threads or processes; threads for the triad)"
set ylabel (LOG ? "GB/s: bytes touched per map / median map time (log scale)" : "GB/s: bytes touched per map / median map time")
NR = 0
do for [i=1:NS] { NR = NR + !TR[i] }
if (NS <= 6) {
    set key below center horizontal Left reverse maxcols 2 samplen 2 spacing 1.05 width -1
} else {
    # many series: short titles, what they mean in the key's title, in
    # the page's own font (a small key was unreadable)
    set key below center horizontal Left reverse maxcols 3 samplen 1.5 spacing 1.0 width -2 \
        title "share of its triad at its largest worker count"
}
SHORT = NS > 6
set grid
set border 3
set tics nomirror
set xrange [(WMAX <= 16 ? 0.5 : 0) : (WMAX <= 16 ? WMAX + 0.5 : WMAX * 1.04)]
if (LOG) {
    set logscale y
    set yrange [YMIN / 1.5 : YMAX * 1.5]
} else {
    set yrange [0 : YMAX * 1.12]
}
if (WMAX <= 16) { set xtics 1 }

sel(i) = strcol("series") eq CB_T[i]
dash(i) = TR[i] ? lvdash(LV[i]) : cb_dash(i)
DX = (WMAX <= 16 ? 0.17 : WMAX * 0.01)
xof(i) = column("workers") + (TR[i] ? 0 : DX * cb_spread(i, NS))
stitle(i) = TR[i] ? CB_T[i] . " (probe)" : !ok(FR[i]) ? CB_T[i] : \
    SHORT ? CB_T[i] . ": " . cb_pct(FR[i]) . (FR[i] > 1 ? " (above: see note)" : "") : \
    CB_T[i] . sprintf(": %s of %s triad at %d", cb_pct(FR[i]), LV[i], W[i]) . (FR[i] > 1 ? " (above: see note)" : "")

plot for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(num("bytes_per_s") / GB) \
        with linespoints lw (TR[i] ? 1.5 : 2) dt dash(i) pt (TR[i] ? lvpoint(LV[i]) : cb_point(i)) ps 1.4 \
        lc rgb (TR[i] ? "black" : cb_color(i)) title stitle(i), \
     for [i=1:NS] ARG1 using (sel(i) && TR[i] ? xof(i) : NaN):(num("bytes_per_s") / GB): \
        (num("lo_bytes_per_s") / GB):(num("bytes_per_s") / GB) \
        with yerrorbars pt 0 lw 1 lc rgb "black" notitle
