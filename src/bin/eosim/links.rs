//! `eosim links check FILE`: for course authors before a new term. Reads share links
//! (one per line; `#` starts a comment) or, from an HTML page, the links of its embeds
//! (`data-eop="…"`, `<eo-playground link="…">` and `<iframe src="…embed=…">`), and
//! reports for each whether it opens, what it warns about (the notices the page
//! shows), and whether its run still matches its fingerprint (`c=`). Exit 1 if any
//! link fails or its run differs, 2 if the file cannot be read.

use eop::ui::host::{self, Command, Incoming};
use eop::ui::share::fingerprint;
use std::process::ExitCode;

/// One link found in the file, with the line it is on (from 1).
#[derive(Debug, PartialEq, Eq)]
pub struct Found {
    pub line: usize,
    pub link: String,
}

/// The links in `text`: an HTML page's embeds, or one link per line.
pub fn find_links(text: &str) -> Vec<Found> {
    let html = ["<iframe", "data-eop", "<eo-playground", "<html", "<div"]
        .iter()
        .any(|t| text.to_ascii_lowercase().contains(t));
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if html {
            for link in attributes(line) {
                out.push(Found { line: i + 1, link });
            }
        } else {
            let l = line.trim();
            if !l.is_empty() && !l.starts_with('#') {
                out.push(Found {
                    line: i + 1,
                    link: l.to_string(),
                });
            }
        }
    }
    out
}

/// The embed links on one line of HTML.
fn attributes(line: &str) -> Vec<String> {
    let lower = line.to_ascii_lowercase();
    let mut out = Vec::new();
    for (name, only_embeds) in [("data-eop", false), ("link", false), ("src", true)] {
        let mut from = 0;
        while let Some(at) = lower[from..].find(name).map(|i| i + from) {
            from = at + name.len();
            // A whole attribute name (not `data-eop-x`, not `hreflink`).
            let before = lower[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                continue;
            }
            let rest = line[from..].trim_start();
            let Some(rest) = rest.strip_prefix('=') else {
                continue;
            };
            let rest = rest.trim_start();
            let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
                continue;
            };
            let Some(end) = rest[1..].find(q) else {
                continue;
            };
            let value = unentity(&rest[1..1 + end]);
            // `link=` only on the custom element; `src=` only for the playground's frames.
            let tag_ok = match name {
                "link" => lower[..at]
                    .rfind('<')
                    .is_some_and(|t| lower[t..].starts_with("<eo-playground")),
                "src" => lower[..at]
                    .rfind('<')
                    .is_some_and(|t| lower[t..].starts_with("<iframe")),
                _ => true,
            };
            if tag_ok && (!only_embeds || value.contains("embed=")) {
                out.push(value);
            }
        }
    }
    out
}

/// Undo the HTML escapes an attribute value may hold.
fn unentity(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// What checking one link found.
#[derive(Debug, PartialEq, Eq)]
pub enum Status {
    /// Opens and its run matches its fingerprint.
    Matches,
    /// Opens; it has no fingerprint, so its run cannot be checked.
    Unchecked,
    /// Opens, but its run differs from the one it was made from.
    Differs,
    /// A host page's `load` refuses it (it would open something else, or nothing).
    Fails,
}

/// Check one link: its status and the lines to print under it.
pub fn check(link: &str) -> (Status, Vec<String>) {
    let share = match host::load_link(link) {
        Incoming::Do(Command::Load { share, warnings }) => {
            let mut notes: Vec<String> = warnings
                .into_iter()
                .map(|w| format!("warns: {w}"))
                .collect();
            let run = match fingerprint::run_of(&share) {
                Ok(r) => r,
                Err(e) => {
                    notes.push(format!("fails: its run cannot be made: {e}"));
                    return (Status::Fails, notes);
                }
            };
            let now = format!("today's run has c={}", fingerprint::of(&run));
            if share.fingerprint.is_none() {
                notes.push(format!(
                    "no fingerprint: whether its run is the one it was made from cannot be checked ({now})"
                ));
                return (Status::Unchecked, notes);
            }
            match fingerprint::check(&share, Some(&run)) {
                Some(stale) => {
                    notes.push(format!("differs: {}", stale.text));
                    notes.push(format!(
                        "{now}: check the page's words against it, then update the link"
                    ));
                    return (Status::Differs, notes);
                }
                None => return (Status::Matches, notes),
            }
        }
        Incoming::Refuse(why) => why,
        Incoming::Do(_) | Incoming::Ignore => "not a link".to_string(),
    };
    (Status::Fails, vec![format!("fails: {share}")])
}

/// The whole report for a file's text, and whether every link opens and matches (or
/// has no fingerprint).
pub fn report(text: &str) -> (String, bool) {
    let links = find_links(text);
    let mut out = String::new();
    let (mut matches, mut unchecked, mut differs, mut fails) = (0, 0, 0, 0);
    for f in &links {
        let (status, notes) = check(&f.link);
        let word = match status {
            Status::Matches => {
                matches += 1;
                "matches"
            }
            Status::Unchecked => {
                unchecked += 1;
                "opens"
            }
            Status::Differs => {
                differs += 1;
                "DIFFERS"
            }
            Status::Fails => {
                fails += 1;
                "FAILS"
            }
        };
        out.push_str(&format!("line {}: {word:<7} {}\n", f.line, f.link));
        for n in notes {
            out.push_str(&format!("    {n}\n"));
        }
    }
    out.push_str(&format!(
        "{} link{}: {matches} match{}, {unchecked} without a fingerprint, {differs} differ, {fails} fail\n",
        links.len(),
        if links.len() == 1 { "" } else { "s" },
        if matches == 1 { "" } else { "es" },
    ));
    (out, differs == 0 && fails == 0)
}

/// `eosim links check FILE`.
pub fn links_cmd(args: &[String]) -> ExitCode {
    let (Some("check"), Some(path), None) =
        (args.first().map(String::as_str), args.get(1), args.get(2))
    else {
        eprintln!("eosim: usage: eosim links check FILE (links one per line, or an HTML page with embeds)");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("eosim: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (out, ok) = report(&text);
    print!("{out}");
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
