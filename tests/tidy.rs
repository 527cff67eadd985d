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
