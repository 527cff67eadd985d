//! The relay of the outbox techniques: it tails the outbox table, publishes each
//! row to the broker with its `outbox_id` header, and records its progress after
//! the broker's ack (a crash in between republishes the row).

use super::{
    Timer, World, ACK_TIMEOUT, BROKER, HOP_RELAY_PUB, LATENCY, POINT_RELAY_BEFORE_PROGRESS, RELAY,
};
use crate::sim::engine::Engine;
use crate::sim::event::{CommitWhat, Ev, Headers, MsgKind, Payload, Resend};
use crate::sim::ids::MsgId;
use crate::sim::scenarios::plumbing::timed_out;

impl World<'_> {
    pub(super) fn relay_poll(&mut self, eng: &mut Engine<Timer>) {
        if self.relay_inflight.is_some() {
            return;
        }
        let Some(&msg) = self.outbox.get(self.progress) else {
            return;
        };
        // Only a restart leaves a row published but unrecorded for the poll to find:
        // publishing it again is a resend after the restart, not a retry.
        let again = self.sends.sent(&(HOP_RELAY_PUB, msg)) > 0;
        self.relay_publish(eng, msg, again);
    }

    fn relay_publish(&mut self, eng: &mut Engine<Timer>, msg: MsgId, after_restart: bool) {
        let attempt = self.sends.next((HOP_RELAY_PUB, msg));
        // The outbox row's id: its position in the outbox table, from 1.
        let row = self.outbox.iter().position(|m| *m == msg).unwrap_or(0) as u32 + 1;
        self.relay_inflight = Some((msg, attempt));
        eng.emit(Ev::Outbox {
            node: RELAY,
            msg,
            published: true,
        });
        let p = Payload {
            kind: MsgKind::Publish,
            msg,
            key: Some(msg),
            attempt,
            resend: self.chains.name(
                (HOP_RELAY_PUB, msg),
                attempt,
                if after_restart {
                    Resend::AfterRestart
                } else {
                    Resend::Retry
                },
            ),
            headers: Some(Headers {
                outbox_id: Some(row),
                key: Some(msg),
                ..Headers::default()
            }),
            at: None,
        };
        eng.send(RELAY, BROKER, HOP_RELAY_PUB, p, LATENCY);
        eng.timer(ACK_TIMEOUT, RELAY, Timer::RelayRetry { msg, attempt });
    }

    pub(super) fn relay_ack(&mut self, eng: &mut Engine<Timer>, msg: MsgId) {
        if self.relay_inflight.map(|(m, _)| m) != Some(msg) {
            return;
        }
        if self.crash_point(eng, RELAY, msg, POINT_RELAY_BEFORE_PROGRESS) {
            return;
        }
        self.relay_inflight = None;
        self.progress += 1;
        eng.emit(Ev::Commit {
            node: RELAY,
            what: CommitWhat::RelayProgress,
            value: self.progress as u32,
        });
        self.relay_poll(eng);
    }

    pub(super) fn relay_retry(&mut self, eng: &mut Engine<Timer>, msg: MsgId, attempt: u16) {
        if self.relay_inflight != Some((msg, attempt)) {
            return;
        }
        timed_out(eng, RELAY, msg, attempt);
        self.relay_publish(eng, msg, false);
    }
}
