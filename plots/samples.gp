# Every sample of one kernel: one strip per configuration (series and
# worker count), each measured map time a point in the executor's colour
# at its distance from the configuration's median (percent: so a 2 ms and
# a 2 s configuration show their spread on one axis), spread sideways by
# its index so equal times stay visible, outliers (modified z-score > 3.5,
# kept in the statistics) as open squares, samples set aside as
# interfered (left out of the statistics) as crosses. The medians are in
# the speedup and breakdown figures.
#
# usage: gnuplot -d common.gp -c samples.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's samples-K.tsv (series "label w=N", sample,
#   time_s, outlier, median_s, set_aside), each configuration's rows
#   consecutive
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
# configurations: consecutive rows of one series ("label w=N")
cfg(d) = strcol("series")
NC = 0
LAST = ""
stats ARG1 using (cfg(0) ne LAST ? (NC = NC + 1, LAST = cfg(0)) : 0, 0) nooutput
if (NC < 1) { exit status 2 }
array C[NC]
NC = 0
LAST = ""
YMIN = 0
YMAX = 0
NMAX = 1
dev(d) = 100 * (num("time_s") / num("median_s") - 1)
stats ARG1 using (cfg(0) ne LAST ? (NC = NC + 1, LAST = cfg(0), C[NC] = LAST) : 0, Y = dev(0), \
        NMAX = column("sample") > NMAX ? column("sample") : NMAX, \
        YMAX = ok(Y) && Y > YMAX ? Y : YMAX, \
        YMIN = ok(Y) && Y < YMIN ? Y : YMIN, 0) nooutput
# at least +-1%: a quiet configuration does not look noisy
YMAX = YMAX > 1 ? YMAX : 1
YMIN = YMIN < -1 ? YMIN : -1

@CB_PAGE
set ylabel "map time vs its configuration's median"
set format y "%+g%%"
set yrange [YMIN - (YMAX - YMIN) * 0.08 : YMAX + (YMAX - YMIN) * 0.08]
set xrange [0.4 : NC + 0.6]
set grid ytics
set rmargin 4
set border 3
set tics nomirror
XFONT = NC > 10 ? CB_SMALL : CB_FONT
set xtics () rotate by 30 right scale 0 offset 0.5,0 font XFONT
do for [i=1:NC] { set xtics add (C[i] i) }
set key below center horizontal Left reverse samplen 1 width 0
sel(i) = cfg(0) eq C[i]
# spread: samples 1..NMAX over +-0.3 of the strip
xof(i) = i + 0.6 * (NMAX > 1 ? (column("sample") - 1) / (NMAX - 1.0) - 0.5 : 0)

plot 0 with lines lw 2.5 lc rgb "black" title "median", \
     for [i=1:NC] ARG1 using (sel(i) && num("set_aside") != 1 && num("outlier") != 1 ? xof(i) : NaN):(dev(0)) \
        with points pt 7 ps 1.1 lc rgb excolor(C[i]) notitle, \
     for [i=1:NC] ARG1 using (sel(i) && num("set_aside") != 1 && num("outlier") == 1 ? xof(i) : NaN):(dev(0)) \
        with points pt 4 ps 1.8 lw 2 lc rgb excolor(C[i]) notitle, \
     for [i=1:NC] ARG1 using (sel(i) && num("set_aside") == 1 ? xof(i) : NaN):(dev(0)) \
        with points pt 2 ps 1.6 lw 2 lc rgb excolor(C[i]) notitle, \
     ARG1 using (NaN):(NaN) with points pt 7 lc rgb "#777777" title "a sample", \
     ARG1 using (NaN):(NaN) with points pt 4 ps 1.8 lw 2 lc rgb "#777777" title "an outlier", \
     ARG1 using (NaN):(NaN) with points pt 2 ps 1.6 lw 2 lc rgb "#777777" title "set aside (interfered)"
