//! Text on the stage: estimated widths, names fitted into boxes, wrapping and cutting.

// ---------------------------------------------------------------- fitting the frame

/// The widest viewBox: frames wider than this draw the stage scaled up.
pub const WIDE: f64 = 860.0;
/// Below this frame width (CSS px) the stage turns portrait: processes stacked top to
/// bottom and messages travelling vertically. A landscape row of three processes with
/// their tables needs about this much at one unit per pixel.
pub const PORTRAIT_BELOW: f64 = 600.0;
/// Frames narrower than this are laid out at this width and scaled down.
pub const NARROWEST: f64 = 260.0;
/// No text on the stage is smaller than this (units; one unit draws as at least one CSS
/// pixel, since the viewBox is never wider than the frame below [`WIDE`]).
pub const MIN_FONT: f64 = 11.0;
/// Average advance of a character, in ems, for the bold sans-serif and the monospaced
/// text the stage draws: DejaVu Sans Mono is 0.60 em, DejaVu Sans Bold averages about
/// 0.62 em over lower-case text, system-ui faces are narrower. Symbols outside
/// Latin-1 (✕ ↻ ⌛ ₹ → …) often come from a fallback font and count a full em.
pub const EM: f64 = 0.62;
/// Space kept free around every label (units).
pub const LABEL_GAP: f64 = 2.0;

/// Estimated width of `text` at font `size`: [`EM`] per Latin-1 character, 1 em per
/// symbol. Errs on the wide side: a box a few units too large costs a little room, one
/// too small lets two labels touch.
pub fn text_w(text: &str, size: f64) -> f64 {
    let ems: f64 = text
        .chars()
        .map(|c| if (c as u32) < 0x250 { EM } else { 1.0 })
        .sum();
    ems * size
}

/// How to write a node's name inside a box `width` wide: the largest font size at which
/// it fits on one line, else wrapped at spaces onto two or three lines, else (one word
/// longer than the box) cut with "…" at [`MIN_FONT`]. Widths are estimated with
/// [`text_w`]; nothing is smaller than [`MIN_FONT`].
pub fn fit_name(name: &str, width: f64) -> (Vec<String>, f64) {
    const TRIES: [(f64, usize); 12] = [
        (17.0, 1),
        (15.0, 1),
        (13.5, 1),
        (15.0, 2),
        (13.5, 2),
        (12.0, 1),
        (12.0, 2),
        (13.5, 3),
        (12.0, 3),
        (MIN_FONT, 1),
        (MIN_FONT, 2),
        (MIN_FONT, 3),
    ];
    for (size, max) in TRIES {
        if let Some(lines) = wrap(name, width, size, max) {
            return (lines, size);
        }
    }
    (vec![cut(name, width, MIN_FONT)], MIN_FONT)
}

/// `text` broken at spaces into at most `max` lines no wider than `width` at `size`.
pub fn wrap(text: &str, width: f64, size: f64, max: usize) -> Option<Vec<String>> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if text_w(word, size) > width {
            return None;
        }
        match lines.last_mut() {
            Some(l) if text_w(&format!("{l} {word}"), size) <= width => {
                l.push(' ');
                l.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
        if lines.len() > max {
            return None;
        }
    }
    (!lines.is_empty()).then_some(lines)
}

/// `text`, or as much of it as fits in `width` at `size` followed by "…".
pub fn cut(text: &str, width: f64, size: f64) -> String {
    if text_w(text, size) <= width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_w(&out, size) + size > width {
            out.pop();
            break;
        }
    }
    format!("{}…", out.trim_end())
}
