//! The ledgers side by side, as one comparison table: a column per technique plus
//! the truth. Balances per merchant at the playhead (with the live difference from
//! the truth), the live verdict against each technique's claim, what went wrong and a
//! jump to where it first did, the delivery counters, and the entries that make up
//! the balances (repeats and compensations marked).

use crate::sim::ids::{Merchant, NodeId, Tick};
use crate::sim::invariants::Verdict;
use crate::sim::replay::{Counters, View};
use crate::sim::run::{Property, TechniqueRun};
use crate::ui::facts::live_verdict;
use crate::ui::state::{Action, RunData};
use std::collections::BTreeSet;
use std::rc::Rc;
use yew::prelude::*;

pub use super::ledger_entries::{entry_words, noun};
use super::ledger_entries::{EntryCell, PaymentsCell};

#[derive(Properties, PartialEq)]
pub struct LedgersProps {
    pub run: Rc<RunData>,
    pub views: Rc<Vec<View>>,
    pub tick: Tick,
    pub index: usize,
    pub dispatch: Callback<Action>,
    /// A lesson is holding back an answer: show no final verdict and no jump to it.
    #[prop_or_default]
    pub hold: bool,
    /// False in the app's first render only: the counters and the entries, below the
    /// balances and verdicts, follow once the rest of the page is in (start-up, `app/mount.rs`).
    #[prop_or(true)]
    pub full: bool,
}

/// Entries listed per column; older ones are summarised.
/// Merchants listed before the rest are folded away.
const SHOWN_MERCHANTS: usize = 12;

/// One technique's column, computed once per render.
struct Column<'a> {
    tr: &'a TechniqueRun,
    /// Borrowed from the view cache: no clone per render.
    view: &'a View,
    live: Verdict,
    done: bool,
    tone: &'static str,
    badge: String,
}

fn column<'a>(
    tr: &'a TechniqueRun,
    view: &'a View,
    workload: &[crate::sim::ledger::Payment],
    property: Property,
    hold: bool,
) -> Column<'a> {
    let (live, done) = live_verdict(tr, view, workload);
    // A lesson holding back an answer: no final verdicts yet.
    let done = done && !hold;
    let ok_now = live.exactly_once && live.checks.iter().all(|c| c.ok);
    let (tone, badge) = if done {
        // The simulator's own words for the scenario's property.
        (tr.badge.tone().class(), tr.badge.text.clone())
    } else if property != Property::ExactlyOnceEffect {
        // Agreement, fidelity and final state are judged once the run is over.
        ("pending", "… still running".to_string())
    } else if ok_now {
        ("pending", "… right so far".to_string())
    } else {
        ("bad", "✕ already wrong".to_string())
    };
    Column {
        tr,
        view,
        live,
        done,
        tone,
        badge,
    }
}

/// The processes that a duplicate reached in any technique of the run (by the end of
/// it), in id order: "dup delivered" gets a row for each when there are several.
fn receivers(run: &RunData) -> Vec<NodeId> {
    let mut out = BTreeSet::new();
    for t in run.techniques() {
        out.extend(View::of(&t.trace).counters.dup_at.keys().copied());
    }
    out.into_iter().collect()
}

#[component]
pub fn Ledgers(props: &LedgersProps) -> Html {
    let receivers = {
        let run = props.run.clone();
        use_memo(props.run.gen, move |_| receivers(&run))
    };
    let run = &props.run;
    let Some(result) = run.result.as_ref() else {
        return html! { <p class="muted">{"No run."}</p> };
    };
    if result.techniques.is_empty() {
        return html! {
            <div class="ledger-empty">
                <h2 class="section-title">{"Ledgers"}</h2>
                <p class="muted">{"No ledgers yet: this scenario's simulator is still being written."}</p>
            </div>
        };
    }
    let truth = result.truth_balances();
    // Judged by the published per-second means (shown above the table by
    // `telemetry_chart`): the ledger's per-second sums are not the property, so they
    // are not listed as balances here.
    let by_means = run.property() == Property::Fidelity;
    // Names and amounts in the scenario's own units (match A, 6 runs).
    let unit = run.unit();
    let merchant_name = |m| unit.entity(m);
    let rupees = |v| unit.amount(v);
    let has_ledger = !result.workload.is_empty() && !by_means;
    let no_view = View::default();
    let cols: Vec<Column> = result
        .techniques
        .iter()
        .enumerate()
        .map(|(i, tr)| {
            column(
                tr,
                props.views.get(i).unwrap_or(&no_view),
                &result.workload,
                run.property(),
                props.hold,
            )
        })
        .collect();
    let mut merchants: BTreeSet<Merchant> = truth.keys().copied().collect();
    for c in &cols {
        merchants.extend(c.view.balances.keys().copied());
    }
    let sel = |i: usize| (i == props.index).then_some("selected");
    let d = &props.dispatch;

    // Header: technique names (select it for the stage), claims, verdicts.
    let heads = cols.iter().enumerate().map(|(i, c)| {
        let id = c.tr.id.clone();
        let state = if c.done {
            if c.tr.verdict.holds {
                "held"
            } else {
                "broken"
            }
        } else {
            "live"
        };
        html! {
            <th scope="col" class={classes!("tcol", sel(i))} data-ledger={c.tr.id.clone()}>
                <button class="lc-title" title="Show this technique on the stage" aria-pressed={(i == props.index).to_string()}
                    onclick={d.reform(move |_| Action::SelectTechnique(id.clone()))}>{c.tr.label.clone()}</button>
                <span class="lc-claim">{"claims "}{c.tr.claim.label()}</span>
                <span class={classes!("verdict", c.tone)} data-verdict={state} data-technique-verdict={c.tr.id.clone()}>{c.badge.clone()}</span>
            </th>
        }
    });
    // Balances.
    let merchant_rows = merchants.iter().take(SHOWN_MERCHANTS).map(|m| {
        let name = merchant_name(*m);
        let cells = cols.iter().enumerate().map(|(i, c)| {
            let b = c.view.balances.get(m).copied().unwrap_or(0);
            let diff = c.live.diffs.iter().find(|x| x.merchant == *m);
            let (cls, note, title) = match diff {
                Some(x) if x.observed > x.truth => (
                    "over",
                    format!("+{} over", rupees(x.observed - x.truth)),
                    format!("{} more than the truth", rupees(x.observed - x.truth)),
                ),
                Some(x) => (
                    "short",
                    format!("−{} short", rupees(x.truth - x.observed)),
                    format!("{} less than the truth", rupees(x.truth - x.observed)),
                ),
                None if c.done => ("ok", "✓".to_string(), "equals the truth".to_string()),
                None => (
                    "ok",
                    "✓ so far".to_string(),
                    format!("every {} applied so far was applied once", noun(unit)),
                ),
            };
            html! {
                <td class={classes!("num", cls, sel(i))}>
                    <span class="bal" data-technique={c.tr.id.clone()} data-merchant={name.clone()} data-balance={b.to_string()}>{rupees(b)}</span>
                    <span class={classes!("delta", cls)} title={title}>{note}</span>
                </td>
            }
        });
        let t = truth.get(m).copied().unwrap_or(0);
        html! {
            <tr>
                <th scope="row">{name.clone()}</th>
                { for cells }
                <td class="num truth-col">
                    <span class="bal" data-technique="truth" data-merchant={name} data-balance={t.to_string()}>{rupees(t)}</span>
                </td>
            </tr>
        }
    });
    let hidden_merchants = merchants.len().saturating_sub(SHOWN_MERCHANTS);

    // What went wrong, and where.
    let summaries = cols.iter().enumerate().map(|(i, c)| {
        let s = if by_means {
            String::new()
        } else {
            c.live.summary_in(unit)
        };
        // Judged by the means: a lost sample under a ✓ is not where it "went wrong".
        // A lesson holding back an answer shows no jump to it either.
        let first_bad = run
            .first_bad
            .get(i)
            .copied()
            .flatten()
            .filter(|_| !(props.hold || by_means && c.tr.badge.good()));
        let checks = c.live.checks.iter().map(|ch| html! {
            <li class={if ch.ok { "good" } else { "bad" }}>
                <span aria-hidden="true">{if ch.ok { "✓ " } else { "✕ " }}</span>{ch.detail.clone()}
            </li>
        });
        html! {
            <td class={classes!("why", sel(i))}>
                if !s.is_empty() {
                    <p class="lc-summary bad">{s}</p>
                } else if by_means && c.done {
                    <p class={classes!("lc-summary", if c.tr.badge.good() { "good" } else { "bad" })}>{"judged by the published per-second averages (table above)"}</p>
                } else if c.done {
                    <p class="lc-summary good">{if has_ledger { "matches the truth; nothing applied twice" } else { "every check passed" }}</p>
                } else {
                    <p class="lc-summary pending">{"nothing wrong yet"}</p>
                }
                if !c.live.checks.is_empty() && (!c.done || by_means) {
                    <ul class="checks">{ for checks }</ul>
                }
                if let Some(t) = first_bad {
                    <button class="btn small jump" data-action="jump-first-violation" data-technique-jump={c.tr.id.clone()}
                        disabled={props.tick == t} title={format!("Move the playhead to tick {t}, where {} first went wrong", c.tr.label)}
                        onclick={d.reform(move |_| Action::Seek(t))}>
                        { if props.tick == t { format!("⤺ It first went wrong here (t{t})") } else { format!("⤺ Jump to where it first went wrong (t{t})") } }
                    </button>
                }
                if c.tr.truncated {
                    <p class="lc-note warn">{"This run hit the event cap and was cut short."}</p>
                }
            </td>
        }
    });

    // Counters, each with its one-sentence definition (`Counters::DEFINITIONS`, also
    // in docs/counters.md). Where copies reach more than one process (relay → broker,
    // broker → consumer), "dup delivered" gets a row per receiving process.
    let receivers = &*receivers;
    let name_of = |n: NodeId| {
        result
            .techniques
            .iter()
            .flat_map(|t| t.nodes.iter())
            .find(|x| x.id == n)
            .map(|x| x.name.clone())
            .unwrap_or_else(|| format!("process {}", n.0))
    };
    type Get = Box<dyn Fn(&Counters) -> u32>;
    let mut counter_rows: Vec<(String, String, Get, &str)> = Vec::new();
    for (name, field, def) in Counters::DEFINITIONS {
        let tone = match field {
            "lost" | "dup_delivered" => "warn",
            "dup_absorbed" => "good",
            "applied_twice" => "bad",
            _ => "",
        };
        if field == "dup_delivered" && receivers.len() > 1 {
            for &n in receivers {
                let who = name_of(n);
                counter_rows.push((
                    format!("dup delivered → {who}"),
                    format!("Deliveries to {who} of a message it had already taken in once (a retry of a message that was lost is not one)."),
                    Box::new(move |c: &Counters| c.dup_delivered_at(n)),
                    tone,
                ));
            }
            continue;
        }
        let get: Get = match field {
            "sent" => Box::new(|c: &Counters| c.sent),
            "delivered" => Box::new(|c: &Counters| c.delivered),
            "lost" => Box::new(|c: &Counters| c.lost),
            "dup_delivered" => Box::new(|c: &Counters| c.dup_delivered),
            "dup_absorbed" => Box::new(|c: &Counters| c.dup_absorbed),
            _ => Box::new(|c: &Counters| c.applied_twice),
        };
        counter_rows.push((name.to_string(), def.to_string(), get, tone));
    }
    let definitions: Vec<(String, String)> = counter_rows
        .iter()
        .map(|(n, d, _, _)| (n.clone(), d.clone()))
        .collect();
    let counters = counter_rows.iter().map(|(name, help, get, tone)| {
        html! {
            <tr class="counter-row" data-counter={name.clone()}>
                <th scope="row" title={help.clone()}>{name.clone()}</th>
                { for cols.iter().enumerate().map(|(i, c)| {
                    let v = get(&c.view.counters);
                    html! { <td class={classes!("num", (v > 0 && !tone.is_empty()).then_some(*tone), sel(i))}>{v}</td> }
                }) }
                <td class="num truth-col muted">{if name == "applied again" { "0" } else { "" }}</td>
            </tr>
        }
    });
    let counter_help = html! {
        <details class="small counter-help" data-counter-definitions="">
            <summary>{"What each counter counts"}</summary>
            <dl class="counter-defs">
                { for definitions.iter().map(|(n, d)| html! { <><dt>{n.clone()}</dt><dd>{d.clone()}</dd></> }) }
            </dl>
        </details>
    };

    // Entries: components, so an unchanged list is not rebuilt or diffed per tick.
    let entry_cells = cols.iter().enumerate().map(|(i, c)| {
        html! {
            <EntryCell run={run.clone()} index={i} n={c.view.entries.min(c.tr.ledger.entries.len())} selected={i == props.index} />
        }
    });

    let ncols = cols.len() + 2;
    html! {
        <>
            <h2 class="section-title">
                {if has_ledger { "Ledgers at the playhead" } else { "Outcome at the playhead" }}
                <span class="muted">{format!(" — tick {}", props.tick)}</span>
            </h2>
            <div class="ledger-scroll">
                <table class="ledger-table">
                    <caption class="sr-only">{"Balance per merchant for each technique and for the truth, at the playhead"}</caption>
                    <thead>
                        <tr>
                            <th scope="col" class="corner"><span class="sr-only">{"Row"}</span></th>
                            { for heads }
                            if has_ledger {
                                <th scope="col" class="tcol truth-col">
                                    <span class="lc-title static">{"Truth"}</span>
                                    <span class="lc-claim">{format!("each {} once", noun(unit))}</span>
                                    <span class="verdict neutral">{"the target"}</span>
                                </th>
                            } else {
                                <td class="truth-col"></td>
                            }
                        </tr>
                    </thead>
                    if has_ledger {
                        <tbody class="balances">{ for merchant_rows }</tbody>
                        if hidden_merchants > 0 {
                            <tbody><tr><td colspan={ncols.to_string()} class="muted small">{format!("… and {hidden_merchants} more rows")}</td></tr></tbody>
                        }
                    }
                    <tbody class="why-row">
                        <tr>
                            <th scope="row">{"what went wrong"}</th>
                            { for summaries }
                            <td class="truth-col muted small">{if has_ledger { "the target every ledger is judged against" } else { "" }}</td>
                        </tr>
                    </tbody>
                    if props.full {
                        <tbody class="counters">{ for counters }</tbody>
                    }
                    if has_ledger && props.full {
                        <tbody>
                            <tr>
                                <th scope="row">{"entries"}</th>
                                { for entry_cells }
                                <PaymentsCell run={run.clone()} />
                            </tr>
                        </tbody>
                    }
                </table>
            </div>
            if props.full { {counter_help} }
        </>
    }
}
