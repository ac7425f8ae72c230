use super::*;

/// A message: Message-ID, References, subject as sent, sent date.
fn msg(id: &str, refs: &[&str], subject: &str, sent: i64) -> Fields {
    let (subject, reply) = super::super::headers::base_subject(subject);
    Fields {
        subject,
        reply,
        sent,
        message_id: (!id.is_empty()).then(|| id.to_string()),
        references: refs.iter().map(|r| r.to_string()).collect(),
        ..Fields::default()
    }
}

fn numbers(n: usize) -> Vec<u32> {
    (1..=n as u32).collect()
}

#[test]
fn references_builds_the_reply_tree() {
    let fields = [
        msg("a", &[], "Plan", 10),
        msg("b", &["a"], "Re: Plan", 20),
        msg("c", &["a", "b"], "Re: Plan", 30),
        msg("d", &["a"], "Re: Plan", 25),
        msg("e", &[], "Other", 5),
    ];
    // 1 has two children (2 with its child 3, then 4); 5 is older, so first.
    assert_eq!(references(&fields, &numbers(5)), "(5)(1 (2 3)(4))");
}

#[test]
fn a_missing_parent_becomes_a_dummy_that_is_pruned_or_kept() {
    // Two replies to a message not in the mailbox: a dummy at the top with two children
    // stays (step 3), rendered as a thread without a parent.
    let two = [
        msg("b", &["gone"], "Re: Lunch", 20),
        msg("c", &["gone"], "Re: Lunch", 10),
    ];
    assert_eq!(references(&two, &numbers(2)), "((2)(1))");
    // One reply to a missing message: the dummy goes and the reply is a root.
    let one = [msg("b", &["gone", "also-gone"], "Re: Lunch", 20)];
    assert_eq!(references(&one, &numbers(1)), "(1)");
}

#[test]
fn threads_with_the_same_base_subject_merge() {
    // 1 "Trip" and 2 "Re: Trip" without references: the reply goes under the original
    // (step 5C). 3 and 4 are both originals named "Notes": a dummy takes both.
    let fields = [
        msg("a", &[], "Trip", 10),
        msg("b", &[], "Re: Trip", 20),
        msg("c", &[], "Notes", 30),
        msg("d", &[], "notes", 40),
    ];
    assert_eq!(references(&fields, &numbers(4)), "(1 2)((3)(4))");
    // A dummy (two replies to a missing message) absorbs an original with that subject.
    let fields = [
        msg("x", &["gone"], "Re: Lunch", 20),
        msg("y", &["gone"], "Re: Lunch", 30),
        msg("z", &[], "Lunch", 5),
    ];
    assert_eq!(references(&fields, &numbers(3)), "((3)(1)(2))");
}

#[test]
fn duplicate_ids_loops_and_missing_ids_do_not_break_the_tree() {
    let fields = [
        msg("a", &["b"], "One", 10),
        // References its own child: the link would loop and is not made.
        msg("b", &["a"], "Two", 20),
        // The same Message-ID again: a message of its own.
        msg("a", &[], "Three", 30),
        msg("", &[], "Four", 40),
    ];
    assert_eq!(references(&fields, &numbers(4)), "(2 1)(3)(4)");
}

#[test]
fn ordered_subject_groups_by_base_subject() {
    let fields = [
        msg("", &[], "Re: Budget", 30),
        msg("", &[], "Budget", 10),
        msg("", &[], "Party", 5),
        msg("", &[], "Fwd: budget", 20),
        msg("", &[], "Re: Party", 50),
    ];
    assert_eq!(
        ordered_subject(&fields, &[1, 2, 3, 4, 5]),
        "(3 5)(2 (4)(1))"
    );
}

#[test]
fn a_long_reply_chain_does_not_recurse() {
    let ids: Vec<String> = (0..5_000).map(|i| format!("m{i}")).collect();
    let fields: Vec<Fields> = (0..ids.len())
        .map(|i| {
            let refs: Vec<&str> = if i == 0 { vec![] } else { vec![&ids[i - 1]] };
            msg(&ids[i], &refs, "Chain", i as i64)
        })
        .collect();
    let out = references(&fields, &numbers(fields.len()));
    assert!(out.starts_with("(1 2 3 ") && out.ends_with(" 5000)"));
}

#[test]
fn hostile_references_are_bounded_and_never_loop() {
    // Message 0 heads a chain of 3,000 replies; then 200 messages each name the chain's
    // deepest message and its root, which would be a loop: every one is checked, never
    // linked, and the walk for each is bounded.
    let ids: Vec<String> = (0..3_000).map(|i| format!("c{i}")).collect();
    let mut fields: Vec<Fields> = (0..ids.len())
        .map(|i| {
            let refs: Vec<&str> = if i == 0 { vec![] } else { vec![&ids[i - 1]] };
            msg(&ids[i], &refs, "Chain", i as i64)
        })
        .collect();
    let last = ids[ids.len() - 1].as_str();
    let refs: Vec<&str> = std::iter::repeat_n([last, "c0"], 50).flatten().collect();
    for k in 0..200 {
        fields.push(msg(&format!("x{k}"), &refs, "Other", 10_000 + k));
    }
    let out = references(&fields, &numbers(fields.len()));
    // Every message is in the answer exactly once.
    let mut seen: Vec<u32> = out
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    seen.sort_unstable();
    assert_eq!(seen, (1..=fields.len() as u32).collect::<Vec<_>>());
}
