// A tiny dependency-free static file server for the built dist/ (tests and local previews).
//
//   import { serve } from "./server.mjs";
//   const srv = await serve({ root: "dist", base: "/courses/ds/playground/" });
//   srv.url  // "http://127.0.0.1:<random port>/courses/ds/playground/"
//   await srv.close();
//
// CLI: node tests/e2e/server.mjs [DIR=dist] [--port N=8080] [--base /sub/path/] [--precompressed]
//
// Only GET/HEAD; files outside `base` are 404; a directory URL without its trailing slash
// redirects to it (as static hosts do, so relative asset URLs resolve); a directory serves
// its index.html; no caching, no CSP header (the page's <meta> CSP is tested). No compression
// unless `precompressed` is set: then FILE.br / FILE.gz (scripts/precompress.mjs) are sent with
// Content-Encoding when the request accepts them, as nginx brotli_static/gzip_static would.
import { createServer } from "node:http";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
  ".webmanifest": "application/manifest+json",
};

function normBase(base) {
  let b = base.startsWith("/") ? base : `/${base}`;
  if (!b.endsWith("/")) b += "/";
  return b;
}

async function fileStat(p) {
  try {
    return await stat(p);
  } catch {
    return null;
  }
}

/** Start serving `root` under `base` on host:port (port 0 = a random free one). */
export async function serve({ root = "dist", base = "/", host = "127.0.0.1", port = 0, log = false, precompressed = false } = {}) {
  const dir = resolve(root);
  const prefix = normBase(base);
  const server = createServer(async (req, res) => {
    const send = (code, body, headers = {}) => {
      res.writeHead(code, { "content-type": "text/plain; charset=utf-8", ...headers });
      res.end(req.method === "HEAD" ? undefined : body);
    };
    try {
      if (log) console.log(`${req.method} ${req.url}`);
      if (req.method !== "GET" && req.method !== "HEAD") return send(405, "method not allowed\n");
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (`${path}/` === prefix) return send(301, "", { location: prefix });
      if (!path.startsWith(prefix)) return send(404, "not under the served base\n");
      let file = resolve(join(dir, path.slice(prefix.length)));
      if (file !== dir && !file.startsWith(dir + sep)) return send(403, "forbidden\n");
      let st = await fileStat(file);
      if (st?.isDirectory()) {
        if (!path.endsWith("/")) return send(301, "", { location: `${path}/` });
        file = join(file, "index.html");
        st = await fileStat(file);
      }
      if (!st?.isFile()) return send(404, "not found\n");
      const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
      const encoding = {};
      if (precompressed) {
        const accepts = String(req.headers["accept-encoding"] ?? "");
        for (const [enc, ext] of [["br", ".br"], ["gzip", ".gz"]]) {
          const cst = accepts.includes(enc) ? await fileStat(file + ext) : null;
          if (cst?.isFile()) {
            file += ext;
            st = cst;
            encoding["content-encoding"] = enc;
            encoding.vary = "accept-encoding";
            break;
          }
        }
      }
      res.writeHead(200, {
        "content-type": type,
        "content-length": st.size,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        ...encoding,
      });
      if (req.method === "HEAD") return res.end();
      createReadStream(file).pipe(res);
    } catch (e) {
      send(500, `${e}\n`);
    }
  });
  await new Promise((ok, fail) => {
    server.once("error", fail);
    server.listen(port, host, ok);
  });
  const { port: actual } = server.address();
  return {
    url: `http://${host}:${actual}${prefix}`,
    origin: `http://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = args.indexOf(name);
    if (i < 0) return dflt;
    const [, v] = args.splice(i, 2);
    return v;
  };
  const port = Number(opt("--port", "8080"));
  const base = opt("--base", "/");
  const pre = args.indexOf("--precompressed");
  if (pre >= 0) args.splice(pre, 1);
  const root = args[0] ?? "dist";
  const srv = await serve({ root, base, port, log: true, precompressed: pre >= 0 });
  console.log(`serving ${resolve(root)} at ${srv.url}`);
}
