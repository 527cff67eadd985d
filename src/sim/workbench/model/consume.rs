//! The consumer's loop: deliveries (first, again after a crash, a lost ack or a reset,
//! late copies), the zombie waking, and the handler's steps with the crash and rebalance
//! faults between them.

use super::*;

impl World<'_> {
    pub(super) fn consume(&mut self) {
        loop {
            if self.delivered >= MAX_DELIVERIES {
                self.say_as(
                    Actor::Consumer,
                    "check",
                    txt!(self, "stops after {MAX_DELIVERIES} deliveries"),
                    false,
                );
                self.out.problems.push(txt!(
                    self,
                    "the run did not finish within {MAX_DELIVERIES} deliveries"
                ));
                return;
            }
            let ready = (0..self.extra.len())
                .filter(|&i| self.extra[i].0 <= self.now)
                .min_by_key(|&i| (self.extra[i].0, self.extra[i].1));
            if let Some(i) = ready {
                let (_, _, offset, unacked_only) = self.extra.remove(i);
                if !(unacked_only && self.acked.contains(&offset)) {
                    let again = if unacked_only {
                        "the redelivery after the lost ack"
                    } else {
                        self.rereading
                    };
                    self.deliver(offset, !unacked_only, again);
                }
                continue;
            }
            while self.queue_like() && self.acked.contains(&self.pos) {
                self.pos += 1;
            }
            if (self.pos as usize) < self.log.len() {
                let o = self.pos;
                self.pos += 1;
                self.deliver(o, false, self.rereading);
            } else if let Some((ctx, next)) = self.zombies.pop() {
                let txn = self.txn_of(ctx.offset);
                if let Some(s) = self
                    .out
                    .replay
                    .spans
                    .iter_mut()
                    .rev()
                    .find(|s| s.lane == Actor::Zombie && s.to.is_none())
                {
                    s.to = Some(self.now);
                }
                self.say(
                    Actor::Zombie,
                    txt!(self, "wakes up and runs the rest of its handler for {txn}"),
                );
                let mut ctx = ctx;
                ctx.live = false;
                self.steps(&mut ctx, next);
            } else if let Some(t) = self.extra.iter().map(|e| e.0).min() {
                self.now = t;
            } else {
                return;
            }
        }
    }

    /// Deliver a record (`copy`: a late copy, which is not copied again: the stated
    /// maximum delay is from the delivery it copies).
    fn deliver(&mut self, offset: u32, copy: bool, again_by: &'static str) {
        self.delivered += 1;
        let n = self.deliveries.entry(offset).or_insert(0);
        *n += 1;
        let delivery = *n;
        let txn = self.txn_of(offset);
        let again = if delivery > 1 {
            txt!(self, ", delivery {delivery}")
        } else {
            String::new()
        };
        if self.narrate {
            let late = if copy { ", late" } else { "" };
            self.pending.msg = Some(Msg {
                from: Actor::Broker,
                to: Actor::Consumer,
                sent: self.now,
                arrive: self.now,
                label: format!(
                    "{txn} @{offset}{}",
                    if delivery > 1 && !copy {
                        format!(" ↻{delivery}")
                    } else {
                        late.to_string()
                    }
                ),
                lost: false,
                copy,
            });
        }
        self.say(
            Actor::Consumer,
            txt!(self, "receives {txn} (offset {offset}{again})"),
        );
        let start = self.now;
        let delays = if copy {
            Vec::new()
        } else {
            self.setup.assume.late_delays()
        };
        for delay in delays {
            let f = Fault::Late {
                offset,
                delivery,
                delay,
            };
            if self.offer(f) {
                let ticks = if delay == 1 { "tick" } else { "ticks" };
                let words = txt!(self, "a copy of {txn} arrives {delay} {ticks} late");
                self.fire_at(start + delay, f, words);
                self.extra
                    .push((start + delay, self.delivered, offset, false));
            }
        }
        let mut ctx = Ctx {
            offset,
            delivery,
            live: true,
            txn: None,
            skip: false,
            acked_once: false,
            copy,
            at: 0,
            again: again_by,
        };
        match self.steps(&mut ctx, 0) {
            Stop::Done => {
                let f = Fault::Reset { offset, delivery };
                if self.setup.assume.offset_reset && self.offer(f) {
                    self.fire(
                        f,
                        txt!(
                            self,
                            "the operator resets the group's offset to the start after {txn}"
                        ),
                    );
                    self.committed = None;
                    self.acked.clear();
                    self.rereading = "the replay after the reset";
                    let r = self.reposition();
                    self.say(Actor::Consumer, txt!(self, "rejoins and {r}"));
                }
            }
            Stop::Crash => {
                if ctx.txn.is_some() {
                    self.say(
                        Actor::Database,
                        "rolls back the crashed consumer's open transaction".into(),
                    );
                }
                let down = self.now;
                self.now += RESTART_TICKS;
                self.rereading = "the restarted consumer";
                if self.narrate {
                    self.out.replay.spans.push(Span {
                        lane: Actor::Consumer,
                        from: down,
                        to: Some(self.now),
                        down: true,
                    });
                }
                let r = self.reposition();
                self.say(Actor::Consumer, txt!(self, "restarts and {r}"));
            }
            Stop::Pause(next) => {
                self.zombies.push((ctx, next));
                if self.narrate {
                    self.out.replay.spans.push(Span {
                        lane: Actor::Zombie,
                        from: self.now,
                        to: None,
                        down: false,
                    });
                }
                self.now += REBALANCE_TICKS;
                self.rereading = "the new consumer";
                let r = self.reposition();
                self.say(
                    Actor::Consumer,
                    txt!(self, "(a new one) takes over the partition and {r}"),
                );
            }
        }
    }

    /// Run the handler from step `from` for `ctx`'s delivery.
    fn steps(&mut self, ctx: &mut Ctx, from: usize) -> Stop {
        let stop = self.run_steps(ctx, from);
        self.doing = None;
        stop
    }

    fn run_steps(&mut self, ctx: &mut Ctx, from: usize) -> Stop {
        let len = self.h.0.len();
        for j in from..len {
            let st = self.h.0[j];
            if ctx.skip && !st.is_tail() {
                continue;
            }
            self.now += 1;
            self.doing = Some(Doing {
                lane: lane(ctx.live),
                offset: ctx.offset,
                delivery: ctx.delivery,
                copy: ctx.copy,
                again: ctx.again,
            });
            ctx.at = j;
            self.exec(st, ctx);
            if !ctx.live {
                continue;
            }
            let (offset, delivery, after) = (ctx.offset, ctx.delivery, (j + 1) as u8);
            let between = |w: &Self| {
                if j + 1 < len {
                    format!("after {} and before {}", w.step_word(j), w.step_word(j + 1))
                } else {
                    format!("after the last step {}", w.step_word(j))
                }
            };
            let txn = self.txn_of(offset);
            let crash = Fault::Crash {
                offset,
                delivery,
                after,
            };
            if self.setup.assume.crash && self.offer(crash) {
                let words = txt!(self, "crash {} while handling {txn}", between(self));
                self.fire(crash, words);
                return Stop::Crash;
            }
            let zombie = Fault::Zombie {
                offset,
                delivery,
                after,
            };
            if self.setup.assume.zombie && j + 1 < len && self.offer(zombie) {
                let words = txt!(
                    self,
                    "a rebalance {} of {txn} leaves the paused consumer a zombie",
                    between(self)
                );
                self.fire(zombie, words);
                return Stop::Pause(j + 1);
            }
        }
        if ctx.txn.take().is_some() {
            self.say(
                lane(ctx.live),
                "ends the handler with its transaction open: rolled back".into(),
            );
        }
        Stop::Done
    }
}

/// Whose lane a handler's step is drawn in: the live consumer's or the zombie's.
fn lane(live: bool) -> Actor {
    if live {
        Actor::Consumer
    } else {
        Actor::Zombie
    }
}
