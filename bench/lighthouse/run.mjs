#!/usr/bin/env node
// Lighthouse (mobile emulation: slow 4G, 4x CPU) on our entry pages and the Yew baseline,
// for `make bench` (bench/bench.sh). Each dist/ is served precompressed (brotli, as a
// real host should; scripts/precompress.mjs) and, for one row, without compression.
// Pages are run alternately (ours, baseline, ours, …) so drift hits both; medians printed.
//
// Env: BENCH_DIST, BENCH_BASELINE_DIST (built dist dirs), LH_RUNS (default 3),
//      LH_OUT (key=value lines for bench.sh; default stdout), CHROMIUM (/usr/bin/chromium).
// Keys: lh_<page>_{score,lcp_ms,tbt_ms,tti_ms,cls,longtask_ms,bytes,runs} for page in
//       walkthrough, lesson, embed_outbox, plain_walkthrough (no compression), baseline.
//       longtask_ms: the longest main-thread task Lighthouse saw (its long-tasks audit, every
//       task >= 50 ms until the page settles; 0 when there is none); bytes: what the page
//       transferred (total-byte-weight: compressed bytes, headers included).
//      LH_PAGES (comma-separated keys) runs only those pages; LH_JSON_DIR keeps each report.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { serve } from "../../tests/e2e/server.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "../..");
const ours = resolve(process.env.BENCH_DIST ?? "/tmp/bench-dist");
const base = resolve(process.env.BENCH_BASELINE_DIST ?? "/tmp/bench-baseline-dist");
const runs = Number(process.env.LH_RUNS ?? 3);
const chrome = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Lighthouse's CLI, run by this node with symlinks kept: node_modules may be a link to a
// copy elsewhere, whose packages would not find each other by their real paths.
const lhBin = join(here, "node_modules", "lighthouse", "cli", "index.js");
const out = (line) => (process.env.LH_OUT ? appendFileSync(process.env.LH_OUT, `${line}\n`) : console.log(line));

if (!existsSync(lhBin)) {
  out(`lh_error=lighthouse not installed (cd bench/lighthouse && npm ci)`);
  process.exit(0);
}
for (const d of [ours, base]) {
  if (existsSync(join(d, "index.html"))) execFileSync("node", [join(repo, "scripts/precompress.mjs"), d], { stdio: "ignore" });
}

const oursZ = await serve({ root: ours, precompressed: true });
const oursPlain = await serve({ root: ours });
const haveBase = existsSync(join(base, "index.html"));
const baseZ = haveBase ? await serve({ root: base, precompressed: true }) : null;

const only = process.env.LH_PAGES ? new Set(process.env.LH_PAGES.split(",")) : null;
const pages = [
  ["walkthrough", `${oursZ.url}?s=walkthrough`],
  ["lesson", `${oursZ.url}?lesson=walkthrough&step=2`],
  ["embed_outbox", `${oursZ.url}?s=outbox&embed=1`],
  ["plain_walkthrough", `${oursPlain.url}?s=walkthrough`],
  ...(baseZ ? [["baseline", baseZ.url]] : []),
].filter(([k]) => !only || only.has(k));

// Async: the servers above live in this process, so it must not block while Lighthouse loads pages.
async function lighthouse(url, tag) {
  const profile = mkdtempSync(join(tmpdir(), "eop-lh-"));
  try {
    const r = await promisify(execFile)(
      process.execPath,
      [
        "--preserve-symlinks",
        "--preserve-symlinks-main",
        lhBin,
        url,
        `--chrome-path=${chrome}`,
        `--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage --disable-background-networking --disable-component-update --no-first-run --user-data-dir=${profile}`,
        "--only-categories=performance",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
      ],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: 240_000 },
    );
    const j = JSON.parse(r.stdout);
    if (process.env.LH_JSON_DIR) writeFileSync(join(process.env.LH_JSON_DIR, `${tag}.json`), r.stdout);
    const a = j.audits;
    const longs = (a["long-tasks"]?.details?.items ?? []).map((t) => t.duration);
    return {
      score: Math.round(j.categories.performance.score * 100),
      lcp_ms: Math.round(a["largest-contentful-paint"].numericValue),
      tbt_ms: Math.round(a["total-blocking-time"].numericValue),
      tti_ms: Math.round(a.interactive?.numericValue ?? NaN),
      cls: Math.round((a["cumulative-layout-shift"]?.numericValue ?? NaN) * 1000) / 1000,
      longtask_ms: Math.round(Math.max(0, ...longs)),
      bytes: Math.round(a["total-byte-weight"]?.numericValue ?? NaN),
    };
  } catch (e) {
    process.stderr.write(`lighthouse ${url}: ${String(e).slice(0, 300)}\n`);
    return null;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

const results = Object.fromEntries(pages.map(([k]) => [k, []]));
for (let i = 0; i < runs; i++) {
  for (const [k, url] of pages) {
    const r = await lighthouse(url, `${k}-${i + 1}`);
    if (r) results[k].push(r);
    process.stderr.write(`lighthouse ${k} run ${i + 1}: ${r ? JSON.stringify(r) : "failed"}\n`);
  }
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : "";
};
for (const [k] of pages) {
  const rs = results[k];
  out(`lh_${k}_runs=${rs.length}`);
  for (const m of ["score", "lcp_ms", "tbt_ms", "tti_ms", "cls", "longtask_ms", "bytes"]) out(`lh_${k}_${m}=${median(rs.map((r) => r[m]))}`);
}
await oursZ.close();
await oursPlain.close();
await baseZ?.close();
