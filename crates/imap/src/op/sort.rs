//! SORT and UID SORT (RFC 5256 §3), DISPLAYFROM/DISPLAYTO (RFC 5957 §3), and ESORT's
//! RETURN options (RFC 5267 §3).

use std::cmp::Ordering;

use proto::imap::{SearchKey, SearchReturn, SortCriterion, SortKey, response};
use store::MessageMeta;

use super::cpu;
use super::headers::Fields;
use crate::session::{End, Session};

/// RFC 5256 §3: FROM, TO and CC sort by the addr-mailbox (local part) of the first address,
/// compared with i;ascii-casemap.
fn mailbox_part(addr: &(String, String)) -> String {
    let spec = &addr.1;
    spec.split_once('@')
        .map_or(spec.as_str(), |(local, _)| local)
        .to_ascii_uppercase()
}

/// RFC 5957 §3: the display name if there is one, else the addr-spec; i;unicode-casemap.
fn display(addr: &(String, String)) -> String {
    if addr.0.is_empty() {
        addr.1.to_uppercase()
    } else {
        addr.0.to_uppercase()
    }
}

/// One criterion on two messages (metadata, and header fields when a key needs them).
fn compare_by(key: SortKey, a: (&MessageMeta, &Fields), b: (&MessageMeta, &Fields)) -> Ordering {
    match key {
        SortKey::Arrival => a.0.internal_date.cmp(&b.0.internal_date),
        SortKey::Size => a.0.size.cmp(&b.0.size),
        SortKey::Date => a.1.sent.cmp(&b.1.sent),
        SortKey::Subject => a.1.subject.cmp(&b.1.subject),
        SortKey::From => mailbox_part(&a.1.from).cmp(&mailbox_part(&b.1.from)),
        SortKey::To => mailbox_part(&a.1.to).cmp(&mailbox_part(&b.1.to)),
        SortKey::Cc => mailbox_part(&a.1.cc).cmp(&mailbox_part(&b.1.cc)),
        SortKey::DisplayFrom => display(&a.1.from).cmp(&display(&b.1.from)),
        SortKey::DisplayTo => display(&a.1.to).cmp(&display(&b.1.to)),
    }
}

/// The order of `metas` (positions into it) under `criteria`. RFC 5256 §3: messages equal
/// under every criterion keep their mailbox order (the sort is stable, `metas` in order).
pub(crate) fn sort_order(
    criteria: &[SortCriterion],
    metas: &[&MessageMeta],
    fields: &[Fields],
) -> Vec<usize> {
    let empty = Fields::default();
    let field = |i: usize| fields.get(i).unwrap_or(&empty);
    let mut order: Vec<usize> = (0..metas.len()).collect();
    order.sort_by(|&a, &b| {
        criteria
            .iter()
            .map(|c| {
                let o = compare_by(c.key, (metas[a], field(a)), (metas[b], field(b)));
                if c.reverse { o.reverse() } else { o }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    order
}

impl Session {
    pub(crate) async fn handle_sort(
        &mut self,
        tag: &str,
        uid: bool,
        ret: Option<Vec<SearchReturn>>,
        criteria: Vec<SortCriterion>,
        charset: String,
        key: SearchKey,
    ) -> Result<(), End> {
        let Some(indexes) = self.sort_search(tag, &charset, &key).await? else {
            return Ok(());
        };
        let headers = criteria
            .iter()
            .any(|c| !matches!(c.key, SortKey::Arrival | SortKey::Size));
        let fields = if headers {
            match self.fields(&indexes).await {
                Ok(f) => f,
                Err(e) => return self.search_failed(tag, e).await,
            }
        } else {
            Vec::new()
        };
        let Some(sel) = self.selected.as_ref() else {
            return Ok(());
        };
        let metas: Vec<MessageMeta> = indexes.iter().map(|&i| sel.messages[i].clone()).collect();
        // Sorting is CPU work on the blocking pool (`cpu.rs`).
        let order = cpu::run(move || {
            let metas: Vec<&MessageMeta> = metas.iter().collect();
            sort_order(&criteria, &metas, &fields)
        })
        .await;
        let order = match order {
            Ok(o) => o,
            Err(e) => return self.search_failed(tag, e.into()).await,
        };
        let sorted: Vec<u32> = order
            .into_iter()
            .map(|k| self.number(indexes[k], uid))
            .collect();
        let line = match ret {
            Some(options) => esort_line(tag, uid, &options, &sorted),
            None => {
                let mut line = "SORT".to_string();
                for n in &sorted {
                    line.push_str(&format!(" {n}"));
                }
                line
            }
        };
        response::untagged(&mut self.shell.wbuf, &line);
        self.catch_up(uid).await;
        self.ok(tag, "SORT completed");
        Ok(())
    }
}

/// RFC 5267 §3.2: ESEARCH for a SORT with RETURN. MIN and MAX are the first and last in sort
/// order; ALL lists every number in sort order, a run of consecutive ascending numbers as
/// one range (`1:5`, as Dovecot writes it; a range never reorders).
fn esort_line(tag: &str, uid: bool, options: &[SearchReturn], sorted: &[u32]) -> String {
    let mut line = format!("ESEARCH (TAG {})", response::quote(tag));
    if uid {
        line.push_str(" UID");
    }
    for o in options {
        match o {
            SearchReturn::Min => {
                if let Some(v) = sorted.first() {
                    line.push_str(&format!(" MIN {v}"));
                }
            }
            SearchReturn::Max => {
                if let Some(v) = sorted.last() {
                    line.push_str(&format!(" MAX {v}"));
                }
            }
            SearchReturn::Count => line.push_str(&format!(" COUNT {}", sorted.len())),
            SearchReturn::All => {
                if !sorted.is_empty() {
                    line.push_str(&format!(" ALL {}", ordered_set(sorted)));
                }
            }
        }
    }
    line
}

/// `numbers` in their order, each run `n, n+1, ..., m` as `n:m`.
fn ordered_set(numbers: &[u32]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < numbers.len() {
        let mut j = i;
        while j + 1 < numbers.len() && numbers[j].checked_add(1) == Some(numbers[j + 1]) {
            j += 1;
        }
        parts.push(if j > i {
            format!("{}:{}", numbers[i], numbers[j])
        } else {
            numbers[i].to_string()
        });
        i = j + 1;
    }
    parts.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(uid: u32, date: i64, size: u64) -> MessageMeta {
        MessageMeta {
            uid,
            modseq: 1,
            flags: vec![],
            internal_date: date,
            size,
        }
    }

    #[test]
    fn ties_keep_mailbox_order_and_reverse_applies_per_key() {
        let metas = [meta(1, 10, 5), meta(2, 10, 7), meta(3, 5, 5)];
        let refs: Vec<&MessageMeta> = metas.iter().collect();
        let by = |reverse, key| SortCriterion { reverse, key };
        assert_eq!(
            sort_order(&[by(false, SortKey::Arrival)], &refs, &[]),
            vec![2, 0, 1]
        );
        assert_eq!(
            sort_order(&[by(true, SortKey::Arrival)], &refs, &[]),
            vec![0, 1, 2]
        );
        assert_eq!(
            sort_order(
                &[by(false, SortKey::Size), by(true, SortKey::Arrival)],
                &refs,
                &[]
            ),
            vec![0, 2, 1]
        );
        assert_eq!(
            esort_line(
                "t",
                true,
                &[SearchReturn::Min, SearchReturn::All],
                &[3, 1, 2]
            ),
            "ESEARCH (TAG \"t\") UID MIN 3 ALL 3,1:2"
        );
        assert_eq!(ordered_set(&[1, 2, 3, 4, 5]), "1:5");
        assert_eq!(ordered_set(&[5, 4, 7, 8, 1]), "5,4,7:8,1");
    }
}
