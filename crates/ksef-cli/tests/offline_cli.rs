//! `ksef offline deadline` and `ksef calendar`: run the built binary, check stdout,
//! stderr and the exit codes (0 ok, 1 invalid input / "no", 2 usage).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn ksef(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_ksef"))
        .args(args)
        .output()
        .expect("run ksef");
    Run {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

#[test]
fn deadline_per_mode() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--mode", "offline24", "--issued", "2025-07-08"],
            "2025-07-09\n",
        ),
        (
            &["--mode", "offline24", "--issued", "2025-12-23"],
            "2025-12-29\n",
        ),
        (
            &["--mode", "offline24", "--issued", "2025-11-10"],
            "2025-11-12\n",
        ),
        (
            &[
                "--mode",
                "unavailability",
                "--issued",
                "2025-07-10",
                "--ended",
                "2025-07-11",
            ],
            "2025-07-14\n",
        ),
        // DIGEST §15 example: failure ended Sat 2025-07-12 -> Tue 2025-07-22.
        (
            &[
                "--mode",
                "emergency",
                "--issued",
                "2025-07-08",
                "--ended",
                "2025-07-12",
            ],
            "2025-07-22\n",
        ),
        (
            &[
                "--mode",
                "emergency",
                "--issued",
                "2025-12-22",
                "--ended",
                "2025-12-23",
            ],
            "2026-01-08\n",
        ),
    ];
    for (args, expected) in cases {
        let mut full = vec!["offline", "deadline"];
        full.extend_from_slice(args);
        let r = ksef(&full);
        assert_eq!(r.code, 0, "{full:?}: {}", r.stderr);
        assert_eq!(r.stdout, *expected, "{full:?}");
    }
}

#[test]
fn deadline_usage_and_input_errors() {
    // --ended missing for a mode that needs it: usage (2), with a clear message.
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "emergency",
        "--issued",
        "2025-07-08",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("--mode emergency needs --ended"),
        "{}",
        r.stderr
    );
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "unavailability",
        "--issued",
        "2025-07-08",
    ]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("the day the unavailability ended"),
        "{}",
        r.stderr
    );
    // --ended given to offline24: usage.
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "offline24",
        "--issued",
        "2025-07-08",
        "--ended",
        "2025-07-09",
    ]);
    assert_eq!(r.code, 2);
    // Unknown mode, missing --issued: clap usage errors.
    assert_eq!(
        ksef(&[
            "offline",
            "deadline",
            "--mode",
            "x",
            "--issued",
            "2025-07-08"
        ])
        .code,
        2
    );
    assert_eq!(
        ksef(&["offline", "deadline", "--mode", "offline24"]).code,
        2
    );
    // Invalid dates: invalid input (1), specific message, nothing on stdout.
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "offline24",
        "--issued",
        "2025-02-30",
    ]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "");
    assert!(
        r.stderr.contains("2025-02-30 is not a valid date"),
        "{}",
        r.stderr
    );
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "emergency",
        "--issued",
        "2025-07-08",
        "--ended",
        "12.07.2025",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("is not a date in YYYY-MM-DD format"),
        "{}",
        r.stderr
    );
    // The failure cannot end before the invoice was issued.
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "emergency",
        "--issued",
        "2025-07-08",
        "--ended",
        "2025-07-01",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("before the invoice was issued"),
        "{}",
        r.stderr
    );
    // Out of the supported range.
    let r = ksef(&[
        "offline",
        "deadline",
        "--mode",
        "offline24",
        "--issued",
        "2009-07-08",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("outside the supported range"),
        "{}",
        r.stderr
    );
}

#[test]
fn holidays_of_a_year() {
    let r = ksef(&["calendar", "holidays", "2026"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let expected = "\
2026-01-01 Nowy Rok
2026-01-06 Święto Trzech Króli
2026-04-05 pierwszy dzień Wielkiej Nocy
2026-04-06 drugi dzień Wielkiej Nocy
2026-05-01 Święto Państwowe
2026-05-03 Święto Narodowe Trzeciego Maja
2026-05-24 pierwszy dzień Zielonych Świątek
2026-06-04 dzień Bożego Ciała
2026-08-15 Wniebowzięcie Najświętszej Maryi Panny
2026-11-01 Wszystkich Świętych
2026-11-11 Narodowe Święto Niepodległości
2026-12-24 Wigilia Bożego Narodzenia
2026-12-25 pierwszy dzień Bożego Narodzenia
2026-12-26 drugi dzień Bożego Narodzenia
";
    assert_eq!(r.stdout, expected);
    // 2024: no Christmas Eve.
    let r = ksef(&["calendar", "holidays", "2024"]);
    assert_eq!(r.code, 0);
    assert_eq!(r.stdout.lines().count(), 13);
    assert!(!r.stdout.contains("2024-12-24"));
    for bad in ["2010", "2200", "abc", "-5"] {
        let r = ksef(&["calendar", "holidays", bad]);
        assert_eq!(r.code, 1, "{bad}");
        assert_eq!(r.stdout, "");
    }
    assert_eq!(ksef(&["calendar", "holidays"]).code, 2);
}

#[test]
fn business_day_answers() {
    let r = ksef(&["calendar", "business-day", "2025-07-08"]);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "2025-07-08 is a business day (Tuesday)\n")
    );
    let r = ksef(&["calendar", "business-day", "2025-07-12"]);
    assert_eq!(r.code, 1);
    assert_eq!(r.stdout, "2025-07-12 is not a business day: Saturday\n");
    let r = ksef(&["calendar", "business-day", "2025-07-13"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.ends_with("Sunday\n"));
    let r = ksef(&["calendar", "business-day", "2025-12-24"]);
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stdout,
        "2025-12-24 is not a business day: public holiday Wigilia Bożego Narodzenia (Christmas Eve)\n"
    );
    // 24 December 2024 was a working Tuesday.
    assert_eq!(ksef(&["calendar", "business-day", "2024-12-24"]).code, 0);
    let r = ksef(&["calendar", "business-day", "2025-02-30"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("2025-02-30 is not a valid date"));
    assert_eq!(ksef(&["calendar", "business-day"]).code, 2);
}
