# Why not ideal, for one kernel: one bar per configuration. From 0 its
# measured efficiency (speedup / workers), dark, then stacked above it
# what each factor of the efficiency budget lost (docs/EFFICIENCY.md), in
# efficiency points: computation
# scaling, interference, serialisation (lock wait), dispatch and transfer,
# load balance, and the unexplained rest (grey, hatched), up to the ideal
# (the dashed line at 1). A factor above 1 is a gain: it offsets losses,
# so the stack of losses then rises past the ideal by the gains, and that
# part is drawn hatched over the bar ("offset by gains"). Above each bar:
# its efficiency.
#
# usage: gnuplot -d common.gp -c budget.gp DATA.tsv OUT.png TITLE FOOTER
#   DATA: corebench report's budget-K.tsv (series, workers, efficiency,
#   lost_computation_scaling, lost_interference, lost_serialisation,
#   lost_transfer, lost_load_balance, lost_unexplained, ...), one row per
#   bar
#
# Strings from the data are read with strcol() and used as values; nothing
# from the data or the arguments is run as a command.
if (ARGC < 4) { print "usage: see the header"; exit status 2 }
z(v) = ok(v) && v > 0 ? v : 0
E(d) = z(num("efficiency"))
c1(d) = E(0) + z(num("lost_computation_scaling"))
c2(d) = c1(0) + z(num("lost_interference"))
c3(d) = c2(0) + z(num("lost_serialisation"))
c4(d) = c3(0) + z(num("lost_transfer"))
c5(d) = c4(0) + z(num("lost_load_balance"))
c6(d) = c5(0) + z(num("lost_unexplained"))
NB = 0
TMAX = 1
stats ARG1 using (NB = NB + 1, T = c6(0), TMAX = T > TMAX ? T : TMAX, 0) nooutput
if (NB < 1) { exit status 2 }
array L[NB]
stats ARG1 using (L[int($0) + 1] = strcol("series"), 0) nooutput

@CB_PAGE
set ylabel "efficiency, then what was lost"
set yrange [0 : TMAX * 1.18]
set xrange [-0.6 : NB - 0.4]
set grid ytics
set border 3
set tics nomirror
XFONT = NB > 10 ? CB_SMALL : CB_FONT
set xtics rotate by 30 right scale 0 offset 0.5,0 font XFONT
set key outside right top vertical Left reverse samplen 1.5 width 0 font CB_SMALL
set lmargin 12
set style fill border lc rgb "#333333"
set boxwidth 0.65
set xtics ()
do for [i=1:NB] { set xtics add (L[i] i - 1) }
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lw 1.5 lc rgb "#333333" front

# Okabe-Ito colours for the factors, apart from the executors' own
COL_SCALE = "#0072B2"
COL_INTERF = "#E69F00"
COL_SERIAL = "#CC79A7"
COL_XFER = "#D55E00"
COL_BAL = "#009E73"
COL_UNEXP = "#999999"
COL_EFF = "#3B4A5A"

# Overlapping boxes from the top of the stack down to the efficiency,
# which stacks them without gnuplot's histogram mode; the gains over the
# ideal as hatched boxes from 1 up.
plot ARG1 using 0:(c6(0)) with boxes fs pattern 2 lc rgb COL_UNEXP notitle, \
     '' using 0:(c5(0)) with boxes fs solid 0.85 lc rgb COL_BAL notitle, \
     '' using 0:(c4(0)) with boxes fs solid 0.85 lc rgb COL_XFER notitle, \
     '' using 0:(c3(0)) with boxes fs solid 0.85 lc rgb COL_SERIAL notitle, \
     '' using 0:(c2(0)) with boxes fs solid 0.85 lc rgb COL_INTERF notitle, \
     '' using 0:(c1(0)) with boxes fs solid 0.85 lc rgb COL_SCALE notitle, \
     '' using 0:(E(0)) with boxes fs solid 0.85 lc rgb COL_EFF notitle, \
     '' using 0:(c6(0) > 1.0005 ? (1 + c6(0)) / 2 : NaN):(0.325):(c6(0) > 1 ? (c6(0) - 1) / 2 : 0) \
        with boxxyerror fs pattern 5 transparent lc rgb "#333333" notitle, \
     '' using 0:(c6(0)):(sprintf("%.2f", E(0))) \
        with labels offset 0,0.7 font CB_SMALL notitle, \
     keyentry with lines dt 2 lw 1.5 lc rgb "#333333" title "ideal (1)", \
     keyentry with boxes fs solid 0.85 lc rgb COL_EFF title "efficiency (measured)", \
     keyentry with boxes fs solid 0.85 lc rgb COL_SCALE title "computation scaling", \
     keyentry with boxes fs solid 0.85 lc rgb COL_INTERF title "interference", \
     keyentry with boxes fs solid 0.85 lc rgb COL_SERIAL title "serialisation", \
     keyentry with boxes fs solid 0.85 lc rgb COL_XFER title "dispatch and transfer", \
     keyentry with boxes fs solid 0.85 lc rgb COL_BAL title "load balance", \
     keyentry with boxes fs pattern 2 lc rgb COL_UNEXP title "unexplained", \
     keyentry with boxes fs pattern 5 lc rgb "#333333" title "offset by gains"
