# shellcheck shell=bash
# Assertions for the shell tests of scripts/tests/: each records a pass or a
# failure with its name; `t_summary` prints "N passed, N failed" and returns
# non-zero when anything failed.

T_PASSED=0
T_FAILED=0
T_FAILURES=()

t_pass() { T_PASSED=$((T_PASSED + 1)); printf '  ok    %s\n' "$1"; }

t_fail() {
  T_FAILED=$((T_FAILED + 1))
  T_FAILURES+=("$1")
  printf '  FAIL  %s\n' "$1"
  if [ -n "${2:-}" ]; then printf '%s\n' "$2" | sed 's/^/        /'; fi
}

# t_eq NAME EXPECTED ACTUAL
t_eq() {
  if [ "$2" = "$3" ]; then t_pass "$1"; else
    t_fail "$1" "expected: $2"$'\n'"actual:   $3"; fi
}

# t_contains NAME HAYSTACK NEEDLE
t_contains() {
  if grep -qF -- "$3" <<<"$2"; then t_pass "$1"; else
    t_fail "$1" "missing: $3"$'\n'"in:"$'\n'"$2"; fi
}

# t_lacks NAME HAYSTACK NEEDLE
t_lacks() {
  if ! grep -qF -- "$3" <<<"$2"; then t_pass "$1"; else
    t_fail "$1" "unexpected: $3"$'\n'"in:"$'\n'"$2"; fi
}

t_summary() {
  local label=$1
  if [ "$T_FAILED" -gt 0 ]; then
    printf '%s failures:\n' "$label"
    printf '  %s\n' "${T_FAILURES[@]}"
  fi
  echo "$label: $T_PASSED passed, $T_FAILED failed"
  [ "$T_FAILED" = 0 ]
}
