//! What the learner reads about this scenario (explanation, parameters, try-this
//! prompts) lives in `text.json` beside this file; build.rs turns it into `INFO`.

use super::{every_balance_doubled, every_delete_repeated, every_payment_doubled};

include!(concat!(
    env!("OUT_DIR"),
    "/scenario_texts/idempotent_ops.rs"
));
