# A bar figure of `make lesson`: one bar per row, at x positions the caller
# chose (groups of bars), coloured by series, with the 95% CI as error bars
# and the value written above each bar. On a log axis (LOGY 1) the values
# are dots, not bars: a bar's length on a log axis says nothing (a 3.44 s
# bar would look 3x a 208 ms one, not 16x).
#
# usage: gnuplot -d common.gp -c lesson_bars.gp DATA.tsv OUT.png TITLE \
#            YLABEL LOGY
#   DATA columns: sid (1..N), series (names the colour), x, label (x tic
#   text), y, lo, hi, text (the value as printed above the bar)
# Strings from the data are read with strcol() and used as values only.
if (ARGC < 5) { print "usage: see the header"; exit status 2 }
set datafile separator "\t"
set datafile columnheaders
NS = 0
stats ARG1 using (NS = column("sid") > NS ? int(column("sid")) : NS) nooutput
if (NS < 1) { exit status 2 }
array T[NS]
do for [i=1:NS] { T[i] = "" }
stats ARG1 using (T[int(column("sid"))] = strcol("series"), 0) nooutput

set terminal pngcairo size CB_SIZE_X,CB_SIZE_Y font CB_FONT noenhanced
set output ARG2
set title ARG3
set ylabel ARG4
# a log axis spans the data, not whole decades of empty space
YMIN = 1e300
YMAX = 0
stats ARG1 using (v = column("lo"), YMIN = v > 0 && v < YMIN ? v : YMIN, \
                  v = column("hi"), YMAX = v > YMAX ? v : YMAX, 0) nooutput
if (int(ARG5) == 1 && YMAX > 0) {
    set logscale y
    # SI prefixes, with the unit when the axis is in seconds
    if (strstrt(ARG4, "seconds") == 1) { set format y "%.0s %cs" } else { set format y "%.0s %c" }
    set yrange [YMIN / 2.5 : YMAX * 3]
} else {
    set yrange [0:*]
}
set style fill solid 0.85 border -1
set boxwidth 0.7
set grid ytics
set border 3
set tics nomirror
set xtics rotate by -20 left
set offsets 0.6, 0.6, graph 0.14, 0
unset key
sel(i) = int(column("sid")) == i
plot ARG1 using "x":(1/0):xtic(strcol("label")) notitle, \
     for [i=1:NS] "" using "x":(sel(i) && int(ARG5) != 1 ? column("y") : NaN) \
        with boxes lc rgb excolor(T[i]) notitle, \
     for [i=1:NS] "" using "x":(sel(i) && int(ARG5) == 1 ? column("y") : NaN) \
        with points pt 7 ps 2.2 lc rgb excolor(T[i]) notitle, \
     "" using "x":"y":"lo":"hi" with yerrorbars lc rgb "#222222" pt 0 lw 1.5 notitle, \
     "" using "x":"hi":(strcol("text")) with labels offset 0,0.9 font "sans,12" notitle
