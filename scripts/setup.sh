#!/usr/bin/env bash
# Installs whatever `make serve` / `make test` need and is missing; prints what it installs.
# Idempotent: when everything is present it only checks versions and returns in a second or two.
# Every tool comes from rustup, crates.io, npm or Debian packages; nothing is downloaded otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

TOOLCHAIN=$(sed -n 's/^channel *= *"\(.*\)"/\1/p' rust-toolchain.toml)
TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132
# The wasm-bindgen CLI must equal the wasm-bindgen library in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/version = |"/, ""); print; exit}' Cargo.lock)
what() { echo "setup: $*"; }
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"

# 1. Rust toolchain with the wasm target (RUSTUP_AUTO_INSTALL=0 here, so do it explicitly).
if ! rustup toolchain list | grep -q "^$TOOLCHAIN"; then
  what "installing Rust $TOOLCHAIN"
  rustup toolchain install "$TOOLCHAIN" --profile minimal -c rustfmt -c clippy
fi
installed_components=$(rustup component list --toolchain "$TOOLCHAIN" --installed)
for c in rustfmt clippy; do
  echo "$installed_components" | grep -q "^$c" || { what "adding $c"; rustup component add --toolchain "$TOOLCHAIN" "$c"; }
done
if ! rustup target list --toolchain "$TOOLCHAIN" --installed | grep -q wasm32-unknown-unknown; then
  what "adding target wasm32-unknown-unknown"
  rustup target add --toolchain "$TOOLCHAIN" wasm32-unknown-unknown
fi

# 2. Debian packages: Chromium + ChromeDriver for browser tests.
need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
[ -x /usr/bin/chromedriver ] || need_apt+=(chromium-driver)
command -v brotli >/dev/null || need_apt+=(brotli)
if [ ${#need_apt[@]} -gt 0 ]; then
  what "apt-get install ${need_apt[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# 3. Cargo-installed tools, pinned.
have_version() { command -v "$1" >/dev/null && "$1" --version 2>/dev/null | grep -q "$2"; }
if ! have_version trunk "$TRUNK_VERSION"; then
  what "cargo install trunk $TRUNK_VERSION (takes ~8 min on 2 cores)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if ! have_version wasm-bindgen "$WBG_VERSION" || ! command -v wasm-bindgen-test-runner >/dev/null; then
  what "cargo install wasm-bindgen-cli $WBG_VERSION (takes ~3 min)"
  # --locked fails on a dependency version the registry lacks; the crate's own ranges resolve fine.
  cargo install wasm-bindgen-cli --version "$WBG_VERSION" --force
fi

# 4. npm: wasm-opt (binaryen) for trunk's release pipeline, and the e2e test deps.
if ! have_version wasm-opt "version $BINARYEN_VERSION"; then
  what "npm install -g binaryen@$BINARYEN_VERSION"
  npm install -g --no-fund --no-audit "binaryen@$BINARYEN_VERSION" >/dev/null
fi
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules/.package-lock.json ]; then
  what "npm ci in tests/e2e"
  (cd tests/e2e && npm ci --no-fund --no-audit >/dev/null)
fi
echo "setup: ready (rust $TOOLCHAIN, trunk $TRUNK_VERSION, wasm-bindgen $WBG_VERSION, binaryen $BINARYEN_VERSION)"
