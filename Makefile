# Exactly-Once Playground: the two commands are `make serve` and `make test`.
#
#   make serve        install what is missing, then `trunk serve` on http://127.0.0.1:8080 (dev build, autoreload)
#   make test         install what is missing, then every check below, stopping at the first failure
#   make build        release build into dist/ (trunk, wasm-opt, offline)
#   make e2e          build + the Playwright end-to-end tests only
#   make screenshots  build + 1280x800 screenshots of every scenario into tests/e2e/artifacts/
#   make size         size report of dist/ against the brotli budget
#   make bench        benchmarks against a Yew baseline app in the same run (BENCH_QUICK=1: ~6 min; docs/bench.md)
#   make scorm        build + SCORM 1.2 and 2004 packages into dist-scorm/ (LESSONS=a,b MASTERY=80 SCO=per-lesson; docs/lms.md)
#   make setup        only install what is missing (scripts/setup.sh)
#   make sweep-long   100,000 random schedules per scenario: protected techniques hold
#   make fuzz-share   100,000 random share links and run files through the decoders (never panic, round-trip)
#
# Individual checks: fmt clippy clippy-wasm test-native test-wasm build size e2e.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

# Tools that scripts/setup.sh installs: cargo's bin dir and npm's global bin dir on PATH.
CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
NPM_BIN := $(shell npm prefix -g 2>/dev/null)/bin
export PATH := $(CARGO_BIN):$(NPM_BIN):$(PATH)

# wasm-bindgen-test in headless Chromium (options in webdriver.json).
export CHROMEDRIVER ?= /usr/bin/chromedriver
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER := wasm-bindgen-test-runner
export WASM_BINDGEN_TEST_TIMEOUT ?= 300

# Total brotli-compressed size of dist/ (all files; the sweep worker runs the app's wasm) may not exceed this.
# Set to the measured total + 5%: 455,047 B on 2026-11-29 after the lessons (course model, evaluation
# and validation, 14 lesson files), the host-page API with embed.js and the service worker, the
# fitted stage layout, the exhaustive checker and the teaching-truth work (313,426 B before; the
# budget was 345,000). Bringing it down is issue 14's work. Raise it deliberately, not casually.
# Raised on 2026-12-06 to 507,376 B + 5% after round 3's first session (lesson format 2 with
# its validator — double entry, prose and format checks run on a teacher's imported file —,
# the lesson layout, withholding and summary, observe steps, link fingerprints and the
# stale-link notice, compact embeds, per-process counters, the verdict text path): the wasm
# went from about 436 KB to 483 KB brotli. Issue 26 (a first load under 300 KB brotli by
# splitting what the first screen does not use) is where it comes down.
# Raised on 2026-12-06 (round 3, session 2) to 549,225 B + 5%: this session added 41,849 B
# brotli (from 507,376) with the handler workbench (its model, exhaustive checker,
# challenges and page), the first-screen shell, the lesson rules (hints, already-watched
# runs, the message quantity) and narration that names each log record. The first screen still downloads the whole
# wasm; issue 26's split (a second module for what the first screen does not use) is where
# it comes down.
# Raised on 2026-12-06 (round 3, session 3) to 585,946 B + 5%: the workbench's replay, host and
# SCORM reporting and the lesson build step (to 566,413 B), then practice (variants of every
# predict question, the review schedule, "Can it ever happen?" questions, the practice page:
# about 19.5 KB). Measured this session: moving the sweep, check and workbench code into a
# worker module would save 17,822 B (3.4%) of the main module; the texts and lessons are
# 104 KB brotli of data the first screen mostly does not read (docs/bench.md).
# Raised on 2026-12-06 (round 3, session 4) to 618,123 B + 5%: this session added 27,911 B brotli
# (from 590,212) with the counterexample drawn on a stage and the workbench check in the worker
# (issue 28), "From here" (every future from a tick, issue 29), "Can it ever happen?" as lesson
# steps and practice answers reported to the host and SCORM. Measured this session (perf,
# bench/data-areas.mjs): the code section alone is 462,717 B brotli, and loading the texts and
# lessons on demand would take off only 30-32 KB per entry page, so no data split reaches a
# 300 KB first download (docs/bench.md).
BUDGET_BROTLI_BYTES ?= 649000
export BUDGET_BROTLI_BYTES

WASM_TESTS := $(patsubst tests/%.rs,--test %,$(sort $(wildcard tests/wasm_*.rs)))
E2E_TESTS := $(sort $(notdir $(wildcard tests/e2e/*.test.mjs)))

# $(call step,Title): a heading per step, with the wall-clock time it starts.
step = @printf '\n\033[1m==== %s ====\033[0m  (%s)\n' "$(1)" "$$(date +%T)"

# Steps run in the order given (setup first, build before size and e2e).
.NOTPARALLEL:

.PHONY: help setup serve test build e2e screenshots size fmt clippy clippy-wasm test-native test-wasm \
        e2e-only bench fuzz-share sweep-long scorm

help:
	@sed -n 's/^#   //p' Makefile

setup:
	$(call step,setup: install what is missing)
	@bash scripts/setup.sh

serve: setup
	$(call step,trunk serve on http://127.0.0.1:8080)
	trunk serve --offline --address 127.0.0.1 --port 8080 --dist target/serve-dist

TEST_STEPS := setup fmt clippy clippy-wasm test-native test-wasm build size e2e-only
test: $(TEST_STEPS)
	$(call step,make test: every step passed)
	@echo "steps: $(words $(TEST_STEPS)) passed, 0 failed"

fmt:
	$(call step,cargo fmt --check)
	cargo fmt --all -- --check

clippy:
	$(call step,cargo clippy (native: all targets))
	cargo clippy --all-targets -- -D warnings

clippy-wasm:
	$(call step,cargo clippy (wasm32: lib + bins + wasm tests))
	cargo clippy --target wasm32-unknown-unknown --lib --bins $(WASM_TESTS) -- -D warnings

test-native:
	$(call step,cargo test (native: unit + integration + tidy + doc))
	cargo test --all-targets
	cargo test --doc

test-wasm:
	$(call step,wasm-bindgen-test in headless Chromium: $(WASM_TESTS))
	cargo test --target wasm32-unknown-unknown $(WASM_TESTS)

build: setup
	$(call step,trunk build --release --offline -> dist/)
	@# Two trunk builds into one dist/ break each other (shared dist/.stage): take turns.
	@mkdir -p target
	flock target/.trunk-build.lock trunk build --release --offline
	@# .br and .gz beside each file, for hosts that serve precompressed files (README, Hosting).
	node scripts/precompress.mjs dist

size:
	$(call step,dist/ size (budget: $(BUDGET_BROTLI_BYTES) bytes brotli))
	@bash scripts/size-report.sh dist

# SCORM packages of the course (docs/lms.md). LESSONS: which lessons count (ids, comma-separated;
# default: every lesson of src/course/lessons/, in teaching order); MASTERY: 0-100 or none; SCO: course or per-lesson.
LESSONS ?=
MASTERY ?= 80
SCO ?= course
scorm: build
	$(call step,SCORM packages -> dist-scorm/ (lessons: $(or $(LESSONS),all), mastery $(MASTERY), SCO $(SCO)))
	node scripts/scorm.mjs --dist dist --out dist-scorm --lessons "$(LESSONS)" --mastery "$(MASTERY)" --sco "$(SCO)"

e2e: setup build e2e-only

e2e-only:
	$(call step,Playwright e2e (headless Chromium over dist/))
	cd tests/e2e && node --test --test-concurrency=1 --test-timeout=300000 $(E2E_TESTS)

screenshots: setup build
	$(call step,screenshots -> tests/e2e/artifacts/)
	node tests/e2e/screenshots.mjs

bench: setup
	$(call step,benchmarks)
	bash bench/bench.sh

sweep-long:
	$(call step,long sweep: 100000 random schedules per scenario; protected techniques hold)
	cargo test --release --test native long_sweep -- --ignored --nocapture

fuzz-share:
	$(call step,share-link fuzz: 100000 cases (encode/decode round-trip, decoder never panics))
	cargo test --release --test native long_share_fuzz -- --ignored --nocapture
