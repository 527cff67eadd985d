//! Whole traces and runs as text: the golden traces and `eosim run --trace`.

use super::line;
use crate::sim::event::Event;
use crate::sim::ledger::LedgerUnit;
use crate::sim::replay::View;
use crate::sim::run::{NodeInfo, RunResult};

/// `sum / count` with one decimal ("101.3"), rounded half up; "—" for no samples.
pub fn mean_tenths(sum: i64, count: i64) -> String {
    if count <= 0 {
        return "—".to_string();
    }
    let t = (sum * 20 + count).div_euclid(2 * count);
    format!("{}.{}", t.div_euclid(10), t.rem_euclid(10))
}

/// The whole trace as text (golden files, the CLI's `--trace`).
pub fn render(trace: &[Event], nodes: &[NodeInfo], unit: LedgerUnit) -> String {
    let mut v = View::default();
    let mut out = String::new();
    for e in trace {
        out.push_str(&line(e, nodes, &v, unit));
        out.push('\n');
        v.apply(e);
    }
    out
}

/// A whole run as a narrated story, technique by technique: every event (at most
/// `limit` per technique), then the badge and what went wrong. The golden traces and
/// `eosim run --trace` print exactly this, so course authors and tests read one text.
pub fn render_run(r: &RunResult, unit: LedgerUnit, limit: usize) -> String {
    use std::fmt::Write;
    let mut text = String::new();
    for t in &r.techniques {
        let shown = t.trace.len().min(limit);
        let _ = writeln!(
            text,
            "\n## {} ({}) — {} events, showing {shown}",
            t.label,
            t.id,
            t.trace.len()
        );
        text.push_str(&render(&t.trace[..shown], &t.nodes, unit));
        let _ = writeln!(text, "badge: {}", t.badge.text);
        let why = t.verdict.summary_in(unit);
        if !why.is_empty() {
            // Under a ✓ a loss or a copy is what the property allows, not a failure.
            let head = if t.badge.good() {
                "allowed by the property"
            } else {
                "what went wrong"
            };
            let _ = writeln!(text, "{head}: {why}");
        }
    }
    text
}
