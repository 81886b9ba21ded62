# A line figure of `make lesson`: one line per series (an executor, or an
# executor variant), y against x, with the 95% CI as error bars.
#
# usage: gnuplot -d common.gp -c lesson_lines.gp DATA.tsv OUT.png TITLE \
#            XLABEL YLABEL LOGX LOGY IDEAL
#   DATA columns: sid (1..N, series order), series, x, y, lo, hi
#   LOGX, LOGY: 1 for a log axis; IDEAL: 1 draws y = x (linear speedup)
# Series names are read from the data with strcol() and used as values;
# nothing from the data is pasted into a command.
if (ARGC < 8) { print "usage: see the header"; exit status 2 }
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
if (int(ARG6) == 1) {
    set logscale x 2
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
    set format y "%.3g"
    if (YMAX > 0) { set yrange [YMIN / 2 : YMAX * 2] }
}
set grid
set border 3
set tics nomirror
set offsets graph 0.04, graph 0.04, graph 0.05, graph 0.05
set key outside right top Left reverse samplen 2 spacing 1.1
sel(i) = int(column("sid")) == i
plot for [i=1:NS] ARG1 using "x":(sel(i) ? column("y") : NaN):"lo":"hi" \
        with yerrorlines lw 2.5 dt exdash(T[i]) pt expoint(T[i]) ps 1.5 \
        lc rgb excolor(T[i]) title T[i], \
     (int(ARG8) == 1 ? x : NaN) with lines dt 3 lw 1.5 lc rgb excolor("ideal") \
        title (int(ARG8) == 1 ? "ideal (linear)" : "")
