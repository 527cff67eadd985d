// `make bench` (issue 16's numbers): the largest k and input each scenario's exhaustive
// check finishes in under BUDGET ms *in the page* (the sweep panel's "every one with ≤ k
// faults" mode, in the sweep Web Worker, from the click on Check to the finished
// statement on screen).
//
// Input: the TSV of `eosim scope <budget> <slowdown>` on stdin or in SCOPE_TSV (native
// search for the largest input, native times multiplied by the expected page slowdown).
// Each candidate is then run in the page; one over budget is retried once at a smaller
// input scaled by the measured time. Prints one table; exits 0 (numbers, not a gate).
import { readFileSync } from "node:fs";
import { start, waitForApp } from "../tests/e2e/lib.mjs";

const BUDGET = Number(process.env.SCOPE_BUDGET_MS ?? 2000);
const tsv = readFileSync(process.env.SCOPE_TSV ?? 0, "utf8");
const rows = tsv
  .split("\n")
  .filter((l) => l.startsWith("scope\t"))
  .map((l) => {
    const [, id, k, param, n, schedules, ms, finished] = l.split("\t");
    return { id, k: Number(k), param, n, schedules, nativeMs: ms, finished: finished === "true" };
  });

const env = await start();
async function inPage(id, k, param, n) {
  const query = param !== "-" && n !== "-" ? `?s=${id}&p.${param}=${n}` : `?s=${id}`;
  const page = await env.open(query);
  try {
    await waitForApp(page);
    const panel = page.locator("section.sweep");
    await panel.scrollIntoViewIfNeeded();
    await panel.locator("select").selectOption(`k${k}`);
    await panel.locator('button[data-action="sweep"]').waitFor();
    const t0 = await page.evaluate(() => performance.now());
    await panel.locator('button[data-action="sweep"]').click();
    const space = panel.locator("[data-check-space]");
    await space.waitFor({ timeout: 120_000 });
    const ms = (await page.evaluate(() => performance.now())) - t0;
    return {
      ms,
      checked: Number(await space.getAttribute("data-check-space")),
      finished: (await space.getAttribute("data-check-finished")) === "true",
    };
  } finally {
    await page.close();
  }
}

const out = [];
for (const r of rows) {
  if (r.n === "-" && r.param !== "-") {
    out.push({ ...r, page: null, note: "no input fits natively" });
    continue;
  }
  if (r.param === "-" && r.schedules === "-") {
    out.push({ ...r, page: null, note: "does not fit at the defaults (no input-length parameter)" });
    continue;
  }
  let n = r.n;
  let page = await inPage(r.id, r.k, r.param, n);
  if (page.ms > BUDGET && r.param !== "-" && Number(n) > 1) {
    n = String(Math.max(1, Math.floor((Number(n) * BUDGET) / page.ms)));
    page = await inPage(r.id, r.k, r.param, n);
  }
  out.push({ ...r, n, page, note: page.ms > BUDGET ? "over budget" : "" });
}
await env.close();

const pad = (s, w) => String(s).padEnd(w);
console.log(`\nExhaustive check in the page: largest input finished in ≤ ${BUDGET} ms (k = faults per schedule)`);
console.log(`${pad("scenario", 20)}${pad("k", 3)}${pad("input", 16)}${pad("schedules", 11)}${pad("page ms", 9)}${pad("native ms×", 11)}note`);
for (const r of out) {
  const input = r.param === "-" ? "(defaults)" : `${r.param}=${r.n}`;
  console.log(
    `${pad(r.id, 20)}${pad(r.k, 3)}${pad(input, 16)}${pad(r.page ? r.page.checked : "-", 11)}${pad(
      r.page ? r.page.ms.toFixed(0) : "-",
      9,
    )}${pad(r.nativeMs, 11)}${r.note}`,
  );
}
