// dist/ ships precompressed copies (scripts/precompress.mjs, run by `make build`): every
// compressible file has FILE.br and FILE.gz that decompress to its exact bytes, and the app
// mounts cleanly when a host serves them (as nginx brotli_static / gzip_static would).
import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { DIST, assertClean, newPage, start, waitForApp, settle } from "./lib.mjs";

const SKIP = new Set([".br", ".gz", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff2", ".zip"]);

function walk(d, out = []) {
  for (const name of readdirSync(d).sort()) {
    if (name.startsWith(".")) continue;
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

describe("precompressed dist/", () => {
  test("every compressible file has .br and .gz copies with the same bytes", () => {
    const files = walk(DIST);
    const real = files.filter((p) => !SKIP.has(extname(p)));
    assert.ok(real.some((p) => p.endsWith(".wasm")), "the build has a wasm file");
    for (const p of real) {
      const bytes = readFileSync(p);
      const name = relative(DIST, p);
      assert.ok(files.includes(`${p}.br`), `${name}.br is missing`);
      assert.ok(files.includes(`${p}.gz`), `${name}.gz is missing`);
      assert.ok(brotliDecompressSync(readFileSync(`${p}.br`)).equals(bytes), `${name}.br differs`);
      assert.ok(gunzipSync(readFileSync(`${p}.gz`)).equals(bytes), `${name}.gz differs`);
    }
    // No orphan: every .br/.gz has its file.
    for (const p of files.filter((f) => f.endsWith(".br") || f.endsWith(".gz"))) {
      assert.ok(files.includes(p.slice(0, -3)), `${relative(DIST, p)} has no source file`);
    }
  });

  describe("served with Content-Encoding", () => {
    let env;
    before(async () => {
      env = await start({ precompressed: true });
    });
    after(async () => env?.close());

    test("the wasm arrives brotli-encoded, smaller, and the app mounts cleanly", async () => {
      // The first visit, before the service worker has cached anything.
      const page = await newPage(env.browser);
      const wasm = [];
      page.on("response", (r) => {
        if (r.url().endsWith(".wasm")) wasm.push(r);
      });
      await page.goto(env.url(), { waitUntil: "load" });
      await waitForApp(page);
      await settle(page);
      assert.ok(wasm.length > 0, "the wasm was fetched");
      const headers = await wasm[0].allHeaders();
      assert.equal(headers["content-encoding"], "br");
      const raw = statSync(join(DIST, new URL(wasm[0].url()).pathname.replace(/^\//, ""))).size;
      assert.ok(Number(headers["content-length"]) < raw / 2, `brotli ${headers["content-length"]} B vs ${raw} B raw`);
      assertClean(page);
      await page.close();
    });
  });
});
