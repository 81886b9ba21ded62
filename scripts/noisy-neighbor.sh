#!/usr/bin/env bash
# A noisy neighbour you can summon: loads the machine as another guest on
# the same host does, in CPU bursts of random length on random CPUs at a
# set duty cycle, and logs each burst, so a sweep run meanwhile can be
# checked against it (scripts/neighbor-check.py: which samples a burst
# slowed, and whether corebench flagged them).
#
# usage: scripts/noisy-neighbor.sh [--duty PCT] [--duration SECONDS]
#            [--burst-ms MIN-MAX] [--cpus LIST] [--seed N] [--log FILE]
#
#   --duty PCT         share of the time a burst is running, 1..100 [20]
#                      (one burst at a time: 20 on 2 CPUs loads 10% of the
#                      machine); the gaps between bursts are random, on
#                      average burst * (100 - PCT) / PCT
#   --duration S       stop by itself after S seconds, 1..86400 [180]
#   --burst-ms MIN-MAX burst length, uniform in [MIN, MAX] ms, 1..60000
#                      [20-500]
#   --cpus LIST        CPUs to pick from, comma-separated numbers [the
#                      CPUs this script may run on]
#   --seed N           random seed, 0..32767 [the clock]
#   --log FILE         where each burst goes [noisy-neighbor.log]
#
# The log: one comment line ("# noisy-neighbor duty=20 ..."), then one line
# per finished burst, "CPU START END", START and END CLOCK_REALTIME epoch
# seconds with microseconds, the span the burst's process ran (a burst cut
# by the end or a signal is logged with the time it ended).
#
# Bounded: no burst runs past the duration (the last one is cut), each
# burst is its own process under `timeout`, so it ends by itself even if
# this script is killed with SIGKILL; SIGTERM, SIGINT or SIGHUP end the
# script and its burst at once; and when the process that started it goes
# away (its parent changes), it stops after the current burst.
set -u

die() {
    printf 'noisy-neighbor: %s\n' "$1" >&2
    exit 2
}
isint() { [[ $1 =~ ^[0-9]+$ ]] && [ "${#1}" -le 9 ]; }

duty=20 duration=180 bmin=20 bmax=500 cpus= seed= log=noisy-neighbor.log
while [ $# -gt 0 ]; do
    opt=$1
    case $opt in
    --duty | --duration | --burst-ms | --cpus | --seed | --log)
        [ $# -ge 2 ] || die "$opt needs a value (see --help for what is accepted)"
        val=$2
        shift 2
        ;;
    --*=*)
        val=${opt#*=}
        opt=${opt%%=*}
        shift
        ;;
    -h | --help)
        sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        die "unknown argument '${opt//[^[:print:]]/?}' (accepted: --duty, --duration, --burst-ms, --cpus, --seed, --log, --help)"
        ;;
    esac
    shown=${val//[^[:print:]]/?}
    case $opt in
    --duty)
        isint "$val" && [ "$val" -ge 1 ] && [ "$val" -le 100 ] ||
            die "--duty '$shown': accepted is a whole percentage 1..100"
        duty=$((10#$val))
        ;;
    --duration)
        isint "$val" && [ "$val" -ge 1 ] && [ "$val" -le 86400 ] ||
            die "--duration '$shown': accepted is whole seconds 1..86400"
        duration=$((10#$val))
        ;;
    --burst-ms)
        [[ $val =~ ^([0-9]{1,5})-([0-9]{1,5})$ ]] &&
            a=$((10#${BASH_REMATCH[1]})) b=$((10#${BASH_REMATCH[2]})) &&
            [ "$a" -ge 1 ] && [ "$a" -le "$b" ] && [ "$b" -le 60000 ] ||
            die "--burst-ms '$shown': accepted is MIN-MAX milliseconds, 1 <= MIN <= MAX <= 60000"
        bmin=$a bmax=$b
        ;;
    --cpus)
        [[ $val =~ ^[0-9]{1,4}(,[0-9]{1,4})*$ ]] ||
            die "--cpus '$shown': accepted is a comma-separated list of CPU numbers"
        cpus=$val
        ;;
    --seed)
        isint "$val" && [ "$val" -le 32767 ] ||
            die "--seed '$shown': accepted is 0..32767"
        seed=$((10#$val))
        ;;
    --log)
        [ -n "$val" ] || die "--log '': accepted is a file name"
        log=$val
        ;;
    *)
        die "unknown argument '${opt//[^[:print:]]/?}' (accepted: --duty, --duration, --burst-ms, --cpus, --seed, --log, --help)"
        ;;
    esac
done

if [ -z "$cpus" ]; then
    # the CPUs we may run on: "0-3,6" from taskset/affinity, expanded
    list=$(taskset -pc $$ 2>/dev/null | sed 's/.*: *//')
    [ -n "$list" ] || list="0-$(($(nproc) - 1))"
    cpus=
    IFS=, read -r -a parts <<<"$list"
    for p in "${parts[@]}"; do
        if [[ $p =~ ^([0-9]+)-([0-9]+)$ ]]; then
            for ((c = BASH_REMATCH[1]; c <= BASH_REMATCH[2]; c++)); do
                cpus+=${cpus:+,}$c
            done
        else
            cpus+=${cpus:+,}$p
        fi
    done
fi
IFS=, read -r -a cpu_list <<<"$cpus"
for c in "${cpu_list[@]}"; do
    taskset -c "$c" true 2>/dev/null ||
        die "--cpus: CPU $c is not one this script may run on"
done
[ -n "$seed" ] || seed=$(($(date +%s%N) % 32768))
RANDOM=$seed

# microseconds since the epoch, without a fork
now_us() {
    local t=${EPOCHREALTIME/[.,]/}
    echo "$t"
}
fmt_us() { printf '%d.%06d' $(($1 / 1000000)) $(($1 % 1000000)); }
rand_between() { # uniform integer in [$1, $2], 30 random bits
    echo $(($1 + ((RANDOM << 15 | RANDOM) % ($2 - $1 + 1))))
}

{ : >"$log"; } 2>/dev/null ||
    die "--log '${log//[^[:print:]]/?}': cannot write it (accepted: a file name in a writable directory)"
printf '# noisy-neighbor duty=%d duration=%d burst_ms=%d-%d cpus=%s seed=%d pid=%d\n' \
    "$duty" "$duration" "$bmin" "$bmax" "$cpus" "$seed" $$ >>"$log"

child= burst=
parent=$PPID
stop() {
    if [ -n "$child" ]; then
        kill -TERM "$child" 2>/dev/null
        wait "$child" 2>/dev/null
    fi
    [ -z "$burst" ] || printf '%s %s %s\n' "$cpu" "$(fmt_us "$b0")" \
        "$(fmt_us "$(now_us)")" >>"$log"
    exit 0
}
trap stop TERM INT HUP

start_us=$(now_us)
end_us=$((start_us + duration * 1000000))
while :; do
    t=$(now_us)
    [ "$t" -lt "$end_us" ] || break
    # the process that started us is gone: stop (we are nobody's now)
    pp=
    read -r _ _ _ pp _ </proc/$$/stat 2>/dev/null
    [ "${pp:-$parent}" = "$parent" ] && kill -0 "$parent" 2>/dev/null || break
    cpu=${cpu_list[$((RANDOM % ${#cpu_list[@]}))]}
    len_ms=$(rand_between "$bmin" "$bmax")
    left_ms=$(((end_us - t) / 1000))
    [ "$len_ms" -le "$left_ms" ] || len_ms=$left_ms
    [ "$len_ms" -ge 1 ] || break
    b0=$(now_us) burst=1
    taskset -c "$cpu" timeout "$(fmt_us $((len_ms * 1000)))" \
        bash -c 'while :; do :; done' &
    child=$!
    wait "$child" 2>/dev/null
    b1=$(now_us)
    child= burst=
    printf '%s %s %s\n' "$cpu" "$(fmt_us "$b0")" "$(fmt_us "$b1")" >>"$log"
    # the gap: on average burst * (100 - duty) / duty, uniform in
    # [0.5, 1.5] times that
    gap_us=$((len_ms * 1000 * (100 - duty) / duty))
    gap_us=$((gap_us / 2 + (gap_us > 0 ? (RANDOM << 15 | RANDOM) % (gap_us + 1) : 0)))
    t=$(now_us)
    [ $((t + gap_us)) -lt "$end_us" ] || gap_us=$((end_us - t))
    if [ "$gap_us" -gt 0 ]; then
        sleep "$(fmt_us "$gap_us")" &
        child=$!
        wait "$child" 2>/dev/null
        child=
    fi
done
exit 0
