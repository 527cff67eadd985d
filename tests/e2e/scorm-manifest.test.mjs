// The SCORM packages (scripts/scorm.mjs, `make scorm`): for SCORM 1.2 and 2004, one SCO for
// the course and one per lesson, the zip's imsmanifest.xml is well-formed XML (parsed by
// Chromium's XML parser) with the elements each version requires (schema, schemaversion,
// organizations, items that point at resources, the SCO's launch file, the mastery score),
// it names every file in the zip and nothing else, and no entry lies outside the package;
// each manifest validates (libxml2's XML Schema validator, xmllint-wasm) against ADL's
// schema files that the package carries at its root (scorm-schema.mjs).
// Packages are built from dist/ into a temporary directory; zips already in dist-scorm/
// (from `make scorm`) are checked too.
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import vm from "node:vm";
import { DIST, REPO, launch, newPage } from "./lib.mjs";
import { SCHEMAS, ZIPS, build, defaultLessons, listFiles, options } from "../../scripts/scorm.mjs";
import { validateManifest } from "./scorm-schema.mjs";

const tmp = mkdtempSync(join(tmpdir(), "eop-scorm-manifest-"));
let browser;
let page;
before(async () => {
  assert.ok(existsSync(join(DIST, "index.html")), `no ${DIST}/index.html: run 'make build' first`);
  browser = await launch();
  page = await newPage(browser);
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const unzip = (...args) => execFileSync("unzip", args, { encoding: "utf8", maxBuffer: 64 << 20 });

/** The parts of a manifest the checks need, read with the browser's XML parser. */
function readManifest(text) {
  return page.evaluate((text) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    const err = doc.getElementsByTagName("parsererror")[0];
    if (err) return { error: err.textContent };
    const root = doc.documentElement;
    const ns = root.namespaceURI;
    const kids = (el, name, nsu = ns) => [...el.children].filter((c) => c.localName === name && c.namespaceURI === nsu);
    const one = (el, name, nsu = ns) => kids(el, name, nsu)[0] ?? null;
    const md = one(root, "metadata");
    const orgs = one(root, "organizations");
    const ADLCP = [...root.attributes].find((a) => a.name === "xmlns:adlcp")?.value;
    const IMSSS = "http://www.imsglobal.org/xsd/imsss";
    const items = [];
    const walk = (el) => {
      for (const it of kids(el, "item")) {
        const seq = one(it, "sequencing", IMSSS);
        const po = seq && one(one(seq, "objectives", IMSSS) ?? seq, "primaryObjective", IMSSS);
        items.push({
          id: it.getAttribute("identifier"),
          ref: it.getAttribute("identifierref"),
          params: it.getAttribute("parameters"),
          title: one(it, "title")?.textContent ?? null,
          mastery12: one(it, "masteryscore", ADLCP)?.textContent ?? null,
          satisfiedByMeasure: po?.getAttribute("satisfiedByMeasure") ?? null,
          minNorm: po ? (one(po, "minNormalizedMeasure", IMSSS)?.textContent ?? null) : null,
        });
        walk(it);
      }
    };
    const organizations = orgs ? kids(orgs, "organization") : [];
    organizations.forEach(walk);
    const resources = kids(one(root, "resources") ?? root, "resource").map((r) => ({
      id: r.getAttribute("identifier"),
      type: r.getAttribute("type"),
      scormType: r.getAttributeNS(ADLCP, "scormtype") || r.getAttributeNS(ADLCP, "scormType"),
      href: r.getAttribute("href"),
      files: kids(r, "file").map((f) => f.getAttribute("href")),
      deps: kids(r, "dependency").map((d) => d.getAttribute("identifierref")),
    }));
    return {
      root: root.localName,
      ns,
      adlcp: ADLCP,
      identifier: root.getAttribute("identifier"),
      schema: md && one(md, "schema")?.textContent,
      schemaversion: md && one(md, "schemaversion")?.textContent,
      orgDefault: orgs?.getAttribute("default"),
      orgIds: organizations.map((o) => o.getAttribute("identifier")),
      orgTitles: organizations.map((o) => one(o, "title")?.textContent ?? null),
      items,
      resources,
      allIds: [...doc.getElementsByTagName("*")].map((e) => e.getAttribute("identifier")).filter((x) => x !== null),
    };
  }, text);
}

const EXPECT = {
  12: { ns: "http://www.imsproject.org/xsd/imscp_rootv1p1p2", adlcp: "http://www.adlnet.org/xsd/adlcp_rootv1p2", schemaversion: "1.2", scorm: "1.2" },
  2004: { ns: "http://www.imsglobal.org/xsd/imscp_v1p1", adlcp: "http://www.adlnet.org/xsd/adlcp_v1p3", schemaversion: "2004 4th Edition", scorm: "2004" },
};

/** Check one zip made for `cfg` (lessons, mastery, sco) of SCORM `version`. */
async function checkZip(zip, version, cfg) {
  const what = `${zip} (SCORM ${version}, ${cfg.sco}, mastery ${cfg.mastery})`;
  const entries = unzip("-Z1", zip).split("\n").filter(Boolean);
  for (const e of entries) {
    assert.ok(!e.startsWith("/") && !/^[A-Za-z]:/.test(e) && !e.includes("\\"), `${what}: ${e} is an absolute or non-portable path`);
    assert.ok(!e.split("/").some((s) => s === ".." || s === "." || s === ""), `${what}: ${e} leaves the package root`);
  }
  assert.ok(entries.includes("imsmanifest.xml"), `${what}: no imsmanifest.xml at the root`);
  assert.equal(new Set(entries).size, entries.length, `${what}: an entry twice`);
  const m = await readManifest(unzip("-p", zip, "imsmanifest.xml"));
  assert.equal(m.error, undefined, `${what}: imsmanifest.xml is not well-formed: ${m.error}`);
  const x = EXPECT[version];
  assert.equal(m.root, "manifest");
  assert.equal(m.ns, x.ns, `${what}: content-packaging namespace`);
  assert.equal(m.adlcp, x.adlcp, `${what}: adlcp namespace`);
  assert.equal(m.schema, "ADL SCORM");
  assert.equal(m.schemaversion, x.schemaversion);
  assert.ok(m.identifier, "the manifest has an identifier");
  assert.equal(new Set(m.allIds).size, m.allIds.length, `${what}: identifiers are unique: ${m.allIds}`);
  assert.deepEqual(m.orgIds, [m.orgDefault], `${what}: one organization, the default`);
  assert.ok(m.orgTitles[0]?.trim(), "the organization has a title");
  // Items: one for the course, or one per lesson launching ?lesson=<id>.
  const want = cfg.sco === "course" ? [null] : cfg.lessons.map((id) => `?lesson=${id}`);
  assert.deepEqual(m.items.map((i) => i.params), want, `${what}: items`);
  const byId = new Map(m.resources.map((r) => [r.id, r]));
  for (const it of m.items) {
    assert.ok(it.title?.trim(), `${what}: item ${it.id} has a title`);
    const r = byId.get(it.ref);
    assert.ok(r, `${what}: item ${it.id} points at resource ${it.ref}, which is missing`);
    assert.equal(r.scormType, "sco");
    assert.equal(r.type, "webcontent");
    assert.equal(r.href, "scorm/launch.html");
    if (version === "12") {
      assert.equal(it.mastery12, cfg.mastery === null ? null : String(cfg.mastery), `${what}: adlcp:masteryscore`);
    } else if (cfg.mastery === null) {
      assert.equal(it.minNorm, null);
    } else {
      assert.equal(it.satisfiedByMeasure, "true");
      assert.equal(Number(it.minNorm), cfg.mastery / 100, `${what}: imsss:minNormalizedMeasure`);
    }
  }
  for (const r of m.resources) {
    assert.ok(["sco", "asset"].includes(r.scormType), `${what}: resource ${r.id} has scormType ${r.scormType}`);
    for (const d of r.deps) assert.ok(byId.has(d), `${what}: dependency ${d} of ${r.id} is missing`);
    if (r.href) assert.ok(r.files.includes(r.href), `${what}: ${r.id}'s launch file is not among its files`);
  }
  // The manifest names every file in the zip (resources' files, and the schema files of
  // xsi:schemaLocation), and the zip holds every file it names.
  const named = new Set(m.resources.flatMap((r) => r.files).map((f) => decodeURIComponent(f)));
  const xsds = SCHEMAS[version];
  for (const f of xsds) assert.ok(entries.includes(f), `${what}: schema file ${f} is not at the package root`);
  const inZip = new Set(entries.filter((e) => e !== "imsmanifest.xml" && !xsds.includes(e)));
  assert.deepEqual([...inZip].filter((f) => !named.has(f)), [], `${what}: files in the zip the manifest does not name`);
  assert.deepEqual([...named].filter((f) => !inZip.has(f)), [], `${what}: files the manifest names that are not in the zip`);
  // The whole release build is in the package, plus the adapter.
  for (const f of listFiles(DIST)) assert.ok(inZip.has(f), `${what}: dist/${f} is missing (a zip older than dist/? run make scorm)`);
  for (const f of ["scorm/launch.html", "scorm/adapter.js", "scorm/xapi.js", "scorm/config.js", "index.html"]) assert.ok(inZip.has(f), `${what}: ${f} is missing`);
  // The adapter's settings.
  const ctx = {};
  vm.runInNewContext(unzip("-p", zip, "scorm/config.js"), { window: ctx });
  const c = JSON.parse(JSON.stringify(ctx.EOP_SCORM_CONFIG));
  assert.equal(c.scorm, x.scorm);
  assert.equal(c.mastery, cfg.mastery);
  assert.equal(c.sco, cfg.sco);
  assert.equal(c.app, "../index.html");
  assert.deepEqual(c.lessons.map((l) => l.id), cfg.lessons);
  return { entries: entries.length };
}

/** The schema files each version's manifest names in xsi:schemaLocation (sorted). */
function version12or2004Named(version) {
  return version === "12"
    ? ["adlcp_rootv1p2.xsd", "imscp_rootv1p1p2.xsd", "imsmd_rootv1p2p1.xsd"]
    : ["adlcp_v1p3.xsd", "adlnav_v1p3.xsd", "adlseq_v1p3.xsd", "imscp_v1p1.xsd", "imsss_v1p0.xsd"];
}

test("each manifest validates against ADL's schemas shipped in its package; a missing or broken one fails", async () => {
  const out = join(tmp, "schemas");
  const made = build(options(["--dist", DIST, "--out", out, "--sco", "per-lesson", "--lessons", "walkthrough,dedup-window"]), { log: () => {} });
  for (const z of made) {
    const dir = join(out, `u-${z.version}`);
    unzip("-q", "-o", z.zip, "-d", dir);
    const ok = await validateManifest(dir);
    assert.deepEqual(ok.errors, [], `SCORM ${z.version}`);
    // Every schema file at the root, each one's targetNamespace the namespace it is named for.
    for (const f of SCHEMAS[z.version]) assert.ok(existsSync(join(dir, f)), `SCORM ${z.version}: ${f}`);
    // A manifest element the schema does not allow is reported.
    const manifestPath = join(dir, "imsmanifest.xml");
    const good = readFileSync(manifestPath, "utf8");
    writeFileSync(manifestPath, good.replace("<organizations", "<bogus/>\n  <organizations"));
    const bad = await validateManifest(dir);
    assert.ok(bad.errors.some((e) => /bogus.*not expected/.test(e)), `SCORM ${z.version}: an unknown element is caught: ${bad.errors.join("; ")}`);
    writeFileSync(manifestPath, good);
    // A schema file the manifest names that is not in the package fails the check.
    const gone = z.version === "12" ? "adlcp_rootv1p2.xsd" : "adlseq_v1p3.xsd";
    rmSync(join(dir, gone));
    const missing = await validateManifest(dir);
    assert.ok(missing.errors.some((e) => e.includes(`${gone} is named`)), `SCORM ${z.version}: missing ${gone}: ${missing.errors.join("; ")}`);
  }
});

const VARIANTS = [
  ["default: the whole course, one SCO, mastery 80", []],
  ["per lesson, two lessons, mastery 70", ["--sco", "per-lesson", "--lessons", "walkthrough,dedup-window", "--mastery", "70"]],
  ["the whole course without a mastery score", ["--mastery", "none"]],
];

for (const [name, args] of VARIANTS) {
  test(`package: ${name}`, async () => {
    const out = join(tmp, name.replace(/\W+/g, "-"));
    const cfg = options(["--dist", DIST, "--out", out, ...args]);
    const made = build(cfg, { log: () => {} });
    assert.deepEqual(made.map((z) => z.version), ["12", "2004"]);
    for (const z of made) {
      const { entries } = await checkZip(z.zip, z.version, cfg);
      assert.equal(entries, z.files.length);
      const dir = join(out, `unzipped-${z.version}`);
      unzip("-q", "-o", z.zip, "-d", dir);
      const v = await validateManifest(dir);
      assert.deepEqual(v.errors, [], `${z.zip}: imsmanifest.xml against the schemas it names`);
      assert.deepEqual(v.named.map(([, f]) => f).sort(), version12or2004Named(z.version), `${z.zip}: the schemas the manifest names`);
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(readdirSync(out).sort(), Object.values(ZIPS).sort(), "only the two zips are left in the output directory");
  });
}

test("make scorm's zips in dist-scorm/ (when built)", async (t) => {
  const dir = join(REPO, "dist-scorm");
  const found = Object.entries(ZIPS).filter(([, f]) => existsSync(join(dir, f)));
  if (found.length === 0) return t.diagnostic("no dist-scorm/ zips: run 'make scorm' to check them too");
  for (const [version, f] of found) {
    const ctx = {};
    vm.runInNewContext(unzip("-p", join(dir, f), "scorm/config.js"), { window: ctx });
    const c = JSON.parse(JSON.stringify(ctx.EOP_SCORM_CONFIG));
    await checkZip(join(dir, f), version, { lessons: c.lessons.map((l) => l.id), mastery: c.mastery, sco: c.sco });
    const un = join(tmp, `dist-scorm-${version}`);
    unzip("-q", "-o", join(dir, f), "-d", un);
    assert.deepEqual((await validateManifest(un)).errors, [], `dist-scorm/${f}: imsmanifest.xml against its schemas`);
  }
});

test("the same inputs give the same zip bytes", () => {
  const hash = (f) => createHash("sha256").update(readFileSync(f)).digest("hex");
  const a = build(options(["--dist", DIST, "--out", join(tmp, "same-a"), "--versions", "12"]), { log: () => {} });
  const b = build(options(["--dist", DIST, "--out", join(tmp, "same-b"), "--versions", "12"]), { log: () => {} });
  assert.equal(hash(a[0].zip), hash(b[0].zip));
});

test("bad build options are refused with a message naming the option", () => {
  const bad = [
    [["--lessons", "walkthrough,nope"], /no lesson 'nope'/],
    [["--lessons", "outbox,outbox"], /twice/],
    [["--mastery", "101"], /MASTERY/],
    [["--mastery", "eighty"], /MASTERY/],
    [["--sco", "each"], /SCO/],
    [["--colour", "red"], /unknown option/],
  ];
  for (const [args, re] of bad) assert.throws(() => options(args), re, args.join(" "));
  assert.deepEqual(options([]).lessons, defaultLessons());
});
