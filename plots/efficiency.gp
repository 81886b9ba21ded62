# Parallel efficiency (speedup / workers) vs workers for one kernel: one
# line per executor series with its bootstrap 95% CI as error bars, the
# ideal efficiency 1, and the Amdahl fit from the result file (dashed, same
# colour) where there is one.
#
# usage: gnuplot -c efficiency.gp speedup.tsv OUT.png KID S0 S1
#   KID    kernel id (column kid); S0..S1 the series ids (column sid) to draw
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, series, machine) is read as data with strcol() and used as a
# value; none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 5) {
    print "usage: gnuplot -c efficiency.gp DATA.tsv OUT.png KID S0 S1"
    exit status 2
}
K = int(ARG3 + 0)
S0 = int(ARG4 + 0)
S1 = int(ARG5 + 0)
NS = S1 - S0 + 1
if (NS < 1) { exit status 2 }

set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""

array T[NS]
array C[NS]
array P[NS]
array F[NS]
array W[NS]
do for [i=1:NS] { T[i] = ""; C[i] = "#000000"; P[i] = 7; F[i] = NaN; W[i] = 1 }
KN = "?"
WMAX = 1
YMAX = 1.1
HASF = 0
# Undefined numbers are written "NaN"; gnuplot would drop the whole row on
# column() of such a cell, so read them through num(), which gives NaN.
num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v            # false for NaN
or(v, d) = ok(v) ? v : d  # a CI bound, or the value when there is none
pick(s) = s >= S0 && s <= S1
stats ARG1 using (int(column("kid")) == K ? (KN = strcol("kernel"), 0) : 0, \
    pick(int(column("sid"))) ? ( \
        I = int(column("sid")) - S0 + 1, \
        T[I] = strcol("series"), C[I] = strcol("color"), \
        P[I] = int(column("pt")), F[I] = num("amdahl_f"), \
        HASF = HASF || ok(num("amdahl_f")), \
        W[I] = column("workers") > W[I] ? column("workers") : W[I], \
        WMAX = column("workers") > WMAX ? column("workers") : WMAX, \
        Y = or(num("eff_hi"), num("efficiency")), \
        YMAX = ok(Y) && Y * 1.05 > YMAX ? Y * 1.05 : YMAX, 0) : 0) nooutput

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
set title sprintf("Parallel efficiency vs workers: kernel %s", KN)
set xlabel "workers (threads or processes)" offset 0,0.4
set ylabel "efficiency (speedup / workers)"
# Never over the data: below the plot in columns while that leaves it its
# height, else at the right in a smaller font (many series or machines).
if (NS + 1 + HASF <= 9) {
    set key below center horizontal Left reverse maxcols 3 samplen 2 spacing 1.05 width -1
} else {
    set key outside right top vertical Left reverse samplen 1.5 spacing 0.95 font ",10"
}
set grid
set border 3
set tics nomirror
set samples 400
set xrange [(WMAX <= 16 ? 0.5 : 0) : (WMAX <= 16 ? WMAX + 0.5 : WMAX * 1.04)]
set yrange [0 : YMAX]
set ytics 0.1
if (YMAX > 2) { set ytics autofreq }
if (WMAX <= 16) { set xtics 1 }

# Amdahl: speedup 1 / (f + (1 - f) / p), so efficiency 1 / (p f + 1 - f)
amdahl_eff(p, f) = 1.0 / (p * f + 1.0 - f)
# curves only where workers were measured (by that series, for its fit)
inw(x, w) = x >= 1 && x <= w
sel(i) = int(column("sid")) == S0 + i - 1

plot for [i=1:NS] ARG1 using "workers":(sel(i) ? num("efficiency") : NaN):(or(num("eff_lo"), num("efficiency"))):(or(num("eff_hi"), num("efficiency"))) \
        with yerrorlines lw 2 pt P[i] ps 1.4 lc rgb C[i] title T[i], \
     for [i=1:NS] (ok(F[i]) && inw(x, W[i]) ? amdahl_eff(x, F[i]) : NaN) \
        with lines dt 2 lw 1.5 lc rgb C[i] notitle, \
     (inw(x, WMAX) ? 1 : NaN) with lines dt 3 lw 1.5 lc rgb "black" title "ideal (efficiency = 1)", \
     keyentry with lines dt 2 lw 1.5 lc rgb "#666666" \
        title (HASF ? "Amdahl fit (dashed)" : "")
