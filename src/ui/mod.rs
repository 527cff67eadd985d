//! The Yew front end. Renders what `sim` produced; owns no simulation logic.

pub mod app;
pub mod share;

/// Mount the app on the page body.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
