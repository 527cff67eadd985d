//! What the space-time diagram draws for one technique, built once per run: arrows
//! (transmissions), marks on the lanes (applies, skips, commits, crashes, …) and spans
//! (a process down or paused).

use crate::sim::event::{EntryKind, Ev, MsgKind, SkipWhy};
use crate::sim::ids::{NodeId, Tick};
use crate::sim::ledger::LedgerUnit;
use crate::sim::replay::Flight;
use crate::sim::run::TechniqueRun;
use crate::ui::facts::token_label;
use crate::ui::layout::{StArrowIn, StMarkIn};
use crate::ui::state::RunData;

#[derive(Clone, Debug, PartialEq)]
pub struct Arrow {
    pub net: u32,
    pub from: usize,
    pub to: usize,
    pub sent: Tick,
    pub arrive: Tick,
    pub lost: bool,
    pub copy_of: Option<u32>,
    pub back: bool,
    pub messenger: bool,
    pub label: String,
    /// The transmission (for hand-made faults on an arrow in flight).
    pub flight: Option<Flight>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    Apply,
    ApplyAgain,
    Compensate,
    Skip,
    Commit,
    Crash,
    Timeout,
    Reject,
    Decide,
    Operator,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Mark {
    pub lane: usize,
    pub tick: Tick,
    pub kind: MarkKind,
    pub label: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Span {
    pub lane: usize,
    pub from: Tick,
    pub to: Option<Tick>,
    pub down: bool,
}

#[derive(Default, PartialEq)]
pub struct Diagram {
    pub lanes: Vec<String>,
    pub arrows: Vec<Arrow>,
    pub marks: Vec<Mark>,
    pub spans: Vec<Span>,
}

pub fn build(run: &RunData, i: usize) -> Diagram {
    match run.techniques().get(i) {
        Some(tr) => of(tr, run.unit()),
        None => Diagram::default(),
    }
}

/// The diagram of one technique's run, in the scenario's nouns (ball 3, +6 runs).
pub fn of(tr: &TechniqueRun, unit: LedgerUnit) -> Diagram {
    let txn_name = |m| unit.item(m);
    let lane_of = |id: NodeId| tr.nodes.iter().position(|n| n.id == id).unwrap_or(0);
    let mut d = Diagram {
        lanes: tr.nodes.iter().map(|n| n.name.clone()).collect(),
        ..Diagram::default()
    };
    let mut applied = std::collections::BTreeSet::new();
    for e in &tr.trace {
        match e.ev {
            Ev::Send {
                net,
                from,
                to,
                p,
                arrive,
                lost,
                copy_of,
                ..
            } => d.arrows.push(Arrow {
                flight: Flight::of(e),
                net: net.0,
                from: lane_of(from),
                to: lane_of(to),
                sent: e.tick,
                arrive,
                lost,
                copy_of: copy_of.map(|c| c.0),
                back: matches!(p.kind, MsgKind::Ack | MsgKind::Response),
                messenger: p.kind == MsgKind::Messenger,
                label: if p.attempt > 0 && p.kind != MsgKind::Messenger {
                    format!("{} ↻{}", token_label(&p, unit), p.attempt)
                } else {
                    token_label(&p, unit)
                },
            }),
            Ev::Apply { node, entry } => {
                let (kind, label) = if entry.kind == EntryKind::Compensation {
                    (
                        MarkKind::Compensate,
                        format!("comp {}", unit.amount(entry.amount)),
                    )
                } else if !applied.insert(entry.msg) {
                    (
                        MarkKind::ApplyAgain,
                        format!("{} again", txn_name(entry.msg)),
                    )
                } else {
                    (MarkKind::Apply, txn_name(entry.msg))
                };
                d.marks.push(Mark {
                    lane: lane_of(node),
                    tick: e.tick,
                    kind,
                    label,
                });
            }
            Ev::Skip { node, msg, why } if why != SkipWhy::NoKey => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Skip,
                label: format!("skip {}", txn_name(msg)),
            }),
            Ev::Commit { node, value, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Commit,
                label: format!("commit {value}"),
            }),
            Ev::Timeout { node, msg, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Timeout,
                label: format!("timeout {}", txn_name(msg)),
            }),
            Ev::Rejected { node, msg, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Reject,
                label: format!("reject {}", txn_name(msg)),
            }),
            Ev::Decide { node, attack } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Decide,
                label: if attack {
                    "attack".into()
                } else {
                    "hold".into()
                },
            }),
            Ev::Operator { node, value, .. } => d.marks.push(Mark {
                lane: lane_of(node),
                tick: e.tick,
                kind: MarkKind::Operator,
                label: format!("reset → {value}"),
            }),
            Ev::Crash { node } => {
                d.marks.push(Mark {
                    lane: lane_of(node),
                    tick: e.tick,
                    kind: MarkKind::Crash,
                    label: "crash".into(),
                });
                d.spans.push(Span {
                    lane: lane_of(node),
                    from: e.tick,
                    to: None,
                    down: true,
                });
            }
            Ev::Pause { node, .. } => d.spans.push(Span {
                lane: lane_of(node),
                from: e.tick,
                to: None,
                down: false,
            }),
            Ev::Restart { node } | Ev::Resume { node } => {
                let lane = lane_of(node);
                if let Some(s) = d
                    .spans
                    .iter_mut()
                    .rev()
                    .find(|s| s.lane == lane && s.to.is_none())
                {
                    s.to = Some(e.tick);
                }
            }
            _ => {}
        }
    }
    d
}

/// The layout's inputs from the diagram: arrows with their labels as drawn, marks.
pub fn inputs(d: &Diagram) -> (Vec<StArrowIn>, Vec<StMarkIn>) {
    let arrows = d
        .arrows
        .iter()
        .map(|a| StArrowIn {
            from: a.from,
            to: a.to,
            sent: a.sent,
            arrive: a.arrive,
            lost: a.lost,
            copy: a.copy_of.is_some(),
            net: a.net,
            text: format!(
                "{}{}",
                a.label,
                if a.copy_of.is_some() { " (copy)" } else { "" }
            ),
        })
        .collect();
    let marks = d
        .marks
        .iter()
        .map(|m| StMarkIn {
            lane: m.lane,
            tick: m.tick,
            text: m.label.clone(),
            important: matches!(
                m.kind,
                MarkKind::ApplyAgain
                    | MarkKind::Crash
                    | MarkKind::Compensate
                    | MarkKind::Decide
                    | MarkKind::Operator
            ),
        })
        .collect();
    (arrows, marks)
}
