// Links that know their run (issue 25): a link copied today carries its run's fingerprint
// (`c=`); opened with a fingerprint that matches it shows no notice, opened with one that no
// longer matches (what a link made before a change of the simulator looks like) it says so
// in plain words, marks the page [data-stale-link], and a framing page hears `stale: true`.
import { strict as assert } from "node:assert";
import { after, before, test } from "node:test";
import { assertClean, newPage, start } from "./lib.mjs";

let env;
before(async () => {
  env = await start();
});
after(async () => {
  await env?.close();
});

const STALE_HEAD =
  "This link was made with an earlier version of the playground; the run you see differs from the one its author saw";

/** The share link "Share & save" offers for `path` (the query, with `c=`). */
async function copiedLink(path) {
  const page = await env.open(path);
  await page.waitForSelector('[data-share="link"]');
  await page.waitForFunction(() => document.querySelector('[data-share="link"]').value.includes("&c="));
  const link = await page.inputValue('[data-share="link"]');
  const embed = await page.inputValue('[data-share="embed"]');
  await page.close();
  return [new URL(link).search, embed];
}

/** `c=`'s value with checkpoint `k` (and the checksum) changed. */
function staleFp(fp, k) {
  const [sum, marks] = fp.split(".");
  const flip = (h) => ((parseInt(h, 16) ^ 0x5a) & 0xff).toString(16).padStart(2, "0");
  const bytes = marks.match(/../g).map((b, i) => (i >= k ? flip(b) : b));
  return `${flip(sum.slice(0, 2))}${sum.slice(2)}.${bytes.join("")}`;
}

test("a link copied today carries its run's fingerprint and opens without a notice", async () => {
  const [query, embed] = await copiedLink("?s=walkthrough&seed=5&t=4");
  assert.match(query, /^\?s=walkthrough&seed=5&t=4&c=[0-9a-f]{8}\.([0-9a-f]{2})+$/);
  assert.ok(embed.includes(query.slice(1).replaceAll("&", "&amp;")) || embed.includes("&amp;c="), embed);
  const page = await env.open(query);
  await page.waitForSelector("main.stage svg");
  await page.waitForTimeout(300);
  assert.equal(await page.locator("[data-stale-link]").count(), 0);
  assert.equal(await page.locator(".notice").count(), 0, await page.locator(".notices").innerText());
  assertClean(page);
  await page.close();
});

test("a link whose run no longer matches says so, marks the page and tells the host", async () => {
  const [query] = await copiedLink("?s=walkthrough&seed=5");
  const fp = new URLSearchParams(query).get("c");
  const stale = query.replace(`c=${fp}`, `c=${staleFp(fp, 2)}`);
  const page = await env.open(stale);
  await page.waitForSelector("html[data-stale-link]");
  const notice = page.locator(".notice[data-stale-link]");
  assert.equal(await notice.count(), 1);
  assert.equal(
    (await notice.locator(".notice-text").innerText()).trim(),
    `${STALE_HEAD}, from somewhere between tick 16 and tick 31 (the link records its run too coarsely to name the exact tick)`,
  );
  // The run is still shown (the link opens as today).
  assert.equal(await page.locator("main.stage svg").count() > 0, true);
  assertClean(page);
  await page.close();

  // Framed: the `state` message carries stale: true (and a matching link: false).
  const host = await newPage(env.browser, { viewport: { width: 900, height: 900 } });
  await host.setContent("<!doctype html><title>host</title><body></body>");
  const states = async (link) => {
    await host.evaluate((src) => {
      window.got = [];
      window.addEventListener("message", (e) => e.data?.type === "state" && window.got.push(e.data));
      const f = document.createElement("iframe");
      f.src = src;
      f.style.cssText = "width:800px;height:700px";
      document.body.prepend(f);
    }, env.url(`${link}&embed=1`));
    await host.waitForFunction(() => window.got.length > 0, null, { timeout: 30_000 });
    const s = await host.evaluate(() => window.got.at(-1));
    await host.evaluate(() => document.querySelector("body > iframe").remove());
    return s;
  };
  const bad = await states(stale);
  assert.equal(bad.stale, true);
  assert.ok(bad.staleNotice.startsWith(STALE_HEAD), bad.staleNotice);
  const good = await states(query);
  assert.equal(good.stale, false);
  assert.equal(good.staleNotice, null);
  await host.close();
});

test("a malformed fingerprint is reported and ignored; the rest of the link applies", async () => {
  const page = await env.open("?s=walkthrough&seed=5&c=not-hex");
  await page.waitForSelector(".notice");
  const text = await page.locator(".notices").innerText();
  assert.ok(text.includes("the run fingerprint 'c=not-hex' is not 8 hexadecimal digits"), text);
  assert.equal(await page.locator("[data-stale-link]").count(), 0);
  assert.equal(await page.inputValue('[data-control="seed"]'), "5");
  assertClean(page);
  await page.close();
});

test("a lesson link carries its step's fingerprint", async () => {
  const [query] = await copiedLink("?lesson=walkthrough&step=2");
  assert.match(query, /^\?lesson=walkthrough&step=2&c=[0-9a-f]{8}(\.[0-9a-f]+)?$/);
  const page = await env.open(query);
  await page.waitForSelector("[data-lesson]");
  await page.waitForTimeout(300);
  assert.equal(await page.locator("[data-stale-link]").count(), 0);
  assertClean(page);
  await page.close();
});
