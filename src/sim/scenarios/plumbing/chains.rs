//! Numbering a sender's retries within each chain of sends.

use crate::sim::event::Resend;
use std::collections::BTreeMap;

/// The retries of each key's current chain of sends. A resend that is not a
/// timeout's (after a restart, an abort, a forward as new) starts a new chain, so a
/// timeout after it is that chain's retry 1 although the hop's `attempt` counts on.
#[derive(Clone, Debug, Default)]
pub struct Chains<K>(BTreeMap<K, u16>);

impl<K: Ord> Chains<K> {
    /// How to name transmission `attempt` of `key`, sent for `why`: a timeout's
    /// resend numbered within its chain (`RetryOf` only where that number differs
    /// from `attempt`), anything else as it is (and it starts a new chain).
    pub fn name(&mut self, key: K, attempt: u16, why: Resend) -> Resend {
        let n = self.0.entry(key).or_insert(0);
        if why != Resend::Retry || attempt == 0 {
            *n = 0;
            return why;
        }
        *n = n.saturating_add(1);
        if *n == attempt {
            Resend::Retry
        } else {
            Resend::RetryOf {
                retry: *n,
                forwarded_again: false,
            }
        }
    }
}
