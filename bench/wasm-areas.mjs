// make bench: where the release wasm's bytes go, by area (the size floor).
// Input: the pre-wasm-bindgen wasm (it keeps the name section) after `wasm-opt -Os --debuginfo`.
// Function bodies are grouped by the crate/module their (mangled) name starts with and
// compressed per group; the sum is scaled to the whole code section's brotli size. Yew's
// generic wrappers hold our components' inlined render code, so 'yew' is yew + our views.
import fs from 'fs';
import { brotli as br, readModule } from './wasm-module.mjs';
const b = fs.readFileSync(process.argv[2]);
const m = readModule(b);
const names = m.names;
const bodies = m.bodies.map((buf, i) => ({ idx: m.imports + i, buf }));
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
const all = Buffer.concat(bodies.map((x) => x.buf)); const whole = br(all);
let sum = 0; const rows = [];
for (const [a, bufs] of Object.entries(groups)) { const c = Buffer.concat(bufs); const s = br(c); sum += s; rows.push([a, c.length, s]); }
rows.sort((x, y) => y[2] - x[2]);
console.log(`code section: ${all.length} B raw, ${whole} B brotli as one stream (areas compressed apart sum to ${sum}; scaled below)`);
for (const [a, raw, s] of rows) console.log(`${a.padEnd(52)} ${String(raw).padStart(8)} raw  ~${String(Math.round(s * whole / sum)).padStart(7)} B brotli`);
const data = m.section(11) ? b.subarray(m.section(11).start, m.section(11).end) : Buffer.alloc(0);
console.log(`data section (strings: texts, lessons JSON, messages): ${data.length} raw, ${br(data)} brotli`);
