import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_ARGS, VIEWPORT } from "./lib.mjs";
import { serve } from "./server.mjs";
const DIST = process.env.DIST;
const Q = process.env.Q ?? "s=dedup-window&seed=1&p.messages=500&p.rate_per_10_ticks=100";
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const server = await serve({ root: DIST });
const ctx = await browser.newContext({ viewport: VIEWPORT });
const page = await ctx.newPage();
await page.goto(`${server.url}?${Q}`);
await page.waitForSelector("section.ledgers [data-balance]");
await page.evaluate(() => {
  window.__m = {};
  const where = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    if (!el) return "?";
    const c = el.closest("g.tokens,g.panels,g.nodes,g.badge-layer,g.links,section.ledgers,.playback,.story,aside,main,nav,header,.dedup-chart,[class]");
    if (!c) return el.tagName;
    const top = el.closest("g.tokens,g.panels,g.nodes,g.badge-layer,g.links,section.ledgers,aside,nav,header,main,div.center");
    return (top ? top.tagName + "." + (top.getAttribute("class")||"").split(" ")[0] : "") + " > " + c.tagName + "." + (c.getAttribute("class")||"").split(" ")[0];
  };
  new MutationObserver((ms) => {
    for (const m of ms) {
      const k = m.type + " " + where(m.target);
      window.__m[k] = (window.__m[k] ?? 0) + (m.type === "childList" ? m.addedNodes.length + m.removedNodes.length : 1);
    }
  }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
});
await page.click('button[data-action="play"]');
await page.waitForTimeout(3000);
const m = await page.evaluate(() => window.__m);
for (const [k, v] of Object.entries(m).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(String(v).padStart(7), k);
await browser.close(); await server.close();
