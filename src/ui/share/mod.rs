//! Share links: the whole situation on screen as a URL query string.
//!
//! Pure code (no browser types) so it is tested natively, including a
//! never-panics sweep over random input. `decode` is forgiving: whatever it cannot
//! use it reports in `warnings` (naming what was wrong and what was used instead)
//! and the rest of the link still applies.
//!
//! Format: `s=<scenario>&seed=<u64>&t=<tick>&v=<stage|spacetime>&tech=<technique>`
//! `&f=<faults>&rf=0&embed=1&autoplay=1&from=<tick>&to=<tick>&p.<param>=<int>`
//! `&check=<k1|k2|k3|1000|10000|100000>` (the "Find a breaking run" panel's setting); parameters
//! and settings at their defaults are left out. Faults are comma-separated, each a letter and
//! dot-separated integers: `L<hop>.<msg>.<attempt>` lose, `D<hop>.<msg>.<attempt>.<extra>`
//! duplicate, `Y<hop>.<msg>.<attempt>.<extra>` delay, `C<node>.<at>.<down>` crash,
//! `K<node>.<msg>.<point>.<down>` crash at a point, `P<node>.<at>.<ticks>` pause,
//! `R<node>.<at>.<to>` offset reset.

mod codes;
pub mod fingerprint;
mod inputs;
mod scenario;

pub use codes::{escape, unescape, CheckMode, MAX_K, SAMPLE_SIZES};
pub use fingerprint::{Fingerprint, Stale};
pub use inputs::Inputs;
pub use scenario::ScenarioRef;

use crate::sim::fault::Fault;
use crate::sim::params::find as find_param;
use serde::{Deserialize, Serialize};

/// Default scenario when a link names none (or an unknown one).
pub const DEFAULT_SCENARIO: &str = "two-generals";
pub const DEFAULT_SEED: u64 = 1;
/// At most this many hand-made faults are kept from a link.
pub const MAX_FAULTS: usize = 64;
/// Links longer than this are cut before decoding.
pub const MAX_LINK: usize = 8192;

#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ViewMode {
    #[default]
    Stage,
    Spacetime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareState {
    /// The scenario and its run configuration (`s=`, `seed=`, `p.<name>=`, `f=`, `rf=0`).
    pub inputs: Inputs,
    pub tick: Option<u32>,
    pub view: ViewMode,
    pub technique: Option<String>,
    pub embed: bool,
    pub autoplay: bool,
    pub from: Option<u32>,
    pub to: Option<u32>,
    /// A built-in lesson (`lesson=<id>`), shown at `step` (counted from 1).
    pub lesson: Option<String>,
    pub step: Option<u32>,
    /// The "Find a breaking run" panel's setting (`check=k2`).
    pub check: CheckMode,
    /// The fingerprint of the run the link was made from (`c=`; see [`fingerprint`]).
    /// Boxed: most links have none, and `ShareState` travels inside commands and actions.
    pub fingerprint: Option<Box<Fingerprint>>,
}

impl Default for ShareState {
    fn default() -> ShareState {
        ShareState::new(DEFAULT_SCENARIO)
    }
}

impl ShareState {
    /// Scenario `scenario` (the default one if there is no such scenario) at its
    /// showcase seed and defaults.
    pub fn new(scenario: &str) -> ShareState {
        ShareState::of(Inputs::new(ScenarioRef::resolve(scenario).0))
    }

    /// A link to these inputs, with every other setting at its default.
    pub fn of(inputs: Inputs) -> ShareState {
        ShareState {
            inputs,
            tick: None,
            view: ViewMode::Stage,
            technique: None,
            embed: false,
            autoplay: false,
            from: None,
            to: None,
            lesson: None,
            step: None,
            check: CheckMode::default(),
            fingerprint: None,
        }
    }
}

/// The result of decoding a link: a usable state and what had to be corrected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    pub state: ShareState,
    pub warnings: Vec<String>,
}

/// Encode as a query string (without the leading `?`).
pub fn encode(s: &ShareState) -> String {
    // A lesson link names the lesson and the step; the step sets the stage.
    if let Some(l) = &s.lesson {
        let mut parts = vec![
            format!("lesson={}", escape(l)),
            format!("step={}", s.step.unwrap_or(1)),
        ];
        if s.embed {
            parts.push("embed=1".to_string());
        }
        if let Some(fp) = &s.fingerprint {
            parts.push(format!("c={}", fp.code()));
        }
        return parts.join("&");
    }
    let (sc, cfg) = (s.inputs.scenario, &s.inputs.config);
    let mut parts = vec![format!("s={}", escape(sc.id))];
    if cfg.seed != sc.showcase_seed {
        parts.push(format!("seed={}", cfg.seed));
    }
    for spec in sc.params {
        if let Some((_, v)) = cfg.params.iter().find(|(n, _)| n == spec.name) {
            if *v != spec.default {
                parts.push(format!("p.{}={}", spec.name, v));
            }
        }
    }
    if !cfg.manual.is_empty() {
        let f: Vec<String> = cfg.manual.iter().map(Fault::code).collect();
        parts.push(format!("f={}", f.join(",")));
    }
    if !cfg.random_faults {
        parts.push("rf=0".to_string());
    }
    if let Some(t) = s.tick {
        parts.push(format!("t={t}"));
    }
    if s.view == ViewMode::Spacetime {
        parts.push("v=spacetime".to_string());
    }
    if let Some(t) = &s.technique {
        parts.push(format!("tech={}", escape(t)));
    }
    if s.embed {
        parts.push("embed=1".to_string());
    }
    if s.autoplay {
        parts.push("autoplay=1".to_string());
    }
    if let Some(f) = s.from {
        parts.push(format!("from={f}"));
    }
    if let Some(t) = s.to {
        parts.push(format!("to={t}"));
    }
    if s.check != CheckMode::default() {
        parts.push(format!("check={}", s.check.code()));
    }
    if let Some(fp) = &s.fingerprint {
        parts.push(format!("c={}", fp.code()));
    }
    parts.join("&")
}

/// Decode a query string (with or without the leading `?`). Never panics.
pub fn decode(query: &str) -> Decoded {
    let mut warnings = Vec::new();
    let mut query = query.trim();
    if query.len() > MAX_LINK {
        warnings.push(format!(
            "the link is longer than {MAX_LINK} characters; the rest was ignored"
        ));
        let mut cut = MAX_LINK;
        while !query.is_char_boundary(cut) {
            cut -= 1;
        }
        query = &query[..cut];
    }
    let query = query.strip_prefix('?').unwrap_or(query);
    let pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (unescape(k), unescape(v)),
            None => (unescape(p), String::new()),
        })
        .collect();
    let get = |k: &str| {
        pairs
            .iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };

    let (sc, unknown) = ScenarioRef::resolve(
        get("s")
            .filter(|id| !id.is_empty())
            .unwrap_or(DEFAULT_SCENARIO),
    );
    warnings.extend(unknown);
    let scenario = sc.id;
    let mut st = ShareState::new(scenario);
    let cfg = &mut st.inputs.config;
    if let Some(v) = get("seed") {
        match v.trim().parse::<u64>() {
            Ok(seed) => cfg.seed = seed,
            Err(_) => warnings.push(format!(
                "seed '{}' is not a whole number from 0 to {}; using seed {}",
                clip(v),
                u64::MAX,
                cfg.seed
            )),
        }
    }
    let specs = sc.params;
    for (k, v) in &pairs {
        let Some(name) = k.strip_prefix("p.") else {
            continue;
        };
        match find_param(specs, name) {
            Err(_) => warnings.push(format!(
                "'{scenario}' has no parameter '{}'; ignored it",
                clip(name)
            )),
            Ok(spec) => match spec.parse(v) {
                Ok(val) => {
                    cfg.params.retain(|(n, _)| n != spec.name);
                    if val != spec.default {
                        cfg.params.push((spec.name.to_string(), val));
                    }
                }
                Err(_) => warnings.push(format!(
                    "'{}' for {} is not allowed ({}); using the default {}",
                    clip(v),
                    spec.name,
                    spec.allowed(),
                    spec.default
                )),
            },
        }
    }
    // Keep the scenario's declaration order (canonical links).
    cfg.params
        .sort_by_key(|(n, _)| specs.iter().position(|s| s.name == n));
    if let Some(f) = get("f") {
        for (i, item) in f.split(',').filter(|x| !x.is_empty()).enumerate() {
            if i >= MAX_FAULTS {
                warnings.push(format!(
                    "only the first {MAX_FAULTS} hand-made faults were kept"
                ));
                break;
            }
            match Fault::from_code(item) {
                Some(fault) => cfg.manual.push(fault),
                None => warnings.push(format!(
                    "hand-made fault '{}' is malformed; skipped it",
                    clip(item)
                )),
            }
        }
    }
    st.tick = tick_field(get("t"), "tick", &mut warnings);
    st.from = tick_field(get("from"), "from", &mut warnings);
    st.to = tick_field(get("to"), "to", &mut warnings);
    if let (Some(a), Some(b)) = (st.from, st.to) {
        if a > b {
            warnings.push(format!(
                "step range from {a} to {b} is backwards; ignored it"
            ));
            st.from = None;
            st.to = None;
        }
    }
    match get("v") {
        None | Some("stage") => {}
        Some("spacetime") => st.view = ViewMode::Spacetime,
        Some(other) => warnings.push(format!(
            "view '{}' is unknown (stage or spacetime); showing the stage",
            clip(other)
        )),
    }
    if let Some(t) = get("tech") {
        if !t.is_empty() {
            st.technique = Some(clip(t));
        }
    }
    if let Some(v) = get("check") {
        match CheckMode::parse(v) {
            Some(m) => st.check = m,
            None => warnings.push(format!(
                "check '{}' is not a setting of the panel (k1 to k{MAX_K}, or {}); using {} random schedules",
                clip(v),
                SAMPLE_SIZES.map(|n| n.to_string()).join(", "),
                CheckMode::default().code()
            )),
        }
    }
    cfg.random_faults = !matches!(get("rf"), Some("0" | "false" | "off" | "no"));
    st.embed = flag(get("embed"));
    if let Some(id) = get("lesson").filter(|v| !v.is_empty()) {
        match crate::course::find(id) {
            None => warnings.push(format!(
                "there is no lesson '{}'; showing the scenario instead",
                clip(id)
            )),
            Some(l) => {
                let n = l.steps.len() as u32;
                st.lesson = Some(l.id.clone());
                st.inputs = Inputs::new(ScenarioRef::resolve(&l.scenario).0);
                st.step = Some(match get("step").map(|v| v.trim().parse::<u32>()) {
                    None => 1,
                    Some(Ok(k)) if (1..=n).contains(&k) => k,
                    Some(_) => {
                        warnings.push(format!(
                            "step '{}' is not a step of lesson '{}' (1 to {n}); showing step 1",
                            clip(get("step").unwrap_or_default()),
                            l.id
                        ));
                        1
                    }
                });
            }
        }
    }
    st.autoplay = flag(get("autoplay"));
    if let Some(v) = get("c") {
        match Fingerprint::parse(v) {
            Ok(fp) => st.fingerprint = Some(Box::new(fp)),
            Err(e) => warnings.push(e),
        }
    }
    Decoded {
        state: st,
        warnings,
    }
}

fn flag(v: Option<&str>) -> bool {
    matches!(
        v,
        Some("1" | "true" | "yes" | "on" | "" | "compact" | "full")
    )
}

/// How an embedded page lays itself out (`embed=` in its own address).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EmbedMode {
    /// Not an embed.
    Off,
    /// `embed=1`: compact when the frame the host gives is low ([`COMPACT_BELOW`]).
    Auto,
    /// `embed=compact`: the stage, the playback bar and a balances row per technique.
    Compact,
    /// `embed=full`: never compact (embed.js asks for this when it sizes the frame).
    Full,
}

/// An `embed=1` frame lower than this (CSS px) lays itself out compactly.
pub const COMPACT_BELOW: u32 = 560;

/// The embed mode a query string asks for. Never panics.
pub fn embed_mode(query: &str) -> EmbedMode {
    let v = query
        .trim_start_matches('?')
        .split('&')
        .filter_map(|p| p.split_once('=').or(Some((p, ""))))
        .filter(|(k, _)| unescape(k) == "embed")
        .map(|(_, v)| unescape(v))
        .next_back();
    match v.as_deref() {
        Some("compact") => EmbedMode::Compact,
        Some("full") => EmbedMode::Full,
        v if flag(v) => EmbedMode::Auto,
        _ => EmbedMode::Off,
    }
}

fn tick_field(v: Option<&str>, what: &str, warnings: &mut Vec<String>) -> Option<u32> {
    let v = v?;
    match v.trim().parse::<u32>() {
        Ok(t) => Some(t),
        Err(_) => {
            warnings.push(format!(
                "{what} '{}' is not a tick number; ignored it",
                clip(v)
            ));
            None
        }
    }
}

/// Shorten user text quoted back in a message.
fn clip(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
