//! Keyboard shortcuts, as pure functions from a key and its context to what it does
//! (tested natively). `app/mod.rs` reads the key and the focused element, asks
//! [`command`], and dispatches; the stage asks [`token_key`] and [`node_key`] for keys
//! pressed on a focused message or process.
//!
//! | key | does |
//! |-----|------|
//! | space, k | play / pause |
//! | ← → j l, PageUp PageDown | one tick back / forward (presenter clickers send PageUp/PageDown) |
//! | , . | previous / next tick with an event |
//! | Home End | start / end |
//! | + = / - | faster / slower (through [`SPEEDS`]) |
//! | 1–9 | the scenario's n-th "try this" prompt |
//! | ? | shortcut help |
//! | p | presenter mode |
//! | m | reduce motion on / off |
//! | Esc | close the help, leave presenter mode |
//! | on a message: Enter, D, C | its menu, drop it, duplicate it |
//! | on a process: Enter, X, G | its menu, crash it, GC-pause it |

use crate::ui::state::{Action, ScenarioRef, SPEEDS};

/// What kind of element has the focus when a key is pressed.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Focus {
    /// Nothing in particular (the page, a table, a heading).
    Page,
    /// A text field, a select or a slider: keys belong to it.
    Field,
    /// A button, a link, a summary: space and Enter belong to it.
    Control,
    /// A message token on the stage (it handles D, C and Enter itself).
    Token,
    /// A process on the stage (it handles X, G and Enter itself).
    Node,
}

/// What the app knows when a key is pressed.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyCtx {
    pub focus: Focus,
    /// Current playback speed (ticks per second).
    pub speed: u32,
    pub scenario: ScenarioRef,
    pub help_open: bool,
    pub presenter: bool,
}

/// What a shortcut does: a reducer action or a change of the page's presentation.
#[allow(clippy::large_enum_variant)] // an `Action` carries a link's state; a key makes one at a time
pub enum Command {
    Do(Action),
    ToggleHelp,
    CloseHelp,
    TogglePresenter,
    ToggleMotion,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Do(a) => write!(f, "Do({})", action_name(a)),
            Command::ToggleHelp => write!(f, "ToggleHelp"),
            Command::CloseHelp => write!(f, "CloseHelp"),
            Command::TogglePresenter => write!(f, "TogglePresenter"),
            Command::ToggleMotion => write!(f, "ToggleMotion"),
        }
    }
}

/// A short name for the actions shortcuts make (for tests and debugging).
pub fn action_name(a: &Action) -> String {
    match a {
        Action::TogglePlay => "TogglePlay".into(),
        Action::StepForward => "StepForward".into(),
        Action::StepBack => "StepBack".into(),
        Action::NextEvent => "NextEvent".into(),
        Action::PrevEvent => "PrevEvent".into(),
        Action::Reset => "Reset".into(),
        Action::Seek(t) => format!("Seek({t})"),
        Action::SetSpeed(s) => format!("SetSpeed({s})"),
        Action::TryThis(i) => format!("TryThis({i})"),
        _ => "other".into(),
    }
}

/// The next faster (`up`) or slower speed preset from `speed`, if there is one.
pub fn next_speed(speed: u32, up: bool) -> Option<u32> {
    if up {
        SPEEDS.iter().copied().find(|s| *s > speed)
    } else {
        SPEEDS.iter().rev().copied().find(|s| *s < speed)
    }
}

/// The index of the scenario's `n`-th (1-based) "try this" prompt, if it has one.
pub fn try_this(scenario: ScenarioRef, n: usize) -> Option<usize> {
    let i = n.checked_sub(1)?;
    (i < scenario.try_this.len()).then_some(i)
}

/// The page-wide shortcut for `key` (a `KeyboardEvent.key`), if any. `modified` is
/// true when Ctrl, Alt or Meta is held (those keys belong to the browser).
pub fn command(key: &str, modified: bool, ctx: &KeyCtx) -> Option<Command> {
    if modified {
        return None;
    }
    if ctx.help_open {
        // A modal dialog is open: only its own keys.
        return match key {
            "Escape" | "?" => Some(Command::CloseHelp),
            _ => None,
        };
    }
    if ctx.focus == Focus::Field {
        return None;
    }
    let on_control = ctx.focus != Focus::Page;
    let act = |a: Action| Some(Command::Do(a));
    match key {
        " " | "k" if !on_control => act(Action::TogglePlay),
        "ArrowRight" | "l" | "PageDown" => act(Action::StepForward),
        "ArrowLeft" | "j" | "PageUp" => act(Action::StepBack),
        "." => act(Action::NextEvent),
        "," => act(Action::PrevEvent),
        "Home" => act(Action::Reset),
        "End" => act(Action::Seek(u32::MAX)),
        "+" | "=" => next_speed(ctx.speed, true).and_then(|s| act(Action::SetSpeed(s))),
        "-" | "_" => next_speed(ctx.speed, false).and_then(|s| act(Action::SetSpeed(s))),
        "?" => Some(Command::ToggleHelp),
        "p" | "P" => Some(Command::TogglePresenter),
        "m" | "M" => Some(Command::ToggleMotion),
        "Escape" if ctx.presenter => Some(Command::TogglePresenter),
        k if k.len() == 1 && matches!(k.as_bytes()[0], b'1'..=b'9') => {
            let n = usize::from(k.as_bytes()[0] - b'0');
            try_this(ctx.scenario, n).and_then(|i| act(Action::TryThis(i)))
        }
        _ => None,
    }
}

/// What a key does on a focused message token or process.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum TargetKey {
    /// Open its fault menu.
    Menu,
    /// Drop the message.
    Drop,
    /// Duplicate the message.
    Duplicate,
    /// Crash the process now.
    Crash,
    /// GC-pause the process now.
    Pause,
}

/// A key pressed on a focused message token.
pub fn token_key(key: &str, modified: bool) -> Option<TargetKey> {
    if modified {
        return None;
    }
    match key {
        "Enter" | " " => Some(TargetKey::Menu),
        "d" | "D" | "Delete" => Some(TargetKey::Drop),
        "c" | "C" => Some(TargetKey::Duplicate),
        _ => None,
    }
}

/// A key pressed on a focused process.
pub fn node_key(key: &str, modified: bool) -> Option<TargetKey> {
    if modified {
        return None;
    }
    match key {
        "Enter" | " " => Some(TargetKey::Menu),
        "x" | "X" => Some(TargetKey::Crash),
        "g" | "G" => Some(TargetKey::Pause),
        _ => None,
    }
}

/// The rows of the shortcut help: keys, then what they do.
pub const HELP: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("← →  or  PageUp PageDown", "one tick back / forward"),
    (",  .", "previous / next tick with an event"),
    ("Home  End", "back to the start / to the end"),
    ("+  −", "faster / slower"),
    ("1 – 9", "apply this scenario's “try this” prompt"),
    ("p", "presenter mode (large type, stage only)"),
    ("m", "reduce motion on / off"),
    ("?", "this help"),
    ("Esc", "close this help, leave presenter mode"),
    ("Tab", "move to the next control, message or process"),
    ("D  C", "on a focused message: drop it / duplicate it"),
    ("X  G", "on a focused process: crash it / pause it (GC)"),
    (
        "Enter",
        "on a focused message or process: open its fault menu",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> KeyCtx {
        KeyCtx {
            focus: Focus::Page,
            speed: 2,
            scenario: ScenarioRef::find("walkthrough").unwrap(),
            help_open: false,
            presenter: false,
        }
    }

    fn name(c: Option<Command>) -> String {
        c.map(|c| format!("{c:?}")).unwrap_or_else(|| "-".into())
    }

    #[test]
    fn playback_keys() {
        let c = ctx();
        assert_eq!(name(command(" ", false, &c)), "Do(TogglePlay)");
        assert_eq!(name(command("ArrowLeft", false, &c)), "Do(StepBack)");
        assert_eq!(name(command("PageUp", false, &c)), "Do(StepBack)");
        assert_eq!(name(command("PageDown", false, &c)), "Do(StepForward)");
        assert_eq!(name(command("Home", false, &c)), "Do(Reset)");
        assert_eq!(
            name(command("End", false, &c)),
            format!("Do(Seek({}))", u32::MAX)
        );
        assert_eq!(
            name(command("ArrowLeft", true, &c)),
            "-",
            "modified keys are the browser's"
        );
    }

    #[test]
    fn speed_steps_through_the_presets_and_stops_at_the_ends() {
        let mut c = ctx();
        assert_eq!(name(command("+", false, &c)), "Do(SetSpeed(5))");
        assert_eq!(name(command("=", false, &c)), "Do(SetSpeed(5))");
        assert_eq!(name(command("-", false, &c)), "Do(SetSpeed(1))");
        c.speed = SPEEDS[0];
        assert_eq!(name(command("-", false, &c)), "-");
        c.speed = *SPEEDS.last().unwrap();
        assert_eq!(name(command("+", false, &c)), "-");
        // A speed between presets moves to the neighbouring preset.
        assert_eq!(next_speed(3, true), Some(5));
        assert_eq!(next_speed(3, false), Some(2));
    }

    #[test]
    fn digits_apply_the_scenarios_prompts() {
        let c = ctx();
        let info = crate::sim::scenarios::info("walkthrough");
        assert!(!info.try_this.is_empty());
        assert_eq!(name(command("1", false, &c)), "Do(TryThis(0))");
        let past = (info.try_this.len() + 1).to_string();
        assert_eq!(name(command(&past, false, &c)), "-");
        assert_eq!(name(command("0", false, &c)), "-");
    }

    #[test]
    fn fields_keep_their_keys_and_controls_keep_space() {
        let mut c = ctx();
        c.focus = Focus::Field;
        for k in [" ", "ArrowLeft", "1", "+", "p", "?"] {
            assert_eq!(name(command(k, false, &c)), "-", "{k:?} in a field");
        }
        c.focus = Focus::Control;
        assert_eq!(name(command(" ", false, &c)), "-");
        assert_eq!(name(command("ArrowRight", false, &c)), "Do(StepForward)");
        c.focus = Focus::Token;
        assert_eq!(name(command(" ", false, &c)), "-");
        assert_eq!(name(command("d", false, &c)), "-", "the token handles D");
    }

    #[test]
    fn help_is_modal() {
        let mut c = ctx();
        assert_eq!(name(command("?", false, &c)), "ToggleHelp");
        c.help_open = true;
        assert_eq!(name(command("Escape", false, &c)), "CloseHelp");
        assert_eq!(name(command("ArrowRight", false, &c)), "-");
        assert_eq!(name(command("p", false, &c)), "-");
    }

    #[test]
    fn presenter_mode() {
        let mut c = ctx();
        assert_eq!(name(command("p", false, &c)), "TogglePresenter");
        assert_eq!(name(command("Escape", false, &c)), "-");
        c.presenter = true;
        assert_eq!(name(command("Escape", false, &c)), "TogglePresenter");
    }

    #[test]
    fn fault_keys() {
        assert_eq!(token_key("d", false), Some(TargetKey::Drop));
        assert_eq!(token_key("C", false), Some(TargetKey::Duplicate));
        assert_eq!(token_key("Enter", false), Some(TargetKey::Menu));
        assert_eq!(token_key("x", false), None);
        assert_eq!(token_key("d", true), None);
        assert_eq!(node_key("x", false), Some(TargetKey::Crash));
        assert_eq!(node_key("g", false), Some(TargetKey::Pause));
        assert_eq!(node_key("d", false), None);
    }
}
