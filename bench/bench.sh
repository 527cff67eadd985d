#!/usr/bin/env bash
# `make bench`: performance benchmarks of the simulator and the app, printed as tables.
#
#   0. release builds: the app (-> BENCH_DIST), the Yew baseline app bench/baseline/
#      (-> BENCH_BASELINE_DIST) and the size floor bench/floor/ (-> /tmp/bench-floor-dist:
#      everything but the UI, with Yew's runtime), all by trunk build --release --offline + wasm-opt
#   1. simulator throughput natively (eosim bench) and as WASM in headless Chromium
#      (bench/bench_wasm.rs, same workload), 10,000-schedule sweeps, and the exhaustive
#      checker's rate (every scenario, k = 2) natively and in WASM
#   2. bundle size of both builds (scripts/size-report.sh), where the wasm's bytes go
#      (bench/wasm-areas.mjs) and what loading the texts and lessons on demand would take
#      off each entry page's first download (bench/data-areas.mjs); the code the entry pages
#      run before they are idle, and the first download of a split that kept only that code
#      (bench/first-screen-code.mjs)
#   3. start-up of both apps, in the same run, and where it goes; 4. frames while playing;
#   5. memory; 6. step-back in the browser (bench/browser.mjs); step-back natively
#      (bench/bench_native.rs); 8. Lighthouse mobile on three entry pages and the baseline
#      (bench/lighthouse/run.mjs; LH_RUNS, default 3, quick 1); 8b. the start-up tasks
#      of those pages (bench/lighthouse/startup-trace.mjs)
#
# Env: BENCH_QUICK=1 the lead's quick table (< ~8 min on 2 shared cores): fewer reps and
#        loads, 2 s of frames per run, no 600 s memory series;
#      BENCH_PLAY_SECONDS (default 600; quick 0 = skip) continuous play for the memory series;
#      BENCH_DIST (default /tmp/bench-dist), BENCH_BASELINE_DIST (default
#        /tmp/bench-baseline-dist) where the release builds go;
#      BENCH_TARGET_DIR (default target) cargo's target dir for the app's builds;
#        the baseline always builds in target/bench-baseline (its own);
#      BENCH_SKIP_BUILD=1 reuse existing BENCH_DIST and BENCH_BASELINE_DIST.
# Everything measured is printed; what cannot be measured is "n/a (why)". Targets are
# printed next to each number; missing a target does not fail the run.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

export BENCH_QUICK=${BENCH_QUICK:-0}
quick() { [ "$BENCH_QUICK" = 1 ]; }
if quick; then export BENCH_PLAY_SECONDS=${BENCH_PLAY_SECONDS:-0}; else export BENCH_PLAY_SECONDS=${BENCH_PLAY_SECONDS:-600}; fi
export BENCH_DIST=${BENCH_DIST:-/tmp/bench-dist}
export BENCH_BASELINE_DIST=${BENCH_BASELINE_DIST:-/tmp/bench-baseline-dist}
export BENCH_FLOOR_DIST=${BENCH_FLOOR_DIST:-/tmp/bench-floor-dist}
export CARGO_TARGET_DIR=${BENCH_TARGET_DIR:-$root/target}
export CHROMEDRIVER=${CHROMEDRIVER:-/usr/bin/chromedriver}
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT=${BENCH_WASM_TIMEOUT:-1200}
# Repetitions of the WASM throughput and sweeps (read at compile time by bench/bench_wasm.rs).
if quick; then export BENCH_WASM_REPS=1; else export BENCH_WASM_REPS=5; fi
# The machine is shared: everything below runs at a lower priority.
renice -n 10 $$ >/dev/null 2>&1 || true

work=$(mktemp -d /tmp/eop-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
R=$work/results   # key=value lines
: >"$R"
put() { printf '%s=%s\n' "$1" "$2" >>"$R"; }
get() { local v; v=$(grep -m1 "^$1=" "$R" | cut -d= -f2-); printf '%s' "${v:-${2:-}}"; }
step() { printf '\n\033[1m-- bench: %s\033[0m  (%s)\n' "$1" "$(date +%T)" >&2; }
fail_note() { tail -n 5 "$1" | tr '\n' ' ' | cut -c1-160; }
t_start=$(date +%s)

# ---- 0. release builds into their own dist dirs ---------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
  step "trunk build --release -> $BENCH_DIST"
  mkdir -p "$CARGO_TARGET_DIR"
  # Two trunk builds sharing a target dir break each other's staging: take turns (Makefile).
  if ! flock "$CARGO_TARGET_DIR/.trunk-build.lock" trunk build --release --offline --dist "$BENCH_DIST" >"$work/trunk.log" 2>&1; then
    cat "$work/trunk.log" >&2
    put build_error "trunk build failed: $(fail_note "$work/trunk.log")"
  fi
  step "trunk build --release bench/baseline -> $BENCH_BASELINE_DIST"
  if ! (cd bench/baseline && CARGO_TARGET_DIR="$root/target/bench-baseline" \
    trunk build --release --offline --dist "$BENCH_BASELINE_DIST") >"$work/trunk-baseline.log" 2>&1; then
    cat "$work/trunk-baseline.log" >&2
    put baseline_build_error "baseline trunk build failed: $(fail_note "$work/trunk-baseline.log")"
  fi
  step "trunk build --release bench/floor -> $BENCH_FLOOR_DIST"
  if ! (cd bench/floor && CARGO_TARGET_DIR="$root/target/bench-floor" \
    trunk build --release --offline --dist "$BENCH_FLOOR_DIST") >"$work/trunk-floor.log" 2>&1; then
    cat "$work/trunk-floor.log" >&2
    put floor_build_error "floor trunk build failed: $(fail_note "$work/trunk-floor.log")"
  fi
fi
have_dist=0
[ -f "$BENCH_DIST/index.html" ] && have_dist=1
[ -f "$BENCH_BASELINE_DIST/index.html" ] || rm -rf "$BENCH_BASELINE_DIST"

# ---- 1. native throughput (eosim bench, best of $REPS: the machine may be shared) -------
if quick; then REPS=${BENCH_REPS:-2}; else REPS=${BENCH_REPS:-5}; fi
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

# ---- 1. WASM throughput (bench/bench_wasm.rs in headless Chromium, best of its 3 reps) ---
step "wasm bench (bench/bench_wasm.rs, headless Chromium)"
if cargo test --release --target wasm32-unknown-unknown --test bench_wasm -- --nocapture \
  >"$work/wasm.txt" 2>&1; then
  grep 'BENCH' "$work/wasm.txt" >&2 || true
  put wasm_eps "$(sed -n 's/.*BENCH wasm throughput .*events_per_s=\([0-9]*\).*/\1/p' "$work/wasm.txt" | sort -nr | head -1)"
  put wasm_reps "$(grep -c 'BENCH wasm throughput' "$work/wasm.txt")"
  for id in walkthrough dedup-window delivery-semantics; do
    put "wasm_sweep_$id" "$(sed -n "s/.*BENCH wasm sweep scenario=$id rep=[0-9]* runs=10000 secs=\([0-9.]*\).*/\1/p" "$work/wasm.txt" | sort -g | head -1)"
  done
  grep -o 'BENCH wasm explore .*' "$work/wasm.txt" >"$work/explore-wasm.txt" || true
  grep -o 'BENCH wasm futures .*' "$work/wasm.txt" >"$work/futures-wasm.txt" || true
else
  tail -n 30 "$work/wasm.txt" >&2
  put wasm_error "wasm bench failed: $(grep -m1 -E 'error|panicked|timed out' "$work/wasm.txt" | cut -c1-140)"
fi

# ---- 6. native step-back (bench/bench_native.rs) -----------------------------------------
step "native step-back and explore rate (bench/bench_native.rs)"
if cargo test --release --test bench_native -- --ignored --nocapture --test-threads=1 \
  bench_step_back_view_at bench_explore_rate bench_futures >"$work/native.txt" 2>&1; then
  grep -o 'BENCH native explore .*' "$work/native.txt" >"$work/explore-native.txt" || true
  grep -o 'BENCH native futures .*' "$work/native.txt" >"$work/futures-native.txt" || true
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
if [ -d "$BENCH_BASELINE_DIST" ]; then
  tot=$(BUDGET_BROTLI_BYTES='' bash scripts/size-report.sh "$BENCH_BASELINE_DIST" 2>&1 | grep '^TOTAL')
  put baseline_size_raw "$(awk '{print $(NF-2)}' <<<"$tot")"
  put baseline_size_gz "$(awk '{print $(NF-1)}' <<<"$tot")"
  put baseline_size_br "$(awk '{print $NF}' <<<"$tot")"
fi

if [ -f "$BENCH_FLOOR_DIST/index.html" ]; then
  tot=$(BUDGET_BROTLI_BYTES='' bash scripts/size-report.sh "$BENCH_FLOOR_DIST" 2>&1 | grep '^TOTAL')
  put floor_size_br "$(awk '{print $NF}' <<<"$tot")"
  # The app's files the floor has no counterpart of (CSS, embed.js, sw.js, course page, icons):
  # all of dist but the wasm and its JS glue.
  put extras_br "$(BUDGET_BROTLI_BYTES='' bash scripts/size-report.sh "$BENCH_DIST" 2>&1 |
    awk '$1 != "TOTAL" && $1 !~ /_bg\.wasm$/ && $1 !~ /^exactly-once-playground-.*\.js$/ && NF == 4 { s += $NF } END { print s + 0 }')"
fi

# Where the wasm's bytes go (bench/wasm-areas.mjs on the named pre-bindgen wasm), for the
# app and for the floor.
areas() { # named wasm, output
  [ -f "$1" ] && command -v wasm-opt >/dev/null || return 1
  if wasm-opt -Os --debuginfo --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue "$1" -o "$work/named.wasm" 2>/dev/null; then
    node bench/wasm-areas.mjs "$work/named.wasm" >"$2" 2>&1 || true
  else
    return 1
  fi
}
# What loading the texts and lessons on demand would take off each entry page's first
# download, beside the code section no data split takes off (bench/data-areas.mjs).
if areas "${CARGO_TARGET_DIR:-target}/wasm32-unknown-unknown/release/exactly-once-playground.wasm" "$work/areas.txt" && [ "$have_dist" = 1 ]; then
  node bench/data-areas.mjs "$work/named.wasm" "$BENCH_DIST" >"$work/data-areas.txt" 2>&1 || true
  grep '^data_' "$work/data-areas.txt" >>"$R" || true
fi
areas "$root/target/bench-floor/wasm32-unknown-unknown/release/bench-floor.wasm" "$work/areas-floor.txt" || true
# How much of the code the entry pages run before they are idle, and the first download of a
# module holding only that code (a profile-guided split; bench/first-screen-code.mjs).
if [ "$have_dist" = 1 ]; then
  step "the code the entry pages run (bench/first-screen-code.mjs)"
  if node bench/first-screen-code.mjs "$BENCH_DIST" >"$work/fsc.txt" 2>"$work/fsc.err"; then
    grep '^fsc_' "$work/fsc.txt" >>"$R" || true
  else
    put fsc_error "first-screen-code.mjs failed: $(fail_note "$work/fsc.err")"
  fi
fi

# ---- 3-6. browser (bench/browser.mjs) --------------------------------------------------
if [ "$have_dist" = 1 ]; then
  step "browser benchmarks (bench/browser.mjs; play ${BENCH_PLAY_SECONDS} s)"
  if ! BENCH_OUT="$work/browser.txt" node bench/browser.mjs >/dev/null 2>"$work/browser.err"; then
    tail -n 20 "$work/browser.err" >&2
    put browser_error "bench.mjs failed: $(grep -m1 -E 'Error|error' "$work/browser.err" | cut -c1-140)"
  else
    cat "$work/browser.err" >&2
  fi
  [ -f "$work/browser.txt" ] && cat "$work/browser.txt" >>"$R"
fi

# ---- 7. exhaustive check scope (issue 16): largest input a check finishes in 2 s in the page ----
# `eosim scope` searches natively (times x BENCH_SCOPE_SLOWDOWN, the page's expected
# slowdown); bench/check-scope.mjs runs each candidate in the page's sweep panel.
# Skipped in quick mode (about 5 minutes).
if [ "$have_dist" = 1 ] && ! quick; then
  step "exhaustive check scope (eosim scope + bench/check-scope.mjs)"
  if cargo run --release --quiet --bin eosim -- scope 2000 "${BENCH_SCOPE_SLOWDOWN:-2}" >"$work/scope.tsv" 2>"$work/scope.err" &&
    SCOPE_TSV="$work/scope.tsv" E2E_DIST="$BENCH_DIST" node bench/check-scope.mjs >"$work/scope.txt" 2>>"$work/scope.err"; then
    :
  else
    tail -n 5 "$work/scope.err" >&2
  fi
fi

# ---- 8. Lighthouse 12 (mobile: slow 4G, 4x CPU), ours and the baseline, served with brotli ----
# bench/lighthouse/ has its own pinned npm package (not part of `make test`).
if [ "$have_dist" = 1 ]; then
  if quick; then lh_runs=${LH_RUNS:-1}; else lh_runs=${LH_RUNS:-3}; fi
  put lh_runs_wanted "$lh_runs"
  step "lighthouse (bench/lighthouse/run.mjs, $lh_runs run(s) per page, alternating)"
  if [ -d bench/lighthouse/node_modules/lighthouse ] || (cd bench/lighthouse && npm ci --no-audit --no-fund >"$work/lh-install.log" 2>&1); then
    LH_OUT="$R" LH_RUNS="$lh_runs" node bench/lighthouse/run.mjs 2>"$work/lh.err" || put lh_error "run.mjs failed: $(fail_note "$work/lh.err")"
    cat "$work/lh.err" >&2
  else
    put lh_error "npm ci in bench/lighthouse failed: $(fail_note "$work/lh-install.log")"
  fi
fi

# ---- 8b. start-up tasks (issue 26): every main-thread task from navigation until idle, its CPU
# time x 4 (Lighthouse's simulated phone; CPU time, not wall time, so other processes on a
# shared machine do not count), median of 3 loads per page (bench/lighthouse/startup-trace.mjs).
if [ "$have_dist" = 1 ]; then
  step "start-up tasks (bench/lighthouse/startup-trace.mjs)"
  TRACE_OUT="$R" TRACE_RUNS="$(quick && echo 1 || echo 3)" LONG_MS=1000 node bench/lighthouse/startup-trace.mjs "$BENCH_DIST" 2>"$work/trace.err" ||
    put trace_error "startup-trace.mjs failed: $(fail_note "$work/trace.err")"
  grep -E 'run [0-9]' "$work/trace.err" >&2 || true
fi
# What the shell's first paint needs: index.html and the stylesheet (brotli).
if [ "$have_dist" = 1 ]; then
  put shell_br "$(node -e 'const z = require("node:zlib"), fs = require("node:fs"); let n = 0;
    for (const f of process.argv.slice(1)) n += z.brotliCompressSync(fs.readFileSync(f), { params: { [z.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(n)' "$BENCH_DIST"/index.html "$BENCH_DIST"/app-*.css)"
fi

# ---- the tables ----------------------------------------------------------------------------
na() { printf 'n/a (%s)' "$1"; }
ms() { awk -v s="$1" 'BEGIN { printf "%.0f ms", s * 1000 }'; }
mib() { awk -v b="$1" 'BEGIN { printf "%.2f MB", b / 1048576 }'; }
ok() { if awk "BEGIN { exit !($1) }"; then printf 'ok'; else printf 'MISS'; fi; }
num() { awk -v n="$1" 'BEGIN { s = sprintf("%.0f", n); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } printf "%s%s", s, r }'; }
# or_na VALUE TEXT FALLBACK: TEXT when VALUE is set, else FALLBACK.
or_na() { if [ -n "${1:-}" ]; then printf '%s' "$2"; else printf '%s' "$3"; fi; }
isnum() { [[ "${1:-}" =~ ^[0-9]+(\.[0-9]+)?$ ]]; }
# ratio A B: A / B to two decimals ("-" unless both are numbers and B > 0).
ratio() { if isnum "${1:-}" && isnum "${2:-}" && awk -v b="$2" 'BEGIN { exit !(b > 0) }'; then awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f×", a / b }'; else printf -- '-'; fi; }

rows=()
row() { rows+=("$1|$2|$3|$4|$5|$6"); }   # metric | ours | baseline | ratio | target | status
section() { rows+=("$1|||||"); }
browser_na=$(na "$(get browser_error "$(get build_error 'browser bench did not run')")")
base_na=$(na "$(get baseline_build_error 'no baseline build')")

# Start-up (baseline: bench/baseline/, the same pipeline, loaded alternately in the same run).
section "START-UP (median of $(get startup_loads '?') cold loads each; baseline = minimal Yew app)"
m=$(get startup_median_ms) bm=$(get baseline_median_ms)
if [ -n "$m" ]; then
  mr=$(ratio "$m" "$bm")
  st=$(ok "$m <= 150")
  if isnum "$bm"; then st="$st, $(ok "$m <= 1.5 * $bm")"; fi
  row "mount ?$(get startup_query) (min–max)" "$m ms ($(get startup_min_ms)–$(get startup_max_ms))" "$(or_na "$bm" "$bm ms ($(get baseline_min_ms)–$(get baseline_max_ms))" "$base_na")" "$mr" "≤ 150 ms, ≤ 1.50×" "$st"
  f=$(get startup_fcp_median_ms) bf=$(get baseline_fcp_median_ms)
  row "first contentful paint" "$f ms" "$(or_na "$bf" "$bf ms" "$base_na")" "$(ratio "$f" "$bf")" "-" "-"
  row "home page (Two Generals): ledgers shell rendered" "$(get startup_home_median_ms) ms; FCP $(get startup_home_fcp_median_ms) ms" "-" "-" "-" "-"
  row "wasm via instantiateStreaming / MIME warning / wasm downloads" "$(get startup_streaming) / $(get startup_mime_warning) / $(get startup_wasm_requests)" "$(get baseline_streaming -) / $(get baseline_mime_warning -) / $(get baseline_wasm_requests -)" "-" "yes / no / 1" "$([ "$(get startup_streaming)" = yes ] && [ "$(get startup_mime_warning)" = no ] && echo ok || echo MISS)"
else
  row "mount" "$browser_na" "-" "-" "≤ 150 ms, ≤ 1.50×" "-"
fi

section "LIGHTHOUSE mobile (slow 4G, 4x CPU), median of $(get lh_runs_wanted '?'), served with brotli; baseline = minimal Yew app"
lh_na=$(na "$(get lh_error "$(get build_error 'lighthouse did not run')")")
bs=$(get lh_baseline_score) bl=$(get lh_baseline_lcp_ms) bt=$(get lh_baseline_tbt_ms) bi=$(get lh_baseline_tti_ms)
for k in walkthrough lesson embed_outbox plain_walkthrough; do
  case $k in
    walkthrough) what="?s=walkthrough" ;;
    lesson) what="?lesson=walkthrough&step=2" ;;
    embed_outbox) what="?s=outbox&embed=1" ;;
    plain_walkthrough) what="?s=walkthrough served WITHOUT compression" ;;
  esac
  sc=$(get "lh_${k}_score")
  if ! isnum "$sc"; then row "$what: performance" "$lh_na" "-" "-" "≥ 95" "-"; continue; fi
  tgt=1; [ "$k" = plain_walkthrough ] && tgt=0
  row "$what: performance score" "$sc" "${bs:--}" "$(ratio "$sc" "$bs")" "$([ $tgt = 1 ] && echo '≥ 95' || echo -)" "$([ $tgt = 1 ] && ok "$sc >= 95" || echo -)"
  l=$(get "lh_${k}_lcp_ms") t=$(get "lh_${k}_tbt_ms") i=$(get "lh_${k}_tti_ms")
  row "$what: LCP" "$l ms" "${bl:--} ms" "$(ratio "$l" "$bl")" "$([ $tgt = 1 ] && echo '≤ 2,000 ms' || echo -)" "$([ $tgt = 1 ] && ok "$l <= 2000" || echo -)"
  row "$what: TBT" "$t ms" "${bt:--} ms" "$(ratio "$t" "$bt")" "$([ $tgt = 1 ] && echo '≤ 100 ms' || echo -)" "$([ $tgt = 1 ] && ok "$t <= 100" || echo -)"
  row "$what: time to interactive" "$i ms" "${bi:--} ms" "$(ratio "$i" "$bi")" "-" "-"
  c=$(get "lh_${k}_cls") lt=$(get "lh_${k}_longtask_ms") by=$(get "lh_${k}_bytes")
  row "$what: layout shift (CLS) / longest task / bytes transferred" "$c / $lt ms / $(num "${by:-0}") B" "$(or_na "$(get lh_baseline_bytes)" "$(get lh_baseline_cls) / $(get lh_baseline_longtask_ms) ms / $(num "$(get lh_baseline_bytes 0)") B" -)" "-" "$([ $tgt = 1 ] && echo '≈ 0 / ≤ 50 ms / -' || echo -)" "$([ $tgt = 1 ] && isnum "$c" && isnum "$lt" && ok "$c <= 0.01 && $lt <= 50" || echo -)"
done
sb=$(get shell_br)
if isnum "$sb"; then
  row "first paint (the shell: index.html + CSS), brotli" "$(num "$sb") B" "-" "-" "-" "-"
fi
ub=$(get lh_walkthrough_bytes)
if isnum "$ub"; then
  row "first usable screen (?s=walkthrough: shell, glue, wasm), bytes transferred" "$(num "$ub") B" "-" "-" "≤ 300,000 B" "$(ok "$ub <= 300000")"
fi
fb=$(get data_first_br) cb=$(get data_code_br)
if isnum "$fb" && isnum "$cb"; then
  for k in walkthrough lesson embed_outbox; do
    sv=$(get "data_saved_$k")
    isnum "$sv" || continue
    row "first download (wasm, glue, index.html, CSS) with other scenarios' texts and other lessons loaded on demand, $k, brotli" "$(num $((fb - sv))) B (now $(num "$fb") B; −$(num "$sv") B)" "-" "-" "≤ 300,000 B" "$(ok "$fb - $sv <= 300000")"
  done
  row "the wasm's code section alone, brotli (no data split takes it off)" "$(num "$cb") B" "-" "-" "≤ 300,000 B" "$(ok "$cb <= 300000")"
fi
pb=$(get fsc_every_primary_br) rb=$(get fsc_rest_br) uc=$(get fsc_every_code_br) ac=$(get fsc_all_code_br)
if isnum "$pb" && isnum "$rb" && isnum "$uc"; then
  row "code the entry pages run until idle (phone and 1280 px loads, union; $(get fsc_every_fns) of $(get fsc_all_fns) functions), brotli" "$(num "$uc") B of $(num "$ac") B" "-" "-" "-" "-"
  row "first download with a profile-guided split (a wasm of only that code and all the data; glue, index.html, CSS)" "$(num $((pb + rb))) B" "-" "-" "≤ 300,000 B" "$(ok "$pb + $rb <= 300000")"
  # One first module serves all three pages: it can leave out only what none of them reads,
  # at most the smallest page's saving.
  sv=$(for k in walkthrough lesson embed_outbox; do get "data_saved_$k"; echo; done | grep -E '^[0-9]+$' | sort -n | head -1)
  if isnum "$sv"; then
    row "… and other scenarios' texts and other lessons on demand too (at most the smallest page's saving, $(num "$sv") B), at least" "$(num $((pb + rb - sv))) B" "-" "-" "≤ 300,000 B" "$(ok "$pb + $rb - $sv <= 300000")"
  fi
elif [ -n "$(get fsc_error)" ]; then
  row "first download with a profile-guided split" "$(na "$(get fsc_error)")" "-" "-" "≤ 300,000 B" "-"
fi
for k in walkthrough lesson embed_outbox; do
  v=$(get "trace_${k}_longest_ms")
  [ -n "$v" ] || continue
  row "longest start-up task, $k (CPU time × 4, median of $(quick && echo 1 || echo 3); tasks ≥ 50 ms: $(get "trace_${k}_tasks" none))" "$v ms (blocking $(get "trace_${k}_blocking_ms") ms)" "-" "-" "≤ 50 ms" "$(ok "$v <= 50")"
done

section "DOWNLOAD (all of dist/)"
if [ -n "$(get size_br)" ]; then
  b=$(get size_br) bb=$(get baseline_size_br)
  row "brotli -q 11" "$(num "$b") B" "$(or_na "$bb" "$(num "$bb") B" "$base_na")" "$(ratio "$b" "$bb")" "≤ 250,000 B" "$(ok "$b <= 250000")"
  row "gzip -9" "$(num "$(get size_gz)") B" "$(num "$(get baseline_size_gz 0)") B" "$(ratio "$(get size_gz)" "$(get baseline_size_gz)")" "-" "-"
  row "raw" "$(num "$(get size_raw)") B" "$(num "$(get baseline_size_raw 0)") B" "$(ratio "$(get size_raw)" "$(get baseline_size_raw)")" "-" "-"
  fl=$(get floor_size_br) ex=$(get extras_br)
  if isnum "$fl"; then
    row "floor: bench/floor (simulator, texts, lessons, evaluator, serde + Yew runtime; no component), brotli" "$(num "$fl") B" "$(or_na "$bb" "$(num "$bb") B" "$base_na")" "$(ratio "$fl" "$bb")" "-" "-"
    row "floor + the app's CSS and static files ($(num "$ex") B): what is left of 250,000 B for every component" "$(num $((fl + ex))) B; left $(num $((250000 - fl - ex))) B" "-" "-" "-" "-"
    row "the app's UI (components, stage, host API, lesson player): app − floor − static files" "$(num $((b - fl - ex))) B" "-" "-" "-" "-"
  else
    row "floor" "$(na "$(get floor_build_error 'no floor build')")" "-" "-" "-" "-"
  fi
else
  row "brotli" "$(na "$(get build_error 'no release build')")" "-" "-" "≤ 250,000 B" "-"
fi

# Frames: pooled over every scenario of a group; baseline = the Yew baseline page idling.
section "FRAMES while playing, ms between frames (baseline: the Yew baseline page idle, $(get frames_idle_baseline_p95_ms '?') ms p95)"
bp=$(get frames_idle_baseline_p95_ms)
frow() {  # $1 key, $2 label
  local k=$1 p95
  p95=$(get "frames_${k}_p95_ms")
  if [ -z "$p95" ]; then row "$2" "$browser_na" "-" "-" "p95 ≤ 17 ms" "-"; return; fi
  row "$2: p50 / p95 / max" "$(get "frames_${k}_p50_ms") / $p95 / $(get "frames_${k}_max_ms") (worst p95: $(get "frames_${k}_worst" -))" \
    "$(get frames_idle_baseline_p50_ms -) / ${bp:--} / $(get frames_idle_baseline_max_ms -)" "$(ratio "$p95" "$bp")" "p95 ≤ 17 ms" "$(ok "$p95 <= 17")"
}
n=$(get frames_scenarios '?')
frow defaults_default "all $n scenarios at defaults, default speed"
frow defaults_fast "all $n scenarios at defaults, fastest speed"
frow many_default "500-message dedup run, default speed ($(get frames_many_default_flights_max '?') in flight)"
frow many_fast "500-message dedup run, fastest speed"
if [ -n "$(get frames_idle_ours_p95_ms)" ]; then
  row "our 500-message page paused: p50 / p95 / max" "$(get frames_idle_ours_p50_ms) / $(get frames_idle_ours_p95_ms) / $(get frames_idle_ours_max_ms)" "$(get frames_idle_baseline_p50_ms -) / ${bp:--} / $(get frames_idle_baseline_max_ms -)" "$(ratio "$(get frames_idle_ours_p95_ms)" "$bp")" "-" "-"
fi
lt=$(get frames_playing_longtasks)
if [ -n "$lt" ]; then
  row "long tasks > 50 ms while playing (all runs above)" "$lt (longest $(get frames_playing_longtask_max_ms) ms$([ "$lt" != 0 ] && printf '; in %s' "$(get frames_playing_longtask_where)"))" "$(get frames_idle_baseline_longtasks -) idle" "-" "0" "$(ok "$lt == 0")"
fi

section "STEP-BACK and MEMORY"
if [ -n "$(get step_p95_ms)" ]; then
  row "step-back, browser ← keydown→data-tick, p95" "$(get step_p95_ms) ms (median $(get step_median_ms), max $(get step_max_ms), first step $(get step_first_ms '?'); $(get step_samples) ticks of $(get step_end_tick))" "-" "-" "≤ 16 ms" "$(ok "$(get step_p95_ms) <= 16")"
else
  row "step-back, browser" "$browser_na" "-" "-" "≤ 16 ms" "-"
fi
if [ -n "$(get native_step_p95)" ]; then
  row "step-back, native view_at (all techniques), p95" "$(get native_step_p95) ms (median $(get native_step_median), max $(get native_step_max); $(get native_step_events) events)" "-" "-" "≤ 16 ms" "$(ok "$(get native_step_p95) <= 16")"
else
  row "step-back, native view_at" "$(na "$(get native_step_error 'no output')")" "-" "-" "≤ 16 ms" "-"
fi
js=$(get mem_idle_js) wa=$(get mem_idle_wasm)
if isnum "$js" && isnum "$wa"; then
  tot=$((js + wa))
  bjs=$(get baseline_mem_js) bwa=$(get baseline_mem_wasm) btot=""
  isnum "$bjs" && isnum "$bwa" && btot=$((bjs + bwa))
  row "memory idle: JS heap + WASM" "$(mib "$js") + $(mib "$wa") = $(mib "$tot")" "$(or_na "$btot" "$(mib "$bjs") + $(mib "$bwa") = $(mib "$btot")" "$base_na")" "$(ratio "$tot" "$btot")" "≤ 10 MB" "$(ok "$tot <= 10485760")"
else
  row "memory idle" "$browser_na" "-" "-" "≤ 10 MB" "-"
fi
if [ -n "$(get mem_sweep_js)" ]; then
  row "memory after the in-app 10,000-schedule sweep" "$(mib "$(get mem_sweep_js)") + $(mib "$(get mem_sweep_wasm)") (page only)" "-" "-" "-" "-"
fi
if [ -n "$(get mem_play_end_js)" ]; then
  g=$(get mem_play_growth)
  flag="flat"
  awk -v g="$g" 'BEGIN { exit !(g > 1048576) }' && flag="GROWING"
  row "memory after $(get play_seconds) s play (fastest)" "$(mib "$(get mem_play_end_js)") + $(mib "$(get mem_play_end_wasm)"); growth $(mib "$g"): $flag" "-" "-" "≤ 10 MB, flat" "$(ok "$(get mem_play_end_js) + $(get mem_play_end_wasm) <= 10485760 && $g <= 1048576")"
else
  row "memory during long play" "$(if [ "$BENCH_PLAY_SECONDS" = 0 ]; then echo 'skipped (quick mode)'; else echo "$browser_na"; fi)" "-" "-" "≤ 10 MB, flat" "-"
fi

# Simulator: here "ours" is WASM in Chromium and "baseline" the same work natively.
section "SIMULATOR (ours = WASM in headless Chromium, baseline = native, one core)"
neps=$(get native_eps) weps=$(get wasm_eps)
row "throughput, events/s (best of $(get wasm_reps '?') / $REPS)" "$(or_na "$weps" "$(num "$weps")" "$(na "$(get wasm_error 'no output')")")" "$(or_na "$neps" "$(num "$neps")" "$(na "$(get native_error 'no output')")")" "$(ratio "$weps" "$neps")" "native ≥ 5,000,000; WASM ≥ 0.70×" "$(if [ -n "$neps" ]; then ok "$neps >= 5000000"; else echo -; fi)$(if [ -n "$weps" ] && [ -n "$neps" ]; then printf ', '; ok "$weps >= 0.7 * $neps"; fi)"
for id in walkthrough dedup-window delivery-semantics; do
  n=$(get "native_sweep_$id") w=$(get "wasm_sweep_$id")
  row "sweep 10,000 $id (best)" "$(or_na "$w" "$(ms "$w")" "n/a")" "$(or_na "$n" "$(ms "$n")" "n/a")" "$(ratio "$w" "$n")" "WASM ≤ 2 s" "$(if [ -n "$w" ]; then ok "$w <= 2"; else echo -; fi)"
done
if [ -n "$(get sweep_app_secs)" ]; then
  row "sweep 10,000 in the app (click→done)" "$(get sweep_app_secs) s" "-" "-" "≤ 2 s" "$(ok "$(get sweep_app_secs) <= 2")"
else
  row "sweep 10,000 in the app (click→done)" "$(get sweep_app "$browser_na")" "-" "-" "≤ 2 s" "-"
fi
if [ -n "$(get workbench_check_ms)" ]; then
  row "workbench k=2 check, six-step handler (click→verdict)" "$(get workbench_check_ms) ms ($(get workbench_click_ms) ms)" "-" "-" "≤ 1 s" "$(ok "$(get workbench_click_ms) <= 1000")"
  if [ -n "$(get workbench3_click_ms)" ]; then
    row "workbench k=3 check in a worker (click→verdict; longest frame gap)" "$(get workbench3_click_ms) ms ($(get workbench3_gap_ms) ms)" "-" "-" "page responsive" "$(ok "$(get workbench3_gap_ms) <= 100")"
  fi
else
  row "workbench k=2 check, six-step handler (click→verdict)" "$browser_na" "-" "-" "≤ 1 s" "-"
fi
# "BENCH wasm explore scenario=walkthrough k=2 schedules=16 finished=true events=… secs=… schedules_per_s=…"
xrate() { sed -n "s/.* explore scenario=$2 k=\\([0-9]*\\) schedules=\\([0-9]*\\) finished=\\([a-z]*\\) .*schedules_per_s=\\([0-9]*\\).*/\\${3}/p" "$work/explore-$1.txt" 2>/dev/null | head -1; }
ids=$( { sed -n 's/.* explore scenario=\([^ ]*\) .*/\1/p' "$work/explore-wasm.txt" "$work/explore-native.txt" 2>/dev/null || true; } | awk '!seen[$0]++')
if [ -z "$ids" ]; then
  row "exhaustive check (k = 2), schedules/s" "$(na "$(get wasm_error 'no output')")" "$(na "$(get native_step_error 'no output')")" "-" "-" "-"
fi
for id in $ids; do
  w=$(xrate wasm "$id" 4) n=$(xrate native "$id" 4) sched=$(xrate native "$id" 2)
  [ -n "$sched" ] || sched=$(xrate wasm "$id" 2)
  row "exhaustive check k=2, $id ($(num "${sched:-0}") schedules), schedules/s" "$(or_na "$w" "$(num "$w")" "n/a")" "$(or_na "$n" "$(num "$n")" "n/a")" "$(ratio "$w" "$n")" "-" "-"
done
# "From here": "BENCH wasm futures scenario=outbox tick=38 k=2 futures=225 groups=2 ms=…"
fms() { sed -n "s/.* futures scenario=$2 tick=\([0-9]*\) k=[0-9]* futures=\([0-9]*\) groups=[0-9]* ms=\([0-9.]*\).*/\\${3}/p" "$work/futures-$1.txt" 2>/dev/null | head -1; }
fids=$( { sed -n 's/.* futures scenario=\([^ ]*\) tick=.*/\1/p' "$work/futures-wasm.txt" "$work/futures-native.txt" 2>/dev/null || true; } | awk '!seen[$0]++')
for id in $fids; do
  w=$(fms wasm "$id" 3) n=$(fms native "$id" 3) t=$(fms native "$id" 1) c=$(fms native "$id" 2)
  [ -n "$t" ] || t=$(fms wasm "$id" 1)
  [ -n "$c" ] || c=$(fms wasm "$id" 2)
  row "From here at tick ${t:-?} of $id, k=2 ($(num "${c:-0}") futures), ms" "$(or_na "$w" "$w ms" "n/a")" "$(or_na "$n" "$n ms" "n/a")" "$(ratio "$w" "$n")" "-" "-"
done

table() { column -t -s '|' -o ' | '; }
printf '\n\033[1m==== benchmark results (%s, %s; %s mode, %s s) ====\033[0m\n' "$(date +%F\ %T)" "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)" "$(quick && echo quick || echo full)" "$(($(date +%s) - t_start))"
{
  printf 'metric|ours|baseline|ratio|target|status\n'
  printf -- '---|---|---|---|---|---\n'
  printf '%s\n' "${rows[@]}"
} | table

# Start-up breakdown: milestones of every load (median), then main-thread time by kind.
if [ -n "$(get startup_phase_00)" ]; then
  printf '\n\033[1m==== start-up breakdown, ms (median of the cold loads above; ours ?%s) ====\033[0m\n' "$(get startup_query)"
  {
    printf 'phase|ours|baseline|ratio\n'
    printf -- '---|---|---|---\n'
    for j in $(seq -w 0 20); do
      v=$(get "startup_phase_$j"); [ -n "$v" ] || continue
      b=$(get "baseline_phase_$j"); b=${b#*|}
      printf '%s|%s|%s|%s\n' "${v%%|*}" "${v#*|}" "${b:--}" "$(ratio "${v#*|}" "$b")"
    done
    printf '%s|||\n' "main-thread time until mounted and painted (Chrome trace, median of $(get startup_traces 0) loads):"
    for j in $(seq -w 0 20); do
      v=$(get "startup_trace_$j"); [ -n "$v" ] || continue
      b=$(get "baseline_trace_$j"); b=${b#*|}
      printf '  %s|%s|%s|%s\n' "${v%%|*}" "${v#*|}" "${b:--}" "$(ratio "${v#*|}" "$b")"
    done
    if [ -n "$(get startup_trace_busy)" ]; then
      printf '  %s|%s|%s|%s\n' "busy, of the span navigation → mounted+painted" "$(get startup_trace_busy) of $(get startup_trace_span)" "$(get baseline_trace_busy -) of $(get baseline_trace_span -)" "$(ratio "$(get startup_trace_busy)" "$(get baseline_trace_busy)")"
      printf '  %s|%s|%s|%s\n' "of which forced (synchronous) style+layout" "$(get startup_trace_forced)" "$(get baseline_trace_forced -)" "-"
      printf '  %s|%s|%s|%s\n' "wasm compile on background threads (CPU)" "$(get startup_trace_offmain_wasm)" "$(get baseline_trace_offmain_wasm -)" "-"
    fi
    printf '%s|%s|%s|%s\n' "font files fetched" "$(get startup_font_files 0)" "$(get baseline_font_files -)" "-"
  } | table
fi

# Frames per scenario.
if [ -n "$(get frames_row_000)" ]; then
  printf '\n\033[1m==== frames per run (%s s each), ms ====\033[0m\n' "$(quick && echo 2 || echo 5)"
  {
    printf 'run|speed|frames|p50|p95|max|long tasks (longest)|max in flight\n'
    printf -- '---|---|---|---|---|---|---|---\n'
    grep '^frames_row_' "$R" | cut -d= -f2-
  } | table
fi
if [ -n "$(get mem_play_series)" ]; then
  printf '\nmemory while playing at the fastest speed, t:JS-heap+WASM MB (after a forced GC):\n'
  tr ' ' '\n' <<<"$(get mem_play_series)" | paste -d' ' - - - - - - - - | sed 's/ *$//; s/^/  /'
fi
if [ -s "$work/scope.txt" ]; then
  cat "$work/scope.txt"
fi
if [ -s "$work/areas.txt" ]; then
  printf '\n\033[1m==== where the wasm bytes go (brotli, by area) ====\033[0m\n'
  cat "$work/areas.txt"
fi
if [ -s "$work/data-areas.txt" ]; then
  printf '\n\033[1m==== texts and lessons on demand: what each entry page would not download (brotli) ====\033[0m\n'
  grep -v '^data_' "$work/data-areas.txt"
fi
if [ -s "$work/fsc.txt" ]; then
  printf '\n\033[1m==== the code each entry page runs before it is idle (brotli) ====\033[0m\n'
  grep -v '^fsc_' "$work/fsc.txt"
fi
if [ -s "$work/areas-floor.txt" ]; then
  printf '\n\033[1m==== the floor (bench/floor: no UI component) by area ====\033[0m\n'
  cat "$work/areas-floor.txt"
fi
