//! The checks of the operations judged by where they end: the SET and upsert's final
//! balances (naming, for every merchant that ends wrong, the write that did it) and the
//! DELETE handler's table and refunds (naming every payment refunded again).

use super::super::prelude::*;
use super::{Op, World};
use crate::sim::ids::{merchant_name, txn_name};
use crate::sim::invariants::Check;

/// What a merchant's last write was, its trace index (None: its newest total never
/// arrived), and whether it was a copy.
type Why = (String, Option<usize>, bool);

/// Why `m` ends wrong: its last write put back an older total — (what that write was,
/// its trace index, a copy?) — or else (its newest total never arrived, None, false).
pub(super) fn why_wrong(w: &World, ops: &[Payment], m: Merchant) -> Why {
    let last = w.last_write.get(&m).copied();
    match w.stale.iter().find(|s| Some(s.1) == last) {
        Some((msg, i, true)) => (format!("a late copy of {}", txn_name(*msg)), Some(*i), true),
        Some((msg, i, false)) => (
            format!("{}, delivered late", txn_name(*msg)),
            Some(*i),
            false,
        ),
        None => {
            let newest = ops.iter().filter(|p| p.merchant == m).map(|p| p.msg).max();
            let what = newest.map_or(String::new(), |n| format!(", {},", txn_name(n)));
            let m = merchant_name(m);
            (
                format!("{m}'s newest total{what} never arrived"),
                None,
                false,
            )
        }
    }
}

/// "final state" for set/upsert: the balances equal truth. A failure names, for every
/// merchant that ends wrong, what its last write was.
pub(super) fn state_check(w: &World, truth: &[Payment]) -> Check {
    let want = Ledger::truth(truth).balances();
    let got = w.ledger.balances();
    let whys: Vec<(Merchant, Why)> = want
        .iter()
        .filter(|(m, v)| got.get(m).copied().unwrap_or(0) != **v)
        .map(|(m, _)| (*m, why_wrong(w, truth, *m)))
        .collect();
    if whys.is_empty() {
        return Check {
            name: "final state".to_string(),
            ok: true,
            detail: if w.op == Op::Set {
                "every balance is right; a repeated SET wrote the value that was already there"
                    .to_string()
            } else {
                "every row is right; a repeated upsert rewrote its row with the value already there (1 row affected)".to_string()
            },
            event: None,
        };
    }
    // "the last write to m-A was a late copy of txn-1, to m-B a late copy of txn-6: each
    // put back an older total"; then any merchant whose newest total never arrived.
    let mut rewound = Vec::new();
    let mut missing = Vec::new();
    for (m, (why, at, _)) in &whys {
        match (at, rewound.is_empty()) {
            (None, _) => missing.push(why.clone()),
            (Some(_), true) => {
                rewound.push(format!("the last write to {} was {why}", merchant_name(*m)))
            }
            (Some(_), false) => rewound.push(format!("to {} {why}", merchant_name(*m))),
        }
    }
    let mut detail = rewound.join(", ");
    match rewound.len() {
        0 => {}
        1 => detail.push_str(": it put back an older total"),
        _ => detail.push_str(": each put back an older total"),
    }
    if !missing.is_empty() {
        if !detail.is_empty() {
            detail.push_str("; ");
        }
        detail.push_str(&missing.join("; "));
    }
    Check {
        name: "final state".to_string(),
        ok: false,
        detail,
        event: whys
            .iter()
            .filter_map(|(_, w)| w.1)
            .min()
            .or(w.stale.first().map(|s| s.1)),
    }
}

pub(super) fn delete_checks(w: &World, delivered: &BTreeSet<MsgId>) -> Vec<Check> {
    let table_ok = w.pending.iter().all(|m| !delivered.contains(m));
    let runs: u32 = w.deletes.values().sum();
    let table = Check {
        name: "table state".to_string(),
        ok: table_ok,
        detail: format!(
            "{} DELETE statements ran for {} cancelled payments; each row went with its first DELETE, the repeats found nothing to remove",
            runs,
            w.deletes.len()
        ),
        event: None,
    };
    let again = &w.refunded_again;
    let most = w.deletes.values().copied().max().unwrap_or(0);
    let side = match again.first() {
        None => Check {
            name: "side effects".to_string(),
            ok: true,
            detail: "one refund per cancelled payment".to_string(),
            event: None,
        },
        Some((_, i)) => {
            // How many payments were refunded twice is the badge's to say; which ones,
            // every one of them, the detail's.
            const SHOWN: usize = 4;
            let mut ids: Vec<MsgId> = again.iter().map(|(m, _)| *m).collect();
            ids.sort_unstable();
            let mut names: Vec<String> = ids.iter().take(SHOWN).map(|m| txn_name(*m)).collect();
            if again.len() > SHOWN {
                names.push(format!("{} more", again.len() - SHOWN));
            }
            let (whose, its) = match names.as_slice() {
                [one] => (format!("the DELETE for {one}"), "its refund"),
                [init @ .., last] => (
                    format!("the DELETEs for {} and {last}", init.join(", ")),
                    "their refunds",
                ),
                [] => (String::new(), ""),
            };
            let went = if most > 2 {
                "went out again each time"
            } else {
                "went out a second time"
            };
            Check {
                name: "side effects".to_string(),
                ok: false,
                detail: format!(
                    "{whose} ran again and removed nothing (0 rows affected), but {its} {went}"
                ),
                event: Some(*i),
            }
        }
    };
    vec![table, side]
}
