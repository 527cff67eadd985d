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
    s.inputs.config.seed = rng.gen();
    for p in sc.params {
        if rng.gen_bool(0.3) {
            let v = rng.gen_range(p.min..=p.max);
            if v != p.default {
                s.inputs.config.params.push((p.name.to_string(), v));
            }
        }
    }
    for _ in 0..rng.gen_range(0..4) {
        s.inputs.config.manual.push(random_fault(rng));
    }
    s.inputs.config.random_faults = rng.gen_bool(0.8);
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
        assert!(eop::sim::find(d.state.inputs.scenario.id).is_ok());
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
    assert_eq!(d.state.inputs.scenario, "walkthrough");
    assert_eq!(d.state.inputs.config.params, vec![("dup".to_string(), 300)]);
    assert_eq!(d.state.tick, Some(7));
}

#[test]
fn links_stay_short_and_leave_defaults_out() {
    let s = ShareState::new("walkthrough");
    assert_eq!(encode(&s), "s=walkthrough");
    let mut big = ShareState::new("walkthrough");
    for m in 0..20 {
        big.inputs.config.manual.push(Fault::Lose {
            hop: 1,
            msg: 1000 + m,
            attempt: 3,
        });
    }
    big.tick = Some(1234);
    assert!(encode(&big).len() < 2000);
    assert_eq!(
        Fault::from_code(&big.inputs.config.manual[0].code()),
        Some(big.inputs.config.manual[0])
    );
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
        s.inputs.config.seed = u64::MAX;
        for p in info.params {
            let v = if p.max.to_string().len() >= p.min.to_string().len() && p.max != p.default {
                p.max
            } else if p.min != p.default {
                p.min
            } else {
                p.max
            };
            s.inputs.config.params.push((p.name.to_string(), v));
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
            s.inputs
                .config
                .manual
                .push(kinds[i as usize % kinds.len()](i));
        }
        s.inputs.config.random_faults = false;
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

// ------------------------------------------------------------ run fingerprints

use eop::ui::share::fingerprint::{self, Fingerprint};

/// The fingerprint of the run a link opens today.
fn fp_of(link: &str) -> String {
    let d = decode(link);
    fingerprint::of(&fingerprint::run_of(&d.state).expect("the link's run"))
}

/// `fp` with checkpoint `k` and the whole-run checksum changed: a link made before the
/// simulator changed its run from checkpoint `k` on.
fn stale_fp(fp: &str, k: usize) -> String {
    let mut f = Fingerprint::parse(fp).unwrap();
    let first = u8::from_str_radix(&f.sum[..2], 16).unwrap() ^ 0xff;
    f.sum = format!("{first:02x}{}", &f.sum[2..]);
    for c in &mut f.checkpoints[k..] {
        *c ^= 0x5a;
    }
    f.code()
}

#[test]
fn a_fingerprint_travels_in_the_link_and_matches_its_own_run() {
    for sc in eop::sim::all() {
        let id = sc.info().id;
        let mut s = ShareState::new(id);
        let run = fingerprint::run_of(&s).unwrap();
        s = fingerprint::stamped(&s, &run);
        let link = encode(&s);
        assert!(link.contains("&c="), "{link}");
        let d = decode(&link);
        assert!(d.warnings.is_empty(), "{id}: {:?}", d.warnings);
        assert_eq!(d.state, s, "{id}: round trip");
        assert_eq!(
            fingerprint::check(&d.state, None),
            None,
            "{id}: its own run"
        );
        assert_eq!(fingerprint::check(&d.state, Some(&run)), None);
    }
    // A lesson link's fingerprint is its step's run (not the scenario's showcase).
    let step2 = fp_of("?lesson=walkthrough&step=2");
    let d = decode(&format!("?lesson=walkthrough&step=2&c={step2}"));
    assert_eq!(
        encode(&d.state),
        format!("lesson=walkthrough&step=2&c={step2}")
    );
    assert_eq!(fingerprint::check(&d.state, None), None);
    // A link without one opens as before, unchecked.
    assert_eq!(decode("?s=walkthrough").state.fingerprint, None);
    assert_eq!(
        fingerprint::check(&decode("?s=walkthrough").state, None),
        None
    );
}

#[test]
fn a_stale_fingerprint_names_where_the_runs_first_differ() {
    let fp = fp_of("?s=walkthrough");
    let f = Fingerprint::parse(&fp).unwrap();
    let run = fingerprint::run_of(&decode("?s=walkthrough").state).unwrap();
    // The walkthrough ends at tick 17: boundaries 8, 16, 32.
    assert_eq!(run.end(), 17);
    assert_eq!(f.checkpoints.len(), 3, "{fp}");
    let head = "This link was made with an earlier version of the playground; the run you see differs from the one its author saw";
    for (k, range) in [
        (0, "tick 0 and tick 7"),
        (1, "tick 8 and tick 15"),
        (2, "tick 16 and tick 31"),
    ] {
        let d = decode(&format!("?s=walkthrough&c={}", stale_fp(&fp, k)));
        let st = fingerprint::check(&d.state, None).expect("stale");
        assert_eq!(
            st.text,
            format!("{head}, from somewhere between {range} (the link records its run too coarsely to name the exact tick)")
        );
    }
    // Only the whole-run checksum kept: it cannot tell where.
    let d = decode("?s=walkthrough&c=ffffffff");
    let st = fingerprint::check(&d.state, None).expect("stale");
    assert_eq!(st.range, None);
    assert_eq!(
        st.text,
        format!("{head} (the link's fingerprint is too short to tell from which tick)")
    );
    // Every checkpoint agrees but the sum does not: after the last one.
    let d = decode(&format!("?s=walkthrough&c={}", stale_fp(&fp, 3)));
    let st = fingerprint::check(&d.state, None).expect("stale");
    assert_eq!(
        st.text,
        format!("{head}, after tick 31 (every part of the run the link records agrees)")
    );
}

#[test]
fn a_bad_fingerprint_is_reported_and_ignored() {
    for bad in [
        "",
        "xyz",
        "1234567",
        "123456789",
        "12345678.1",
        "12345678.zz",
        "g2345678",
    ] {
        let d = decode(&format!("?s=walkthrough&seed=4&c={bad}"));
        assert_eq!(d.state.fingerprint, None, "{bad}");
        assert_eq!(
            d.state.inputs.config.seed, 4,
            "the rest of the link applies"
        );
        assert_eq!(d.warnings.len(), 1, "{bad}: {:?}", d.warnings);
        assert!(d.warnings[0].contains("ignored"), "{:?}", d.warnings);
    }
    // Upper case is read as lower case.
    let fp = fp_of("?s=walkthrough");
    let d = decode(&format!("?s=walkthrough&c={}", fp.to_uppercase()));
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    assert_eq!(fingerprint::check(&d.state, None), None);
}

#[test]
fn eosim_links_check_reports_each_link_of_a_course_page() {
    let template = include_str!("../fixtures/links/course-page.html");
    // Fill the placeholders with today's fingerprints (good) or changed ones (stale).
    let mut page = String::new();
    let mut rest = template;
    let mut filled = Vec::new();
    while let Some(i) = rest.find("{{") {
        page.push_str(&rest[..i]);
        let j = rest[i..].find("}}").unwrap() + i;
        let (kind, link) = rest[i + 2..j].split_once(':').unwrap();
        let plain = link.replace("&amp;", "&");
        let fp = fp_of(&plain);
        let c = match kind.strip_prefix("stale-") {
            Some(k) => stale_fp(&fp, k.parse().unwrap()),
            None => fp,
        };
        page.push_str(&format!("{link}&amp;c={c}"));
        filled.push(format!("{plain}&c={c}"));
        rest = &rest[j + 2..];
    }
    page.push_str(rest);
    let dir = std::env::temp_dir().join(format!("eop-links-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("course-page.html");
    std::fs::write(&path, &page).unwrap();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(["links", "check", path.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    let now = |l: &str| format!("today's run has c={}", fp_of(l));
    let head = "This link was made with an earlier version of the playground; the run you see differs from the one its author saw";
    let want = vec![
        format!("line 11: matches {}", filled[0]),
        format!("line 12: matches https://example.org/playground/{}", filled[1]),
        format!("line 13: matches {}", filled[2]),
        format!("line 15: DIFFERS {}", filled[3]),
        format!("    differs: {head}, from somewhere between tick 16 and tick 31 (the link records its run too coarsely to name the exact tick)"),
        format!("    {}: check the page's words against it, then update the link", now("?s=walkthrough&seed=5")),
        format!("line 16: DIFFERS {}", filled[4]),
        format!("    differs: {head}, from somewhere between tick 0 and tick 7 (the link records its run too coarsely to name the exact tick)"),
        format!("    {}: check the page's words against it, then update the link", now("?s=outbox")),
        "line 18: opens   ?s=walkthrough&seed=x&c=not-hex".to_string(),
        "    warns: seed 'x' is not a whole number from 0 to 18446744073709551615; using seed 1".to_string(),
        "    warns: the run fingerprint 'c=not-hex' is not 8 hexadecimal digits (and checkpoints); ignored it, so this link's run was not checked".to_string(),
        format!("    no fingerprint: whether its run is the one it was made from cannot be checked ({})", now("?s=walkthrough")),
        "line 19: FAILS   ?s=no-such-scenario".to_string(),
        "    fails: load: unknown scenario 'no-such-scenario'; nothing was loaded".to_string(),
        "line 20: FAILS   ?lesson=gone&step=1".to_string(),
        "    fails: load: unknown lesson 'gone'; nothing was loaded".to_string(),
        "line 22: opens   ?s=two-generals".to_string(),
        format!("    no fingerprint: whether its run is the one it was made from cannot be checked ({})", now("?s=two-generals")),
        "9 links: 3 matches, 2 without a fingerprint, 2 differ, 2 fail".to_string(),
    ];
    assert_eq!(lines, want, "{text}");

    // Only the good links: exit 0. One link a line works too.
    let good = dir.join("good.txt");
    std::fs::write(&good, format!("# week 3\n{}\n\n{}\n", filled[0], filled[2])).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(["links", "check", good.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        vec![
            format!("line 2: matches {}", filled[0]),
            format!("line 4: matches {}", filled[2]),
            "2 links: 2 matches, 0 without a fingerprint, 0 differ, 0 fail".to_string(),
        ]
    );
    // No such file: exit 2.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_eosim"))
        .args(["links", "check", dir.join("nope.html").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_stale_link_opens_its_run_with_a_notice_and_tells_the_host() {
    use eop::ui::host::{parse, state_fields, Command, Incoming};
    use eop::ui::state::{NoticeKind, State};
    let fp = fp_of("?s=walkthrough");
    // Matching: no notice, stale false.
    let d = decode(&format!("?s=walkthrough&t=4&c={fp}"));
    let s = State::from_share(&d.state, &d.warnings);
    assert!(s.stale.is_none());
    assert!(s.notices.is_empty(), "{:?}", s.notices);
    assert_eq!(state_fields(&s)["stale"], serde_json::json!(false));
    assert_eq!(s.tick(), 4);
    // Stale: the same run on screen, one notice of its own kind, stale true.
    let d = decode(&format!("?s=walkthrough&t=4&c={}", stale_fp(&fp, 1)));
    let s = State::from_share(&d.state, &d.warnings);
    assert_eq!(s.tick(), 4, "the link still opens as it says");
    assert_eq!(s.notices.len(), 1, "{:?}", s.notices);
    assert_eq!(s.notices[0].kind, NoticeKind::Stale);
    assert!(
        s.notices[0].text.contains("between tick 8 and tick 15"),
        "{}",
        s.notices[0].text
    );
    let f = state_fields(&s);
    assert_eq!(f["stale"], serde_json::json!(true));
    assert_eq!(f["staleNotice"], serde_json::json!(s.notices[0].text));
    // The host's `load` carries the fingerprint through; `measure` is a command.
    let Incoming::Do(Command::Load { share, .. }) = parse(&serde_json::json!({
        "target": "exactly-once-playground", "version": 1, "type": "load",
        "link": format!("?s=walkthrough&c={fp}")
    })) else {
        panic!("not loaded")
    };
    assert_eq!(
        share.fingerprint,
        Fingerprint::parse(&fp).ok().map(Box::new)
    );
    assert_eq!(
        parse(
            &serde_json::json!({"target": "exactly-once-playground", "version": 1, "type": "measure"})
        ),
        Incoming::Do(Command::Measure)
    );
}

#[test]
fn run_files_carry_the_fingerprint_and_a_changed_run_is_stale() {
    use eop::ui::export;
    let st = ShareState::new("walkthrough");
    let run = fingerprint::run_of(&st).unwrap();
    let doc = export::to_json(&st, Some(&run));
    let fp = fingerprint::of(&run);
    assert!(doc.contains(&format!("\"fingerprint\": \"{fp}\"")), "{doc}");
    assert!(
        doc.contains(&format!("\"link\": \"s=walkthrough&c={fp}\"")),
        "{doc}"
    );
    let file = export::parse(&doc).unwrap();
    assert!(file.warnings.is_empty(), "{:?}", file.warnings);
    assert_eq!(fingerprint::check(&file.state, None), None);
    let edited = doc.replace(&fp, &stale_fp(&fp, 0));
    let file = export::parse(&edited).unwrap();
    let stale = fingerprint::check(&file.state, None).expect("stale");
    assert_eq!(stale.range, Some((0, 7)));
}

#[test]
fn the_embed_mode_comes_from_the_address() {
    use eop::ui::share::{embed_mode, EmbedMode};
    for (q, m) in [
        ("?s=walkthrough", EmbedMode::Off),
        ("?s=walkthrough&embed=1", EmbedMode::Auto),
        ("?embed=compact&s=outbox", EmbedMode::Compact),
        ("?s=outbox&embed=full", EmbedMode::Full),
        ("?s=outbox&embed=0", EmbedMode::Off),
        ("?embed", EmbedMode::Auto),
    ] {
        assert_eq!(embed_mode(q), m, "{q}");
    }
    // Both are embeds to the decoder.
    assert!(decode("?s=outbox&embed=compact").state.embed);
    assert!(decode("?s=outbox&embed=full").state.embed);
}
