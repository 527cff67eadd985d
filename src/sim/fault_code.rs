//! A fault's short text code (`L0.3.0`: lose hop 0's message 3 on its first attempt), the
//! one notation for hand-made faults in share links, run files, lessons and `eosim`.

use super::fault::Fault;
use super::ids::NodeId;

impl Fault {
    /// The fault's short code, as share links, run files, lessons and `eosim` write it:
    /// `L<hop>.<msg>.<attempt>` (lose), `D…`/`Y…` (duplicate/delay, `.extra` ticks),
    /// `C<node>.<at>.<down>` (crash), `K<node>.<msg>.<point>.<down>` (crash at a point),
    /// `P<node>.<at>.<ticks>` (pause), `R<node>.<at>.<to>` (offset reset).
    pub fn code(&self) -> String {
        match *self {
            Fault::Lose { hop, msg, attempt } => format!("L{hop}.{msg}.{attempt}"),
            Fault::Duplicate {
                hop,
                msg,
                attempt,
                extra,
            } => format!("D{hop}.{msg}.{attempt}.{extra}"),
            Fault::Delay {
                hop,
                msg,
                attempt,
                extra,
            } => format!("Y{hop}.{msg}.{attempt}.{extra}"),
            Fault::Crash { node, at, down } => format!("C{}.{at}.{down}", node.0),
            Fault::CrashAt {
                node,
                msg,
                point,
                down,
            } => format!("K{}.{msg}.{point}.{down}", node.0),
            Fault::Pause { node, at, ticks } => format!("P{}.{at}.{ticks}", node.0),
            Fault::ResetOffset { node, at, to } => format!("R{}.{at}.{to}", node.0),
        }
    }

    /// Reads a code written by [`Fault::code`]; `None` for anything else (a wrong letter,
    /// a missing or extra number, a number out of its field's range).
    pub fn from_code(s: &str) -> Option<Fault> {
        let mut chars = s.chars();
        let kind = chars.next()?;
        let nums: Vec<u64> = chars
            .as_str()
            .split('.')
            .map(|x| x.parse::<u64>().ok())
            .collect::<Option<Vec<u64>>>()?;
        let u8_ = |x: u64| u8::try_from(x).ok();
        let u16_ = |x: u64| u16::try_from(x).ok();
        let u32_ = |x: u64| u32::try_from(x).ok();
        let f = match (kind, nums.as_slice()) {
            ('L', [h, m, a]) => Fault::Lose {
                hop: u8_(*h)?,
                msg: u32_(*m)?,
                attempt: u16_(*a)?,
            },
            ('D', [h, m, a, e]) => Fault::Duplicate {
                hop: u8_(*h)?,
                msg: u32_(*m)?,
                attempt: u16_(*a)?,
                extra: u32_(*e)?,
            },
            ('Y', [h, m, a, e]) => Fault::Delay {
                hop: u8_(*h)?,
                msg: u32_(*m)?,
                attempt: u16_(*a)?,
                extra: u32_(*e)?,
            },
            ('C', [n, at, d]) => Fault::Crash {
                node: NodeId(u8_(*n)?),
                at: u32_(*at)?,
                down: u32_(*d)?,
            },
            ('K', [n, m, p, d]) => Fault::CrashAt {
                node: NodeId(u8_(*n)?),
                msg: u32_(*m)?,
                point: u8_(*p)?,
                down: u32_(*d)?,
            },
            ('P', [n, at, t]) => Fault::Pause {
                node: NodeId(u8_(*n)?),
                at: u32_(*at)?,
                ticks: u32_(*t)?,
            },
            ('R', [n, at, to]) => Fault::ResetOffset {
                node: NodeId(u8_(*n)?),
                at: u32_(*at)?,
                to: u32_(*to)?,
            },
            _ => return None,
        };
        Some(f)
    }
}
