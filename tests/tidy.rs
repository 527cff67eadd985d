//! Tidy checks: rules about the source tree that the compiler cannot enforce.
//!
//! - `src/sim/` is pure and deterministic: no browser crate, no wall clock, no OS
//!   randomness, no hash-ordered collections. Checked token by token on every line that
//!   is not a `//` comment (so doc comments may explain the rule).
//! - `src/sim/` draws no `usize` from its RNG: rand 0.8 samples `usize` ranges (and
//!   slice `choose`/`shuffle`) with u64 on 64-bit targets but u32 on wasm32, so the same
//!   seed would give one run natively and another in the browser.
//! - `src/sim/` and `src/course/` name nothing of `src/ui/` (the simulator, the lessons and
//!   their evaluator are the part `eosim` and the size floor build without a page).
//! - `src/ui/` (and `src/main.rs`) never leak a closure or timer with `.forget()`.
//! - `src/ui/` touches browser storage only through `storage.rs` (which survives iframes
//!   where storage is refused).
//! - wasm-bindgen is pinned with `=` in Cargo.toml, and Cargo.lock and Trunk.toml agree
//!   with the pin (the wasm-bindgen CLI that scripts/setup.sh installs must match).

use std::fs;
use std::path::{Path, PathBuf};

/// Words `src/sim/` must not contain outside `//` comments. `true`: match only as a whole
/// identifier/path token (so `yew` does not flag `yewtree`); `false`: any substring.
const SIM_FORBIDDEN: &[(&str, bool)] = &[
    ("yew", true),
    ("web_sys", true),
    ("web-sys", true),
    ("gloo", true),
    ("js_sys", true),
    ("js-sys", true),
    ("wasm_bindgen", true),
    ("wasm-bindgen", true),
    ("getrandom", true),
    ("std::time", true),
    ("SystemTime", true),
    ("Instant", true),
    ("thread_rng", true),
    ("OsRng", true),
    ("from_entropy", true),
    ("HashMap", false),
    ("HashSet", false),
];

/// How `src/sim/` and `src/course/` would reach into the UI.
const UI_PATHS: &[(&str, bool)] = &[("crate::ui", false), ("eop::ui", false)];

const UI_FORBIDDEN: &[(&str, bool)] = &[(".forget()", false)];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Does `line` contain `needle` (as a whole token when `whole` is set)?
fn contains(line: &str, needle: &str, whole: bool) -> bool {
    let mut from = 0;
    while let Some(i) = line[from..].find(needle) {
        let start = from + i;
        let end = start + needle.len();
        if !whole {
            return true;
        }
        let before_ok = !line[..start].chars().next_back().is_some_and(is_ident_char);
        let after_ok = !line[end..].chars().next().is_some_and(is_ident_char);
        if before_ok && after_ok {
            return true;
        }
        from = start + needle.len().max(1);
    }
    false
}

/// Every violation in `text`: `(line number, offending word, line)`. Lines whose first
/// non-blank characters are `//` (comments, doc comments) are skipped; all else is strict.
fn violations(text: &str, forbidden: &[(&str, bool)]) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        for &(needle, whole) in forbidden {
            if contains(line, needle, whole) {
                found.push((n + 1, needle.to_string(), line.trim().to_string()));
            }
        }
    }
    found
}

/// The argument text of every `gen_range(…)` call on `line`.
fn gen_range_args(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while let Some(i) = rest.find("gen_range(") {
        let args = &rest[i + "gen_range(".len()..];
        let mut depth = 1;
        let end = args
            .char_indices()
            .find_map(|(j, c)| {
                match c {
                    '(' => depth += 1,
                    ')' => depth -= 1,
                    _ => {}
                }
                (depth == 0).then_some(j)
            })
            .unwrap_or(args.len());
        out.push(&args[..end]);
        rest = &args[end..];
    }
    out
}

/// Lines of `text` (outside `//` comments) that draw a platform-sized integer from an RNG:
/// a `gen_range` over a `.len()` or `usize` bound not cast to a fixed width, or a slice
/// `choose`/`shuffle`. (A `usize` range hidden behind a variable is not seen: the wasm
/// golden test catches those.)
fn usize_draws(text: &str) -> Vec<(usize, String, String)> {
    let slice_ops = [
        ".choose(",
        ".choose_multiple(",
        ".choose_weighted(",
        ".shuffle(",
        ".partial_shuffle(",
    ];
    let fixed = ["u8", "u16", "u32", "u64", "i8", "i16", "i32", "i64"];
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim_start().starts_with("//") {
            continue;
        }
        let range = gen_range_args(line).iter().any(|a| {
            (a.contains(".len()") || contains(a, "usize", true))
                && !fixed.iter().any(|t| contains(a, t, true))
        });
        if range || slice_ops.iter().any(|op| line.contains(op)) {
            found.push((n + 1, "usize draw".to_string(), line.trim().to_string()));
        }
    }
    found
}

fn check_tree(paths: &[PathBuf], forbidden: &[(&str, bool)], rule: &str) {
    assert!(!paths.is_empty(), "tidy: no files to check for {rule}");
    let mut report = String::new();
    for p in paths {
        let text = fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()));
        for (line, word, src) in violations(&text, forbidden) {
            let rel = p.strip_prefix(root()).unwrap_or(p);
            report.push_str(&format!("  {}:{line}: `{word}` in: {src}\n", rel.display()));
        }
    }
    assert!(report.is_empty(), "tidy: {rule}\n{report}");
}

#[test]
fn sim_knows_nothing_of_the_browser_clock_or_hashing() {
    let mut files = Vec::new();
    rust_files(&root().join("src/sim"), &mut files);
    check_tree(
        &files,
        SIM_FORBIDDEN,
        "src/sim must stay pure and deterministic (no browser crates, wall clock, OS randomness, HashMap/HashSet)",
    );
}

#[test]
fn sim_and_course_name_nothing_of_the_ui() {
    let mut files = Vec::new();
    rust_files(&root().join("src/sim"), &mut files);
    rust_files(&root().join("src/course"), &mut files);
    check_tree(
        &files,
        UI_PATHS,
        "src/sim and src/course must not depend on src/ui (move what both need into sim)",
    );
}

#[test]
fn sim_draws_no_platform_sized_integers() {
    let mut files = Vec::new();
    rust_files(&root().join("src/sim"), &mut files);
    let mut report = String::new();
    for p in &files {
        let text = fs::read_to_string(p).unwrap();
        for (line, _, src) in usize_draws(&text) {
            let rel = p.strip_prefix(root()).unwrap_or(p);
            report.push_str(&format!("  {}:{line}: {src}\n", rel.display()));
        }
    }
    assert!(
        report.is_empty(),
        "tidy: src/sim draws a usize from its RNG; rand samples usize as u32 on wasm32 and u64 \
         natively, so the same seed runs differently in the browser. Draw a u32 and convert \
         (`rng.gen_range(0..n as u32) as usize`).\n{report}"
    );
}

#[test]
fn ui_never_forgets_closures() {
    let mut files = Vec::new();
    rust_files(&root().join("src/ui"), &mut files);
    files.push(root().join("src/main.rs"));
    check_tree(
        &files,
        UI_FORBIDDEN,
        "no `.forget()` in the UI: keep the handle (gloo timers/listeners cancel on drop)",
    );
}

#[test]
fn ui_reaches_storage_only_through_storage_rs() {
    // In an iframe on a course site the browser may refuse storage, and
    // `window.localStorage` then throws: gloo's storage wrappers turn that into a dead
    // page. `src/ui/storage.rs` is the one place that touches storage, safely.
    let mut files = Vec::new();
    rust_files(&root().join("src/ui"), &mut files);
    files.retain(|p| !p.ends_with("storage.rs"));
    check_tree(
        &files,
        &[
            ("LocalStorage", true),
            ("SessionStorage", true),
            ("local_storage", true),
            ("session_storage", true),
        ],
        "storage only through crate::ui::storage (it survives iframes where storage is refused)",
    );
}

/// The value of `key = "…"` on the first line of `text` that starts with `key`.
fn quoted_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let rest = l.trim().strip_prefix(key)?.trim_start().strip_prefix('=')?;
        let rest = rest.trim_start();
        // `key = "v"` or `key = { version = "v", … }`
        let rest = match rest.strip_prefix('{') {
            Some(inner) => inner
                .split("version")
                .nth(1)?
                .trim_start()
                .strip_prefix('=')?,
            None => rest,
        };
        rest.trim_start().strip_prefix('"')?.split('"').next()
    })
}

#[test]
fn wasm_bindgen_is_pinned_and_tools_agree() {
    let cargo_toml = fs::read_to_string(root().join("Cargo.toml")).unwrap();
    let pin = quoted_value(&cargo_toml, "wasm-bindgen ")
        .or_else(|| quoted_value(&cargo_toml, "wasm-bindgen="))
        .expect("Cargo.toml must depend on wasm-bindgen");
    let version = pin.strip_prefix('=').unwrap_or_else(|| {
        panic!("Cargo.toml must pin wasm-bindgen exactly (`\"={pin}\"`), found \"{pin}\"")
    });

    let lock = fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let locked = lock
        .split("[[package]]")
        .find(|p| p.contains("\nname = \"wasm-bindgen\"\n"))
        .and_then(|p| quoted_value(p, "version"))
        .expect("Cargo.lock must contain wasm-bindgen");
    assert_eq!(
        locked, version,
        "Cargo.lock's wasm-bindgen differs from the pin"
    );

    let trunk = fs::read_to_string(root().join("Trunk.toml")).unwrap();
    let tool = quoted_value(&trunk, "wasm_bindgen").expect("Trunk.toml [tools] wasm_bindgen");
    assert_eq!(
        tool, version,
        "Trunk.toml [tools] wasm_bindgen differs from the pin"
    );
}

#[test]
fn checker_flags_offending_lines_and_spares_comments() {
    let sample = "\
//! Doc comment explaining why HashMap and yew are banned here.
use std::collections::BTreeMap; // fine
use std::collections::HashMap;
    let now = std::time::Instant::now();
fn yewtree() {}
let _ = web_sys::window();
    /// yew in a doc comment
";
    let v = violations(sample, SIM_FORBIDDEN);
    let lines: Vec<usize> = v.iter().map(|(n, _, _)| *n).collect();
    assert_eq!(lines, vec![3, 4, 4, 6], "{v:?}");
    assert_eq!(v[0].1, "HashMap");
    assert_eq!(v[1].1, "std::time");
    assert_eq!(v[2].1, "Instant");
    assert_eq!(v[3].1, "web_sys");

    let draws = "\
let i = rng.gen_range(0..RUNS.len());
let i = rng.gen_range(0..RUNS.len() as u32) as usize;
let k = rng.gen_range(0..n as usize);
// rng.gen_range(0..v.len()) in a comment
let m = rng.gen_range(0..3u8) + rng.gen_range(1..=f(xs.len() as u64));
xs.shuffle(&mut rng);
";
    let lines: Vec<usize> = usize_draws(draws).iter().map(|(n, _, _)| *n).collect();
    assert_eq!(lines, vec![1, 3, 6]);
    assert_eq!(
        gen_range_args("a.gen_range(0..f(x)) + b.gen_range(1..=2)"),
        vec!["0..f(x)", "1..=2"]
    );

    let ui = "handle.forget();\n// never call .forget()\nlet t = Timeout::new(1, f);\n";
    assert_eq!(violations(ui, UI_FORBIDDEN).len(), 1);
    assert!(contains("Closure::forget(x).forget()", ".forget()", false));

    assert_eq!(
        quoted_value("wasm-bindgen = \"=0.2.1\"", "wasm-bindgen "),
        Some("=0.2.1")
    );
    assert_eq!(
        quoted_value(
            "wasm-bindgen = { version = \"=0.2.1\", features = [] }",
            "wasm-bindgen "
        ),
        Some("=0.2.1")
    );
}

/// No source file grows into a monolith. Counted like a reviewer reads: the
/// lines before a file's `#[cfg(test)]` module (tests may be long). Split a file that
/// crosses the line by concern (see ARCHITECTURE.md), not by cutting it in half.
#[test]
fn no_source_file_over_500_lines_before_its_tests() {
    const MAX: usize = 500;
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut over = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines = text
            .lines()
            .take_while(|l| !l.starts_with("#[cfg(test)]"))
            .count();
        if lines > MAX {
            over.push(format!("{} ({lines} lines)", f.display()));
        }
    }
    assert!(
        over.is_empty(),
        "over {MAX} non-test lines: {}",
        over.join(", ")
    );
}

// ------------------------------------------------------------ the simulator's floors

/// Every line of `text` that is code a build of the library reads: `//` comments are
/// skipped, and the file stops at its first top-level `#[cfg(test)]` (its tests).
fn code_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    before_tests(text)
        .into_iter()
        .enumerate()
        .filter(|(_, l)| !l.trim_start().starts_with("//"))
        .map(|(n, l)| (n + 1, l))
}

/// The lines of `text` before its test module (a top-level `#[cfg(test)]` followed by
/// `mod … {`; a `#[cfg(test)] mod testkit;` declaration is not it).
fn before_tests(text: &str) -> Vec<&str> {
    let lines: Vec<&str> = text.lines().collect();
    let end = (0..lines.len())
        .find(|&i| {
            lines[i].starts_with("#[cfg(test)]")
                && lines
                    .get(i + 1)
                    .is_some_and(|next| next.contains("mod ") && next.trim_end().ends_with('{'))
        })
        .unwrap_or(lines.len());
    lines[..end].to_vec()
}

/// The scenario module names (folders of `src/sim/scenarios/`) and ids (each folder's
/// `text.json` `"id"`).
fn scenario_names_and_ids() -> (Vec<String>, Vec<String>) {
    let dir = root().join("src/sim/scenarios");
    let mut names = Vec::new();
    let mut ids = Vec::new();
    for e in fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
        let json = e.path().join("text.json");
        if !json.is_file() {
            continue;
        }
        names.push(e.file_name().to_string_lossy().into_owned());
        let v: serde_json::Value = serde_json::from_str(&fs::read_to_string(&json).unwrap())
            .unwrap_or_else(|err| panic!("{}: {err}", json.display()));
        ids.push(v["id"].as_str().unwrap().to_string());
    }
    names.sort();
    ids.sort();
    (names, ids)
}

/// The vocabulary of the simulator: the engine, the run types, the promise checks and
/// the invariants (and what they stand on). ARCHITECTURE.md: they name no scenario.
const VOCABULARY: &[&str] = &[
    "src/sim/engine.rs",
    "src/sim/run.rs",
    "src/sim/promise.rs",
    "src/sim/invariants.rs",
    "src/sim/event.rs",
    "src/sim/fault.rs",
    "src/sim/ledger.rs",
    "src/sim/params.rs",
    "src/sim/ids.rs",
    "src/sim/rng.rs",
];

/// What in `text` names a scenario: the registry (`scenarios`), a scenario module,
/// or a scenario id in quotes.
fn names_a_scenario(text: &str, modules: &[String], ids: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (n, line) in code_lines(text) {
        let mut words: Vec<String> = vec!["scenarios".to_string()];
        words.extend(modules.iter().cloned());
        for w in &words {
            if contains(line, w, true) {
                out.push((n, w.clone()));
            }
        }
        for id in ids {
            if line.contains(&format!("\"{id}\"")) {
                out.push((n, format!("\"{id}\"")));
            }
        }
    }
    out
}

/// The engine, `run`, `promise` and `invariants` (and the rest of the vocabulary)
/// name no scenario: no scenario module, no scenario id, not the registry.
#[test]
fn the_vocabulary_names_no_scenario() {
    let (modules, ids) = scenario_names_and_ids();
    assert!(modules.len() >= 14 && ids.len() == modules.len());
    let mut found = Vec::new();
    for f in VOCABULARY {
        let text = fs::read_to_string(root().join(f)).unwrap();
        for (n, what) in names_a_scenario(&text, &modules, &ids) {
            found.push(format!("{f}:{n}: {what}"));
        }
    }
    assert!(
        found.is_empty(),
        "the simulator's vocabulary names a scenario (move it to the scenario's folder or the catalogue):\n{}",
        found.join("\n")
    );
}

#[test]
fn scenario_names_are_found() {
    let modules = vec!["walkthrough".to_string()];
    let ids = vec!["dedup-window".to_string()];
    let text = "use super::scenarios::find;\nlet w = walkthrough::SCENARIO;\n// walkthrough\nlet s = \"dedup-window\";\nlet t = walkthroughs;\n#[cfg(test)]\nmod tests {\n\"dedup-window\" }\n";
    let hits: Vec<usize> = names_a_scenario(text, &modules, &ids)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(hits, vec![1, 2, 4]);
}

/// The modules of `src/sim` (module path below `sim`, file) and the file each node of
/// the import graph is: a folder below `src/sim` (a scenario, `explore/`, `narrate/`,
/// `catalogue/`) is one node, as a reader sees it; `scenarios/` itself is not.
struct SimTree {
    modules: Vec<(Vec<String>, PathBuf)>,
}

impl SimTree {
    fn read() -> SimTree {
        let base = root().join("src/sim");
        let mut files = Vec::new();
        rust_files(&base, &mut files);
        let mut modules = Vec::new();
        for f in files {
            let rel = f.strip_prefix(&base).unwrap();
            let mut path: Vec<String> = rel
                .iter()
                .map(|s| s.to_string_lossy().into_owned())
                .collect();
            let last = path.pop().unwrap();
            if last != "mod.rs" {
                path.push(last.trim_end_matches(".rs").to_string());
            }
            modules.push((path, f));
        }
        SimTree { modules }
    }

    fn file(&self, path: &[String]) -> Option<&PathBuf> {
        self.modules.iter().find(|(p, _)| p == path).map(|(_, f)| f)
    }

    /// The graph node of a module: its folder below `src/sim` (not `scenarios/`
    /// itself), else its file.
    fn node(&self, path: &[String]) -> String {
        let keep = match path.first().map(String::as_str) {
            Some("scenarios")
                if path.len() >= 2
                    && self.file(&path[..2]).is_some_and(|f| f.ends_with("mod.rs")) =>
            {
                2
            }
            Some("scenarios") => path.len(),
            Some(_) if self.file(&path[..1]).is_some_and(|f| f.ends_with("mod.rs")) => 1,
            _ => path.len(),
        };
        let p = &path[..keep.min(path.len())];
        let f = self.file(p).unwrap();
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if f.ends_with("mod.rs") && !p.is_empty() && p != ["scenarios"] {
            rel.trim_end_matches("mod.rs").to_string()
        } else {
            rel
        }
    }

    /// The module a path of `segments` names, starting from module `from`: each
    /// segment that is a child module descends; the first that is not (an item) stops.
    fn resolve(&self, from: &[String], segments: &[&str]) -> Vec<String> {
        let mut at = from.to_vec();
        for s in segments {
            let mut next = at.clone();
            next.push(s.to_string());
            if self.file(&next).is_some() {
                at = next;
            } else {
                break;
            }
        }
        at
    }
}

/// The path segments that follow position `i` of `line` (`a::b::{c, d::e}` gives
/// `[a, b]` and the group's first segments `[c, d]`).
fn path_after(line: &str, i: usize) -> (Vec<&str>, Vec<&str>) {
    let rest = &line[i..];
    let mut segs = Vec::new();
    let mut pos = 0;
    loop {
        let seg_len = rest[pos..]
            .find(|c: char| !is_ident_char(c))
            .unwrap_or(rest.len() - pos);
        if seg_len == 0 {
            break;
        }
        segs.push(&rest[pos..pos + seg_len]);
        pos += seg_len;
        if rest[pos..].starts_with("::") {
            pos += 2;
        } else {
            break;
        }
    }
    let mut group = Vec::new();
    if rest[pos..].starts_with('{') {
        let close = rest[pos..].find('}').map_or(rest.len(), |j| pos + j);
        for item in rest[pos + 1..close].split(',') {
            let first = item.trim().split("::").next().unwrap_or("").trim();
            if !first.is_empty() {
                group.push(first);
            }
        }
    }
    (segs, group)
}

/// The import graph of `src/sim`: node → the nodes it names through
/// `crate::sim::…`, `super::…` or a child module's path (tests and comments left out).
fn sim_import_graph() -> Graph {
    let tree = SimTree::read();
    let mut graph = Graph::new();
    for (module, file) in &tree.modules {
        if file.ends_with("testkit.rs") {
            continue;
        }
        let me = tree.node(module);
        graph.entry(me.clone()).or_default();
        let text = fs::read_to_string(file).unwrap();
        let parent: Vec<String> = module[..module.len().saturating_sub(1)].to_vec();
        let children: Vec<String> = tree
            .modules
            .iter()
            .filter(|(p, _)| p.len() == module.len() + 1 && p.starts_with(module))
            .map(|(p, _)| p.last().unwrap().clone())
            .collect();
        for (_, line) in code_lines(&text) {
            let mut targets: Vec<Vec<String>> = Vec::new();
            let bytes = line.as_bytes();
            let mut i = 0;
            while i < line.len() {
                let starts_token =
                    i == 0 || !is_ident_char(bytes[i - 1] as char) && bytes[i - 1] != b':';
                let rest = &line[i..];
                if starts_token && rest.starts_with("crate::sim::") {
                    let (segs, group) = path_after(line, i + "crate::sim::".len());
                    targets.extend(expand(&tree, &[], &segs, &group));
                    i += "crate::sim::".len();
                    continue;
                }
                if starts_token && rest.starts_with("super::") {
                    let mut from = parent.clone();
                    let mut j = i + "super::".len();
                    while line[j..].starts_with("super::") {
                        from.pop();
                        j += "super::".len();
                    }
                    let (segs, group) = path_after(line, j);
                    targets.extend(expand(&tree, &from, &segs, &group));
                    i = j;
                    continue;
                }
                if starts_token && !line[..i].trim_end().ends_with("mod") {
                    if let Some(c) = children
                        .iter()
                        .find(|c| rest.starts_with(c.as_str()) && rest[c.len()..].starts_with("::"))
                    {
                        let (segs, group) = path_after(line, i);
                        targets.extend(expand(&tree, module, &segs, &group));
                        i += c.len();
                        continue;
                    }
                }
                i += line[i..].chars().next().map_or(1, char::len_utf8);
            }
            for t in targets {
                let to = tree.node(&t);
                if to != me {
                    graph.get_mut(&me).unwrap().insert(to);
                }
            }
        }
    }
    graph
}

/// The modules a path names from `from`: the one it resolves to, or, when it ends in
/// a `{…}` group, each group member that is a module (and the module for the rest).
fn expand(tree: &SimTree, from: &[String], segs: &[&str], group: &[&str]) -> Vec<Vec<String>> {
    let at = tree.resolve(from, segs);
    let consumed = at.len() - from.len();
    if consumed < segs.len() || group.is_empty() {
        return vec![at];
    }
    group.iter().map(|g| tree.resolve(&at, &[g])).collect()
}

type Graph = std::collections::BTreeMap<String, std::collections::BTreeSet<String>>;

/// The nodes `from` reaches in `graph` (itself included).
fn reach(graph: &Graph, from: &str) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut todo = vec![from.to_string()];
    while let Some(v) = todo.pop() {
        if seen.insert(v.clone()) {
            todo.extend(graph.get(&v).into_iter().flatten().cloned());
        }
    }
    seen
}

/// The cycles of `graph`: its strongly connected components of two nodes or more
/// (nodes that reach each other), each sorted.
fn cycles(graph: &Graph) -> Vec<Vec<String>> {
    let reached: std::collections::BTreeMap<&String, _> =
        graph.keys().map(|v| (v, reach(graph, v))).collect();
    let mut out: Vec<Vec<String>> = Vec::new();
    for v in graph.keys() {
        let comp: Vec<String> = reached[v]
            .iter()
            .filter(|w| reached.get(w).is_some_and(|r| r.contains(v)))
            .cloned()
            .collect();
        if comp.len() > 1 && !out.contains(&comp) {
            out.push(comp);
        }
    }
    out
}

#[test]
fn cycles_are_found() {
    let mut g = Graph::new();
    for (a, b) in [
        ("a", "b"),
        ("b", "c"),
        ("c", "a"),
        ("c", "d"),
        ("d", "e"),
        ("e", "d"),
    ] {
        g.entry(a.into()).or_default().insert(b.into());
        g.entry(b.into()).or_default();
    }
    assert_eq!(cycles(&g), vec![vec!["a", "b", "c"], vec!["d", "e"]]);
}

/// Vocabulary below, catalogue above: the import graph of `src/sim` (a folder below
/// it one node) has no cycle wider than two files, and a cycle of two is two
/// vocabulary files (a type each names of the other, e.g. `run` ↔ `promise`) or a
/// scenario's own pair. `cargo test --test tidy -- --nocapture sim_import` prints the
/// graph's cycles.
#[test]
fn sim_import_graph_has_no_wide_cycle() {
    let graph = sim_import_graph();
    assert!(graph.len() > 25, "read only {} nodes", graph.len());
    // The resolver sees the edges it must: a scenario imports the prelude, the
    // registry lists the scenarios, the catalogue reads the registry.
    for (from, to) in [
        (
            "src/sim/scenarios/walkthrough/",
            "src/sim/scenarios/prelude.rs",
        ),
        ("src/sim/scenarios/mod.rs", "src/sim/scenarios/walkthrough/"),
        ("src/sim/catalogue/", "src/sim/scenarios/mod.rs"),
        ("src/sim/engine.rs", "src/sim/fault.rs"),
    ] {
        assert!(
            graph.get(from).is_some_and(|t| t.contains(to)),
            "no edge {from} -> {to} in {graph:#?}"
        );
    }
    let found = cycles(&graph);
    for c in &found {
        println!("cycle of {}: {}", c.len(), c.join(" ↔ "));
    }
    let wide: Vec<String> = found
        .iter()
        .filter(|c| c.len() > 2 || !c.iter().all(|f| VOCABULARY.contains(&f.as_str())))
        .map(|c| c.join(" ↔ "))
        .collect();
    assert!(
        wide.is_empty(),
        "cycles in the import graph of src/sim (a lower floor imports a higher one):\n{}",
        wide.join("\n")
    );
}

// ------------------------------------------------------------ functions a reader can hold

/// Longest function body (lines, signature to closing brace) not on [`LONG_FUNCTIONS`].
const MAX_FN_LINES: usize = 70;

const MATCH: &str = "one match over the kinds it handles: a table, read row by row";
const TO_SPLIT: &str = "not yet split: a debt, not a pattern to copy";

/// The functions longer than [`MAX_FN_LINES`], and why each may be. The list can only
/// shrink: a listed function that fits (or is gone) must leave it.
const LONG_FUNCTIONS: &[(&str, &str, &str)] = &[
    ("src/sim/narrate/mod.rs", "sentence", MATCH),
    ("src/sim/replay.rs", "apply", MATCH),
    ("src/ui/facts.rs", "badges_in", MATCH),
    ("src/ui/facts.rs", "describe_fault", MATCH),
    ("src/ui/share/mod.rs", "decode", MATCH),
    ("src/ui/export.rs", "parse", MATCH),
    ("src/ui/state/mod.rs", "reduce", MATCH),
    ("src/ui/worker.rs", "decode_reply", MATCH),
    ("src/ui/host/mod.rs", "parse_load", MATCH),
    ("src/course/eval/quantity.rs", "quantity", MATCH),
    ("src/course/eval/step.rs", "step", MATCH),
    ("src/sim/scenarios/idempotent_ops/mod.rs", "badge", MATCH),
    ("src/course/validate/mod.rs", "check", TO_SPLIT),
    ("src/course/validate/agree.rs", "questions", TO_SPLIT),
    ("src/course/validate/prose.rs", "free_numbers", TO_SPLIT),
    ("src/course/key.rs", "lesson_key", TO_SPLIT),
    ("src/sim/scenarios/idempotent_ops/mod.rs", "build", TO_SPLIT),
    ("src/bin/eosim/main.rs", "sweep_cmd", TO_SPLIT),
    ("src/bin/eosim/measure.rs", "scope", TO_SPLIT),
    ("src/bin/eosim/lessons.rs", "lessons_cmd", TO_SPLIT),
    ("src/ui/components/spacetime/diagram.rs", "of", TO_SPLIT),
    ("src/ui/layout/spacetime.rs", "st_scene", TO_SPLIT),
    ("src/ui/layout/panel.rs", "panel", TO_SPLIT),
    ("src/ui/layout/scene.rs", "scene", TO_SPLIT),
    ("src/ui/layout/fit.rs", "portrait", TO_SPLIT),
    ("src/ui/layout/fit.rs", "landscape", TO_SPLIT),
    ("src/ui/components/ledgers.rs", "Ledgers", TO_SPLIT),
    ("src/ui/components/calculator.rs", "Calculator", TO_SPLIT),
    ("src/ui/components/share_panel.rs", "SharePanel", TO_SPLIT),
    ("src/ui/components/lesson.rs", "LessonPanel", TO_SPLIT),
    ("src/ui/components/lesson.rs", "QuestionView", TO_SPLIT),
    ("src/ui/components/stage/mod.rs", "Stage", TO_SPLIT),
    ("src/ui/components/stage/shapes.rs", "node_view", TO_SPLIT),
    ("src/ui/components/stage/menu.rs", "menu_view", TO_SPLIT),
    ("src/ui/components/stage/tokens.rs", "token_view", TO_SPLIT),
    ("src/ui/components/sweep.rs", "Sweep", TO_SPLIT),
    ("src/ui/components/generals.rs", "Generals", TO_SPLIT),
    ("src/ui/components/controls.rs", "Param", TO_SPLIT),
    ("src/ui/components/controls.rs", "Controls", TO_SPLIT),
    ("src/ui/components/playback.rs", "Playback", TO_SPLIT),
    ("src/ui/components/announcer.rs", "Announcer", TO_SPLIT),
    (
        "src/ui/components/telemetry_chart.rs",
        "TelemetryMeans",
        TO_SPLIT,
    ),
    ("src/ui/host/glue.rs", "use_host_api", TO_SPLIT),
    ("src/sim/workbench/model/effects.rs", "exec", MATCH),
    ("src/sim/workbench/model/consume.rs", "deliver", TO_SPLIT),
    ("src/bin/eosim/workbench.rs", "check_cmd", TO_SPLIT),
    ("src/bin/eosim/main.rs", "print_table", TO_SPLIT),
    ("src/ui/panic.rs", "show", TO_SPLIT),
];

/// Every function of `text` before its tests: (name, line, length in lines), where a
/// function runs from its `fn` line to the `}` at the same indent.
fn functions(text: &str) -> Vec<(String, usize, usize)> {
    let lines = before_tests(text);
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let mut rest = body;
        for prefix in [
            "pub(crate) ",
            "pub(super) ",
            "pub ",
            "const ",
            "async ",
            "unsafe ",
        ] {
            rest = rest.strip_prefix(prefix).unwrap_or(rest);
        }
        let Some(sig) = rest.strip_prefix("fn ") else {
            continue;
        };
        if line.trim_end().ends_with(';') {
            continue;
        }
        let name: String = sig.chars().take_while(|c| is_ident_char(*c)).collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[i..].iter().position(|l| *l == close) {
            out.push((name, i + 1, end + 1));
        }
    }
    out
}

#[test]
fn functions_are_measured() {
    let text = "fn a() {\n    1\n}\n\nimpl X {\n    pub fn b(&self) -> u8 {\n        2\n    }\n    fn c();\n}\n#[cfg(test)]\nmod tests {\nfn d() {\n}\n}\n";
    assert_eq!(
        functions(text),
        vec![("a".to_string(), 1, 3), ("b".to_string(), 6, 3)]
    );
}

/// Functions a reader can hold: none longer than `MAX_FN_LINES` lines unless listed in
/// `LONG_FUNCTIONS` with its reason (a match that is a table, or a debt named as one).
#[test]
fn no_function_over_70_lines_unless_listed() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut long = Vec::new();
    for f in &files {
        let rel = f
            .strip_prefix(root())
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        for (name, line, len) in functions(&fs::read_to_string(f).unwrap()) {
            if len > MAX_FN_LINES {
                long.push((rel.clone(), name, line, len));
            }
        }
    }
    let unlisted: Vec<String> = long
        .iter()
        .filter(|(f, n, ..)| !LONG_FUNCTIONS.iter().any(|(lf, ln, _)| lf == f && ln == n))
        .map(|(f, n, line, len)| format!("{f}:{line} {n} ({len} lines)"))
        .collect();
    let fits: Vec<String> = LONG_FUNCTIONS
        .iter()
        .filter(|(lf, ln, _)| !long.iter().any(|(f, n, ..)| lf == f && ln == n))
        .map(|(f, n, _)| format!("{f} {n}"))
        .collect();
    assert!(
        unlisted.is_empty(),
        "functions over {MAX_FN_LINES} lines (split them, or list one that is a single table-like match in LONG_FUNCTIONS):\n{}",
        unlisted.join("\n")
    );
    assert!(
        fits.is_empty(),
        "listed in LONG_FUNCTIONS but no longer over {MAX_FN_LINES} lines (remove them):\n{}",
        fits.join("\n")
    );
}

/// The issue number a comment line names (`#23`, `issue 27`, `Issues 11 and 18`), if any.
/// A comment says what the code does and why; which issue asked for it is the history's
/// to tell (`git log`), and the number means nothing to a reader of the code.
fn issue_number_in(comment: &str) -> Option<String> {
    let lower = comment.to_ascii_lowercase();
    let bytes = lower.as_bytes();
    for (i, _) in lower.match_indices('#') {
        let digits = lower[i + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        let next = bytes.get(i + 1 + digits).copied().unwrap_or(b' ');
        if digits > 0 && !next.is_ascii_alphanumeric() {
            return Some(lower[i..i + 1 + digits].to_string());
        }
    }
    for (i, _) in lower.match_indices("issue") {
        if i > 0 && is_ident_char(char::from(bytes[i - 1])) {
            continue;
        }
        let rest = lower[i + 5..].trim_start_matches('s');
        let after = rest.trim_start_matches([' ', '#']);
        if rest.starts_with([' ', '#']) && after.starts_with(|c: char| c.is_ascii_digit()) {
            return Some(comment[i..].chars().take(12).collect());
        }
    }
    None
}

#[test]
fn no_issue_numbers_in_code_comments() {
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.push(root().join("build.rs"));
    let mut report = String::new();
    for p in &files {
        let text = fs::read_to_string(p).unwrap_or_default();
        for (n, line) in text.lines().enumerate() {
            let Some(i) = line.find("//") else { continue };
            if let Some(what) = issue_number_in(&line[i + 2..]) {
                let rel = p.strip_prefix(root()).unwrap_or(p);
                report.push_str(&format!(
                    "  {}:{}: `{what}` in: {}\n",
                    rel.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(
        report.is_empty(),
        "tidy: a comment names an issue number (say what the code does and why instead):\n{report}"
    );
}

#[test]
fn issue_numbers_are_found_in_comments() {
    for (text, want) in [
        (" see #23 for why", true),
        (" (issue 27)", true),
        (" Issues 11 (item 3) and 18: telemetry", true),
        (" issue #5", true),
        (" the colour #1f2937", false),
        (" tissue 4", false),
        (" the issue is that 3 copies arrive", false),
        (" step 2 of 5", false),
        (" https://example.org/issues/27", false),
    ] {
        assert_eq!(issue_number_in(text).is_some(), want, "{text}");
    }
}
