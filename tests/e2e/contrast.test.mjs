// The palette in static/app.css meets WCAG AA in both themes: every text colour against
// every surface and tint it is drawn on (≥ 4.5:1), focus rings and token fills against
// the stage (≥ 3:1, non-text). Reads the CSS variables; no browser needed.
import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { REPO } from "./lib.mjs";

const css = readFileSync(join(REPO, "static/app.css"), "utf8");

/** The custom properties declared in the first block for `selector`. */
function vars(selector) {
  const start = css.indexOf(`${selector} {`);
  assert.ok(start >= 0, `no ${selector} block in app.css`);
  const body = css.slice(start, css.indexOf("}", start));
  const out = {};
  for (const m of body.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;/g)) out[m[1]] = m[2];
  return out;
}
const lum = (hex) => {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
};
const ratio = (a, b) => {
  const [x, y] = [lum(a), lum(b)];
  return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
};

const light = vars(":root");
const dark = { ...light, ...vars(".theme-dark") };
/** Token labels: white on light, near-black on dark (see `.token > text`). */
const TOKEN_TEXT = { light: "#ffffff", dark: "#0b1220" };

for (const [name, t] of [["light", light], ["dark", dark]]) {
  test(`${name} theme: text ≥ 4.5:1 on its surfaces, focus and tokens ≥ 3:1`, () => {
    const low = [];
    const need = (fg, bg, min) => {
      const [a, b] = [t[fg] ?? fg, t[bg] ?? bg];
      assert.ok(a && b, `missing ${fg} or ${bg}`);
      const r = ratio(a, b);
      if (r < min) low.push(`${fg} on ${bg}: ${r.toFixed(2)}:1 (needs ${min})`);
    };
    for (const fg of ["text", "muted", "accent", "good", "bad", "warn", "info"]) {
      for (const bg of ["bg", "surface", "surface-2"]) need(fg, bg, 4.5);
    }
    for (const k of ["good", "bad", "warn", "info"]) need(k, `${k}-bg`, 4.5);
    need("text", "accent-weak", 4.5);
    need("muted", "accent-weak", 4.5);
    need("accent-text", "accent", 4.5);
    for (const k of ["fwd", "back", "messenger"]) need(TOKEN_TEXT[name], k, 4.5);
    for (const k of ["accent", "fwd", "back", "messenger", "bad", "node-stroke"]) need(k, "surface", 3);
    assert.deepEqual(low, [], low.join("\n"));
  });
}
