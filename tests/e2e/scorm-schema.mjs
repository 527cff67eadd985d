// Validate an unpacked SCORM package's imsmanifest.xml against the XML schema files the
// package carries (for scorm-manifest.test.mjs), with libxml2's validator compiled to
// WebAssembly (xmllint-wasm, an npm dev dependency).
//
// Every file the manifest's xsi:schemaLocation names must be at the package root and
// declare the namespace it is named for. The manifest is then validated against one
// schema that imports the namespaces the manifest uses (elements and attributes), each
// from the file the manifest names for it, with every .xsd of the package at hand for
// the imports and includes those make. A named namespace the manifest does not use is not
// imported: SCORM 1.2's metadata schema (imsmd_rootv1p2p1.xsd) has content models that
// are not deterministic, which libxml2 refuses to compile, and no manifest here holds
// metadata in that namespace (its file is still required and checked above).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { validateXML } from "xmllint-wasm";

const XSI = "http://www.w3.org/2001/XMLSchema-instance";

/**
 * Returns {named: [[namespace, file], …], used: [namespace, …], errors: [text, …]} for the
 * package unpacked in `dir`; no errors means it is valid.
 */
export async function validateManifest(dir) {
  const xml = readFileSync(join(dir, "imsmanifest.xml"), "utf8");
  const loc = new RegExp(`xsi:schemaLocation="([^"]*)"`).exec(xml);
  const errors = [];
  if (!xml.includes(`xmlns:xsi="${XSI}"`) || !loc) return { named: [], used: [], errors: ["the manifest names no schema (xsi:schemaLocation)"] };
  const words = loc[1].trim().split(/\s+/);
  if (words.length % 2 !== 0) errors.push("xsi:schemaLocation is not namespace/file pairs");
  const named = [];
  for (let i = 0; i + 1 < words.length; i += 2) named.push([words[i], words[i + 1]]);
  for (const [ns, f] of named) {
    if (f.includes("/") || !f.endsWith(".xsd")) {
      errors.push(`${f} is named for ${ns} but is not a schema file at the package root`);
      continue;
    }
    if (!existsSync(join(dir, f))) {
      errors.push(`${f} is named for ${ns} but is not in the package`);
      continue;
    }
    const tns = /targetNamespace\s*=\s*"([^"]*)"/.exec(readFileSync(join(dir, f), "utf8"));
    if (!tns || tns[1] !== ns) errors.push(`${f} declares targetNamespace ${tns ? tns[1] : "(none)"}, not ${ns}`);
  }
  // The namespaces the manifest uses: its xmlns declarations that some element or
  // attribute prefix (or the default namespace) refers to.
  const decls = new Map([...xml.matchAll(/xmlns(?::([\w.-]+))?="([^"]*)"/g)].map((m) => [m[1] ?? "", m[2]]));
  const used = [...decls].filter(([p]) => (p === "" ? true : new RegExp(`[<\\s]${p}:[\\w.-]+`).test(xml.replace(/xmlns:[\w.-]+="[^"]*"/g, "")))).map(([, ns]) => ns);
  if (errors.length) return { named, used, errors };
  const imports = named.filter(([ns]) => used.includes(ns));
  const missing = used.filter((ns) => ns !== XSI && !named.some(([n]) => n === ns));
  for (const ns of missing) errors.push(`the manifest uses ${ns} but names no schema for it`);
  const wrapper = `<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:eop:test:manifest-schemas">
${imports.map(([ns, f]) => `  <xs:import namespace="${ns}" schemaLocation="${f}"/>`).join("\n")}
</xs:schema>
`;
  const preload = readdirSync(dir)
    .filter((f) => f.endsWith(".xsd"))
    .map((f) => ({ fileName: f, contents: readFileSync(join(dir, f), "utf8") }));
  try {
    const r = await validateXML({ xml: [{ fileName: "imsmanifest.xml", contents: xml }], schema: [{ fileName: "manifest-schemas.xsd", contents: wrapper }], preload });
    // libxml2 also prints warnings (SCORM 1.2's ims_xml.xsd declares the xml namespace as
    // its default namespace): only errors about the manifest count.
    if (!r.valid) errors.push(...r.errors.filter((e) => e.loc?.fileName === "imsmanifest.xml" || /validity error|failed to compile/.test(e.message)).map((e) => e.rawMessage));
    if (!r.valid && errors.length === 0) errors.push(r.rawOutput);
  } catch (e) {
    errors.push(String(e.message ?? e));
  }
  return { named, used, errors };
}
