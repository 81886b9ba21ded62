# Shared by the shell tests: counters and assertions. Source after setting
# CB (the corebench binary) and SRC (the source dir).
passed=0
failed=0
ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
  local d=$1; shift
  if "$@"; then ok; else bad "$d"; fi
}
# expect_fail STATUS PATTERN DESCRIPTION -- COMMAND...: the command must exit
# with STATUS and print exactly one line on stderr matching PATTERN.
expect_fail() {
  local want=$1 pat=$2 d=$3; shift 4
  local err rc
  err=$("$@" 2>&1 >/dev/null); rc=$?
  if [ "$rc" -ne "$want" ]; then bad "$d: exit $rc, wanted $want ($err)"; return; fi
  if [ "$(printf '%s\n' "$err" | grep -c .)" -ne 1 ]; then
    bad "$d: wanted one line on stderr, got: $err"; return; fi
  if ! printf '%s' "$err" | grep -qE -- "$pat"; then
    bad "$d: stderr '$err' does not match '$pat'"; return; fi
  ok
}
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
