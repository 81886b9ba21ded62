# Shared by corebench's gnuplot scripts, loaded before each one:
#   gnuplot -d plots/common.gp -c plots/SCRIPT.gp ARGS...
# One colour per executor, the same in every figure and every report, so a
# reader who learns "green is processes" once can read every figure.
# Colour-blind safe where it matters (Okabe-Ito for the C executors); the
# CPython executors take a darker shade of their C counterpart's hue.
# excolor() takes a series name and looks at its first word, so
# "py-threads si=100us" is coloured as py-threads.

exname(s) = (strstrt(s, " ") > 0) ? s[1:strstrt(s, " ") - 1] : s
excolor(s) = \
    exname(s) eq "serial"               ? "#555555" : \
    exname(s) eq "threads"              ? "#0072B2" : \
    exname(s) eq "thread-pool"          ? "#56B4E9" : \
    exname(s) eq "gil"                  ? "#D55E00" : \
    exname(s) eq "processes"            ? "#009E73" : \
    exname(s) eq "process-pool"         ? "#E69F00" : \
    exname(s) eq "openmp"               ? "#CC79A7" : \
    exname(s) eq "mpi"                  ? "#6A3D9A" : \
    exname(s) eq "py-serial"            ? "#222222" : \
    exname(s) eq "py-threads"           ? "#8B1A1A" : \
    exname(s) eq "py-processes"         ? "#00563B" : \
    exname(s) eq "py-processes-chunked" ? "#7A5C00" : \
    exname(s) eq "ideal"                ? "#999999" : "#444444"
# CPython executors are drawn dashed beside their solid C counterparts
exdash(s) = (exname(s)[1:3] eq "py-") ? 2 : 1
expoint(s) = (exname(s)[1:3] eq "py-") ? 6 : 7

# Fonts big enough for a slide; every figure the same size.
CB_FONT = "sans,14"
CB_SIZE_X = 1000
CB_SIZE_Y = 620
