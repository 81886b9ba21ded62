# The same kernel on several machines: one group of bars per machine (host
# and topology summary), one bar per series (the executor's colour; its
# variants lighter) at that machine's largest worker count. Left: the
# median time with its 95% interval (absolute: how fast the machine is;
# log scale where the times span decades, and then dots instead of bars: a
# bar's length on a log axis says nothing); right: the speedup over the
# same machine's baseline with its interval (black lines) (relative: how well it
# scales), the dashed line at 1 the baseline itself.
#
# usage: gnuplot -d common.gp -c machines.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's machines-K.tsv (series, machine, workers,
#   median_s, median_lo_s, median_hi_s, speedup, speedup_lo, speedup_hi),
#   each series' rows consecutive
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
@CB_SERIES
if (CB_NS < 1) { exit status 2 }
NS = CB_NS
# machines, in order of first appearance
NM = 0
array MM[64]
do for [i=1:64] { MM[i] = "" }
midx(s) = sum [j=1:NM] (MM[j] eq s ? j : 0)
stats ARG1 using (M = strcol("machine"), midx(M) == 0 && NM < 64 ? (NM = NM + 1, MM[NM] = M) : 0, 0) nooutput
if (NM < 1) { exit status 2 }
TMIN = NaN
TMAX = 0
SMAX = 1
stats ARG1 using (Y = or(num("median_hi_s"), num("median_s")), TMAX = ok(Y) && Y > TMAX ? Y : TMAX, \
        Y = or(num("median_lo_s"), num("median_s")), TMIN = ok(Y) && Y > 0 && !(Y >= TMIN) ? Y : TMIN, \
        Y = or(num("speedup_hi"), num("speedup")), SMAX = ok(Y) && Y > SMAX ? Y : SMAX, 0) nooutput
LOG = ok(TMIN) && TMAX / TMIN > CB_DECADES
# a tic label per machine: the host, then the topology on two lines of its
# own ("(1 pkg," / "4 cores, 8 PUs)"), narrow enough for machines side by side
topo2(t) = strstrt(t, ", ") > 0 ? t[1:strstrt(t, ", ")] . "\n" . t[strstrt(t, ", ") + 2:] : t
two(s) = strstrt(s, " (") > 0 ? s[1:strstrt(s, " (") - 1] . "\n" . topo2(s[strstrt(s, " (") + 1:]) : s

BW = 0.8 / NS
xof(i) = midx(strcol("machine")) - 1 + (i - (NS + 1) / 2.0) * BW
sel(i) = strcol("series") eq CB_T[i]
# variants of one executor share its colour: lighter fills tell them apart
shade(i) = 0.9 - 0.3 * (cb_variant(i) % 3)

@CB_PAGE
set multiplot title ARG3 font ",16"
unset title
set size 0.5, 0.78
set grid ytics
set border 3
set tics nomirror
set xrange [-0.5 : NM - 0.5]
set xtics () scale 0 font CB_SMALL
do for [i=1:NM] { set xtics add (two(MM[i]) i - 1) }
set boxwidth BW * 0.92 absolute
set bmargin 5
unset key

# left: median time
set origin 0, 0.16
set ylabel (LOG ? "median time (log scale)" : "median time")
set format y "%.0s %cs"
if (LOG) {
    set logscale y
    set yrange [TMIN / 2 : TMAX * 2]
} else {
    set yrange [0 : TMAX * 1.12]
}
BASE = LOG ? TMIN / 2 : 0
plot for [i=1:NS] ARG1 using (sel(i) && !LOG ? xof(i) : NaN):(num("median_s") > BASE ? num("median_s") : BASE) \
        with boxes fs solid shade(i) border lc rgb "#333333" lc rgb cb_color(i) notitle, \
     for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(or(num("median_lo_s"), num("median_s"))):(0):(or(num("median_hi_s"), num("median_s")) - or(num("median_lo_s"), num("median_s"))) \
        with vectors nohead lw 2 lc rgb "#222222" notitle, \
     for [i=1:NS] ARG1 using (sel(i) && LOG ? xof(i) : NaN):(num("median_s")) \
        with points pt 7 ps 1.6 lc rgb cb_color(i) notitle

# right: speedup
unset logscale y
set origin 0.5, 0.16
set ylabel "speedup over its baseline"
set format y "%g"
set yrange [0 : SMAX * 1.12]
plot for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(num("speedup")) \
        with boxes fs solid shade(i) border lc rgb "#333333" lc rgb cb_color(i) notitle, \
     for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(or(num("speedup_lo"), num("speedup"))):(0):(or(num("speedup_hi"), num("speedup")) - or(num("speedup_lo"), num("speedup"))) \
        with vectors nohead lw 2 lc rgb "#222222" notitle, \
     1 with lines dt 2 lw 1.5 lc rgb excolor("serial") notitle

# the key, once, under both
set origin 0, CB_FOOT
set size 1, 0.17 - CB_FOOT
unset border
unset tics
unset xlabel
unset ylabel
unset grid
set xrange [0 : 1]
set yrange [0 : 1]
set key center center horizontal Left reverse maxcols 4 samplen 1.5 width 0 font CB_SMALL
plot NaN notitle, \
     for [i=1:NS] keyentry with boxes fs solid shade(i) border lc rgb "#333333" lc rgb cb_color(i) title CB_T[i], \
     keyentry with lines dt 2 lw 1.5 lc rgb excolor("serial") title "1 = the baseline"
unset multiplot
