//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::{
    cache_lets_more_through, holds_300_at_the_end, peaks_near_140, shrinks_after_peak, STORES,
};

include!(concat!(env!("OUT_DIR"), "/scenario_texts/dedup_window.rs"));
