//! Messages shown on screen until dismissed: warnings (a bad link, a refused file)
//! and information (a fault that changed nothing, a verified import).

use super::State;

/// At most this many notices are on screen; the oldest goes first.
const MAX_NOTICES: usize = 6;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NoticeKind {
    Warning,
    Info,
    /// The link's run differs from the run its author saw (a warning, marked
    /// `[data-stale-link]`).
    Stale,
}

/// A message shown on screen until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub id: u32,
    pub kind: NoticeKind,
    pub text: String,
}

impl State {
    pub(crate) fn warn(&mut self, text: String) {
        self.push_notice(NoticeKind::Warning, text);
    }

    pub(crate) fn push_notice(&mut self, kind: NoticeKind, text: String) {
        if self.notices.iter().any(|n| n.text == text) {
            return;
        }
        self.notices.push(Notice {
            id: self.next_notice,
            kind,
            text,
        });
        self.next_notice += 1;
        if self.notices.len() > MAX_NOTICES {
            self.notices.remove(0);
        }
    }

    /// A link with a fingerprint its run no longer matches: say so, and remember it
    /// (the page's `[data-stale-link]`, the host's `stale: true`).
    pub(super) fn check_fingerprint(&mut self, share: &crate::ui::share::ShareState) {
        self.stale = crate::ui::share::fingerprint::check(share, self.run.result.as_ref());
        if let Some(st) = &self.stale {
            let text = st.text.clone();
            self.push_notice(NoticeKind::Stale, text);
        }
    }

    pub(super) fn dismiss(&mut self, id: u32) {
        self.notices.retain(|n| n.id != id);
    }
}
