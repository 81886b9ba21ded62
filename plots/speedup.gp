# Speedup vs workers for one kernel: one line per executor series with its
# bootstrap 95% CI as error bars, the ideal line y = x, and the Amdahl fit
# from the result file (dashed, same colour) where there is one.
#
# usage: gnuplot -c speedup.gp speedup.tsv OUT.png KID S0 S1
#   KID    kernel id (column kid); S0..S1 the series ids (column sid) to draw
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, series, machine) is read as data with strcol() and used as a
# value; none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 5) {
    print "usage: gnuplot -c speedup.gp DATA.tsv OUT.png KID S0 S1"
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

# Per series: title, colour, point type, Amdahl serial fraction.
array T[NS]
array C[NS]
array P[NS]
array F[NS]
array W[NS]
do for [i=1:NS] { T[i] = ""; C[i] = "#000000"; P[i] = 7; F[i] = NaN; W[i] = 1 }
KN = "?"
WMAX = 1
YMAX = 1
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
        Y = or(num("ci_hi"), num("speedup")), \
        YMAX = ok(Y) && Y > YMAX ? Y : YMAX, 0) : 0) nooutput

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
set title sprintf("Speedup vs workers: kernel %s", KN)
set xlabel "workers (threads or processes)" offset 0,0.4
set ylabel "speedup (serial median time / median time)"
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
set yrange [0 : (YMAX > WMAX ? YMAX : WMAX) * 1.08]
if (WMAX <= 16) { set xtics 1 }

amdahl(p, f) = 1.0 / (f + (1.0 - f) / p)
# curves only where workers were measured (by that series, for its fit)
inw(x, w) = x >= 1 && x <= w
sel(i) = int(column("sid")) == S0 + i - 1

plot for [i=1:NS] ARG1 using "workers":(sel(i) ? num("speedup") : NaN):(or(num("ci_lo"), num("speedup"))):(or(num("ci_hi"), num("speedup"))) \
        with yerrorlines lw 2 pt P[i] ps 1.4 lc rgb C[i] title T[i], \
     for [i=1:NS] (ok(F[i]) && inw(x, W[i]) ? amdahl(x, F[i]) : NaN) \
        with lines dt 2 lw 1.5 lc rgb C[i] notitle, \
     (inw(x, WMAX) ? x : NaN) with lines dt 3 lw 1.5 lc rgb "black" title "ideal (speedup = workers)", \
     keyentry with lines dt 2 lw 1.5 lc rgb "#666666" \
        title (HASF ? "Amdahl fit (dashed)" : "")
