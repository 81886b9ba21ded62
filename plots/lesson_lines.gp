# A line figure of `make lesson`: one line per series (an executor, or an
# executor variant), y against x, with the 95% CI as error bars.
#
# usage: gnuplot -d common.gp -c lesson_lines.gp DATA.tsv OUT.png TITLE \
#            XLABEL YLABEL LOGX LOGY IDEAL [PUS]
#   DATA columns: sid (1..N, series order), series, x, y, lo, hi
#   LOGX, LOGY: 1 for a log axis; IDEAL: 1 draws linear speedup, y = x up
#   to PUS (the machine's PUs) and flat beyond it: more workers than PUs
#   cannot go faster. With IDEAL the x axis is linear, whatever LOGX, so
#   that line is straight; PUS > 0 also marks where workers start to share
#   PUs (oversubscription).
# Series names are read from the data with strcol() and used as values;
# nothing from the data is pasted into a command.
if (ARGC < 8) { print "usage: see the header"; exit status 2 }
PUS = ARGC >= 9 ? int(ARG9) : 0
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
set xlabel ARG4
set ylabel ARG5
# a log x axis gets a tic at every x of the data (1, 2, 4, 8 workers;
# 100, 1000, 5000 us), not at powers of two it never measured
XMAX = 0
stats ARG1 using (XMAX = column("x") > XMAX ? column("x") : XMAX, 0) nooutput
if (int(ARG6) == 1 || int(ARG8) == 1) {
    if (int(ARG8) != 1) { set logscale x 2 }
    set xtics ()
    stats ARG1 using "x" nooutput
    do for [r = 0 : int(STATS_records) - 1] {
        stats ARG1 every ::r::r using (X = column("x"), 0) nooutput
        set xtics add (sprintf("%g", X) X)
    }
}
if (int(ARG7) == 1) {
    # span the data, not whole decades of empty space
    YMIN = 1e300
    YMAX = 0
    stats ARG1 using (v = column("lo"), YMIN = v > 0 && v < YMIN ? v : YMIN, \
                      v = column("hi"), YMAX = v > YMAX ? v : YMAX, 0) nooutput
    set logscale y
    set format y "%.0s %c"
    if (YMAX > 0) { set yrange [YMIN / 2 : YMAX * 2] }
}
if (int(ARG8) == 1) {
    set yrange [0 : *]
    if (PUS > 0 && XMAX > PUS) {
        set arrow from PUS, graph 0 to PUS, graph 1 nohead dt 2 lw 1.5 lc rgb "#888888"
        set label sprintf(" %d PUs: more workers share them", PUS) at PUS, graph 0.96 left textcolor rgb "#555555"
    }
}
ideal(x) = PUS > 0 && x > PUS ? PUS : x
set grid
set border 3
set tics nomirror
set offsets graph 0.04, graph 0.04, graph 0.05, graph 0.05
set key outside right top Left reverse samplen 2 spacing 1.1
sel(i) = int(column("sid")) == i
plot for [i=1:NS] ARG1 using "x":(sel(i) ? column("y") : NaN):"lo":"hi" \
        with yerrorlines lw 2.5 dt exdash(T[i]) pt expoint(T[i]) ps 1.5 \
        lc rgb excolor(T[i]) title T[i], \
     (int(ARG8) == 1 && x >= 1 && x <= XMAX ? ideal(x) : NaN) with lines dt 3 lw 1.5 lc rgb excolor("ideal") \
        title (int(ARG8) == 1 ? (PUS > 0 ? "ideal (linear up to the PUs)" : "ideal (linear)") : "")
