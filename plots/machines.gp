# The same kernel on several machines: one group of bars per result file
# (host name and topology fingerprint), one bar per executor series at the
# largest worker count that file measured for it (written above the bar),
# with the bootstrap 95% CI as a vertical line. The dashed line at 1 is the
# serial time of the same machine.
#
# usage: gnuplot -c machines.gp machines.tsv OUT.png KID NBARS NMACHINES
#   KID    kernel id (column kid); bars are numbered 0..NBARS-1 (column
#   bar) and machines 0..NMACHINES-1 (column mid) within the kernel
#
# Written by `corebench report`. Every string here that comes from a result
# file (kernel, host, series) is read as data with strcol() and used as a
# value; none is ever pasted into a command, and no path is macro-expanded.

if (ARGC < 5) {
    print "usage: gnuplot -c machines.gp DATA.tsv OUT.png KID NBARS NMACHINES"
    exit status 2
}
K = int(ARG3 + 0)
NB = int(ARG4 + 0)
NM = int(ARG5 + 0)
if (NB < 1 || NM < 1) { exit status 2 }

set datafile separator "\t"
set datafile columnheaders
set datafile commentschars ""

num(c) = (strcol(c) eq "NaN" || strcol(c) eq "") ? NaN : column(c)
ok(v) = v == v
or(v, d) = ok(v) ? v : d

array T[NB]
array C[NB]
array V[NB]
array M[NM]
do for [i=1:NB] { T[i] = ""; C[i] = "#000000"; V[i] = 0 }
do for [i=1:NM] { M[i] = "" }
KN = "?"
YMAX = 1
stats ARG1 using (int(column("kid")) == K ? ( \
        B = int(column("bar")) + 1, J = int(column("mid")) + 1, \
        KN = strcol("kernel"), \
        T[B] = strcol("series"), C[B] = strcol("color"), \
        M[J] = strcol("machine") . "\n" . strcol("topology"), \
        Y = or(num("ci_hi"), num("speedup")), \
        YMAX = ok(Y) && Y > YMAX ? Y : YMAX, 0) : 0) nooutput
# Variants of one executor share its colour: tell them apart by shade.
shade(v) = v < 3 ? 0.85 - 0.25 * v : 0.25
do for [i=2:NB] {
    do for [j=1:i-1] { if (C[j] eq C[i]) { V[i] = V[i] + 1 } }
}

BW = 0.8 / NB
xpos(m, b) = m + (b - (NB - 1) / 2.0) * BW
on(v) = int(column("kid")) == K ? v : NaN
sel(i) = int(column("kid")) == K && int(column("bar")) == i - 1

set terminal pngcairo size 900,600 font "sans,12" noenhanced
set output ARG2
set title sprintf("Speedup at the largest worker count, per machine: kernel %s", KN)
set ylabel "speedup (serial median time / median time)"
set yrange [0 : YMAX * 1.15]
set xrange [-0.5 : NM - 0.5]
set xtics () scale 0 font ",11"
do for [i=1:NM] { set xtics add (M[i] i - 1) }
set grid ytics
set border 3
set tics nomirror
# At the right: below, it would collide with the two-line machine labels.
set key outside right top vertical Left reverse samplen 1.5 spacing 1.1
set boxwidth BW * 0.92 absolute
set bmargin 5

plot for [i=1:NB] ARG1 using (on(xpos(column("mid"), column("bar")))):(sel(i) ? num("speedup") : NaN) \
        with boxes fs solid shade(V[i]) border lc rgb "#333333" lc rgb C[i] title T[i], \
     ARG1 using (on(xpos(column("mid"), column("bar")))):(on(or(num("ci_lo"), num("speedup")))):(0):(or(num("ci_hi"), num("speedup")) - or(num("ci_lo"), num("speedup"))) \
        with vectors nohead lw 1.5 lc rgb "#222222" notitle, \
     ARG1 using (on(xpos(column("mid"), column("bar")))):(on(or(num("ci_hi"), num("speedup")))):(sprintf("%d", column("workers"))) \
        with labels offset 0,0.7 font ",9" notitle, \
     1 with lines dt 2 lw 1.5 lc rgb "#555555" title "1 = serial time", \
     keyentry with labels title "above bars: workers"
