// The playground reacts to the learner: toggles re-run the same seed, step-back restores
// exactly what was shown, and a hand-made fault changes the outcome deterministically.
import { strict as assert } from "node:assert";
import { after, test } from "node:test";
import { assertClean, balances, start, tick, waitForApp } from "./lib.mjs";

const env = await start();
after(() => env.close());


test("turning the redelivery off makes the naive handler agree with the truth", async () => {
  const page = await env.open("?s=walkthrough&p.dup_txn3=0");
  await waitForApp(page);
  await page.waitForSelector('[data-technique="naive"][data-merchant="m-B"][data-balance]');
  const b = await balances(page);
  assert.equal(b["naive/m-B"], 2000);
  assert.equal(b["naive/m-B"], b["truth/m-B"]);
  assert.equal(b["naive/m-A"], b["truth/m-A"]);
  assertClean(page);
  await page.close();
});

test("step forward ×N then back ×N restores the same ledgers and tick", async () => {
  const page = await env.open("?s=walkthrough&t=4");
  await waitForApp(page);
  await page.waitForSelector("[data-tick]");
  const t0 = await tick(page);
  const b0 = await balances(page);
  assert.equal(t0, 4);
  for (let i = 0; i < 5; i++) await page.click('button[data-action="step-forward"]');
  assert.equal(await tick(page), 9);
  assert.notDeepEqual(await balances(page), b0, "the ledgers moved on");
  for (let i = 0; i < 5; i++) await page.click('button[data-action="step-back"]');
  assert.equal(await tick(page), t0);
  assert.deepEqual(await balances(page), b0);
  assertClean(page);
  await page.close();
});

/** Open the walkthrough at tick 2, drop the message in flight, return the link and
 * the ledgers at the end of the re-run (a link without `t` opens at the end). */
async function dropTxn1() {
  const page = await env.open("?s=walkthrough&t=2");
  await waitForApp(page);
  await page.waitForSelector("[data-net]");
  await page.click("[data-net]");
  await page.click('[data-fault="drop"]');
  await page.waitForFunction(() => location.search.includes("f="));
  const params = new URLSearchParams(new URL(page.url()).search);
  assertClean(page);
  await page.close();
  params.delete("t");
  const url = `?${params.toString()}`;
  const end = await env.open(url);
  await waitForApp(end);
  await end.waitForSelector('[data-technique="naive"][data-merchant="m-A"][data-balance]');
  const b = await balances(end);
  assertClean(end);
  await end.close();
  return { b, url: decodeURIComponent(url) };
}

test("a hand-dropped message is redelivered by the broker, the same way twice", async () => {
  const first = await dropTxn1();
  const second = await dropTxn1();
  assert.deepEqual(first.b, second.b);
  assert.equal(first.url, second.url);
  // txn-1 is lost on its first trip; the broker, with no ack for it, hands it over again,
  // so every technique still ends at the truth (delivery is at-least-once).
  assert.equal(first.b["truth/m-A"], 1800);
  for (const t of ["naive", "idempotent", "dedup"]) assert.equal(first.b[`${t}/m-A`], 1800, t);
  assert.match(first.url, /f=L0\.1\.0/);
});
