//! A link's fingerprint of its run (`c=` in a share link): so a link made with one
//! version of the playground can tell, opened with another, whether the run on screen
//! is still the run its author saw.
//!
//! Format: `c=<8 hex>` or `c=<8 hex>.<2 hex per checkpoint>`. The first part is the
//! start of the run's trace checksum ([`RunResult::checksum_hex`]). Checkpoint `k`
//! (from 0) hashes, technique by technique, the events before tick `8 · 2^k`, for every
//! such boundary up to the first past the run's end: two runs whose checkpoint `k` is
//! the first to differ first differ somewhere in `[4 · 2^k, 8 · 2^k)` (`[0, 8)` for
//! `k = 0`). The link says no more than that, so the notice names that range rather
//! than pretending to know the tick. Pure, tested natively.

use super::ShareState;
use crate::sim::run::{Fnv, RunResult};

/// Hex digits of the whole-run checksum a fingerprint keeps.
pub const SUM_DIGITS: usize = 8;
/// The first checkpoint's boundary (events before this tick).
const FIRST_BOUNDARY: u64 = 8;
/// At most this many checkpoints (the boundary doubles each time; 2^31 ticks is plenty).
const MAX_CHECKPOINTS: usize = 29;

/// The fingerprint of a run, as it appears after `c=`.
pub fn of(run: &RunResult) -> String {
    let mut out = run.checksum_hex()[..SUM_DIGITS].to_string();
    let marks = checkpoints(run);
    if !marks.is_empty() {
        out.push('.');
        for m in marks {
            out.push_str(&format!("{m:02x}"));
        }
    }
    out
}

/// Checkpoint hashes (one byte each) of `run`: boundaries 8, 16, 32, … up to and
/// including the first one past the run's end.
fn checkpoints(run: &RunResult) -> Vec<u8> {
    let end = u64::from(run.end());
    let lines: Vec<Vec<(u64, String)>> = run
        .techniques
        .iter()
        .map(|t| {
            t.trace
                .iter()
                .map(|e| {
                    (
                        u64::from(e.tick),
                        serde_json::to_string(e).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .collect();
    let mut out = Vec::new();
    let mut boundary = FIRST_BOUNDARY;
    while out.len() < MAX_CHECKPOINTS {
        let mut h = Fnv::default();
        for (t, evs) in run.techniques.iter().zip(&lines) {
            h.write(t.id.as_bytes());
            for (tick, s) in evs.iter().take_while(|(tick, _)| *tick < boundary) {
                h.write(&tick.to_le_bytes());
                h.write(s.as_bytes());
            }
        }
        // Fold the 64 bits into one byte.
        let b = h.0.to_le_bytes().iter().fold(0u8, |a, x| a ^ x);
        out.push(b);
        if boundary > end {
            break;
        }
        boundary *= 2;
    }
    out
}

/// A fingerprint read from a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fingerprint {
    /// The checksum's first [`SUM_DIGITS`] hex digits (lower case).
    pub sum: String,
    pub checkpoints: Vec<u8>,
}

impl Fingerprint {
    /// Read `c=`'s value; `Err` says what is wrong with it (the link then opens as if
    /// it had none).
    pub fn parse(v: &str) -> Result<Fingerprint, String> {
        let v = v.trim().to_ascii_lowercase();
        let (sum, marks) = match v.split_once('.') {
            Some((a, b)) => (a, b),
            None => (v.as_str(), ""),
        };
        let hex = |s: &str| s.bytes().all(|b| b.is_ascii_hexdigit());
        if sum.len() != SUM_DIGITS || !hex(sum) {
            return Err(format!(
                "the run fingerprint 'c={}' is not {SUM_DIGITS} hexadecimal digits (and checkpoints); ignored it, so this link's run was not checked",
                super::clip(&v)
            ));
        }
        if marks.len() % 2 != 0 || !hex(marks) || marks.len() / 2 > MAX_CHECKPOINTS {
            return Err(format!(
                "the run fingerprint's checkpoints '{}' are not pairs of hexadecimal digits; ignored the fingerprint, so this link's run was not checked",
                super::clip(marks)
            ));
        }
        let checkpoints = (0..marks.len() / 2)
            .filter_map(|i| u8::from_str_radix(&marks[2 * i..2 * i + 2], 16).ok())
            .collect();
        Ok(Fingerprint {
            sum: sum.to_string(),
            checkpoints,
        })
    }

    pub fn code(&self) -> String {
        let mut s = self.sum.clone();
        if !self.checkpoints.is_empty() {
            s.push('.');
            for m in &self.checkpoints {
                s.push_str(&format!("{m:02x}"));
            }
        }
        s
    }
}

/// How a link's run differs from the run it was made from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The ticks the runs first differ within (`from..=to`), when the link tells.
    pub range: Option<(u64, u64)>,
    /// The sentence shown on the page, posted to the host and printed by `eosim links`.
    pub text: String,
}

/// Compare the run on screen with the fingerprint of the run the link was made from.
/// `None`: they agree.
pub fn compare(fp: &Fingerprint, run: &RunResult) -> Option<Stale> {
    if run.checksum_hex()[..SUM_DIGITS] == fp.sum {
        return None;
    }
    let now = checkpoints(run);
    let first = fp
        .checkpoints
        .iter()
        .zip(&now)
        .position(|(a, b)| a != b)
        .or_else(|| {
            // Every checkpoint both have agrees: the difference is after the shorter list.
            let n = fp.checkpoints.len().min(now.len());
            (n > 0 && fp.checkpoints.len() != now.len()).then_some(n)
        });
    let range = first.map(|k| {
        let hi = FIRST_BOUNDARY << k;
        let lo = if k == 0 { 0 } else { hi / 2 };
        (lo, hi - 1)
    });
    let head = "This link was made with an earlier version of the playground; the run you see differs from the one its author saw";
    let text = match range {
        Some((lo, hi)) => format!(
            "{head}, from somewhere between tick {lo} and tick {hi} (the link records its run too coarsely to name the exact tick)"
        ),
        None if fp.checkpoints.is_empty() => format!(
            "{head} (the link's fingerprint is too short to tell from which tick)"
        ),
        None => format!(
            "{head}, after tick {} (every part of the run the link records agrees)",
            (FIRST_BOUNDARY << (fp.checkpoints.len() - 1)) - 1
        ),
    };
    Some(Stale { range, text })
}

/// The run a link opens (a lesson link: its step's run), for checking a fingerprint.
pub fn run_of(state: &ShareState) -> Result<RunResult, String> {
    if let Some(l) = state.lesson.as_deref().and_then(crate::course::find) {
        let i = state.step.unwrap_or(1).saturating_sub(1) as usize;
        let setup = crate::course::eval::step_setup(l, i);
        let (sc, cfg) = crate::course::eval::config(&l.scenario, &setup)?;
        return crate::sim::scenarios::run(&sc, &cfg).map_err(|e| e.to_string());
    }
    let i = &state.inputs;
    crate::sim::scenarios::run(i.scenario.id, &i.config).map_err(|e| e.to_string())
}

/// Check a decoded link's fingerprint (if it has one) against the run it opens now.
/// `run` is that run when the caller has it already (not for lesson links: their run is
/// the step's). `None`: no fingerprint, the run could not be made, or the runs agree.
pub fn check(state: &ShareState, run: Option<&RunResult>) -> Option<Stale> {
    let fp = state.fingerprint.as_ref()?;
    match run.filter(|_| state.lesson.is_none()) {
        Some(r) => compare(fp, r),
        None => compare(fp, &run_of(state).ok()?),
    }
}

/// `state` with the fingerprint of `run` (the run it opens), for a link or an embed code.
pub fn stamped(state: &ShareState, run: &RunResult) -> ShareState {
    let fp = if state.lesson.is_some() {
        run_of(state).ok().map(|r| of(&r))
    } else {
        Some(of(run))
    };
    ShareState {
        fingerprint: fp.and_then(|f| Fingerprint::parse(&f).ok()).map(Box::new),
        ..state.clone()
    }
}
