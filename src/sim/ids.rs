//! Small newtypes and aliases shared by the whole simulator.

use serde::{Deserialize, Serialize};

/// Simulated time. One tick is the unit every delay, timeout and TTL is measured in.
pub type Tick = u32;
/// A logical message: the payment, record or messenger a scenario is about.
/// Retries and duplicates of one logical message share its id.
pub type MsgId = u32;
/// Index of a merchant (`m-A` is 0, `m-B` is 1, …) or, for telemetry, of a time bucket.
pub type Merchant = u8;

/// A process on the stage.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u8);

/// One transmission on the network (every send, retry and copy gets a fresh one).
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NetId(pub u32);

/// `m-A`, `m-B`, …
pub fn merchant_name(m: Merchant) -> String {
    format!("m-{}", (b'A' + (m % 26)) as char)
}

/// `txn-3`: logical messages are numbered from 1 in every scenario.
pub fn txn_name(msg: MsgId) -> String {
    format!("txn-{msg}")
}
