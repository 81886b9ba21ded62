# Achieved bandwidth vs workers for one memory-bound kernel (one with
# work.bytes_touched): one line per executor series, bytes touched per map /
# median map time, against the STREAM triad bandwidth the probe measured on
# the same machine at 1..N threads, one dashed curve per working-set level
# (l2, llc, dram: black, dash type by level). The key gives each series'
# fraction of the triad of the level its working set fits at its largest
# worker count; above 100% it points to the reason in ceilings.tsv.
#
# usage: gnuplot -c ceilings.gp ceilings.tsv OUT.png KID C0 C1 NF triad.tsv
#   KID    kernel id (column kid); C0..C1 the series ids (column cid) to draw
#   NF     number of result files (column fid of both tables is 0..NF-1)
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, series, machine) is read as data with strcol() and used as a
# value; none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 7) {
    print "usage: gnuplot -c ceilings.gp DATA.tsv OUT.png KID C0 C1 NF TRIAD.tsv"
    exit status 2
}
K = int(ARG3 + 0)
C0 = int(ARG4 + 0)
C1 = int(ARG5 + 0)
NF = int(ARG6 + 0)
NS = C1 - C0 + 1
if (NS < 1 || NF < 1) { exit status 2 }

set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""

# Per series: title, colour, point type, largest workers and the fraction
# of the triad there. Per file: whether this kernel has runs from it, and
# its machine label.
array T[NS]
array C[NS]
array P[NS]
array W[NS]
array FR[NS]
array LV[NS]
do for [i=1:NS] { T[i] = ""; C[i] = "#000000"; P[i] = 7; W[i] = 0; FR[i] = NaN; LV[i] = "" }
array U[NF]
array M[NF]
do for [f=1:NF] { U[f] = 0; M[f] = "" }
KN = "?"
WMAX = 1
TMAX = 1
YMAX = 0
# Undefined numbers are written "NaN"; gnuplot would drop the whole row on
# column() of such a cell, so read them through num(), which gives NaN.
num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v            # false for NaN
GB = 1e9
pick(s) = s >= C0 && s <= C1
fidok(f) = f >= 1 && f <= NF
stats ARG1 using (int(column("kid")) == K && pick(int(column("cid"))) ? ( \
        I = int(column("cid")) - C0 + 1, \
        KN = strcol("kernel"), \
        T[I] = strcol("series"), C[I] = strcol("color"), P[I] = int(column("pt")), \
        FR[I] = column("workers") >= W[I] ? num("fraction") : FR[I], \
        LV[I] = column("workers") >= W[I] ? strcol("level") : LV[I], \
        W[I] = column("workers") >= W[I] ? column("workers") : W[I], \
        WMAX = column("workers") > WMAX ? column("workers") : WMAX, \
        Y = num("achieved") / GB, \
        YMAX = ok(Y) && Y > YMAX ? Y : YMAX, \
        F = int(column("fid")) + 1, \
        fidok(F) ? (U[F] = 1) : 0, 0) : 0) nooutput

# the triad curves of the machines this kernel ran on, one per level
NU = 0
NL = 1
array LN[8]
do for [l=1:8] { LN[l] = "" }
stats ARG7 using (F = int(column("fid")) + 1, fidok(F) && U[F] ? ( \
        M[F] = strcol("machine"), \
        L = int(column("lid")) + 1, \
        L >= 1 && L <= 8 ? (LN[L] = strcol("level"), NL = L > NL ? L : NL) : 0, \
        TMAX = column("threads") > TMAX ? column("threads") : TMAX, \
        Y = num("bytes_per_s") / GB, \
        YMAX = ok(Y) && Y > YMAX ? Y : YMAX, 0) : 0) nooutput
do for [f=1:NF] { NU = NU + U[f] }
if (YMAX <= 0) { YMAX = 1 }

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
# The title is centred on the canvas, not over the plot, which a key at
# the right narrows.
set title " "
set label 1 sprintf("Achieved bandwidth vs the STREAM triad ceiling: kernel %s", KN) \
    at screen 0.5, screen 0.965 center
set xlabel "workers (threads or processes; threads for the triad)" offset 0,0.4
set ylabel "GB/s (bytes touched per map / median map time)"
# Never over the data: below the plot in two columns while that leaves it
# most of its height, else at the right in a smaller font with shorter
# titles (many series or machines).
SHORT = 0
if (NS + NU <= 6) {
    set key below center horizontal Left reverse maxcols 2 samplen 2 spacing 1.05 width -1 height 1
} else { if (NS + NU <= 12) {
    set key below center horizontal Left reverse maxcols 2 samplen 2 spacing 0.95 width -1 height 1 font ",10"
} else {
    SHORT = 1
    set key outside right top vertical Left reverse samplen 1.5 spacing 0.95 font ",10" \
        title "series: % of triad at its largest worker count"
} }
set grid
set border 3
set tics nomirror
XM = WMAX > TMAX ? WMAX : TMAX
set xrange [(XM <= 16 ? 0.5 : 0) : (XM <= 16 ? XM + 0.5 : XM * 1.04)]
set yrange [0 : YMAX * 1.12]
if (XM <= 16) { set xtics 1 }

sel(i) = int(column("cid")) == C0 + i - 1
tsel(f, l) = int(column("fid")) == f - 1 && int(column("lid")) == l - 1
above(i) = ok(FR[i]) && FR[i] > 1 ? " (above it: see note, ceilings.tsv)" : ""
stitle(i) = !ok(FR[i]) ? T[i] : SHORT ? T[i] . sprintf(": %.0f%%", 100 * FR[i]) . (FR[i] > 1 ? "*" : "") : \
    T[i] . sprintf(": %.0f%% of %s triad at %d worker%s", 100 * FR[i], LV[i], W[i], W[i] == 1 ? "" : "s") . above(i)
ttitle(f, l) = "STREAM triad in " . LN[l] . (NF > 1 ? " (probe) @ " . M[f] : " (probe)")

plot for [f=1:NF] for [l=1:NL] ARG7 using "threads":(U[f] && tsel(f, l) ? num("bytes_per_s") / GB : NaN) \
        with linespoints dt 2+(l-1+f-1)%4 lw 2 pt 6 ps 1.3 lc rgb (l == NL ? "black" : "gray40") \
        title (U[f] && LN[l] ne "" ? ttitle(f, l) : ""), \
     for [i=1:NS] ARG1 using "workers":(sel(i) ? num("achieved") / GB : NaN) \
        with linespoints lw 2 pt P[i] ps 1.4 lc rgb C[i] title stitle(i)
