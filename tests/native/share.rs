use eop::sim::fault::Fault;
use eop::sim::ids::NodeId;
use eop::ui::share::{decode, encode, CheckMode, ShareState, ViewMode};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

fn cases() -> u64 {
    std::env::var("SHARE_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000)
}

fn random_fault(rng: &mut ChaCha8Rng) -> Fault {
    match rng.gen_range(0..7) {
        0 => Fault::Lose {
            hop: rng.gen(),
            msg: rng.gen(),
            attempt: rng.gen(),
        },
        1 => Fault::Duplicate {
            hop: rng.gen(),
            msg: rng.gen(),
            attempt: rng.gen(),
            extra: rng.gen(),
        },
        2 => Fault::Delay {
            hop: rng.gen(),
            msg: rng.gen(),
            attempt: rng.gen(),
            extra: rng.gen(),
        },
        3 => Fault::Crash {
            node: NodeId(rng.gen()),
            at: rng.gen(),
            down: rng.gen(),
        },
        4 => Fault::CrashAt {
            node: NodeId(rng.gen()),
            msg: rng.gen(),
            point: rng.gen(),
            down: rng.gen(),
        },
        5 => Fault::Pause {
            node: NodeId(rng.gen()),
            at: rng.gen(),
            ticks: rng.gen(),
        },
        _ => Fault::ResetOffset {
            node: NodeId(rng.gen()),
            at: rng.gen(),
            to: rng.gen(),
        },
    }
}

fn random_state(rng: &mut ChaCha8Rng) -> ShareState {
    let all = eop::sim::all();
    let sc = all[rng.gen_range(0..all.len())].info();
    let mut s = ShareState::new(sc.id);
    s.seed = rng.gen();
    for p in sc.params {
        if rng.gen_bool(0.3) {
            let v = rng.gen_range(p.min..=p.max);
            if v != p.default {
                s.params.push((p.name.to_string(), v));
            }
        }
    }
    for _ in 0..rng.gen_range(0..4) {
        s.faults.push(random_fault(rng));
    }
    s.random_faults = rng.gen_bool(0.8);
    s.tick = rng.gen_bool(0.5).then(|| rng.gen());
    s.view = if rng.gen() {
        ViewMode::Stage
    } else {
        ViewMode::Spacetime
    };
    s.technique = rng.gen_bool(0.5).then(|| "dedup".to_string());
    s.embed = rng.gen();
    s.autoplay = rng.gen();
    if rng.gen() {
        let a: u32 = rng.gen_range(0..1000);
        s.from = Some(a);
        s.to = Some(a + rng.gen_range(0..1000));
    }
    s.check = match rng.gen_range(0..6) {
        0..=2 => CheckMode::Every(rng.gen_range(1..=3)),
        3 => CheckMode::Sample(1_000),
        4 => CheckMode::Sample(100_000),
        _ => CheckMode::default(),
    };
    s
}

#[test]
fn the_check_setting_travels_in_the_link_and_bad_ones_fall_back() {
    let mut s = ShareState::new("dedup-window");
    s.check = CheckMode::Every(2);
    let link = encode(&s);
    assert!(link.contains("check=k2"), "{link}");
    assert_eq!(decode(&link).state.check, CheckMode::Every(2));
    // The default is left out of the link.
    assert!(!encode(&ShareState::new("dedup-window")).contains("check="));
    for bad in [
        "k0",
        "k4",
        "k",
        "500",
        "-1",
        "kk2",
        "10000000000000000000000",
    ] {
        let d = decode(&format!("s=dedup-window&check={bad}"));
        assert_eq!(d.state.check, CheckMode::default(), "{bad}");
        assert_eq!(d.warnings.len(), 1, "{bad}: {:?}", d.warnings);
        assert!(
            d.warnings[0].contains("not a setting of the panel"),
            "{:?}",
            d.warnings
        );
    }
}

#[test]
fn encode_then_decode_round_trips() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    for i in 0..cases() {
        let s = random_state(&mut rng);
        let link = encode(&s);
        let d = decode(&link);
        assert!(d.warnings.is_empty(), "case {i}: {link} → {:?}", d.warnings);
        assert_eq!(d.state, s, "case {i}: {link}");
        assert_eq!(encode(&d.state), link, "case {i}: not canonical");
    }
}

#[test]
fn decoders_never_panic_on_random_input() {
    let mut rng = ChaCha8Rng::seed_from_u64(2);
    let alphabet: Vec<char> = "s=&?.%,+-0123456789LDYCKPRabcdefpt_~é\u{0}/#"
        .chars()
        .collect();
    for _ in 0..cases() {
        let len = rng.gen_range(0..200);
        let text: String = if rng.gen_bool(0.5) {
            (0..len)
                .map(|_| alphabet[rng.gen_range(0..alphabet.len())])
                .collect()
        } else {
            // Mutate a valid link: the likeliest real-world damage (truncation, edits).
            let mut link = encode(&random_state(&mut rng)).into_bytes();
            for _ in 0..rng.gen_range(1..6) {
                if link.is_empty() {
                    break;
                }
                let i = rng.gen_range(0..link.len());
                match rng.gen_range(0..3) {
                    0 => link.truncate(i),
                    1 => link[i] = rng.gen(),
                    _ => link.insert(i, rng.gen()),
                }
            }
            String::from_utf8_lossy(&link).into_owned()
        };
        let d = decode(&text);
        // Whatever came in, the result names a real scenario and re-encodes.
        assert!(eop::sim::find(&d.state.scenario).is_ok());
        let _ = decode(&encode(&d.state));
        for part in text.split(',') {
            let _ = Fault::from_code(part);
        }
    }
}

#[test]
fn malformed_links_explain_what_was_used_instead() {
    let cases: &[(&str, &str)] = &[
        ("s=nope", "unknown scenario 'nope'"),
        ("s=walkthrough&seed=abc", "seed 'abc'"),
        ("s=walkthrough&p.dup=5000", "using the default 0"),
        ("s=walkthrough&p.bogus=1", "no parameter 'bogus'"),
        ("s=walkthrough&f=L0.3", "malformed"),
        ("s=walkthrough&t=-4", "tick '-4'"),
        ("s=walkthrough&v=3d", "view '3d'"),
        ("s=walkthrough&from=9&to=2", "backwards"),
    ];
    for (link, needle) in cases {
        let d = decode(link);
        assert!(
            d.warnings.iter().any(|w| w.contains(needle)),
            "{link}: {:?}",
            d.warnings
        );
    }
    // The rest of a damaged link still applies.
    let d = decode("s=walkthrough&seed=zz&p.dup=300&t=7");
    assert_eq!(d.state.scenario, "walkthrough");
    assert_eq!(d.state.params, vec![("dup".to_string(), 300)]);
    assert_eq!(d.state.tick, Some(7));
}

#[test]
fn links_stay_short_and_leave_defaults_out() {
    let s = ShareState::new("walkthrough");
    assert_eq!(encode(&s), "s=walkthrough");
    let mut big = ShareState::new("walkthrough");
    for m in 0..20 {
        big.faults.push(Fault::Lose {
            hop: 1,
            msg: 1000 + m,
            attempt: 3,
        });
    }
    big.tick = Some(1234);
    assert!(encode(&big).len() < 2000);
    assert_eq!(Fault::from_code(&big.faults[0].code()), Some(big.faults[0]));
}

#[test]
#[ignore = "long fuzz: make fuzz-share (100,000 cases)"]
fn long_share_fuzz() {
    std::env::set_var("SHARE_FUZZ_CASES", "100000");
    decoders_never_panic_on_random_input();
    encode_then_decode_round_trips();
}

/// The longest link a realistic run can produce: every parameter away from its default
/// (at whichever end of its range is longer to write), the most hand-made faults a link
/// keeps (`MAX_FAULTS`) with large realistic numbers, a 20-digit seed, and every option.
/// Prints the length per scenario (the issue note quotes the maximum).
#[test]
fn the_longest_realistic_link_stays_under_2000_characters() {
    use eop::sim::scenarios;
    use eop::ui::share::MAX_FAULTS;
    let mut longest = (0, String::new());
    for sc in scenarios::all() {
        let info = sc.info();
        let mut s = ShareState::new(info.id);
        s.seed = u64::MAX;
        for p in info.params {
            let v = if p.max.to_string().len() >= p.min.to_string().len() && p.max != p.default {
                p.max
            } else if p.min != p.default {
                p.min
            } else {
                p.max
            };
            s.params.push((p.name.to_string(), v));
        }
        let kinds = [
            |i: u32| Fault::Duplicate {
                hop: 9,
                msg: 9_000 + i,
                attempt: 99,
                extra: 999,
            },
            |i: u32| Fault::CrashAt {
                node: NodeId(9),
                msg: 9_000 + i,
                point: 9,
                down: 999,
            },
            |i: u32| Fault::Pause {
                node: NodeId(9),
                at: 99_000 + i,
                ticks: 999,
            },
        ];
        for i in 0..MAX_FAULTS as u32 {
            s.faults.push(kinds[i as usize % kinds.len()](i));
        }
        s.random_faults = false;
        s.tick = Some(199_999);
        s.view = ViewMode::Spacetime;
        s.technique = Some("idempotent-producer-and-transactions".to_string());
        s.embed = true;
        s.autoplay = true;
        s.from = Some(100_000);
        s.to = Some(199_999);
        let link = encode(&s);
        println!("{:<20} {} characters", info.id, link.len());
        assert_eq!(decode(&link).state, s, "{}", info.id);
        if link.len() > longest.0 {
            longest = (link.len(), info.id.to_string());
        }
    }
    println!("longest: {} characters ({})", longest.0, longest.1);
    assert!(
        longest.0 < 2000,
        "{} characters for {}",
        longest.0,
        longest.1
    );
}
