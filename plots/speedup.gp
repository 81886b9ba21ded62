# Speedup or parallel efficiency vs workers for one kernel: one line per
# series (colour: the executor, common.gp; variants of one executor: other
# markers) with its bootstrap 95% interval, the ideal (speedup = workers,
# efficiency = 1; past the machine's PUs, when all rows come from machines
# with the same count, flat at that count: more workers than PUs cannot go
# faster, and a dashed line marks where they start sharing PUs), and the
# series' Amdahl fit (dashed, same colour) where there is one. Series at the
# same worker count are drawn side by side, a little apart (never so far
# that a point reads as another worker count), so none hides another.
#
# usage: gnuplot -d common.gp -c speedup.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's speedup-K.tsv (columns series, workers,
#   speedup, speedup_lo, speedup_hi, amdahl_f, pus, boundary) or
#   efficiency-K.tsv (the same with efficiency, efficiency_lo,
#   efficiency_hi): the 5th column's name says which. A row's boundary
#   ("1 socket, all cores", "-" for none) draws a dotted vertical line with
#   its label at that worker count.
#
# Strings from the data (series names) are read with strcol() and used as
# values; nothing from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
stats ARG1 every ::0::0 using (Y = columnhead(5), 0) nooutput
EFF = (Y eq "efficiency")
Y = EFF ? "efficiency" : "speedup"
@CB_SERIES
if (CB_NS < 1) { exit status 2 }
NS = CB_NS
array F[NS]
array W[NS]
do for [i=1:NS] { F[i] = NaN; W[i] = 1 }
WMAX = 1
YMAX = 1
HASF = 0
PMIN = 0
PMAX = 0
idx(s) = sum [j=1:NS] (CB_T[j] eq s ? j : 0)
stats ARG1 using (I = idx(strcol("series")), \
        F[I] = num("amdahl_f"), HASF = HASF || ok(num("amdahl_f")), \
        W[I] = column("workers") > W[I] ? column("workers") : W[I], \
        WMAX = column("workers") > WMAX ? column("workers") : WMAX, \
        V = or(num(Y . "_hi"), num(Y)), \
        YMAX = ok(V) && V > YMAX ? V : YMAX, \
        P = num("pus"), PMIN = ok(P) && (PMIN == 0 || P < PMIN) ? P : PMIN, \
        PMAX = ok(P) && P > PMAX ? P : PMAX, 0) nooutput
PUS = PMIN == PMAX ? PMIN : 0
# the topology boundaries the rows mark ("1 socket", "all cores"; column
# "boundary", "-" for none): one dotted grey line and label each
array BW[32]
array BL[32]
NB = 0
isb(w) = sum [j=1:NB] (BW[j] == w ? 1 : 0)
addb(w, b) = (b eq "-" || b eq "" || NB >= 32 || isb(w) > 0) ? 0 : \
             (NB = NB + 1, BW[NB] = w, BL[NB] = b, 0)
stats ARG1 using (addb(column("workers"), strcol("boundary"))) nooutput

@CB_PAGE
set xlabel "workers (threads or processes)"
set ylabel (EFF ? "efficiency (speedup / workers)" : "speedup (baseline p25 / p25)")
# Never over the data: below the plot while that leaves it its height,
# else at the right in a smaller font (many series or machines).
if (NS + 1 + HASF <= 9) {
    set key below center horizontal Left reverse maxcols 3 samplen 2 spacing 1.05 width -1
} else {
    set key outside right top vertical Left reverse samplen 1.5 spacing 0.95 font CB_SMALL
}
set grid
set border 3
set tics nomirror
set samples 400
set xrange [(WMAX <= 16 ? 0.5 : 0) : (WMAX <= 16 ? WMAX + 0.5 : WMAX * 1.04)]
if (EFF) {
    set yrange [0 : (YMAX > 1 ? YMAX : 1) * 1.08]
} else {
    TOP = PUS > 0 && PUS < WMAX ? PUS : WMAX
    set yrange [0 : (YMAX > TOP ? YMAX : TOP) * 1.08]
}
if (PUS > 0 && WMAX > PUS) {
    set arrow from PUS, graph 0 to PUS, graph 1 nohead dt 2 lw 1.5 lc rgb "#888888"
    set label sprintf(" %d PUs", PUS) at PUS, graph 0.97 left textcolor rgb "#555555"
}
if (WMAX <= 16) { set xtics 1 }
do for [i=1:NB] {
    set arrow from BW[i], graph 0 to BW[i], graph 1 nohead dt 3 lw 1 lc rgb "#aaaaaa" back
    set label BL[i] at BW[i], graph 0.03 rotate by 90 left offset -0.6, 0 font CB_SMALL textcolor rgb "#777777" back
}

amdahl(p, f) = 1.0 / (f + (1.0 - f) / p)
curve(p, f) = EFF ? amdahl(p, f) / p : amdahl(p, f)
ideal(p) = PUS > 0 && p > PUS ? (EFF ? PUS / p : PUS) : (EFF ? 1 : p)
# curves only where workers were measured (by that series, for its fit)
inw(x, w) = x >= 1 && x <= w
# side by side: at most a sixth of a worker apart in all
DX = (WMAX <= 16 ? 0.16 : WMAX * 0.012)
sel(i) = strcol("series") eq CB_T[i]
xof(i) = column("workers") + DX * cb_spread(i, NS)

plot for [i=1:NS] ARG1 using (sel(i) ? xof(i) : NaN):(num(Y)):(or(num(Y . "_lo"), num(Y))):(or(num(Y . "_hi"), num(Y))) \
        with yerrorlines lw 2 dt cb_dash(i) pt cb_point(i) ps 1.5 lc rgb cb_color(i) title CB_T[i], \
     for [i=1:NS] (ok(F[i]) && inw(x, W[i]) ? curve(x, F[i]) : NaN) \
        with lines dt 2 lw 1.5 lc rgb cb_color(i) notitle, \
     (inw(x, WMAX) ? ideal(x) : NaN) with lines dt 3 lw 1.5 lc rgb "black" \
        title (EFF ? "ideal (efficiency = 1" . (PUS > 0 && WMAX > PUS ? " up to the PUs)" : ")") : "ideal (speedup = workers" . (PUS > 0 && WMAX > PUS ? " up to the PUs)" : ")")), \
     keyentry with lines dt 2 lw 1.5 lc rgb "#666666" \
        title (HASF ? "Amdahl fit (dashed)" : "")
