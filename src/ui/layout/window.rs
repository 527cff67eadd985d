//! A tall stage seen through a window (a lesson on a phone): the part of the drawing
//! where something happens at the playhead, so the question, the stage and the evidence
//! fit within about a screen. Pure: the stage component scrolls its window to
//! [`window_top`] of [`focus_band`].

use super::*;

/// The band of the drawing (viewBox y, top to bottom) where something happens in `sc`:
/// the messages in flight and the badges of this tick, with the boxes of the processes
/// the badges are about. None when nothing happens.
pub fn focus_band(sc: &Scene) -> Option<(f64, f64)> {
    let rects = sc.tokens.iter().map(|t| t.rect).chain(
        sc.badges
            .iter()
            .flat_map(|b| std::iter::once(b.rect).chain(sc.nodes.get(b.node).copied())),
    );
    rects.fold(None, |acc, r| match acc {
        None => Some((r.y0, r.y1)),
        Some((a, b)) => Some((a.min(r.y0), b.max(r.y1))),
    })
}

/// Where the top of a window `win` tall goes over a drawing `h` tall (same units) to show
/// `band`: where it is (`current`) when the band is already inside, else centred on the
/// band, or at the band's top (less a margin) when the band is taller than the window;
/// never past either end of the drawing.
pub fn window_top(band: (f64, f64), h: f64, win: f64, current: f64) -> f64 {
    const MARGIN: f64 = 8.0;
    let max = (h - win).max(0.0);
    let (a, b) = (band.0.min(band.1), band.0.max(band.1));
    if a >= current && b <= current + win {
        return current.clamp(0.0, max);
    }
    let top = if b - a + 2.0 * MARGIN > win {
        a - MARGIN
    } else {
        (a + b) / 2.0 - win / 2.0
    };
    top.clamp(0.0, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_follows_the_band_and_stays_on_the_drawing() {
        // Inside already: it stays.
        assert_eq!(window_top((120.0, 180.0), 1000.0, 300.0, 100.0), 100.0);
        // Below the window: centred on the band.
        assert_eq!(window_top((600.0, 700.0), 1000.0, 300.0, 0.0), 500.0);
        // Near the end: the window ends with the drawing.
        assert_eq!(window_top((900.0, 990.0), 1000.0, 300.0, 0.0), 700.0);
        // Near the start: it starts with the drawing.
        assert_eq!(window_top((10.0, 40.0), 1000.0, 300.0, 500.0), 0.0);
        // Taller than the window: its top is shown.
        assert_eq!(window_top((400.0, 900.0), 1000.0, 300.0, 0.0), 392.0);
        // A drawing shorter than the window never scrolls.
        assert_eq!(window_top((100.0, 200.0), 250.0, 300.0, 40.0), 0.0);
    }

    #[test]
    fn the_band_spans_messages_and_badged_processes() {
        assert_eq!(focus_band(&Scene::default()), None);
        let sc = Scene {
            nodes: vec![
                Rect::new(0.0, 50.0, 100.0, 110.0),
                Rect::new(0.0, 400.0, 100.0, 460.0),
            ],
            badges: vec![BadgeSpot {
                node: 1,
                text: "applied".into(),
                full: "applied".into(),
                tone: crate::ui::facts::Tone::Good,
                rect: Rect::new(110.0, 420.0, 180.0, 441.0),
            }],
            ..Scene::default()
        };
        assert_eq!(focus_band(&sc), Some((400.0, 460.0)));
    }
}
