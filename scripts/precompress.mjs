#!/usr/bin/env node
// Writes FILE.br (brotli, quality 11) and FILE.gz (gzip -9) beside every compressible file
// of a built dist/, so a static host that serves precompressed files (nginx gzip_static /
// brotli_static, Caddy `precompressed`, Apache rewrite rules, see the README) sends the
// small copy without compressing on the fly. Run by `make build` after trunk (not a trunk
// hook: trunk runs its post_build hooks side by side, and sw-precache.mjs must list only
// the real files).
//
// Usage: node scripts/precompress.mjs [DIST=dist]
// Prints one line per file and the totals. Idempotent: stale .br/.gz are rewritten.
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import { readdirSync, readFileSync, statSync, writeFileSync, unlinkSync } from "node:fs";
import { join, relative, sep, extname } from "node:path";

const dir = process.argv[2] ?? "dist";
// Already-compressed formats gain nothing.
const SKIP = new Set([".br", ".gz", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff2", ".zip"]);

function walk(d, out = []) {
  for (const name of readdirSync(d).sort()) {
    if (name.startsWith(".")) continue;
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const all = walk(dir);
// Leftovers of an earlier run whose source file is gone.
for (const p of all) {
  if ((p.endsWith(".br") || p.endsWith(".gz")) && !all.includes(p.slice(0, -3))) unlinkSync(p);
}
let raw = 0, br = 0, gz = 0, n = 0;
for (const p of all) {
  if (SKIP.has(extname(p))) continue;
  const data = readFileSync(p);
  const b = brotliCompressSync(data, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: data.length,
    },
  });
  const g = gzipSync(data, { level: 9 });
  writeFileSync(`${p}.br`, b);
  writeFileSync(`${p}.gz`, g);
  raw += data.length; br += b.length; gz += g.length; n += 1;
}
const rel = relative(process.cwd(), dir).split(sep).join("/") || ".";
console.log(`precompress: ${n} files in ${rel}/: ${raw} B raw, ${gz} B as .gz, ${br} B as .br`);
