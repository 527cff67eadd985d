//! What each step does to the broker, database, cache, gateway and downstream topic,
//! and the tally the verdict reads.

use super::*;

impl World<'_> {
    pub(super) fn key(&self, k: Key, offset: u32) -> u64 {
        let r = self.log[offset as usize];
        match k {
            Key::MsgId => ((r.pay as u64) << 8) | r.send,
            Key::Offset => u64::from(offset),
            Key::PidSeq => (r.send << 32) | r.pay as u64,
            Key::Business => r.pay as u64,
        }
    }

    fn live(&self, exp: Option<Tick>) -> bool {
        exp.is_none_or(|e| self.now < e)
    }

    pub(super) fn in_db(&self, kv: (Key, u64), buf: Option<&Vec<Op>>) -> bool {
        let own = buf.is_some_and(|ops| {
            ops.iter()
                .any(|o| matches!(o, Op::Insert(k, v, _) if (*k, *v) == kv))
        });
        own || self.dedup.get(&kv).is_some_and(|e| self.live(*e))
    }

    /// Where a step's message goes.
    fn target(&self, st: Step) -> Actor {
        match st {
            Step::CommitOffset | Step::Ack => Actor::Broker,
            Step::Charge(_) => Actor::Gateway,
            Step::Publish => Actor::Downstream,
            Step::Insert {
                store: Some(Store::Cache),
                ..
            } => Actor::Cache,
            Step::Lookup(k)
                if self.h.has(|s| {
                    matches!(s, Step::Insert { key, store: Some(Store::Cache), .. } if key == k)
                }) =>
            {
                Actor::Cache
            }
            _ => Actor::Database,
        }
    }

    pub(super) fn exec(&mut self, st: Step, ctx: &mut Ctx) {
        let who = if ctx.live {
            Actor::Consumer
        } else {
            Actor::Zombie
        };
        let offset = ctx.offset;
        let txn = self.txn_of(offset);
        let pay = self.log[offset as usize].pay;
        if self.narrate {
            let to = self.target(st);
            self.send(to, st.to_string(), false);
        }
        let said = match st {
            Step::Begin if ctx.txn.is_none() => {
                ctx.txn = Some(Vec::new());
                "begins a transaction".to_string()
            }
            Step::Begin => "begin: a transaction is already open".into(),
            Step::Commit => match ctx.txn.take() {
                None => "commit: no transaction is open".into(),
                Some(ops) => self.commit(ops, ctx),
            },
            Step::Lookup(k) => {
                let kv = (k, self.key(k, offset));
                if self.in_db(kv, ctx.txn.as_ref())
                    || self.cache.get(&kv).is_some_and(|e| self.live(*e))
                {
                    ctx.skip = true;
                    self.mark(who, MarkKind::Skip, txt!(self, "skip {txn}"));
                    txt!(
                        self,
                        "finds the {} of {txn} already recorded: {}",
                        k.word(),
                        self.skip_words(ctx.at)
                    )
                } else {
                    txt!(self, "does not find the {} of {txn}", k.word())
                }
            }
            Step::Insert { key, store, ttl } => {
                let kv = (key, self.key(key, offset));
                let exp = ttl.map(|t| self.now + t);
                let ttl_words = ttl.map_or(String::new(), |t| txt!(self, " for {t} ticks"));
                if store == Some(Store::Cache) {
                    self.cache.insert(kv, exp);
                    txt!(
                        self,
                        "records the {} of {txn} in the cache{ttl_words}",
                        key.word()
                    )
                } else if self.in_db(kv, ctx.txn.as_ref()) {
                    ctx.skip = true;
                    self.mark(who, MarkKind::Skip, txt!(self, "skip {txn}"));
                    let rolled = if ctx.txn.take().is_some() {
                        "; the transaction rolls back"
                    } else {
                        ""
                    };
                    txt!(
                        self,
                        "cannot insert the {} of {txn}: already in the dedup table{rolled}; {}",
                        key.word(),
                        self.skip_words(ctx.at)
                    )
                } else if let Some(ops) = ctx.txn.as_mut() {
                    ops.push(Op::Insert(kv.0, kv.1, exp));
                    txt!(self, "inserts the {} of {txn} into the dedup table{ttl_words} (in the transaction)", key.word())
                } else {
                    self.dedup.insert(kv, exp);
                    txt!(
                        self,
                        "inserts the {} of {txn} into the dedup table{ttl_words}",
                        key.word()
                    )
                }
            }
            Step::Apply(a) => match ctx.txn.as_mut() {
                Some(ops) => {
                    ops.push(Op::Apply(a));
                    txt!(self, "applies {txn} (in the transaction)")
                }
                None => self.apply(a, offset),
            },
            Step::StoreOffset => match ctx.txn.as_mut() {
                Some(ops) => {
                    ops.push(Op::Store(offset + 1));
                    txt!(self, "stores offset {} (in the transaction)", offset + 1)
                }
                None => {
                    self.stored = Some(offset + 1);
                    txt!(self, "stores offset {} in the database", offset + 1)
                }
            },
            Step::CommitOffset | Step::Ack if !ctx.live => {
                self.mark(Actor::Broker, MarkKind::Refused, txt!(self, "refused"));
                txt!(
                    self,
                    "{st}: refused by the broker (the zombie's generation is fenced)"
                )
            }
            Step::CommitOffset | Step::Ack => {
                let first = !ctx.acked_once;
                ctx.acked_once = true;
                let f = Fault::LoseAck {
                    offset,
                    delivery: ctx.delivery,
                };
                if first && self.setup.assume.lost_ack && self.offer(f) {
                    if let Some(m) = self.pending.msg.as_mut() {
                        m.lost = true;
                    }
                    let msg = self.pending.msg.take();
                    self.fire(f, txt!(self, "the broker loses the {st} of {txn}"));
                    self.pending.msg = msg;
                    if st == Step::Ack {
                        self.extra.push((
                            self.now + VISIBILITY_TICKS,
                            self.delivered,
                            offset,
                            true,
                        ));
                    }
                    txt!(self, "{st} for {txn}: lost")
                } else if st == Step::Ack {
                    self.acked.insert(offset);
                    txt!(self, "acks {txn}")
                } else {
                    let before = self.committed;
                    self.committed = Some(offset + 1);
                    self.mark(
                        Actor::Broker,
                        MarkKind::Commit,
                        txt!(self, "offset {}", offset + 1),
                    );
                    match before {
                        Some(b) if b > offset + 1 => txt!(
                            self,
                            "commits offset {} to the broker, which replaces the {b} it had (a broker keeps the last commit, not the highest)",
                            offset + 1
                        ),
                        _ => txt!(self, "commits offset {} to the broker", offset + 1),
                    }
                }
            }
            Step::Charge(k) => {
                let fresh = match k {
                    Some(k) => self.gateway_keys.insert((k, self.key(k, offset))),
                    None => true,
                };
                if fresh {
                    self.out.charged[pay] += 1;
                    self.effect(Actor::Gateway, pay, "charge");
                    txt!(self, "charges {txn} at the gateway")
                } else {
                    self.mark(Actor::Gateway, MarkKind::Skip, txt!(self, "no charge"));
                    txt!(
                        self,
                        "charges {txn}: the gateway already saw this key and charges nothing"
                    )
                }
            }
            Step::Publish => {
                self.out.downstream[pay] += 1;
                self.effect(Actor::Downstream, pay, "event");
                txt!(self, "publishes {txn}'s event downstream")
            }
            Step::Outbox => match ctx.txn.as_mut() {
                Some(ops) => {
                    ops.push(Op::Outbox);
                    txt!(
                        self,
                        "writes {txn}'s event to the outbox (in the transaction)"
                    )
                }
                None => {
                    self.outbox.push(pay);
                    txt!(self, "writes {txn}'s event to the outbox")
                }
            },
        };
        self.say(who, said);
    }

    /// What a skip from step `at` leaves to run, in words: the `commit`, `store-offset`,
    /// `commit-offset` and `ack` steps after it.
    fn skip_words(&self, at: usize) -> String {
        let tail: Vec<String> = self.h.0[at + 1..]
            .iter()
            .filter(|s| s.is_tail())
            .map(|s| format!("`{s}`"))
            .collect();
        match tail.as_slice() {
            [] => "skips the rest of its steps".into(),
            [one] => format!("skips the rest of its steps but {one}"),
            [init @ .., last] => format!(
                "skips the rest of its steps but {} and {last}",
                init.join(", ")
            ),
        }
    }

    fn commit(&mut self, ops: Vec<Op>, ctx: &mut Ctx) -> String {
        let txn = self.txn_of(ctx.offset);
        for op in &ops {
            if let Op::Insert(k, v, _) = op {
                if self.dedup.get(&(*k, *v)).is_some_and(|e| self.live(*e)) {
                    ctx.skip = true;
                    self.mark(Actor::Database, MarkKind::Skip, txt!(self, "refused"));
                    return txt!(self, "commit refused: the {} of {txn} is already in the dedup table (a unique key); the transaction rolls back", k.word());
                }
            }
        }
        let mut done = Vec::new();
        for op in ops {
            match op {
                Op::Apply(a) => done.push(self.apply(a, ctx.offset)),
                Op::Insert(k, v, exp) => {
                    self.dedup.insert((k, v), exp);
                }
                Op::Store(o) => self.stored = Some(o),
                Op::Outbox => self.outbox.push(self.log[ctx.offset as usize].pay),
            }
        }
        self.mark(Actor::Database, MarkKind::Commit, txt!(self, "commit"));
        let what = if done.is_empty() {
            String::new()
        } else {
            txt!(self, ": {}", done.join("; "))
        };
        txt!(self, "commits the transaction{what}")
    }

    fn apply(&mut self, a: Apply, offset: u32) -> String {
        let pay = self.log[offset as usize].pay;
        let p = self.pays[pay];
        let m = p.merchant as usize;
        let (txn, who) = (Txn(pay as u32 + 1), Name(p.merchant));
        let before = self.bal[m];
        match a {
            Apply::Add => self.bal[m] += p.amount,
            Apply::Set => self.bal[m] = p.running,
            Apply::AddIfNewer => {
                if let Some(o) = self.row_offset[m].filter(|&o| o >= offset) {
                    self.mark(Actor::Database, MarkKind::Skip, txt!(self, "skip {txn}"));
                    return txt!(self, "skips {txn}: {who}'s row already holds offset {o}");
                }
                self.bal[m] += p.amount;
                self.row_offset[m] = Some(offset);
            }
        }
        self.out.applied[pay] += 1;
        self.effect(Actor::Database, pay, "apply");
        txt!(self, "applies {txn}: {who} {before} → {}", self.bal[m])
    }

    pub(super) fn relay(&mut self) {
        for pay in std::mem::take(&mut self.outbox) {
            self.out.downstream[pay] += 1;
            self.now += 1;
            if self.narrate {
                self.pending.msg = Some(Msg {
                    from: Actor::Database,
                    to: Actor::Downstream,
                    sent: self.now - 1,
                    arrive: self.now,
                    label: format!("event {}", txn_name(pay as u32 + 1)),
                    lost: false,
                    copy: false,
                });
            }
            self.effect(Actor::Downstream, pay, "event");
            self.say_as(
                Actor::Database,
                "relay",
                txt!(
                    self,
                    "publishes {}'s event from the outbox",
                    txn_name(pay as u32 + 1)
                ),
                false,
            );
        }
    }

    pub(super) fn tally(&mut self) {
        let times = |n: u32, verb: &str| match n {
            0 => format!("never {verb}"),
            2 => format!("{verb} twice"),
            n => format!("{verb} {n} times"),
        };
        let counts_explain = !self.uses(Step::Apply(Apply::Set));
        for m in 0..2u8 {
            let want: i64 = self
                .pays
                .iter()
                .filter(|p| p.merchant == m)
                .map(|p| p.amount)
                .sum();
            let got = self.bal[m as usize];
            if got != want {
                let why: Vec<String> = (0..self.pays.len())
                    .filter(|&i| {
                        counts_explain && self.pays[i].merchant == m && self.out.applied[i] != 1
                    })
                    .map(|i| {
                        format!(
                            "{} is {}",
                            txn_name(i as u32 + 1),
                            times(self.out.applied[i], "applied")
                        )
                    })
                    .collect();
                let so = if why.is_empty() {
                    String::new()
                } else {
                    format!("{}, so ", why.join(" and "))
                };
                let problem = format!("{so}{} ends at {got} instead of {want}", merchant_name(m));
                let about = (0..self.pays.len())
                    .find(|&i| {
                        counts_explain && self.pays[i].merchant == m && self.out.applied[i] != 1
                    })
                    .map_or(About::Balance(m as usize), About::Applied);
                self.breaking(about, &problem);
                self.out.problems.push(problem);
            }
        }
        let goal = self.setup.goal;
        for i in 0..self.pays.len() {
            let txn = txn_name(i as u32 + 1);
            if goal.charge && self.out.charged[i] != 1 {
                let p = format!(
                    "{txn} is {} at the gateway",
                    times(self.out.charged[i], "charged")
                );
                self.breaking(About::Charged(i), &p);
                self.out.problems.push(p);
            }
            if goal.downstream && self.out.downstream[i] != 1 {
                let p = format!(
                    "{txn}'s downstream event is {}",
                    times(self.out.downstream[i], "published")
                );
                self.breaking(About::Downstream(i), &p);
                self.out.problems.push(p);
            }
        }
        self.out.balances = self.bal.clone();
    }
}
