//! The API server's side: the key table (in flight, stored, expired, released),
//! the two steps of a charge, and the crash point between them.

use super::{
    Answer, KeyRow, Tech, Timer, World, DB, HOP_RESP, LATENCY, POINT_MID_CHARGE, PROCESS, SERVER,
};
use crate::sim::engine::Engine;
use crate::sim::event::{CommitPart, Ev, KeyState, MsgKind, Payload, RejectWhy, SkipWhy};
use crate::sim::ids::{MsgId, NodeId};
use crate::sim::scenarios::plumbing::crash_at_rate;

impl World<'_> {
    fn charge(&mut self, eng: &mut Engine<Timer>, msg: MsgId) {
        if let Some(pay) = self.workload.iter().find(|w| w.msg == msg).copied() {
            self.ledger.write(eng, DB, pay.entry());
        }
    }

    fn respond(&mut self, eng: &mut Engine<Timer>, to: NodeId, p: Payload, answer: Answer) {
        self.answers.insert((p.msg, p.attempt), answer);
        let resp = Payload {
            kind: MsgKind::Response,
            ..p
        };
        eng.send(SERVER, to, HOP_RESP, resp, LATENCY);
    }

    /// Start the charge: its second step runs after `PROCESS` ticks.
    fn start_job(&mut self, eng: &mut Engine<Timer>, from: NodeId, p: Payload) {
        let job = self.next_job;
        self.next_job += 1;
        self.jobs.insert(job, (from, p));
        let life = self.life;
        eng.timer(PROCESS, SERVER, Timer::Process { job, life });
    }

    /// The server crashes between its two steps for `msg` (decided once per charge).
    fn crashes_mid_charge(&mut self, eng: &mut Engine<Timer>, msg: MsgId) -> bool {
        let rate = self.crash;
        self.decided.insert(msg) && crash_at_rate(self, eng, rate, SERVER, msg, POINT_MID_CHARGE)
    }

    /// The key's row, if it has one that has not expired (an expired one is dropped).
    fn lookup(&mut self, eng: &mut Engine<Timer>, key: u32) -> Option<KeyRow> {
        let row = *self.store.get(&key)?;
        if row.expires > eng.now {
            return Some(row);
        }
        self.forget(eng, key);
        None
    }

    pub(super) fn forget(&mut self, eng: &mut Engine<Timer>, key: u32) {
        if let Some(row) = self.store.remove(&key) {
            eng.emit(Ev::KeyRecord {
                node: DB,
                key,
                msg: row.msg,
                state: KeyState::Expired,
                expires: None,
            });
        }
    }

    fn record_key(&mut self, eng: &mut Engine<Timer>, key: u32, msg: MsgId, state: KeyState) {
        let expires = eng.now + self.ttl;
        self.store.insert(
            key,
            KeyRow {
                msg,
                state,
                expires,
            },
        );
        eng.emit(Ev::KeyRecord {
            node: DB,
            key,
            msg,
            state,
            expires: Some(expires),
        });
        eng.timer(self.ttl, SERVER, Timer::Expire { key });
    }

    pub(super) fn on_request(&mut self, eng: &mut Engine<Timer>, from: NodeId, p: Payload) {
        let (
            Tech::Keyed {
                charge_first_bug, ..
            },
            Some(key),
        ) = (self.tech, p.key)
        else {
            return self.start_job(eng, from, p);
        };
        match self.lookup(eng, key) {
            Some(row) if row.msg != p.msg => {
                eng.emit(Ev::Rejected {
                    node: SERVER,
                    msg: p.msg,
                    why: RejectWhy::KeyReused,
                });
                self.respond(eng, from, p, Answer::Unprocessable);
            }
            Some(row) if row.state == KeyState::InFlight => {
                eng.emit(Ev::Rejected {
                    node: SERVER,
                    msg: p.msg,
                    why: RejectWhy::KeyInFlight,
                });
                self.respond(eng, from, p, Answer::InFlight);
            }
            Some(_) => {
                eng.emit(Ev::Skip {
                    node: SERVER,
                    msg: p.msg,
                    why: SkipWhy::StoredResponse,
                });
                self.respond(eng, from, p, Answer::Ok);
            }
            None => {
                if !charge_first_bug {
                    // Step 1: the key, in flight, before anything is charged.
                    self.record_key(eng, key, p.msg, KeyState::InFlight);
                }
                self.start_job(eng, from, p);
            }
        }
    }

    /// The second half of a charge, `PROCESS` ticks after it started.
    pub(super) fn finish_job(&mut self, eng: &mut Engine<Timer>, job: u32) {
        let Some((from, p)) = self.jobs.remove(&job) else {
            return;
        };
        match (self.tech, p.key) {
            (
                Tech::Keyed {
                    charge_first_bug: false,
                    ..
                },
                Some(key),
            ) => {
                if self.crashes_mid_charge(eng, p.msg) {
                    return;
                }
                // Step 2: the charge and the stored response, in one transaction.
                self.charge(eng, p.msg);
                self.db_txns += 1;
                eng.emit(Ev::AtomicCommit {
                    node: DB,
                    txn: self.db_txns,
                    parts: vec![
                        CommitPart::Entry { msg: p.msg },
                        CommitPart::KeyRecord { key },
                    ],
                });
                if let Some(row) = self.store.get_mut(&key) {
                    row.state = KeyState::Stored;
                }
            }
            (Tech::Keyed { .. }, Some(key)) => {
                // The bug: charge, then record the key in a second, separate write.
                self.charge(eng, p.msg);
                if self.crashes_mid_charge(eng, p.msg) {
                    return;
                }
                self.record_key(eng, key, p.msg, KeyState::Stored);
            }
            _ => {
                self.charge(eng, p.msg);
                if self.crashes_mid_charge(eng, p.msg) {
                    return;
                }
            }
        }
        self.respond(eng, from, p, Answer::Ok);
    }
}
