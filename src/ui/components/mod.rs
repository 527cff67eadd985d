//! One component per file. Every component gets what it shows as props and sends
//! [`crate::ui::state::Action`]s through a `Callback`; none holds simulation state.

pub mod announcer;
pub mod calculator;
pub mod controls;
pub mod explain;
pub mod generals;
pub mod help;
pub mod ledgers;
pub mod nav;
pub mod notices;
pub mod playback;
pub mod share_panel;
pub mod spacetime;
pub mod stage;
pub mod story;
pub mod sweep;
