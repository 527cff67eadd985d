#!/usr/bin/env node
// trunk post_build hook: make the Content-Security-Policy in the built index.html allow
// exactly the inline scripts trunk wrote into it, and nothing else.
//
// trunk 0.21 loads the app with an inline `<script type="module">import init from
// './exactly-once-playground-<hash>.js'; …</script>`, whose text changes with every build.
// This hook computes the sha256 of each inline script of the staged index.html and appends
// `'sha256-…'` to the script-src directive of the CSP <meta>, so no 'unsafe-inline' is needed.
//
// Exception: under `trunk serve`, trunk also injects its autoreload script, whose text the
// dev server rewrites per request (it substitutes the host it was reached at), so no hash
// made here could match. For such a (debug, served) build only, script-src gets
// 'unsafe-inline' instead of hashes and a note is printed. Release builds never contain
// that script.
//
// Usage: run by trunk with TRUNK_STAGING_DIR set; or `node scripts/csp-hash.mjs FILE.html`.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const file = process.argv[2] ?? join(process.env.TRUNK_STAGING_DIR ?? "dist", "index.html");
const html = readFileSync(file, "utf8");

const inline = [];
for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)) {
  const [, attrs, body] = m;
  if (/\bsrc\s*=/i.test(attrs)) continue;
  inline.push(body);
}
const rewrittenByServer = inline.some((body) => body.includes("{{__TRUNK_"));

// The CSP <meta>, whatever its attribute order and quoting (trunk's minifier reorders
// attributes and drops quotes where it can).
const attrRe = /([^\s=\/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
let meta;
for (const m of html.matchAll(/<meta\b([^>]*)>/gi)) {
  const attrs = {};
  for (const a of m[1].matchAll(attrRe)) attrs[a[1].toLowerCase()] = a[2] ?? a[3] ?? a[4] ?? "";
  if ((attrs["http-equiv"] ?? "").toLowerCase() === "content-security-policy") {
    meta = { tag: m[0], policy: attrs.content ?? "" };
    break;
  }
}
if (!meta) {
  console.error(`csp-hash: no Content-Security-Policy <meta> in ${file}`);
  process.exit(1);
}
const policy = meta.policy;
const directives = policy.split(";").map((d) => d.trim()).filter(Boolean);
const i = directives.findIndex((d) => d.split(/\s+/)[0] === "script-src");
if (i < 0) {
  console.error(`csp-hash: the CSP in ${file} has no script-src directive`);
  process.exit(1);
}
// Idempotent: drop hashes/'unsafe-inline' a previous run added.
let sources = directives[i]
  .split(/\s+/)
  .slice(1)
  .filter((s) => !/^'sha256-/.test(s) && s !== "'unsafe-inline'");
let note;
if (rewrittenByServer) {
  sources.push("'unsafe-inline'");
  note = "dev server build: script-src allows 'unsafe-inline' (trunk's autoreload script is rewritten per request)";
} else {
  const hashes = [...new Set(inline.map((b) => `'sha256-${createHash("sha256").update(b, "utf8").digest("base64")}'`))];
  sources.push(...hashes);
  note = `script-src allows ${hashes.length} inline script(s) by hash`;
}
directives[i] = ["script-src", ...sources].join(" ");
const newPolicy = directives.join("; ");
// Rebuild the tag with the new policy, always double-quoted (it contains single quotes).
if (newPolicy.includes('"')) {
  console.error("csp-hash: policy contains a double quote");
  process.exit(1);
}
const newTag = `<meta http-equiv="Content-Security-Policy" content="${newPolicy}">`;
const out = html.replace(meta.tag, () => newTag);
writeFileSync(file, out);
console.log(`csp-hash: ${note}`);
