import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, VIEWPORT } from "/work/wt-perf/tests/e2e/lib.mjs";
import { serve } from "/work/wt-perf/tests/e2e/server.mjs";
const DIST = process.env.DIST;
const Q = process.env.Q ?? "s=dedup-window&seed=1&p.messages=500&p.rate_per_10_ticks=100";
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const server = await serve({ root: DIST });
const ctx = await browser.newContext({ viewport: VIEWPORT });
const page = await ctx.newPage();
await page.goto(`${server.url}?${Q}`);
await page.waitForSelector("section.ledgers [data-balance]");
const cdp = await ctx.newCDPSession(page);
await cdp.send("Profiler.enable");
await cdp.send("Profiler.setSamplingInterval", { interval: 200 });
await page.click('button[data-action="play"]');
await cdp.send("Profiler.start");
await page.waitForTimeout(Number(process.env.SECS ?? 4000));
const { profile } = await cdp.send("Profiler.stop");
const self = new Map();
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = profile.timeDeltas; const counts = new Map();
profile.samples.forEach((id, i) => counts.set(id, (counts.get(id) ?? 0) + (dt[i] ?? 0)));
let total = 0;
for (const [id, t] of counts) { const n = byId.get(id); const k = n.callFrame.functionName || n.callFrame.url.slice(-30) || "(anon)"; self.set(k, (self.get(k) ?? 0) + t); total += t; }
const top = [...self].sort((a, b) => b[1] - a[1]).slice(0, 45);
for (const [k, t] of top) console.log((t / 1000).toFixed(1).padStart(8), "ms", (100 * t / total).toFixed(1).padStart(5), "%", k.slice(0, 140));
// inclusive for selected
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const incl = new Map();
for (const [id, t] of counts) { const seen = new Set(); let cur = id; while (cur !== undefined) { const n = byId.get(cur); const k = n.callFrame.functionName; if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) ?? 0) + t); } cur = parent.get(cur); } }
console.log("---- inclusive");
for (const [k, t] of [...incl].sort((a, b) => b[1] - a[1]).slice(0, 60)) console.log((t / 1000).toFixed(1).padStart(8), "ms", k.slice(0, 150));
await browser.close(); await server.close();
