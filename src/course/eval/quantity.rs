//! The value of a [`Quantity`] over one run: counts, balances, ticks, verdicts.

use super::*;
use crate::course::model::{MsgEvent, Property, Quantity, TickRef};
use crate::sim::event::{EntryKind, Ev, MsgKind};
use crate::sim::ids::{merchant_name, Tick};
use crate::sim::replay::{cursor_for_tick, View};
use crate::sim::run::{RunResult, TechniqueRun};
use crate::sim::scenarios;

pub(super) fn technique<'a>(run: &'a RunResult, id: &str) -> Result<&'a TechniqueRun, String> {
    run.technique(id).ok_or_else(|| {
        let ids: Vec<&str> = run.techniques.iter().map(|t| t.id.as_str()).collect();
        format!(
            "scenario '{}' has no technique '{id}' (it has {})",
            run.scenario,
            ids.join(", ")
        )
    })
}

fn merchant(run: &RunResult, name: &str) -> Result<u8, String> {
    let unit = scenarios::find(&run.scenario)
        .map(|s| s.info().unit)
        .map_err(|e| e.to_string())?;
    (0..=u8::MAX)
        .find(|m| merchant_name(*m) == name || unit.entity(*m) == name)
        .ok_or_else(|| format!("'{name}' is not a merchant or ledger row name (e.g. m-A)"))
}

/// The tick a [`TickRef`] names in `run`.
pub fn tick(run: &RunResult, r: &TickRef) -> Result<Tick, String> {
    let violation = |t: &str| -> Result<Tick, String> {
        let tr = technique(run, t)?;
        tr.verdict
            .first_violation
            .and_then(|i| tr.trace.get(i))
            .map(|e| e.tick)
            .ok_or_else(|| format!("technique '{t}' never goes wrong in this run"))
    };
    match r {
        TickRef::Start => Ok(0),
        TickRef::End => Ok(run.end()),
        TickRef::Violation(t) => violation(t),
        TickRef::BeforeViolation(t) => Ok(violation(t)?.saturating_sub(1)),
    }
}

fn has(tr: &TechniqueRun, p: Property) -> bool {
    let v = &tr.verdict;
    match p {
        Property::Holds => v.holds,
        Property::ExactlyOnce => v.exactly_once && v.checks.iter().all(|c| c.ok),
        Property::ChecksOk => v.checks.iter().all(|c| c.ok),
        Property::NoDuplicates => v.applied_twice.is_empty(),
        Property::NoLosses => v.lost.is_empty(),
        Property::MatchesTruth => v.diffs.is_empty(),
    }
}

/// The value of a quantity that reads one run.
pub fn quantity(run: &RunResult, q: &Quantity) -> Result<Value, String> {
    let n = |x: usize| Value::Int(x as i64);
    Ok(match q {
        Quantity::Balance {
            technique: t,
            merchant: m,
            at,
        } => {
            let tr = technique(run, t)?;
            let m = merchant(run, m)?;
            let b = match at {
                None | Some(TickRef::End) => tr.ledger.balances(),
                Some(r) => {
                    let t = tick(run, r)?;
                    View::of(&tr.trace[..cursor_for_tick(&tr.trace, t)]).balances
                }
            };
            Value::Int(b.get(&m).copied().unwrap_or(0))
        }
        Quantity::Truth { merchant: m } => {
            let m = merchant(run, m)?;
            Value::Int(run.truth_balances().get(&m).copied().unwrap_or(0))
        }
        Quantity::Entries {
            technique: t,
            merchant: m,
            at,
        } => {
            let tr = technique(run, t)?;
            match (m, at) {
                (None, None | Some(TickRef::End)) => n(tr.ledger.entries.len()),
                (None, Some(r)) => {
                    let t = tick(run, r)?;
                    n(View::of(&tr.trace[..cursor_for_tick(&tr.trace, t)]).entries)
                }
                (Some(_), Some(r)) if *r != TickRef::End => {
                    return Err("entries: `at` is for all entries, not one merchant".to_string())
                }
                (Some(m), _) => {
                    let m = merchant(run, m)?;
                    n(tr.ledger.entries.iter().filter(|e| e.merchant == m).count())
                }
            }
        }
        Quantity::AppliedTwice { technique: t } => {
            n(technique(run, t)?.verdict.applied_twice.len())
        }
        Quantity::Lost { technique: t } => n(technique(run, t)?.verdict.lost.len()),
        Quantity::Counter {
            technique: t,
            name,
            at,
        } => {
            let tr = technique(run, t)?;
            let c = match at {
                None | Some(TickRef::End) => View::of(&tr.trace).counters,
                Some(r) => {
                    let t = tick(run, r)?;
                    View::of(&tr.trace[..cursor_for_tick(&tr.trace, t)]).counters
                }
            };
            let v = match name.as_str() {
                "sent" => c.sent,
                "delivered" => c.delivered,
                "lost" => c.lost,
                "dup_delivered" => c.dup_delivered,
                "dup_absorbed" => c.dup_absorbed,
                "applied_twice" => c.applied_twice,
                other => {
                    return Err(format!(
                        "counter '{other}' is unknown (sent, delivered, lost, dup_delivered, dup_absorbed, applied_twice)"
                    ))
                }
            };
            Value::Int(i64::from(v))
        }
        Quantity::DedupPeak { technique: t } => Value::Int(i64::from(
            technique(run, t)?
                .dedup_sizes
                .iter()
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(0),
        )),
        Quantity::Is {
            technique: t,
            property,
        } => Value::Bool(has(technique(run, t)?, *property)),
        Quantity::Where { property, among } => {
            let mut out = Vec::new();
            match among {
                Some(ids) => {
                    for id in ids {
                        if has(technique(run, id)?, *property) {
                            out.push(id.clone());
                        }
                    }
                }
                None => out.extend(
                    run.techniques
                        .iter()
                        .filter(|t| has(t, *property))
                        .map(|t| t.id.clone()),
                ),
            }
            out.sort();
            out.dedup();
            Value::Set(out)
        }
        Quantity::Techniques(ids) => {
            for id in ids {
                technique(run, id)?;
            }
            let mut s = ids.clone();
            s.sort();
            s.dedup();
            Value::Set(s)
        }
        Quantity::Message {
            technique: t,
            event,
            at,
            nth,
        } => Value::Int(i64::from(message(
            run,
            t,
            *event,
            at.as_ref(),
            nth.unwrap_or(1),
        )?)),
        Quantity::Const(_) | Quantity::Under { .. } | Quantity::Sum(_) => {
            return Err("internal: composite quantity read from one run".to_string())
        }
    })
}

/// The `nth` message (from 1) `event` happened to in technique `t`'s trace up to `at`.
fn message(
    run: &RunResult,
    t: &str,
    event: MsgEvent,
    at: Option<&TickRef>,
    nth: u32,
) -> Result<u32, String> {
    let tr = technique(run, t)?;
    let upto = match at {
        None => run.end(),
        Some(r) => tick(run, r)?,
    };
    let name = match event {
        MsgEvent::AppliedAgain => "applied_again",
        MsgEvent::Skipped => "skipped",
        MsgEvent::Refused => "refused",
        MsgEvent::Lost => "lost",
        MsgEvent::AckLost => "ack_lost",
        MsgEvent::NeverApplied => "never_applied",
    };
    let none = || format!("message: no message number {nth} was {name} in '{t}' up to tick {upto}");
    let nth = nth.max(1) as usize;
    if event == MsgEvent::NeverApplied {
        if upto < run.end() {
            return Err(format!(
                "message: never_applied reads the whole run; `at` (tick {upto}) must be the end (tick {})",
                run.end()
            ));
        }
        let mut lost = tr.verdict.lost.clone();
        lost.sort_unstable();
        return lost.get(nth - 1).copied().ok_or_else(none);
    }
    let mut applied = std::collections::BTreeSet::new();
    let mut sent = std::collections::BTreeMap::new();
    let mut seen: Vec<u32> = Vec::new();
    for e in tr.trace.iter().take_while(|e| e.tick <= upto) {
        let hit = match (&e.ev, event) {
            (Ev::Send { net, p, .. }, _) => {
                sent.insert(*net, (p.kind, p.msg));
                None
            }
            (Ev::Apply { entry, .. }, MsgEvent::AppliedAgain)
                if entry.kind != EntryKind::Compensation =>
            {
                (!applied.insert(entry.msg)).then_some(entry.msg)
            }
            (Ev::Skip { msg, why, .. }, MsgEvent::Skipped)
                if *why != crate::sim::event::SkipWhy::NoKey =>
            {
                Some(*msg)
            }
            (Ev::Rejected { msg, .. }, MsgEvent::Refused) => Some(*msg),
            (Ev::Lose { net, .. }, MsgEvent::Lost | MsgEvent::AckLost) => {
                sent.get(net).and_then(|(k, m)| {
                    let back = matches!(k, MsgKind::Ack | MsgKind::Response);
                    (back == (event == MsgEvent::AckLost)).then_some(*m)
                })
            }
            _ => None,
        };
        if let Some(m) = hit.filter(|m| !seen.contains(m)) {
            seen.push(m);
            if seen.len() == nth {
                return Ok(m);
            }
        }
    }
    Err(none())
}

/// Techniques a quantity reads in the step's own run (for the reveal tick); `None`
/// in the list means "every technique".
pub(super) fn named(q: &Quantity, out: &mut Vec<Option<String>>) {
    match q {
        Quantity::Balance { technique, .. }
        | Quantity::Entries { technique, .. }
        | Quantity::AppliedTwice { technique }
        | Quantity::Lost { technique }
        | Quantity::Counter { technique, .. }
        | Quantity::DedupPeak { technique }
        | Quantity::Message { technique, .. }
        | Quantity::Is { technique, .. } => out.push(Some(technique.clone())),
        Quantity::Where {
            among: Some(ids), ..
        } => out.extend(ids.iter().cloned().map(Some)),
        Quantity::Where { among: None, .. } => out.push(None),
        Quantity::Sum(parts) => parts.iter().for_each(|p| named(p, out)),
        Quantity::Truth { .. }
        | Quantity::Const(_)
        | Quantity::Techniques(_)
        | Quantity::Under { .. } => {}
    }
}

/// Counters a quantity reads in the step's own run: a count is given away as soon as
/// it starts to grow, so its reveal is the first tick it is above zero.
pub(super) fn counters(q: &Quantity, out: &mut Vec<(String, String)>) {
    match q {
        Quantity::Counter {
            technique, name, ..
        } => out.push((technique.clone(), name.clone())),
        Quantity::Sum(parts) => parts.iter().for_each(|p| counters(p, out)),
        _ => {}
    }
}

/// The first tick at which counter `name` of `tr` is above zero.
pub(super) fn counter_first_tick(tr: &TechniqueRun, name: &str) -> Option<Tick> {
    let mut v = View::default();
    for e in &tr.trace {
        v.apply(e);
        let c = &v.counters;
        let n = match name {
            "sent" => c.sent,
            "delivered" => c.delivered,
            "lost" => c.lost,
            "dup_delivered" => c.dup_delivered,
            "dup_absorbed" => c.dup_absorbed,
            _ => c.applied_twice,
        };
        if n > 0 {
            return Some(e.tick);
        }
    }
    None
}
