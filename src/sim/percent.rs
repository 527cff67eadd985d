//! Percentages in learner text, rounded one way everywhere: to the nearest shown digit
//! (half up), never to a value that says something false ("0%" of something, "100%" of
//! less than all, or a mean error shown on the wrong side of its threshold).

/// `p` ‰ as a percentage: "2%", "1.3%" (a setting or a threshold, exact in ‰).
pub fn permille(p: i64) -> String {
    let sign = if p < 0 { "-" } else { "" };
    let p = p.abs();
    if p % 10 == 0 {
        format!("{sign}{}%", p / 10)
    } else {
        format!("{sign}{}.{}%", p / 10, p % 10)
    }
}

/// `num / den` rounded to the nearest multiple of `1 / scale` (half up), as a count of
/// those steps.
fn nearest(num: i128, den: i128, scale: i128) -> i128 {
    (2 * num * scale + den) / (2 * den)
}

/// `num` of `den` as a whole percentage, rounded to the nearest: 11 of 12 → "92%".
/// A share above nothing is never "0%" ("under 1%"), and one short of all is never
/// "100%" ("over 99%").
pub fn share(num: u64, den: u64) -> String {
    if den == 0 {
        return "—".to_string();
    }
    let p = nearest(num as i128, den as i128, 100);
    match p {
        0 if num > 0 => "under 1%".to_string(),
        100 if num < den => "over 99%".to_string(),
        p => format!("{p}%"),
    }
}

/// The ratio `num / den` (both ≥ 0) as a percentage to one decimal, rounded to the
/// nearest: 0.01303 → "1.3%", 0.02 → "2%". A ratio above nothing is never "0%"
/// ("under 0.1%").
pub fn tenths(num: i64, den: i64) -> String {
    if den <= 0 {
        return "—".to_string();
    }
    let p = nearest(num.abs() as i128, den as i128, 1000);
    if p == 0 && num != 0 {
        return "under 0.1%".to_string();
    }
    permille(p as i64)
}

/// The ratio `num / den` shown against a threshold of `tol` ‰, as [`tenths`] — unless
/// rounding would show it on the threshold or across it (2.04% against 2% would read
/// "2%"): then to hundredths ("2.04%"), or else "just over 2%" / "just under 2%".
pub fn against(num: i64, den: i64, tol: i64) -> String {
    if den <= 0 {
        return "—".to_string();
    }
    let (num, den) = (num.abs() as i128, den as i128);
    let exact_cmp = (num * 1000).cmp(&(tol as i128 * den));
    let shown = nearest(num, den, 1000);
    if shown.cmp(&(tol as i128)) == exact_cmp {
        return tenths(num as i64, den as i64);
    }
    let finer = nearest(num, den, 10_000);
    if finer.cmp(&(tol as i128 * 10)) == exact_cmp {
        let sign_free = finer as i64;
        return format!("{}.{:02}%", sign_free / 100, sign_free % 100);
    }
    match exact_cmp {
        std::cmp::Ordering::Greater => format!("just over {}", permille(tol)),
        std::cmp::Ordering::Less => format!("just under {}", permille(tol)),
        std::cmp::Ordering::Equal => permille(tol),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_to_the_nearest_and_never_lie_at_the_ends() {
        assert_eq!(share(11, 12), "92%");
        assert_eq!(share(59, 60), "98%");
        assert_eq!(share(1, 2), "50%");
        assert_eq!(share(1, 8), "13%");
        assert_eq!(share(0, 7), "0%");
        assert_eq!(share(7, 7), "100%");
        assert_eq!(share(1, 300), "under 1%");
        assert_eq!(share(9_999, 10_000), "over 99%");
    }

    #[test]
    fn tenths_round_to_the_nearest() {
        // Telemetry seed 7, second 3: 1111 / 11 published against 1228 / 12 true, off by
        // |1111·12 − 1228·11| / (1228·11) = 176 / 13508 = 1.303% of the true mean.
        assert_eq!(tenths(176, 13_508), "1.3%");
        assert_eq!(tenths(20, 1000), "2%");
        assert_eq!(tenths(22, 1000), "2.2%");
        assert_eq!(tenths(2225, 100_000), "2.2%");
        assert_eq!(tenths(2250, 100_000), "2.3%");
        assert_eq!(tenths(0, 5), "0%");
        assert_eq!(tenths(1, 100_000), "under 0.1%");
        assert_eq!(permille(980), "98%");
        assert_eq!(permille(23), "2.3%");
    }

    #[test]
    fn a_value_is_never_shown_on_the_wrong_side_of_its_threshold() {
        // 2.04% against 2%: "2.0%" would look allowed.
        assert_eq!(against(204, 10_000, 20), "2.04%");
        // 1.96% against 2%: "2%" would look at the limit.
        assert_eq!(against(196, 10_000, 20), "1.96%");
        assert_eq!(against(20_001, 1_000_000, 20), "just over 2%");
        assert_eq!(against(19_999, 1_000_000, 20), "just under 2%");
        assert_eq!(against(2, 100, 20), "2%");
        assert_eq!(against(176, 13_508, 20), "1.3%");
        assert_eq!(against(22, 1000, 20), "2.2%");
    }
}
