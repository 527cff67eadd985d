//! The dashboard's numbers: each second's published mean against the true one.

use crate::sim::event::{Ev, Event};
use crate::sim::ids::{Merchant, Tick};
use std::collections::BTreeMap;

/// How far a published mean `got` = (sum, count) is from the true mean `truth`, as
/// the exact ratio (numerator, denominator) of the true mean. `None` when nothing was
/// published for that second.
pub fn mean_error(truth: (i64, i64), got: (i64, i64)) -> Option<(i64, i64)> {
    let ((ts, tc), (os, oc)) = (truth, got);
    if oc <= 0 || tc <= 0 || ts == 0 {
        return None;
    }
    // |os/oc − ts/tc| / (ts/tc) = |os·tc − ts·oc| / (ts·oc)
    Some(((os * tc - ts * oc).abs(), (ts * oc).abs()))
}

/// [`mean_error`] in ‰ of the true mean, rounded to the nearest like every percentage
/// the learner reads ([`crate::sim::percent`]), but never 0 for a mean that is off.
pub fn mean_error_permille(truth: (i64, i64), got: (i64, i64)) -> Option<i64> {
    let (num, den) = mean_error(truth, got)?;
    let p = (2 * num as i128 * 1000 + den as i128) / (2 * den as i128);
    Some(if num > 0 { (p as i64).max(1) } else { 0 })
}

/// Is the mean `got` within `tol` ‰ of the true mean (exactly, no rounding)?
pub(super) fn within(truth: (i64, i64), got: (i64, i64), tol: i64) -> bool {
    let ((ts, tc), (os, oc)) = (truth, got);
    oc > 0 && tc > 0 && (os * tc - ts * oc).abs() * 1000 <= tol * (ts * oc).abs()
}

/// "1.3%" from ‰ (the one formatting of [`crate::sim::percent`]).
pub fn percent(permille: i64) -> String {
    crate::sim::percent::permille(permille)
}

/// The fidelity of one technique's published means against the truth.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fidelity {
    /// Every second published a mean within the tolerance.
    pub ok: bool,
    /// The worst second and its error in ‰ (`None` error: nothing published).
    pub worst: Option<(Merchant, Option<i64>)>,
    /// The worst second's error as an exact ratio of its true mean.
    pub worst_ratio: Option<(i64, i64)>,
    /// Samples in the published means, and samples taken.
    pub counted: i64,
    pub total: i64,
}

/// Judge the published (sum, count) per second against the truth, with tolerance
/// `tol` ‰ on each second's mean.
pub fn fidelity(
    truth: &BTreeMap<Merchant, (i64, i64)>,
    got: &BTreeMap<Merchant, (i64, i64)>,
    tol: i64,
) -> Fidelity {
    let mut worst: Option<(Merchant, Option<(i64, i64)>)> = None;
    let mut ok = true;
    for (sec, &t) in truth {
        let g = got.get(sec).copied().unwrap_or((0, 0));
        ok &= within(t, g, tol);
        let e = mean_error(t, g);
        let worse = match worst {
            None => true,
            Some((_, None)) => false,
            // Compared exactly: a/b > c/d ⇔ a·d > c·b.
            Some((_, Some((wn, wd)))) => {
                e.is_none_or(|(n, d)| n as i128 * wd as i128 > wn as i128 * d as i128)
            }
        };
        if worse {
            worst = Some((*sec, e));
        }
    }
    Fidelity {
        ok,
        worst: worst.map(|(s, _)| {
            let row = (truth[&s], got.get(&s).copied().unwrap_or((0, 0)));
            (s, mean_error_permille(row.0, row.1))
        }),
        worst_ratio: worst.and_then(|(_, e)| e),
        counted: got.values().map(|p| p.1).sum(),
        total: truth.values().map(|t| t.1).sum(),
    }
}

/// One second of the dashboard as a technique published it (from its `Aggregate`
/// event), next to the truth.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct SecondRow {
    pub second: Merchant,
    /// When it was published.
    pub tick: Tick,
    pub sum: i64,
    pub count: i64,
    pub truth_sum: i64,
    pub truth_count: i64,
}

impl SecondRow {
    /// The published mean's error against the true mean, ‰ rounded to the nearest.
    pub fn error_permille(&self) -> Option<i64> {
        mean_error_permille((self.truth_sum, self.truth_count), (self.sum, self.count))
    }
}

/// The seconds published in `trace` (pass a prefix for "so far"), in order.
pub fn published(trace: &[Event]) -> Vec<SecondRow> {
    trace
        .iter()
        .filter_map(|e| match e.ev {
            Ev::Aggregate {
                bucket,
                sum,
                count,
                truth_sum,
                truth_count,
                ..
            } => Some(SecondRow {
                second: bucket,
                tick: e.tick,
                sum,
                count: count as i64,
                truth_sum,
                truth_count: truth_count as i64,
            }),
            _ => None,
        })
        .collect()
}
