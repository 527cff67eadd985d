// A wasm module's layout, for the size benches (wasm-areas.mjs, data-areas.mjs,
// first-screen-code.mjs): its sections, how many functions it imports (function indices
// count them first), each function body, and the function names of its name section.
import zlib from "node:zlib";

/** Brotli at the quality the size reports use. */
export const brotli = (buf) => zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** An unsigned LEB128 as bytes. */
export function uleb(n) {
  const out = [];
  do {
    let x = n % 128;
    n = Math.floor(n / 128);
    if (n) x |= 0x80;
    out.push(x);
  } while (n);
  return Buffer.from(out);
}

/**
 * `{ sections, section(id), imports, bodies, names }`: `sections` in file order, each
 * `{ id, hdr, start, end }` (`hdr` where its id byte is; custom sections have `name`);
 * `bodies[i]` is the body of function `imports + i`; `names[index]` its name, if kept.
 */
export function readModule(b) {
  let p = 8;
  const leb = () => {
    let r = 0, s = 0, x;
    do { x = b[p++]; r += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80);
    return r;
  };
  const sections = [];
  while (p < b.length) {
    const hdr = p, id = b[p++], len = leb(), start = p;
    const s = { id, hdr, start, end: start + len };
    if (id === 0) {
      const nl = leb();
      s.name = b.subarray(p, p + nl).toString();
      s.start = p + nl;
    }
    sections.push(s);
    p = start + len;
  }
  const section = (id) => sections.find((s) => s.id === id);
  let imports = 0;
  if (section(2)) {
    p = section(2).start;
    for (let i = 0, n = leb(); i < n; i++) {
      for (let k = 0; k < 2; k++) { const l = leb(); p += l; } // module and field names
      const kind = b[p++];
      if (kind === 0) { leb(); imports++; }
      else if (kind === 1) { p++; const fl = leb(); leb(); if (fl & 1) leb(); }
      else if (kind === 2) { const fl = leb(); leb(); if (fl & 1) leb(); }
      else if (kind === 3) p += 2;
      else if (kind === 4) { p++; leb(); }
    }
  }
  const bodies = [];
  if (section(10)) {
    p = section(10).start;
    for (let i = 0, n = leb(); i < n; i++) { const sz = leb(); bodies.push(b.subarray(p, p + sz)); p += sz; }
  }
  const names = {};
  const ns = sections.find((s) => s.id === 0 && s.name === "name");
  if (ns) {
    p = ns.start;
    while (p < ns.end) {
      const sub = b[p++], sl = leb(), e = p + sl;
      if (sub === 1) {
        for (let i = 0, c = leb(); i < c; i++) { const idx = leb(), nl = leb(); names[idx] = b.subarray(p, p + nl).toString(); p += nl; }
      }
      p = e;
    }
  }
  return { sections, section, imports, bodies, names };
}
