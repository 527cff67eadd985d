//! Telemetry: the per-second averages the collector publishes, next to the true ones —
//! the quantity the scenario is judged by — and, secondary, the sums and counts of the
//! same samples, which fall short by every lost sample (what the mean hides).
//! Everything comes from the trace's `Aggregate` events up to the playhead.

use crate::sim::ids::Merchant;
use crate::sim::narrate::mean_tenths;
use crate::sim::replay::View;
use crate::sim::scenarios::telemetry::{percent, published, SecondRow};
use crate::ui::state::RunData;
use std::collections::BTreeMap;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct TelemetryMeansProps {
    pub run: Rc<RunData>,
    pub views: Rc<Vec<View>>,
    /// The technique on the stage (its column is marked).
    pub index: usize,
}

/// Seconds listed before the rest are folded away.
const SHOWN_SECONDS: usize = 30;

/// "−1.4%" / "+0.8%" / "exact": how far `got` is from `truth` (both (sum, count)),
/// in the direction of `got`'s value of `f` (the mean, the sum or the count).
fn signed(err: Option<i64>, below: bool) -> String {
    match err {
        None => "—".to_string(),
        Some(0) => "exact".to_string(),
        Some(e) => format!("{}{}", if below { "−" } else { "+" }, percent(e)),
    }
}

/// ‰ by which `got` falls short of (or exceeds) `truth`, rounded up.
fn rel_permille(truth: i64, got: i64) -> Option<i64> {
    if truth == 0 {
        return None;
    }
    let num = (got - truth).abs() * 1000;
    Some((num + truth.abs() - 1) / truth.abs())
}

#[component]
pub fn TelemetryMeans(props: &TelemetryMeansProps) -> Html {
    let Some(result) = props.run.result.as_ref() else {
        return html! {};
    };
    // The truth per second: every sample taken.
    let mut truth: BTreeMap<Merchant, (i64, i64)> = BTreeMap::new();
    for p in &result.workload {
        let t = truth.entry(p.merchant).or_insert((0, 0));
        t.0 += p.amount;
        t.1 += 1;
    }
    // What each technique had published by the playhead.
    let cols: Vec<(String, BTreeMap<Merchant, SecondRow>)> = result
        .techniques
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let cursor = props
                .views
                .get(i)
                .map(|v| v.cursor)
                .unwrap_or(0)
                .min(t.trace.len());
            let rows = published(&t.trace[..cursor])
                .into_iter()
                .map(|r| (r.second, r))
                .collect();
            (t.label.clone(), rows)
        })
        .collect();
    let sel = |i: usize| (i == props.index).then_some("selected");
    let heads = || {
        cols.iter()
            .enumerate()
            .map(|(i, (label, _))| html! { <th scope="col" class={classes!(sel(i))}>{label.clone()}</th> })
            .collect::<Html>()
    };
    let hidden = truth.len().saturating_sub(SHOWN_SECONDS);

    let mean_rows = truth.iter().take(SHOWN_SECONDS).map(|(sec, &(ts, tc))| {
        let cells = cols.iter().enumerate().map(|(i, (_, rows))| match rows.get(sec) {
            Some(r) => {
                let below = r.sum * tc < ts * r.count;
                let err = r.error_permille();
                let tone = match err {
                    None => "bad",
                    Some(0) => "ok",
                    Some(_) => "off",
                };
                html! {
                    <td class={classes!("num", tone, sel(i))} data-second={sec.to_string()} data-mean-error={err.map(|e| e.to_string()).unwrap_or_default()}>
                        {mean_tenths(r.sum, r.count)}{" "}
                        <span class="delta">{signed(err, below)}</span>
                    </td>
                }
            }
            None => html! { <td class={classes!("num", "muted", sel(i))}>{"not yet published"}</td> },
        });
        html! {
            <tr>
                <th scope="row">{format!("second {sec}")}</th>
                <td class="num truth-col">{mean_tenths(ts, tc)}</td>
                { for cells }
            </tr>
        }
    });

    let sum_rows = truth.iter().take(SHOWN_SECONDS).map(|(sec, &(ts, tc))| {
        let cells = cols.iter().enumerate().map(|(i, (_, rows))| match rows.get(sec) {
            Some(r) => html! {
                <td class={classes!("num", (r.sum != ts || r.count != tc).then_some("off"), sel(i))}>
                    {format!("{} / {}", r.sum, r.count)}{" "}
                    <span class="delta">{format!("{} / {}", signed(rel_permille(ts, r.sum), r.sum < ts), signed(rel_permille(tc, r.count), r.count < tc))}</span>
                </td>
            },
            None => html! { <td class={classes!("num", "muted", sel(i))}>{"—"}</td> },
        });
        html! {
            <tr>
                <th scope="row">{format!("second {sec}")}</th>
                <td class="num truth-col">{format!("{ts} / {tc}")}</td>
                { for cells }
            </tr>
        }
    });

    html! {
        <section class="telemetry-means" aria-label="Per-second averages, truth and published" data-telemetry-means="">
            <h2 class="section-title">{"Per-second averages"}<span class="muted">{" — what the dashboard publishes"}</span></h2>
            <div class="ledger-scroll">
                <table class="help-table means-table">
                    <caption class="muted small">{"The mean of each second's samples: the truth (every sample) and what each technique published once the second closed. The badges judge these numbers."}</caption>
                    <thead><tr><th scope="col">{"second"}</th><th scope="col" class="truth-col">{"true mean"}</th>{heads()}</tr></thead>
                    <tbody>{ for mean_rows }</tbody>
                </table>
            </div>
            <h3 class="small-title">{"Secondary: sums and counts of the same samples"}</h3>
            <div class="ledger-scroll">
                <table class="help-table sums-table">
                    <caption class="muted small">{"Sum / count per second, as a sum or count metric (requests per second, bytes, revenue) would publish them. A lost sample takes its whole value out of the sum and one out of the count, so both fall short — on average by the share lost; a sample counted twice (a retry whose ack was lost) pushes both over. The mean divides one by the other, so the shortfalls largely cancel: the mean stays close to the truth, not exact."}</caption>
                    <thead><tr><th scope="col">{"second"}</th><th scope="col" class="truth-col">{"truth sum / count"}</th>{heads()}</tr></thead>
                    <tbody>{ for sum_rows }</tbody>
                </table>
            </div>
            if hidden > 0 {
                <p class="muted small">{format!("… and {hidden} more seconds")}</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::{rel_permille, signed};

    #[test]
    fn shortfalls_read_right() {
        // Second 3 of the showcase: 1111 of 1228 (−9.6% rounded up), 11 of 12 (−8.4%).
        assert_eq!(rel_permille(1228, 1111), Some(96));
        assert_eq!(signed(rel_permille(1228, 1111), true), "−9.6%");
        assert_eq!(signed(rel_permille(12, 11), true), "−8.4%");
        assert_eq!(signed(Some(0), false), "exact");
        assert_eq!(signed(None, false), "—");
        assert_eq!(signed(Some(14), false), "+1.4%");
    }
}
