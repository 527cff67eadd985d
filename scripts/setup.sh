#!/usr/bin/env bash
# Installs whatever `make serve` / `make test` need and is missing; prints what it installs.
# Idempotent: when everything is present it only checks versions and returns in a second or two.
# Every tool comes from rustup, crates.io, npm or Debian packages; nothing is downloaded otherwise.
# Works on a fresh Debian machine as root (or with sudo) that has rustup, cargo, node and npm.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
# The wasm-bindgen CLI must equal the wasm-bindgen library in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
[ -n "$TOOLCHAIN" ] || { echo "setup: no channel in rust-toolchain.toml" >&2; exit 1; }
[ -n "$WBG_VERSION" ] || { echo "setup: no wasm-bindgen in Cargo.lock" >&2; exit 1; }

what() { echo "setup: $*"; }
die() { echo "setup: error: $*" >&2; exit 1; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# Tools installed below must be found by this script and by the Makefile alike.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac
for t in rustup cargo node npm; do
  command -v "$t" >/dev/null || die "$t is not on PATH; install it first (rustup from rustup.rs; node >= 20 with npm)"
done
NPM_BIN="$(npm prefix -g)/bin"
case ":$PATH:" in *":$NPM_BIN:"*) ;; *) export PATH="$NPM_BIN:$PATH" ;; esac

# Output of a command, or empty if it fails (no pipes into `grep -q`: with pipefail a
# SIGPIPE in the writer would read as "missing").
out() { "$@" 2>/dev/null || true; }
# has_line TEXT PREFIX: does a line of TEXT start with PREFIX?
has_line() { case $'\n'"$1" in *$'\n'"$2"*) return 0 ;; *) return 1 ;; esac; }
# have_version TOOL TEXT: is TOOL on PATH and does `TOOL --version` print TEXT?
have_version() { command -v "$1" >/dev/null && case "$(out "$1" --version)" in *"$2"*) return 0 ;; *) return 1 ;; esac; }

# 1. Rust toolchain with the wasm target (RUSTUP_AUTO_INSTALL=0 here, so do it explicitly).
if ! has_line "$(out rustup toolchain list)" "$TOOLCHAIN"; then
  what "installing Rust $TOOLCHAIN"
  rustup toolchain install "$TOOLCHAIN" --profile minimal -c rustfmt -c clippy
fi
installed_components=$(out rustup component list --toolchain "$TOOLCHAIN" --installed)
for c in rustfmt clippy; do
  has_line "$installed_components" "$c" || { what "adding $c"; rustup component add --toolchain "$TOOLCHAIN" "$c"; }
done
if ! has_line "$(out rustup target list --toolchain "$TOOLCHAIN" --installed)" wasm32-unknown-unknown; then
  what "adding target wasm32-unknown-unknown"
  rustup target add --toolchain "$TOOLCHAIN" wasm32-unknown-unknown
fi

# 2. Debian packages: Chromium + ChromeDriver for browser tests, brotli for the size report,
#    zip/unzip for the SCORM packages.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
command -v brotli >/dev/null || need_apt+=(brotli)
command -v gzip >/dev/null || need_apt+=(gzip)
# zip for the SCORM packages (scripts/scorm.mjs), unzip for their test.
command -v zip >/dev/null || need_apt+=(zip)
command -v unzip >/dev/null || need_apt+=(unzip)
if [ ${#need_apt[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing ${need_apt[*]} and no apt-get to install them"
  what "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 3. Cargo-installed tools, pinned.
if ! have_version trunk "trunk $TRUNK_VERSION"; then
  what "cargo install trunk $TRUNK_VERSION (takes ~8 min on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if ! have_version wasm-bindgen "wasm-bindgen $WBG_VERSION" || ! have_version wasm-bindgen-test-runner "$WBG_VERSION"; then
  what "cargo install wasm-bindgen-cli $WBG_VERSION (takes 5-20 min on 2 busy cores)"
  # --locked fails on a dependency version the registry lacks; the crate's own ranges resolve fine.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force
fi

# 4. npm: wasm-opt (binaryen) for trunk's release pipeline, and the e2e test deps.
if ! have_version wasm-opt "version $BINARYEN_VERSION"; then
  what "npm install -g binaryen@$BINARYEN_VERSION"
  npm install -g --no-fund --no-audit "binaryen@$BINARYEN_VERSION" >/dev/null
  have_version wasm-opt "version $BINARYEN_VERSION" || die "wasm-opt $BINARYEN_VERSION still not on PATH ($NPM_BIN)"
fi
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  what "npm ci in tests/e2e"
  (cd tests/e2e && npm ci --no-fund --no-audit >/dev/null)
fi
echo "setup: ready (rust $TOOLCHAIN, trunk $TRUNK_VERSION, wasm-bindgen $WBG_VERSION, binaryen $BINARYEN_VERSION, $(out /usr/bin/chromium --version))"
