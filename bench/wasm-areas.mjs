// make bench: where the release wasm's bytes go, by area (the size floor).
// Input: the pre-wasm-bindgen wasm (it keeps the name section) after `wasm-opt -Os --debuginfo`.
// Function bodies are grouped by the crate/module their (mangled) name starts with and
// compressed per group; the sum is scaled to the whole code section's brotli size. Yew's
// generic wrappers hold our components' inlined render code, so 'yew' is yew + our views.
import fs from 'fs';
import zlib from 'zlib';
const b = fs.readFileSync(process.argv[2]);
let p = 8;
const leb = () => { let r = 0n, s = 0n, x; do { x = b[p++]; r |= BigInt(x & 0x7f) << s; s += 7n; } while (x & 0x80); return Number(r); };
const secs = {}; let imports = 0; const customs = {};
while (p < b.length) {
  const id = b[p++]; const len = leb(); const start = p;
  if (id === 0) { const nl = leb(); const name = b.slice(p, p + nl).toString(); customs[name] = { start: p + nl, end: start + len }; }
  else secs[id] = { start, end: start + len };
  p = start + len;
}
// imported function count
p = secs[2].start; let n = leb();
for (let i = 0; i < n; i++) { let l = leb(); p += l; l = leb(); p += l; const kind = b[p++];
  if (kind === 0) { leb(); imports++; } else if (kind === 1) { p++; const fl = leb(); leb(); if (fl & 1) leb(); }
  else if (kind === 2) { const fl = leb(); leb(); if (fl & 1) leb(); } else if (kind === 3) { p += 2; } else if (kind === 4) { p++; leb(); } }
// names
const names = {};
if (customs.name) { p = customs.name.start; while (p < customs.name.end) { const sub = b[p++]; const sl = leb(); const e = p + sl;
  if (sub === 1) { const cnt = leb(); for (let i = 0; i < cnt; i++) { const idx = leb(); const nl = leb(); names[idx] = b.slice(p, p + nl).toString(); p += nl; } }
  p = e; } }
// bodies
p = secs[10].start; const cnt = leb(); const bodies = [];
for (let i = 0; i < cnt; i++) { const sz = leb(); bodies.push({ idx: imports + i, buf: b.slice(p, p + sz) }); p += sz; }
const area = (raw) => {
  if (!raw) return 'unnamed';
  const nm = raw.replace(/\.\./g, '::');
  const has = (mangled, plain) => nm.includes(mangled) || nm.includes(plain);
  // the first crate named in the symbol decides (the impl's self type comes first)
  if (has('3eop3sim9scenarios', 'eop::sim::scenarios')) return 'sim: scenarios';
  if (has('3eop3sim7explore', 'eop::sim::explore') || has('3eop3sim5sweep', 'eop::sim::sweep')) return 'sim: sweep + exhaustive check';
  if (has('3eop3sim', 'eop::sim')) return 'sim: core (engine, replay, narrate, invariants…)';
  if (has('3eop6course', 'eop::course')) return 'course (lessons: model, eval, validate)';
  if (/3eop2ui(4host|7offline|6worker|6export|5share)|eop::ui::(host|offline|worker|export|share)/.test(nm)) return 'ui: host API, worker, share, run files';
  if (has('3eop2ui6layout', 'eop::ui::layout')) return 'ui: stage layout';
  if (has('3eop2ui', 'eop::ui')) return 'ui: components, state, hooks';
  if (/3yew|yew::|implicit_clone/.test(nm)) return 'yew runtime';
  if (/serde/.test(nm)) return 'serde + serde_json';
  if (/btree|BTree/.test(nm)) return 'BTreeMap/BTreeSet instances';
  if (/wasm_bindgen|js_sys|web_sys|gloo/.test(nm)) return 'wasm-bindgen, js-sys, web-sys, gloo';
  if (/fmt|flt2dec|dec2flt/.test(nm)) return 'std formatting';
  return 'std/alloc/other generics';
};
const groups = {};
for (const x of bodies) { const a = area(names[x.idx]); (groups[a] ??= []).push(x.buf); }
const br = (buf) => zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const all = Buffer.concat(bodies.map((x) => x.buf)); const whole = br(all);
let sum = 0; const rows = [];
for (const [a, bufs] of Object.entries(groups)) { const c = Buffer.concat(bufs); const s = br(c); sum += s; rows.push([a, c.length, s]); }
rows.sort((x, y) => y[2] - x[2]);
console.log(`code section: ${all.length} B raw, ${whole} B brotli as one stream (areas compressed apart sum to ${sum}; scaled below)`);
for (const [a, raw, s] of rows) console.log(`${a.padEnd(52)} ${String(raw).padStart(8)} raw  ~${String(Math.round(s * whole / sum)).padStart(7)} B brotli`);
const data = secs[11] ? b.slice(secs[11].start, secs[11].end) : Buffer.alloc(0);
console.log(`data section (strings: texts, lessons JSON, messages): ${data.length} raw, ${br(data)} brotli`);
