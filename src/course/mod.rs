//! The course: one predict → observe → explain lesson per scenario.
//!
//! Pure (no browser types): lessons are data (`lessons/*.json`, compiled in), parsed
//! and checked against the simulator by `validate`, and every answer is computed by
//! `eval` from a run. The UI (`ui::components::lesson`) only renders and records.

pub mod eval;
pub mod key;
pub mod model;
pub mod practice;
pub mod validate;

pub use model::Lesson;

/// The built-in lesson files, in teaching order (the order of `sim::scenarios::all()`).
/// Every `lessons/NN-<id>.json`, by file name (`build.rs` lists the folder: a new
/// lesson file is picked up by itself).
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/lesson_files.rs"));

/// The built-in course, parsed. A file that does not parse is left out here (the
/// native test fails on it, naming the file and the field).
pub fn course() -> &'static [Lesson] {
    static COURSE: std::sync::OnceLock<Vec<Lesson>> = std::sync::OnceLock::new();
    COURSE.get_or_init(|| {
        FILES
            .iter()
            .filter_map(|(_, text)| validate::parse(text).ok())
            .collect()
    })
}

/// A built-in lesson by id, as the page shows it: its `{ $name }` placeholders
/// filled from its runs (computed once per lesson, then remembered).
pub fn find(id: &str) -> Option<&'static Lesson> {
    type Resolved = std::sync::Mutex<Vec<&'static Lesson>>;
    static RESOLVED: std::sync::OnceLock<Resolved> = std::sync::OnceLock::new();
    let raw = course().iter().find(|l| l.id == id)?;
    let cache = RESOLVED.get_or_init(Default::default);
    let mut done = cache.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(l) = done.iter().find(|l| l.id == id) {
        return Some(l);
    }
    let l: &'static Lesson = match eval::resolve(&mut eval::Evaluator::new(), raw) {
        Ok(l) => Box::leak(Box::new(l)),
        Err(_) => raw,
    };
    done.push(l);
    Some(l)
}
