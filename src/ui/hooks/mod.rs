//! The root component's hooks, one concern each: the animation-frame loop, the URL,
//! the keyboard, the theme, file drops, remembered preferences.

mod file_drop;
mod frame_loop;
mod keyboard;
mod prefs;
mod theme;
mod throttle;
mod url_sync;

pub use file_drop::{use_file_drop, FileDrop};
pub use frame_loop::use_frame_loop;
pub use keyboard::use_keyboard;
pub use prefs::{use_debug_panic, use_prefs, use_progress_storage};
pub use theme::use_theme;
pub use throttle::{use_throttled, Write};
pub use url_sync::{location_search, use_url_sync, URL_EVERY_MS};
