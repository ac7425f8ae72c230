//! The Bayesian classifier's arithmetic, as SpamBayes, bogofilter and mox do it: Gary
//! Robinson's per-token probability with a prior for rare tokens, and Fisher's method (an
//! inverse chi-square) to combine the most telling tokens into one spam probability, which
//! is then shown as a `BAYES_xx` rule with a weight.
//!
//! - Per token (Robinson, "A Statistical Approach to the Spam Problem", 2003):
//!   `p = (s/S) / (s/S + h/H)` from the spam and ham messages the token was in, then
//!   `f = (STRENGTH·0.5 + n·p) / (STRENGTH + n)` with `n = s + h`, so a token seen once says
//!   little.
//! - Combining (Fisher; SpamBayes `chi2_spamprob`): `S = 1 − C⁻¹(−2 Σ ln(1−f), 2k)`,
//!   `H = 1 − C⁻¹(−2 Σ ln f, 2k)`, spam probability `(1 + S − H) / 2` over the k tokens
//!   whose `f` is furthest from 0.5 (at most [`MAX_CLUES`], only those at least
//!   [`MIN_STRENGTH`] away).

use store::{Classifier, JunkCounts};

use crate::Reason;

/// Robinson's `s`: how strongly the 0.5 prior holds against few observations.
const STRENGTH: f64 = 0.45;
/// Tokens closer to 0.5 than this say nothing and are left out.
const MIN_STRENGTH: f64 = 0.1;
/// At most this many tokens are combined (SpamBayes' `max_discriminators`).
const MAX_CLUES: usize = 150;

/// Robinson's probability that a message with this token is spam.
pub(crate) fn token_probability(token: JunkCounts, totals: JunkCounts) -> f64 {
    let spam_ratio = f64::from(token.spam) / f64::from(totals.spam.max(1));
    let ham_ratio = f64::from(token.ham) / f64::from(totals.ham.max(1));
    let n = f64::from(token.spam) + f64::from(token.ham);
    let p = if spam_ratio + ham_ratio > 0.0 {
        spam_ratio / (spam_ratio + ham_ratio)
    } else {
        0.5
    };
    (STRENGTH * 0.5 + n * p) / (STRENGTH + n)
}

/// The probability that a chi-square variable with `v` (even) degrees of freedom is at
/// least `x2` (SpamBayes `chi2Q`, the series for even degrees of freedom).
pub(crate) fn chi2q(x2: f64, v: usize) -> f64 {
    let m = x2 / 2.0;
    let mut term = (-m).exp();
    let mut sum = term;
    for i in 1..v / 2 {
        term *= m / i as f64;
        sum += term;
    }
    sum.min(1.0)
}

/// Fisher's combination of token probabilities into one spam probability; 0.5 when there
/// is no evidence.
pub(crate) fn combine(probabilities: &[f64]) -> f64 {
    if probabilities.is_empty() {
        return 0.5;
    }
    // Sums of logarithms: the products of hundreds of probabilities would underflow.
    let clamp = |f: f64| f.clamp(1e-6, 1.0 - 1e-6);
    let ln_spam: f64 = probabilities.iter().map(|&f| (1.0 - clamp(f)).ln()).sum();
    let ln_ham: f64 = probabilities.iter().map(|&f| clamp(f).ln()).sum();
    let v = 2 * probabilities.len();
    let s = 1.0 - chi2q(-2.0 * ln_spam, v);
    let h = 1.0 - chi2q(-2.0 * ln_ham, v);
    (1.0 + s - h) / 2.0
}

/// The spam probability of a message by one classifier, or `None` while it has learned
/// fewer than `min_messages` spam or ham messages.
pub(crate) fn classify(classifier: &Classifier, min_messages: u32) -> Option<f64> {
    let totals = classifier.counts;
    if totals.spam < min_messages || totals.ham < min_messages {
        return None;
    }
    let mut clues: Vec<f64> = classifier
        .tokens
        .values()
        .map(|&counts| token_probability(counts, totals))
        .filter(|f| (f - 0.5).abs() >= MIN_STRENGTH)
        .collect();
    clues.sort_by(|a, b| (b - 0.5).abs().total_cmp(&(a - 0.5).abs()));
    clues.truncate(MAX_CLUES);
    Some(combine(&clues))
}

/// The bands a probability is shown in, with their weight (SpamAssassin's names; weights
/// ours, so that a classifier that is sure sends a message to Junk by itself and one that is
/// sure of ham takes points off).
const BANDS: &[(f64, &str, f32)] = &[
    (0.99, "BAYES_99", 5.0),
    (0.95, "BAYES_95", 4.0),
    (0.80, "BAYES_80", 2.5),
    (0.60, "BAYES_60", 1.0),
    (0.40, "BAYES_50", 0.0),
    (0.20, "BAYES_40", 0.0),
    (0.05, "BAYES_20", -0.5),
    (0.01, "BAYES_05", -1.0),
    (0.0, "BAYES_00", -2.0),
];

/// The rule for spam probability `p` found by the `kind` classifier (`account`, `domain`).
pub(crate) fn reason(p: f64, kind: &str) -> Reason {
    let (_, name, weight) = BANDS
        .iter()
        .find(|(floor, _, _)| p >= *floor)
        .copied()
        .unwrap_or(BANDS[BANDS.len() - 1]);
    Reason::new(
        name,
        weight,
        format!("spam probability {p:.3} ({kind} classifier)"),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn counts(spam: u32, ham: u32) -> JunkCounts {
        JunkCounts { spam, ham }
    }

    #[test]
    fn chi2q_matches_known_values() {
        // P(chi-square with 2 degrees of freedom >= x) = e^(-x/2).
        assert!((chi2q(2.0, 2) - (-1.0_f64).exp()).abs() < 1e-12);
        // With 4: e^(-x/2) (1 + x/2).
        assert!((chi2q(3.0, 4) - (-1.5_f64).exp() * 2.5).abs() < 1e-12);
        assert_eq!(chi2q(0.0, 10), 1.0);
    }

    #[test]
    fn token_probability_pulls_rare_tokens_towards_one_half() {
        let totals = counts(100, 100);
        let once = token_probability(counts(1, 0), totals);
        let often = token_probability(counts(50, 0), totals);
        assert!(once > 0.5 && once < often && often < 1.0, "{once} {often}");
        assert!((token_probability(counts(0, 0), totals) - 0.5).abs() < 1e-12);
        assert!(token_probability(counts(0, 40), totals) < 0.05);
    }

    #[test]
    fn combining_is_symmetric_and_decisive() {
        assert_eq!(combine(&[]), 0.5);
        let spammy = combine(&[0.99; 20]);
        let hammy = combine(&[0.01; 20]);
        assert!(spammy > 0.99 && hammy < 0.01, "{spammy} {hammy}");
        assert!((spammy + hammy - 1.0).abs() < 1e-9);
        // Evidence both ways cancels out.
        let mixed = combine(&[0.99, 0.01, 0.99, 0.01]);
        assert!((mixed - 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_classifier_scores_only_once_trained_enough() {
        let tokens: HashMap<String, JunkCounts> = [
            ("viagra", counts(9, 0)),
            ("pills", counts(8, 0)),
            ("cheap", counts(7, 1)),
            ("meeting", counts(0, 1)),
        ]
        .map(|(t, c)| (t.to_string(), c))
        .into();
        let mut classifier = Classifier {
            kind: "account",
            counts: counts(9, 10),
            tokens,
        };
        assert_eq!(classify(&classifier, 10), None);
        classifier.counts = counts(10, 10);
        let p = classify(&classifier, 10).unwrap_or(0.0);
        assert!(p > 0.8, "{p}");
    }

    #[test]
    fn bands_map_probabilities_to_rules() {
        assert_eq!(reason(0.999, "account").rule, "BAYES_99");
        assert_eq!(reason(0.97, "account").rule, "BAYES_95");
        assert_eq!(reason(0.5, "domain").rule, "BAYES_50");
        assert_eq!(reason(0.0, "domain").rule, "BAYES_00");
        assert!(reason(0.0, "domain").score < 0.0);
    }
}
