#!/usr/bin/env bash
# `make bench`: performance benchmarks of the simulator and the app, as one table.
#
#   1. simulator throughput natively (eosim bench) and as WASM in headless Chromium
#      (tests/bench_wasm.rs, same workload), 10,000-schedule sweeps
#   2. bundle size of a release build (scripts/size-report.sh)
#   3. start-up, 4. animation, 5. memory, 6. step-back in the browser (tests/e2e/bench.mjs)
#   6. step-back natively (tests/bench_native.rs)
#
# Env: BENCH_PLAY_SECONDS (default 600) continuous play for the memory series;
#      BENCH_DIST (default /tmp/bench-dist) where the release build goes;
#      BENCH_TARGET_DIR (default target-bench) cargo's target dir for these builds;
#      BENCH_SKIP_BUILD=1 reuse an existing BENCH_DIST.
# Everything measured is printed; what cannot be measured is "n/a (why)". Targets are
# printed next to each number; missing a target does not fail the run.
set -uo pipefail
cd "$(dirname "$0")/.."

export BENCH_PLAY_SECONDS=${BENCH_PLAY_SECONDS:-600}
export BENCH_DIST=${BENCH_DIST:-/tmp/bench-dist}
export CARGO_TARGET_DIR=${BENCH_TARGET_DIR:-$PWD/target-bench}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT=${BENCH_WASM_TIMEOUT:-1200}

work=$(mktemp -d /tmp/eop-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
R=$work/results   # key=value lines
: >"$R"
put() { printf '%s=%s\n' "$1" "$2" >>"$R"; }
get() { local v; v=$(grep -m1 "^$1=" "$R" | cut -d= -f2-); printf '%s' "${v:-${2:-}}"; }
step() { printf '\n\033[1m-- bench: %s\033[0m  (%s)\n' "$1" "$(date +%T)" >&2; }
fail_note() { tail -n 5 "$1" | tr '\n' ' ' | cut -c1-160; }

# ---- release build into its own dist dir ------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  step "trunk build --release -> $BENCH_DIST"
  if ! trunk build --release --offline --dist "$BENCH_DIST" >"$work/trunk.log" 2>&1; then
    cat "$work/trunk.log" >&2
    put build_error "trunk build failed: $(fail_note "$work/trunk.log")"
  fi
fi
have_dist=0
[ -f "$BENCH_DIST/index.html" ] && have_dist=1

# ---- 1. native throughput (eosim bench, best of $REPS: the machine may be shared) -------
REPS=${BENCH_REPS:-5}
step "eosim bench (native, one core, best of $REPS)"
: >"$work/eosim.txt"
native_ok=1
for _ in $(seq "$REPS"); do
  if ! cargo run --release --quiet --bin eosim -- bench >>"$work/eosim.txt" 2>"$work/eosim.err"; then
    native_ok=0
    break
  fi
done
if [ "$native_ok" = 1 ]; then
  cat "$work/eosim.txt" >&2
  # "native  simulator throughput   5032173 events/s  (683946 events in 0.136 s)"
  best=$(awk '/simulator throughput/ { print $4, $6, $9 }' "$work/eosim.txt" | sort -k1,1nr | head -1)
  put native_eps "$(cut -d' ' -f1 <<<"$best")"
  put native_events "$(cut -d' ' -f2 <<<"$best" | tr -d '(')"
  put native_secs "$(cut -d' ' -f3 <<<"$best")"
  # "native  sweep 10,000 walkthrough   0.192 s  (2762949 events/s)"
  for id in walkthrough dedup-window delivery-semantics; do
    put "native_sweep_$id" "$(awk -v id="$id" '$2 == "sweep" && $4 == id { print $5 }' "$work/eosim.txt" | sort -g | head -1)"
  done
else
  cat "$work/eosim.err" >&2
  put native_error "eosim bench failed: $(fail_note "$work/eosim.err")"
fi

# ---- 1. WASM throughput (tests/bench_wasm.rs in headless Chromium, best of its 3 reps) ---
step "wasm bench (tests/bench_wasm.rs, headless Chromium)"
if cargo test --release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture \
  >"$work/wasm.txt" 2>&1; then
  grep 'BENCH' "$work/wasm.txt" >&2 || true
  put wasm_eps "$(sed -n 's/.*BENCH wasm throughput .*events_per_s=\([0-9]*\).*/\1/p' "$work/wasm.txt" | sort -nr | head -1)"
  put wasm_reps "$(grep -c 'BENCH wasm throughput' "$work/wasm.txt")"
  for id in walkthrough dedup-window delivery-semantics; do
    put "wasm_sweep_$id" "$(sed -n "s/.*BENCH wasm sweep scenario=$id rep=[0-9]* runs=10000 secs=\([0-9.]*\).*/\1/p" "$work/wasm.txt" | sort -g | head -1)"
  done
else
  tail -n 30 "$work/wasm.txt" >&2
  put wasm_error "wasm bench failed: $(grep -m1 -E 'error|panicked|timed out' "$work/wasm.txt" | cut -c1-140)"
fi

# ---- 6. native step-back (tests/bench_native.rs) -----------------------------------------
step "native step-back (tests/bench_native.rs)"
if cargo test --release --test bench_native -- --ignored --nocapture --test-threads=1 >"$work/native.txt" 2>&1; then
  grep 'BENCH' "$work/native.txt" >&2 || true
  line=$(grep -m1 'BENCH native view_at all_techniques' "$work/native.txt")
  put native_step_median "$(sed -n 's/.*median_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
  put native_step_p95 "$(sed -n 's/.*p95_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
  put native_step_max "$(sed -n 's/.*max_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
  line=$(grep -m1 'BENCH native run' "$work/native.txt")
  put native_step_events "$(sed -n 's/.* events=\([0-9]*\).*/\1/p' <<<"$line")"
  put native_step_run "$(sed -n 's/.*scenario=\([^ ]*\) params=\(.*\) seed=.*/\1 \2/p' <<<"$line")"
else
  tail -n 30 "$work/native.txt" >&2
  put native_step_error "bench_native failed: $(grep -m1 -E 'error|panicked' "$work/native.txt" | cut -c1-140)"
fi

# ---- 2. bundle size ------------------------------------------------------------------------
step "bundle size ($BENCH_DIST)"
if [ "$have_dist" = 1 ]; then
  BUDGET_BROTLI_BYTES='' bash scripts/size-report.sh "$BENCH_DIST" >"$work/size.txt" 2>&1 || true
  cat "$work/size.txt" >&2
  tot=$(grep '^TOTAL' "$work/size.txt")
  put size_raw "$(awk '{print $(NF-2)}' <<<"$tot")"
  put size_gz "$(awk '{print $(NF-1)}' <<<"$tot")"
  put size_br "$(awk '{print $NF}' <<<"$tot")"
fi

# ---- 3-6. browser (tests/e2e/bench.mjs) --------------------------------------------------
if [ "$have_dist" = 1 ]; then
  step "browser benchmarks (tests/e2e/bench.mjs; play ${BENCH_PLAY_SECONDS} s)"
  if ! BENCH_OUT="$work/browser.txt" node tests/e2e/bench.mjs >/dev/null 2>"$work/browser.err"; then
    tail -n 20 "$work/browser.err" >&2
    put browser_error "bench.mjs failed: $(grep -m1 -E 'Error|error' "$work/browser.err" | cut -c1-140)"
  else
    cat "$work/browser.err" >&2
  fi
  [ -f "$work/browser.txt" ] && cat "$work/browser.txt" >>"$R"
fi

# ---- the table -----------------------------------------------------------------------------
na() { printf 'n/a (%s)' "$1"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1048576 }'; }
kb() { awk -v b="$1" 'BEGIN { printf "%.1f KB", b / 1024 }'; }
ok() { if awk "BEGIN { exit !($1) }"; then printf 'ok'; else printf 'MISS'; fi; }
num() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } printf "%s%s", s, r }'; }

rows=()
row() { rows+=("$1|$2|$3|$4"); }   # metric | value | target | status

# 1. throughput
neps=$(get native_eps) weps=$(get wasm_eps)
if [ -n "$neps" ]; then
  row "sim throughput, native (1 core, best of $REPS)" "$(num "$neps") events/s ($(num "$(get native_events)") ev / $(get native_secs) s)" "≥ 5,000,000 events/s" "$(ok "$neps >= 5000000")"
else
  row "sim throughput, native (1 core)" "$(na "$(get native_error 'no output')")" "≥ 5,000,000 events/s" "-"
fi
if [ -n "$weps" ]; then
  if [ -n "$neps" ]; then
    pct=$(awk -v w="$weps" -v n="$neps" 'BEGIN { printf "%.0f", 100 * w / n }')
    row "sim throughput, WASM (Chromium, best of $(get wasm_reps))" "$(num "$weps") events/s = ${pct}% of native" "≥ 70% of native" "$(ok "$pct >= 70")"
  else
    row "sim throughput, WASM (Chromium)" "$(num "$weps") events/s" "≥ 70% of native" "-"
  fi
else
  row "sim throughput, WASM (Chromium)" "$(na "$(get wasm_error 'no output')")" "≥ 70% of native" "-"
fi
for id in walkthrough dedup-window delivery-semantics; do
  n=$(get "native_sweep_$id") w=$(get "wasm_sweep_$id")
  if [ -n "$n" ]; then
    row "sweep 10,000 $id, native (best of $REPS)" "$(ms "$n")" "-" "-"
  else
    row "sweep 10,000 $id, native" "$(na "$(get native_error 'not printed')")" "-" "-"
  fi
  if [ -n "$w" ]; then
    row "sweep 10,000 $id, WASM (Chromium, best)" "$(ms "$w")" "≤ 2 s" "$(ok "$w <= 2")"
  else
    row "sweep 10,000 $id, WASM (Chromium)" "$(na "$(get wasm_error 'not printed')")" "≤ 2 s" "-"
  fi
done
if [ -n "$(get sweep_app_secs)" ]; then
  row "sweep 10,000 in the app (click→done)" "$(get sweep_app_secs) s: $(get sweep_app_text)" "≤ 2 s" "$(ok "$(get sweep_app_secs) <= 2")"
else
  row "sweep 10,000 in the app (click→done)" "$(get sweep_app "$(na 'browser bench did not run')")" "≤ 2 s" "-"
fi

# 2. size
if [ -n "$(get size_br)" ]; then
  row "bundle, all of dist/ (raw)" "$(num "$(get size_raw)") B ($(kb "$(get size_raw)"))" "-" "-"
  row "bundle, all of dist/ (gzip -9)" "$(num "$(get size_gz)") B ($(kb "$(get size_gz)"))" "-" "-"
  row "bundle, all of dist/ (brotli -q 11)" "$(num "$(get size_br)") B ($(kb "$(get size_br)"))" "≤ 100 KB brotli" "$(ok "$(get size_br) <= 102400")"
else
  row "bundle size" "$(na "$(get build_error 'no release build')")" "≤ 100 KB brotli" "-"
fi

browser_na=$(na "$(get browser_error "$(get build_error 'browser bench did not run')")")
# 3. start-up
if [ -n "$(get startup_median_ms)" ]; then
  m=$(get startup_median_ms)
  row "start-up ?$(get startup_query): mounted (median of $(get startup_loads) cold)" "$m ms (min $(get startup_min_ms), max $(get startup_max_ms))" "≤ 150 ms" "$(ok "$m <= 150")"
  row "  first contentful paint (median)" "$(get startup_fcp_median_ms) ms" "-" "-"
  if [ -n "$(get startup_home_median_ms)" ]; then
    row "start-up home page: section.ledgers rendered" "$(get startup_home_median_ms) ms (min $(get startup_home_min_ms), max $(get startup_home_max_ms)); FCP $(get startup_home_fcp_median_ms) ms" "≤ 150 ms" "$(ok "$(get startup_home_median_ms) <= 150")"
  fi
else
  row "start-up: mounted" "$browser_na" "≤ 150 ms" "-"
fi
# 4. animation
anim_rows() {  # $1: key prefix, $2: label
  local k=$1 p95
  p95=$(get "${k}_p95_ms")
  if [ -z "$p95" ]; then
    row "animation $2" "$browser_na" "p95 ≤ 17 ms" "-"
    return
  fi
  row "animation $2 ($(get "${k}_speed") ticks/s): frame p50 / p95 / max" "$(get "${k}_p50_ms") / $p95 / $(get "${k}_max_ms") ms ($(get "${k}_frames") frames in 5 s)" "p95 ≤ 17 ms" "$(ok "$p95 <= 17")"
  row "  messages in flight (g.token[data-net])" "max $(get "${k}_flights_max"), median $(get "${k}_flights_median") on screen; run replayed $(get "${k}_restarts")x" "~500 (the run peaks at 497)" "-"
  row "  long tasks (> 50 ms) in the 5 s" "$(get "${k}_longtasks") (longest $(get "${k}_longtask_max_ms") ms)" "0" "$(ok "$(get "${k}_longtasks") == 0")"
}
row "animation run (most in flight the params allow)" "?$(get anim_query "$(get anim_default_query '-')")" "-" "-"
anim_rows anim "at fastest speed"
anim_rows anim_default "at the run's default speed"
if [ -n "$(get anim_idle_p95_ms)" ]; then
  row "animation baseline: same page, paused" "frame p50 / p95 / max $(get anim_idle_p50_ms) / $(get anim_idle_p95_ms) / $(get anim_idle_max_ms) ms; $(get anim_idle_longtasks) long tasks" "-" "-"
fi
# 5. memory
tot_idle=""
if [ -n "$(get mem_idle_js)" ]; then
  js=$(get mem_idle_js) wa=$(get mem_idle_wasm)
  if [[ "$wa" =~ ^[0-9]+$ ]]; then
    tot_idle=$((js + wa))
    row "memory idle: JS heap + WASM" "$(mib "$js") + $(mib "$wa") = $(mib "$tot_idle")" "≤ 10 MB" "$(ok "$tot_idle <= 10485760")"
  else
    row "memory idle: JS heap + WASM" "$(mib "$js") + $wa" "≤ 10 MB" "-"
  fi
else
  row "memory idle" "$browser_na" "≤ 10 MB" "-"
fi
if [ -n "$(get mem_sweep_js)" ]; then
  row "memory after 10,000-schedule sweep" "$(mib "$(get mem_sweep_js)") + $(mib "$(get mem_sweep_wasm)") (page; the worker's own memory not included)" "-" "-"
else
  row "memory after 10,000-schedule sweep" "$(get sweep_app "$browser_na")" "-" "-"
fi
if [ -n "$(get mem_play_end_js)" ]; then
  g=$(get mem_play_growth)
  flag="flat"
  awk -v g="$g" 'BEGIN { exit !(g > 1048576) }' && flag="GROWING"
  row "memory after $(get play_seconds) s play (fastest)" "$(mib "$(get mem_play_end_js)") + $(mib "$(get mem_play_end_wasm)"); growth $(mib "$g") since first sample: $flag" "≤ 10 MB, flat" "$(ok "$(get mem_play_end_js) + $(get mem_play_end_wasm) <= 10485760 && $g <= 1048576")"
  row "  series: below the table" "t:JS+WASM MB, a sample every 30 s" "-" "-"
else
  row "memory during play" "$browser_na" "≤ 10 MB, flat" "-"
fi
# 6. step-back
if [ -n "$(get native_step_median)" ]; then
  row "step-back, native view_at (all techniques)" "median $(get native_step_median) ms, p95 $(get native_step_p95), max $(get native_step_max) (2,000 random ticks; $(get native_step_events) events: $(get native_step_run))" "≤ 16 ms (p95)" "$(ok "$(get native_step_p95) <= 16")"
else
  row "step-back, native view_at" "$(na "$(get native_step_error 'no output')")" "≤ 16 ms" "-"
fi
if [ -n "$(get step_median_ms)" ]; then
  row "step-back, browser ← keydown→data-tick" "median $(get step_median_ms) ms, p95 $(get step_p95_ms), max $(get step_max_ms) ($(get step_samples) ticks of $(get step_end_tick); next frame median $(get step_frame_median_ms) ms)" "≤ 16 ms (p95)" "$(ok "$(get step_p95_ms) <= 16")"
else
  row "step-back, browser" "$browser_na" "≤ 16 ms" "-"
fi

printf '\n\033[1m==== benchmark results (%s, %s) ====\033[0m\n' "$(date +%F\ %T)" "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
{
  printf 'metric|value|target|status\n'
  printf -- '---|---|---|---\n'
  printf '%s\n' "${rows[@]}"
} | column -t -s '|' -o ' | '
if [ -n "$(get mem_play_series)" ]; then
  printf '\nmemory while playing at the fastest speed, t:JS-heap+WASM MB (after a forced GC):\n'
  tr ' ' '\n' <<<"$(get mem_play_series)" | paste -d' ' - - - - - - - - | sed 's/ *$//; s/^/  /'
fi
