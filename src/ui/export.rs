//! Run files: the situation on screen as a small JSON document that can be downloaded
//! and imported again (by file picker or drag-and-drop).
//!
//! A run file holds what *determines* the run (scenario, seed, parameters, hand-made
//! faults, whether random faults are on) and where the learner was looking (tick,
//! technique, view), plus the trace checksum of the run it came from. Importing replays
//! the run from those inputs and compares checksums: a mismatch (another simulator
//! version, an edited file) is reported, never hidden. The ledgers at the end are
//! included for people reading the file; an import ignores them.
//!
//! Validation reuses the share-link decoder: the file's fields are turned into a link
//! and decoded, so a bad value in a file gets the same message, and the same safe
//! default, as the same bad value in a link. Pure code, tested natively.

use crate::sim::ids::merchant_name;
use crate::sim::run::RunResult;
use crate::ui::share::{self, escape, ShareState, ViewMode};
use serde_json::{json, Map, Value};

/// The `format` field of every run file.
pub const FORMAT: &str = "exactly-once-playground/run";
/// The run-file version this build writes and reads.
pub const VERSION: u64 = 1;
/// Larger files are refused before they are read.
pub const MAX_IMPORT_BYTES: u64 = 256 * 1024;

/// A run file that could be used (possibly with corrections, in `warnings`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Imported {
    pub state: ShareState,
    pub warnings: Vec<String>,
    /// The trace checksum the file says its run had (16 hex digits), if any.
    pub checksum: Option<String>,
}

/// The run file for `state`, whose run produced `result` (None when the run failed).
pub fn to_json(state: &ShareState, result: Option<&RunResult>) -> String {
    let params: Map<String, Value> = state
        .inputs
        .config
        .params
        .iter()
        .map(|(n, v)| (n.clone(), json!(v)))
        .collect();
    let faults: Vec<String> = state
        .inputs
        .config
        .manual
        .iter()
        .map(crate::sim::fault::Fault::code)
        .collect();
    let mut doc = json!({
        "format": FORMAT,
        "version": VERSION,
        "scenario": state.inputs.scenario.id,
        // A string: JSON readers that use doubles would round seeds above 2^53.
        "seed": state.inputs.config.seed.to_string(),
        "params": params,
        "faults": faults,
        "random_faults": state.inputs.config.random_faults,
        "tick": state.tick,
        "technique": state.technique,
        "view": match state.view { ViewMode::Stage => "stage", ViewMode::Spacetime => "spacetime" },
        "link": share::encode(&ShareState { embed: false, autoplay: false, from: None, to: None, ..state.clone() }),
    });
    if let Some(r) = result {
        let stamped = share::fingerprint::stamped(
            &ShareState {
                embed: false,
                autoplay: false,
                from: None,
                to: None,
                ..state.clone()
            },
            r,
        );
        doc["link"] = json!(share::encode(&stamped));
        if let Some(fp) = &stamped.fingerprint {
            doc["fingerprint"] = json!(fp.code());
        }
        doc["checksum"] = json!(r.checksum_hex());
        let ledger = |b: std::collections::BTreeMap<u8, i64>| -> Map<String, Value> {
            b.into_iter()
                .map(|(m, v)| (merchant_name(m), json!(v)))
                .collect()
        };
        doc["ledgers_at_end"] = json!({
            "truth": ledger(r.truth_balances()),
            "techniques": r.techniques.iter().map(|t| json!({
                "id": t.id,
                "label": t.label,
                "balances": ledger(t.ledger.balances()),
                "verdict": t.verdict.summary(),
            })).collect::<Vec<_>>(),
        });
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// A file name for the download, e.g. `walkthrough-seed-7-tick-12.eop.json`.
pub fn file_name(state: &ShareState) -> String {
    let mut name = format!(
        "{}-seed-{}",
        state.inputs.scenario, state.inputs.config.seed
    );
    if let Some(t) = state.tick {
        name.push_str(&format!("-tick-{t}"));
    }
    name.push_str(".eop.json");
    name
}

/// Read a run file. `Err` says, in one sentence, why nothing could be used; `Ok` may
/// still carry warnings about fields that were corrected.
pub fn parse(text: &str) -> Result<Imported, String> {
    if text.len() as u64 > MAX_IMPORT_BYTES {
        return Err(too_big(text.len() as u64));
    }
    let doc: Value = serde_json::from_str(text).map_err(|e| {
        format!(
            "the file is not valid JSON ({e}); a run file is the JSON the Export button downloads"
        )
    })?;
    let Some(obj) = doc.as_object() else {
        return Err(format!(
            "the file is JSON but not a run file (its top level is {}, not an object)",
            kind(&doc)
        ));
    };
    match obj.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        Some(other) => {
            return Err(format!(
                "the file's format is '{}', not '{FORMAT}'",
                clip(other)
            ))
        }
        None => {
            return Err(format!(
                "the file has no \"format\": \"{FORMAT}\" field, so it is not a run file"
            ))
        }
    }
    match obj.get("version") {
        Some(v) if v.as_u64() == Some(VERSION) => {}
        Some(v) => {
            return Err(format!(
                "run-file version {} is not supported; this build reads version {VERSION}",
                clip(&scalar(v))
            ))
        }
        None => return Err("the run file has no \"version\" field".to_string()),
    }

    // Build the equivalent link and let the link decoder validate every field.
    let mut warnings = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    // One link field from one file field (nothing for a missing or null field).
    fn field(key: &str, v: Option<&Value>, parts: &mut Vec<String>, warnings: &mut Vec<String>) {
        let Some(v) = v.filter(|v| !v.is_null()) else {
            return;
        };
        if v.is_array() || v.is_object() {
            warnings.push(format!(
                "\"{key}\" in the file is {}, not a single value; ignored it",
                kind(v)
            ));
            return;
        }
        parts.push(format!("{key}={}", escape(&scalar(v))));
    }
    match obj.get("scenario") {
        Some(Value::String(_)) => field("s", obj.get("scenario"), &mut parts, &mut warnings),
        Some(v) => warnings.push(format!(
            "\"scenario\" in the file is {}, not a name; showing the default scenario",
            kind(v)
        )),
        None => warnings.push("the file names no scenario; showing the default one".to_string()),
    }
    field("seed", obj.get("seed"), &mut parts, &mut warnings);
    match obj.get("params") {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (name, v) in m {
                field(
                    &format!("p.{}", escape(name)),
                    Some(v),
                    &mut parts,
                    &mut warnings,
                );
            }
        }
        Some(v) => warnings.push(format!(
            "\"params\" in the file is {}, not an object; using the defaults",
            kind(v)
        )),
    }
    match obj.get("faults") {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => {
            let mut codes = Vec::new();
            for item in items {
                match item.as_str() {
                    Some(s) => codes.push(s.to_string()),
                    None => warnings.push(format!(
                        "hand-made fault {} in the file is not a fault code such as \"L0.1.0\"; skipped it",
                        clip(&item.to_string())
                    )),
                }
            }
            if !codes.is_empty() {
                field(
                    "f",
                    Some(&Value::String(codes.join(","))),
                    &mut parts,
                    &mut warnings,
                );
            }
        }
        Some(v) => warnings.push(format!(
            "\"faults\" in the file is {}, not a list; no hand-made faults used",
            kind(v)
        )),
    }
    match obj.get("random_faults") {
        None | Some(Value::Null) | Some(Value::Bool(true)) => {}
        Some(Value::Bool(false)) => parts.push("rf=0".to_string()),
        Some(v) => warnings.push(format!(
            "\"random_faults\" in the file is {}, not true or false; kept random faults on",
            clip(&scalar(v))
        )),
    }
    field("t", obj.get("tick"), &mut parts, &mut warnings);
    field("tech", obj.get("technique"), &mut parts, &mut warnings);
    field("v", obj.get("view"), &mut parts, &mut warnings);
    // The run's fingerprint: a replay that differs is reported as for a stale link.
    field("c", obj.get("fingerprint"), &mut parts, &mut warnings);

    let decoded = share::decode(&parts.join("&"));
    warnings.extend(decoded.warnings);
    let checksum = match obj.get("checksum") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if is_checksum(s) => Some(s.to_ascii_lowercase()),
        Some(v) => {
            warnings.push(format!(
                "checksum {} in the file is not 16 hex digits; the replay cannot be verified",
                clip(&scalar(v))
            ));
            None
        }
    };
    Ok(Imported {
        state: decoded.state,
        warnings,
        checksum,
    })
}

/// The message for a file larger than [`MAX_IMPORT_BYTES`].
pub fn too_big(bytes: u64) -> String {
    format!(
        "the file is {} KB; run files are a few KB and at most {} KB are read, so it was not opened",
        bytes.div_ceil(1024),
        MAX_IMPORT_BYTES / 1024
    )
}

/// What an import found when it replayed the file's run.
pub fn verdict_line(name: &str, claimed: Option<&str>, replayed: Option<&str>) -> (bool, String) {
    match (claimed, replayed) {
        (Some(c), Some(r)) if c == r => (
            true,
            format!("Imported {name}: replayed it here and the trace checksum {r} matches the file — this is the same run."),
        ),
        (Some(c), Some(r)) => (
            false,
            format!("Imported {name}, but the checksums differ: the file says {c}, replaying it here gives {r}. The simulator changed since the file was made, or the file was edited; what you see is the replay made now."),
        ),
        (None, Some(r)) => (
            false,
            format!("Imported {name}: the file has no checksum, so the replay (checksum {r}) could not be verified against it."),
        ),
        (_, None) => (
            false,
            format!("Imported {name}, but its settings give no run to compare (see the message above)."),
        ),
    }
}

fn is_checksum(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A JSON scalar as text (strings without quotes).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// Shorten user text quoted back in a message.
pub fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::fault::Fault;
    use crate::sim::scenarios;

    fn sample() -> ShareState {
        let mut s = ShareState::new("walkthrough");
        s.inputs.config.seed = 9_007_199_254_740_993; // above 2^53: must survive as text
        s.inputs.config.params = vec![("dup".to_string(), 500)];
        s.inputs.config.manual = vec![Fault::Lose {
            hop: 0,
            msg: 1,
            attempt: 0,
        }];
        s.tick = Some(7);
        s.technique = Some("dedup".to_string());
        s.view = ViewMode::Spacetime;
        s
    }

    fn run(s: &ShareState) -> RunResult {
        scenarios::run(s.inputs.scenario.id, &s.inputs.config).expect("runs")
    }

    #[test]
    fn export_then_import_gives_the_same_state_and_checksum() {
        let s = sample();
        let r = run(&s);
        let text = to_json(&s, Some(&r));
        let got = parse(&text).expect("parses");
        assert_eq!(got.warnings, Vec::<String>::new());
        // The same state, plus the fingerprint of its run (a replay is checked against it).
        assert_eq!(got.state, crate::ui::share::fingerprint::stamped(&s, &r));
        assert_eq!(crate::ui::share::fingerprint::check(&got.state, None), None);
        assert_eq!(got.checksum.as_deref(), Some(r.checksum_hex().as_str()));
        // Replaying gives the same checksum.
        assert_eq!(run(&got.state).checksum_hex(), r.checksum_hex());
        let (ok, line) = verdict_line("x.json", got.checksum.as_deref(), Some(&r.checksum_hex()));
        assert!(ok, "{line}");
    }

    #[test]
    fn every_scenario_round_trips_at_its_defaults() {
        for sc in scenarios::all() {
            let s = ShareState::new(sc.info().id);
            let r = run(&s);
            let got = parse(&to_json(&s, Some(&r))).expect("parses");
            let want = crate::ui::share::fingerprint::stamped(&s, &r);
            assert_eq!(got.state, want, "{}", sc.info().id);
            assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        }
    }

    #[test]
    fn the_file_carries_the_ledgers_for_readers() {
        let s = ShareState::new("walkthrough");
        let v: Value = serde_json::from_str(&to_json(&s, Some(&run(&s)))).unwrap();
        assert_eq!(v["ledgers_at_end"]["truth"]["m-B"], json!(2000));
        assert_eq!(
            v["ledgers_at_end"]["techniques"][0]["balances"]["m-B"],
            json!(4000)
        );
        // The link carries the run's fingerprint (`c=`), and so does the file.
        let fp = crate::ui::share::fingerprint::of(&run(&s));
        assert_eq!(v["link"], json!(format!("s=walkthrough&c={fp}")));
        assert_eq!(v["fingerprint"], json!(fp));
    }

    #[test]
    fn unusable_files_are_refused_with_a_reason() {
        let cases: &[(&str, &str)] = &[
            ("not json at all", "not valid JSON"),
            ("{\"format\": ", "not valid JSON"),
            ("[1,2,3]", "top level is a list"),
            ("{\"version\":1}", "no \"format\""),
            (
                "{\"format\":\"something-else\",\"version\":1}",
                "format is 'something-else'",
            ),
            (
                "{\"format\":\"exactly-once-playground/run\",\"version\":2}",
                "version 2 is not supported",
            ),
            (
                "{\"format\":\"exactly-once-playground/run\"}",
                "no \"version\"",
            ),
        ];
        for (text, want) in cases {
            let err = parse(text).expect_err(text);
            assert!(err.contains(want), "{text}: {err}");
        }
        let big = format!("{{\"pad\":\"{}\"}}", "x".repeat(300 * 1024));
        assert!(parse(&big).unwrap_err().contains("KB"));
    }

    #[test]
    fn bad_fields_are_corrected_and_named() {
        let text = r#"{"format":"exactly-once-playground/run","version":1,
            "scenario":"walkthrough","seed":"banana","params":{"dup":99999,"nope":1},
            "faults":["L0.1.0","zzz",7],"random_faults":"maybe","tick":-3,
            "checksum":"xyz"}"#;
        let got = parse(text).expect("usable");
        let all = got.warnings.join("\n");
        for want in [
            "seed 'banana'",
            "'99999' for dup",
            "no parameter 'nope'",
            "fault 'zzz'",
            "fault 7",
            "random_faults",
            "tick '-3'",
            "checksum xyz",
        ] {
            assert!(all.contains(want), "missing {want:?} in:\n{all}");
        }
        assert_eq!(got.state.inputs.scenario, "walkthrough");
        assert_eq!(got.state.inputs.config.manual.len(), 1);
        assert!(got.state.inputs.config.params.is_empty());
        assert_eq!(got.state.tick, None);
        assert_eq!(got.checksum, None);
        // An unknown scenario falls back to the default, with a message.
        let got =
            parse(r#"{"format":"exactly-once-playground/run","version":1,"scenario":"nope"}"#)
                .unwrap();
        assert_eq!(got.state.inputs.scenario, share::DEFAULT_SCENARIO);
        assert!(got.warnings[0].contains("unknown scenario 'nope'"));
    }

    #[test]
    fn a_tampered_file_is_reported_as_a_mismatch() {
        let s = ShareState::new("walkthrough");
        let r = run(&s);
        let text = to_json(&s, Some(&r)).replace(&r.checksum_hex(), "0000000000000000");
        let got = parse(&text).unwrap();
        let (ok, line) = verdict_line("t.json", got.checksum.as_deref(), Some(&r.checksum_hex()));
        assert!(!ok);
        assert!(line.contains("checksums differ"), "{line}");
        assert!(line.contains("0000000000000000"), "{line}");
    }

    #[test]
    fn the_parser_never_panics_on_mangled_files() {
        let s = sample();
        let good = to_json(&s, Some(&run(&s)));
        let bytes = good.as_bytes();
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let (mut ok, mut refused) = (0, 0);
        for _ in 0..3000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mut b = bytes.to_vec();
            let n = 1 + (x % 4) as usize;
            for k in 0..n {
                let i = ((x >> (8 * k)) as usize) % b.len();
                b[i] = (x >> (3 * k)) as u8;
            }
            if x.is_multiple_of(7) {
                b.truncate((x % b.len() as u64) as usize);
            }
            let text = String::from_utf8_lossy(&b);
            match parse(&text) {
                Ok(got) => {
                    ok += 1;
                    assert!(scenarios::find(got.state.inputs.scenario.id).is_ok());
                }
                Err(e) => {
                    refused += 1;
                    assert!(!e.is_empty());
                }
            }
        }
        // Both paths were exercised: some damage is tolerated, some is not.
        assert!(ok > 100 && refused > 100, "ok {ok}, refused {refused}");
    }

    #[test]
    fn file_names_are_descriptive() {
        assert_eq!(
            file_name(&sample()),
            "walkthrough-seed-9007199254740993-tick-7.eop.json"
        );
    }
}
