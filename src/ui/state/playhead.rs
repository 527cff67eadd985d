//! The playhead: a fractional tick (`pos`) that glides while playing, the step range a
//! link or a lesson holds it to, and every way of moving it.

use super::State;
use crate::sim::ids::Tick;

/// Playback speeds offered, in ticks per second.
pub const SPEEDS: &[u32] = &[1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000];
/// A frame gap longer than this (a hidden tab, a debugger) does not jump the playhead.
const MAX_FRAME_MS: f64 = 250.0;
/// Roughly how long a whole run takes at the default speed, in seconds.
const DEFAULT_RUN_SECONDS: f64 = 8.0;

/// The speed preset that plays a run of `end` ticks in about eight seconds.
pub fn default_speed(end: Tick) -> u32 {
    let want = f64::from(end) / DEFAULT_RUN_SECONDS;
    SPEEDS
        .iter()
        .copied()
        .find(|s| f64::from(*s) >= want)
        .unwrap_or(SPEEDS[SPEEDS.len() - 1])
}

impl State {
    /// The whole tick the playhead is on.
    pub fn tick(&self) -> Tick {
        (self.pos.max(0.0).floor() as Tick).min(self.run.end)
    }

    pub fn at_end(&self) -> bool {
        self.pos >= f64::from(self.run.end)
    }

    pub(crate) fn play(&mut self) {
        let (lo, hi) = self.range();
        if self.pos >= f64::from(hi) {
            self.pos = f64::from(lo);
        }
        if self.pos >= f64::from(hi) {
            return;
        }
        self.playing = true;
        self.last_frame = None;
    }

    pub(super) fn pause(&mut self) {
        self.playing = false;
        self.last_frame = None;
    }

    pub(super) fn toggle_play(&mut self) {
        if self.playing {
            self.pause()
        } else {
            self.play()
        }
    }

    pub(crate) fn seek(&mut self, t: f64) {
        self.pause();
        let (lo, hi) = self.range();
        self.pos = t.clamp(f64::from(lo), f64::from(hi));
    }

    pub(super) fn step_forward(&mut self) {
        self.seek(self.pos.floor() + 1.0);
    }

    /// Back to the start of the tick the playhead is in, or to the tick before.
    pub(super) fn step_back(&mut self) {
        let f = self.pos.floor();
        self.seek(if self.pos > f { f } else { f - 1.0 });
    }

    pub(super) fn next_event(&mut self) {
        let t = self
            .run
            .next_event_tick(self.tick())
            .unwrap_or(self.run.end);
        self.seek(f64::from(t));
    }

    pub(super) fn prev_event(&mut self) {
        let t = self.run.prev_event_tick(self.tick()).unwrap_or(0);
        self.seek(f64::from(t));
    }

    /// An animation frame at `ts` (ms): move on by the time since the last frame (the
    /// first frame only sets the clock), stopping where forward play stops.
    pub(super) fn frame(&mut self, ts: f64) {
        let dt = match self.last_frame {
            Some(last) => (ts - last).clamp(0.0, MAX_FRAME_MS),
            None => 0.0,
        };
        self.last_frame = Some(ts);
        let stop = self.stop_at();
        self.pos += dt * f64::from(self.speed) / 1000.0;
        if self.pos >= stop {
            self.pos = stop;
            self.pause();
        }
    }

    pub(super) fn set_speed(&mut self, v: u32) {
        self.speed = v.clamp(SPEEDS[0], SPEEDS[SPEEDS.len() - 1]);
    }

    /// The ticks playback may show: the link's step range (`from`/`to`, clamped to the
    /// run), else the whole run.
    pub fn range(&self) -> (Tick, Tick) {
        let end = self.run.end;
        let mut hi = self.to.unwrap_or(end).min(end);
        if let Some(cap) = crate::ui::state::lesson::cap(self) {
            hi = hi.min(cap);
        }
        let lo = self.from.unwrap_or(0).min(hi);
        (lo, hi)
    }

    /// Whether a step range locks playback.
    pub fn locked(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// Where forward play stops: the end of the step range, else the end of the run.
    pub(super) fn stop_at(&self) -> f64 {
        let hi = self.range().1;
        f64::from(crate::ui::state::lesson::stop(self).map_or(hi, |t| t.min(hi)))
    }

    /// Keep the playhead inside the range (after a re-run or a link).
    pub(super) fn clamp_to_range(&mut self) {
        let (lo, hi) = self.range();
        self.pos = self.pos.clamp(f64::from(lo), f64::from(hi));
    }
}
