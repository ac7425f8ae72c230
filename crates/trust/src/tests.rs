//! The decision from reasons: refusals forced by one finding win, then the score.

use crate::*;

fn config() -> config::Filter {
    config::Filter::default()
}

fn refuse(code: u16, status: &'static str) -> Force {
    Force::Refuse(Refusal {
        code,
        status,
        text: "no".to_string(),
    })
}

#[test]
fn the_score_decides_between_inbox_junk_and_refusal() {
    let cases: &[(&[f32], &str)] = &[
        (&[], "deliver"),
        (&[1.0, 2.0], "deliver"),
        (&[3.0, 2.0], "junk"),
        (&[10.0, 5.0], "refuse"),
        (&[20.0, -10.0], "junk"),
    ];
    for (scores, expected) in cases {
        let reasons = scores
            .iter()
            .enumerate()
            .map(|(i, s)| Reason::new(format!("R{i}"), *s, ""))
            .collect();
        let verdict = Trust::decide(&config(), reasons);
        let got = match verdict.action {
            Action::Deliver => "deliver",
            Action::Junk => "junk",
            Action::Refuse(ref r) => {
                assert_eq!((r.code, r.status), (550, "5.7.1"));
                "refuse"
            }
        };
        assert_eq!(got, *expected, "{scores:?}: {verdict}");
    }
}

#[test]
fn a_forced_refusal_wins_and_a_permanent_one_before_a_temporary_one() {
    let reasons = vec![
        Reason::new("CLAMD_DOWN", 0.0, "").forcing(refuse(451, "4.7.1")),
        Reason::new("ALLOWLISTED", -100.0, ""),
        Reason::new("DMARC_REJECT", 0.0, "").forcing(refuse(550, "5.7.1")),
    ];
    let verdict = Trust::decide(&config(), reasons);
    assert!(matches!(verdict.action, Action::Refuse(ref r) if r.code == 550));
}

#[test]
fn forced_junk_applies_below_the_junk_score() {
    let reasons = vec![Reason::new("DMARC_QUARANTINE", 0.0, "").forcing(Force::Junk)];
    assert_eq!(Trust::decide(&config(), reasons).action, Action::Junk);
}

#[test]
fn spam_status_names_the_rules_in_spamassassins_shape() {
    let verdict = Trust::decide(
        &config(),
        vec![
            Reason::new("BAYES_95", 4.0, ""),
            Reason::new("DNSBL_X", 3.2, ""),
        ],
    );
    assert_eq!(
        verdict.spam_status(&config()),
        "X-Spam-Status: Yes, score=7.2 required=5 tests=BAYES_95,DNSBL_X"
    );
}
