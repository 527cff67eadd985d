//! Ledgers: entries per merchant, balances, and the truth ledger.

use super::event::{Entry, EntryKind};
use super::ids::{Merchant, MsgId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One logical input message of a ledger scenario (a payment, a sample, …).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub msg: MsgId,
    pub merchant: Merchant,
    pub amount: i64,
    /// `Add` for a credit, `Set` for an assignment.
    pub kind: EntryKind,
}

impl Payment {
    pub fn entry(&self) -> Entry {
        Entry {
            msg: self.msg,
            merchant: self.merchant,
            amount: self.amount,
            kind: self.kind,
        }
    }
}

/// A ledger: the entries in the order they were written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    pub entries: Vec<Entry>,
}

impl Ledger {
    pub fn balances(&self) -> BTreeMap<Merchant, i64> {
        balances(self.entries.iter())
    }

    /// How many non-compensating entries each message has.
    pub fn applications(&self) -> BTreeMap<MsgId, u32> {
        let mut n = BTreeMap::new();
        for e in &self.entries {
            if e.kind != EntryKind::Compensation {
                *n.entry(e.msg).or_insert(0) += 1;
            }
        }
        n
    }

    /// Every payment applied exactly once, in input order.
    pub fn truth(workload: &[Payment]) -> Ledger {
        Ledger {
            entries: workload.iter().map(Payment::entry).collect(),
        }
    }
}

/// Fold entries into balances (`Add`/`Compensation` add, `Set` assigns).
pub fn balances<'a>(entries: impl Iterator<Item = &'a Entry>) -> BTreeMap<Merchant, i64> {
    let mut b = BTreeMap::new();
    for e in entries {
        apply_to(&mut b, e);
    }
    b
}

pub fn apply_to(b: &mut BTreeMap<Merchant, i64>, e: &Entry) {
    let bal = b.entry(e.merchant).or_insert(0);
    match e.kind {
        EntryKind::Add | EntryKind::Compensation | EntryKind::Refund => *bal += e.amount,
        EntryKind::Set | EntryKind::Upsert => *bal = e.amount,
    }
}

/// `₹1,800` style, Indian digit grouping not needed at these sizes: `₹1800`.
pub fn rupees(v: i64) -> String {
    if v < 0 {
        format!("-₹{}", -v)
    } else {
        format!("₹{v}")
    }
}

/// What a scenario's ledger counts, for messages and tables.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LedgerUnit {
    /// Merchants' balances in rupees (`m-B`, `₹2000`).
    Rupees,
    /// Runs on a match scoreboard (`match A`, `6 runs`).
    Runs,
    /// Telemetry: per-second sums of sample values (`second 3`, `117`).
    Samples,
    /// Orders from sellers, in rupees (`m-B`, `₹2000`, `order-3`): the outbox scenario.
    Orders,
    /// Two Generals: messengers, no money and no ledger rows (`messenger 2`).
    Messengers,
}

impl LedgerUnit {
    /// The row a balance belongs to.
    pub fn entity(self, m: Merchant) -> String {
        match self {
            LedgerUnit::Rupees | LedgerUnit::Orders => super::ids::merchant_name(m),
            LedgerUnit::Messengers => format!("general {}", (b'A' + (m % 26)) as char),
            LedgerUnit::Runs => format!("match {}", (b'A' + (m % 26)) as char),
            LedgerUnit::Samples => format!("second {m}"),
        }
    }
    /// An amount, with its unit.
    pub fn amount(self, v: i64) -> String {
        match self {
            LedgerUnit::Rupees | LedgerUnit::Orders => rupees(v),
            LedgerUnit::Messengers => format!("{v}"),
            LedgerUnit::Runs if v.abs() == 1 => format!("{v} run"),
            LedgerUnit::Runs => format!("{v} runs"),
            LedgerUnit::Samples => format!("{v}"),
        }
    }
    /// The business name of logical message `msg` ("txn-3", "ball 3", "sample 3").
    pub fn item(self, msg: MsgId) -> String {
        match self {
            LedgerUnit::Rupees => super::ids::txn_name(msg),
            LedgerUnit::Orders => format!("order-{msg}"),
            LedgerUnit::Messengers => format!("messenger {msg}"),
            LedgerUnit::Runs => format!("ball {msg}"),
            LedgerUnit::Samples => format!("sample {msg}"),
        }
    }
    /// "1 payment", "3 balls", "2 samples".
    pub fn count(self, n: usize) -> String {
        let noun = match self {
            LedgerUnit::Rupees => "payment",
            LedgerUnit::Orders => "order",
            LedgerUnit::Messengers => "messenger",
            LedgerUnit::Runs => "ball",
            LedgerUnit::Samples => "sample",
        };
        if n == 1 {
            format!("1 {noun}")
        } else {
            format!("{n} {noun}s")
        }
    }
}
