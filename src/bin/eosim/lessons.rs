//! `eosim lessons`: the built-in course. `--key` prints the answer key (every step's
//! prompt, computed answer, options with values, misconceptions and feedback);
//! `check FILE` validates a teacher's lesson file as the page's import does.

use std::process::ExitCode;

pub fn lessons_cmd(args: &[String]) -> ExitCode {
    match args.first().map(String::as_str) {
        None => {
            for l in eop::course::course() {
                println!(
                    "{:<20} {:<20} {} steps  {}",
                    l.id,
                    l.scenario,
                    l.steps.len(),
                    l.title
                );
            }
            ExitCode::SUCCESS
        }
        Some("--check") => {
            let mut bad = 0;
            for (name, text) in eop::course::FILES {
                let errs = match eop::course::validate::parse(text) {
                    Ok(l) => eop::course::validate::check(
                        &l,
                        eop::course::validate::Rules { course: true },
                    ),
                    Err(e) => vec![e],
                };
                for e in &errs {
                    println!("{name}: {e}");
                }
                bad += errs.len();
            }
            println!("{bad} problems");
            if bad == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Some("--key") => {
            print!("{}", eop::course::key::course_key());
            ExitCode::SUCCESS
        }
        Some("check") => {
            let Some(path) = args.get(1) else {
                eprintln!("usage: eosim lessons check FILE");
                return ExitCode::from(2);
            };
            let text = match std::fs::read_to_string(path) {
                Ok(t) => t,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    return ExitCode::from(2);
                }
            };
            match eop::course::validate::load_report(&text) {
                Ok((l, warnings)) => {
                    for w in &warnings {
                        println!("warning: {w}");
                    }
                    println!("{path}: lesson '{}' is valid", l.id);
                    ExitCode::SUCCESS
                }
                Err(errs) => {
                    for e in &errs {
                        println!("error: {e}");
                    }
                    ExitCode::FAILURE
                }
            }
        }
        Some(other) => {
            eprintln!(
                "eosim lessons: unknown argument '{other}' (use --key, --check or check FILE)"
            );
            ExitCode::from(2)
        }
    }
}
