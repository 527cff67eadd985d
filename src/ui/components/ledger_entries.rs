//! The ledgers' entry cells: the entries of one ledger up to the playhead (repeats and
//! compensations marked), the truth's logical messages, and their words in the scenario's units.

use crate::sim::event::{Entry, EntryKind};
use crate::sim::ledger::LedgerUnit;
use crate::ui::facts::entry_rows;
use crate::ui::state::RunData;
use std::rc::Rc;
use yew::prelude::*;

/// Entries listed in one cell (the rest summarised as "… N earlier").
const SHOWN_ENTRIES: usize = 40;

/// The scenario's noun for one logical message ("payment", "ball", "sample").
pub fn noun(unit: LedgerUnit) -> String {
    unit.count(1).trim_start_matches("1 ").to_string()
}

/// A ledger entry in the scenario's words: ("ball 3", "match A", "+6 runs").
pub fn entry_words(e: &Entry, unit: LedgerUnit) -> [String; 3] {
    let amount = match e.kind {
        EntryKind::Set | EntryKind::Upsert => format!("= {}", unit.amount(e.amount)),
        _ if e.amount < 0 => format!("−{}", unit.amount(-e.amount)),
        _ => format!("+{}", unit.amount(e.amount)),
    };
    [unit.item(e.msg), unit.entity(e.merchant), amount]
}

fn entry_spans(e: &Entry, unit: LedgerUnit) -> Html {
    let [item, entity, amount] = entry_words(e, unit);
    html! {
        <>
            <span class="e-txn">{item}</span>{" "}
            <span class="e-m">{entity}</span>{" "}
            <span class="e-amt">{amount}</span>
        </>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct EntryCellProps {
    pub run: Rc<RunData>,
    pub index: usize,
    /// Entries written so far.
    pub n: usize,
    pub selected: bool,
}

/// The entries of one ledger up to the playhead, repeats and compensations marked.
#[component]
pub(super) fn EntryCell(props: &EntryCellProps) -> Html {
    let user_open = use_state(|| None::<bool>);
    let Some(tr) = props.run.techniques().get(props.index) else {
        return html! { <td></td> };
    };
    let unit = props.run.unit();
    let entries = entry_rows(&tr.ledger, props.n);
    let dup_count = entries.iter().filter(|r| r.duplicate).count();
    let comp_count = entries.iter().filter(|r| r.compensation).count();
    let skip = entries.len().saturating_sub(SHOWN_ENTRIES);
    // Open by itself while short; the learner's own toggle wins. The list is only
    // rendered while open: closed, it would still be rebuilt at every tick of a play.
    let auto_open = entries.len() <= 6;
    let open = user_open.unwrap_or(auto_open);
    let ontoggle = {
        let user_open = user_open.clone();
        Callback::from(move |e: Event| {
            let now_open = e
                .target_unchecked_into::<web_sys::Element>()
                .has_attribute("open");
            let want = (now_open != auto_open).then_some(now_open);
            if *user_open != want {
                user_open.set(want);
            }
        })
    };
    html! {
        <td class={classes!("entries-cell", props.selected.then_some("selected"))}>
            <details class="entries" {open} {ontoggle}>
                <summary>
                    {format!("{} entr{}", entries.len(), if entries.len() == 1 { "y" } else { "ies" })}
                    if dup_count > 0 { <span class="tag bad">{format!("{dup_count} repeated")}</span> }
                    if comp_count > 0 { <span class="tag warn">{format!("{comp_count} compensating")}</span> }
                </summary>
                if entries.is_empty() {
                    <p class="muted small">{"nothing written yet"}</p>
                } else if open {
                    <ol class="entry-list" start={(skip + 1).to_string()}>
                        if skip > 0 { <li class="muted">{format!("… {skip} earlier")}</li> }
                        // A fragment of its own: `{ for }` children are flattened into the
                        // parent's list, and next to the unkeyed "earlier" line the keys
                        // would be ignored (every row re-created at every tick).
                        <>{ for entries.iter().enumerate().skip(skip).map(|(k, r)| {
                            let e = r.entry;
                            html! {
                                <li key={k} class={classes!("entry", r.duplicate.then_some("dup"), r.compensation.then_some("comp"), matches!(e.kind, EntryKind::Set | EntryKind::Upsert).then_some("set"))}>
                                    { entry_spans(&e, unit) }
                                    if r.duplicate { <span class="tag bad">{"✕ again"}</span> }
                                    if r.compensation { <span class="tag warn">{"comp."}</span> }
                                </li>
                            }
                        }) }</>
                    </ol>
                }
            </details>
        </td>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct PaymentsCellProps {
    pub run: Rc<RunData>,
}

/// The truth's logical messages (the workload), each once.
#[component]
pub(super) fn PaymentsCell(props: &PaymentsCellProps) -> Html {
    let workload = props
        .run
        .result
        .as_ref()
        .map(|r| r.workload.as_slice())
        .unwrap_or(&[]);
    html! {
        <td class="entries-cell truth-col">
            <details class="entries">
                <summary>{props.run.unit().count(workload.len())}</summary>
                <ol class="entry-list">
                    { for workload.iter().map(|p| html! {
                        <li>{ entry_spans(&p.entry(), props.run.unit()) }</li>
                    }) }
                </ol>
            </details>
        </td>
    }
}
