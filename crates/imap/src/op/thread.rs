//! THREAD and UID THREAD (RFC 5256 §3): ORDEREDSUBJECT and REFERENCES. Trees are kept in
//! an arena and walked without recursion, so a long reply chain cannot exhaust the stack.

use std::collections::HashMap;

use proto::imap::{SearchKey, ThreadAlgorithm, response};

use super::cpu;
use super::headers::Fields;
use crate::session::{End, Session};

/// The deepest a thread grows: past it, a message is not linked below (see
/// `Forest::is_ancestor_or_self`). Reply chains in real mail are far shallower.
const MAX_WALK: usize = 1000;

/// A node: a message (its position among the searched messages) or a dummy.
#[derive(Debug, Default, Clone)]
struct Node {
    msg: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
}

struct Forest<'a> {
    nodes: Vec<Node>,
    fields: &'a [Fields],
}

impl Forest<'_> {
    fn add(&mut self, msg: Option<usize>) -> usize {
        self.nodes.push(Node {
            msg,
            ..Node::default()
        });
        self.nodes.len() - 1
    }

    /// Whether `a` is `b` or an ancestor of `b`: linking `a` under `b` would make a loop.
    /// The walk up from `b` stops after [`MAX_WALK`] steps and then answers yes (do not
    /// link): References chains could otherwise make every link walk the whole depth, which
    /// an outside sender can grow with each message.
    fn is_ancestor_or_self(&self, a: usize, mut b: usize) -> bool {
        // A node without children is nobody's ancestor: the common case (a new message, a
        // new dummy) needs no walk.
        if self.nodes[a].children.is_empty() {
            return a == b;
        }
        for _ in 0..MAX_WALK {
            if a == b {
                return true;
            }
            match self.nodes[b].parent {
                Some(p) => b = p,
                None => return false,
            }
        }
        true
    }

    fn unlink(&mut self, child: usize) {
        if let Some(p) = self.nodes[child].parent.take() {
            self.nodes[p].children.retain(|&c| c != child);
        }
    }

    fn link(&mut self, parent: usize, child: usize) {
        self.unlink(child);
        self.nodes[child].parent = Some(parent);
        self.nodes[parent].children.push(child);
    }

    /// RFC 5256 §2.2 sent date, ties by message number; a dummy sorts as its first child.
    fn key(&self, mut n: usize) -> (i64, usize) {
        loop {
            match (self.nodes[n].msg, self.nodes[n].children.first()) {
                (Some(m), _) => return (self.fields[m].sent, m),
                (None, Some(&c)) => n = c,
                (None, None) => return (i64::MIN, 0),
            }
        }
    }

    fn sort(&self, list: &mut [usize]) {
        list.sort_by_key(|&n| self.key(n));
    }

    /// The base subject of a thread: its message's, or its first child's for a dummy.
    fn subject(&self, n: usize) -> &str {
        let m = self.nodes[n].msg.or_else(|| {
            self.nodes[n]
                .children
                .first()
                .and_then(|&c| self.nodes[c].msg)
        });
        m.map_or("", |m| self.fields[m].subject.as_str())
    }

    /// Every node below `roots`, parents before children.
    fn preorder(&self, roots: &[usize]) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack: Vec<usize> = roots.iter().rev().copied().collect();
        while let Some(n) = stack.pop() {
            out.push(n);
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out
    }

    /// RFC 5256 §3 REFERENCES step 3: dummies without children go; a dummy's children take
    /// its place, except that a dummy at the top with several children stays.
    fn prune(&mut self, roots: Vec<usize>) -> Vec<usize> {
        for n in self.preorder(&roots).into_iter().rev() {
            let children = std::mem::take(&mut self.nodes[n].children);
            let spliced = self.splice(children, false);
            for &c in &spliced {
                self.nodes[c].parent = Some(n);
            }
            self.nodes[n].children = spliced;
        }
        let roots = self.splice(roots, true);
        for &r in &roots {
            self.nodes[r].parent = None;
        }
        roots
    }

    fn splice(&self, list: Vec<usize>, top: bool) -> Vec<usize> {
        let mut out = Vec::new();
        for c in list {
            let node = &self.nodes[c];
            if node.msg.is_some() || (top && node.children.len() > 1) {
                out.push(c);
            } else {
                out.extend(node.children.iter().copied());
            }
        }
        out
    }

    /// `(a b (c)(d e))`: RFC 5256 §4 thread-list, one per root.
    fn render(&self, roots: &[usize], numbers: &[u32]) -> String {
        enum Step {
            Node(usize),
            Text(&'static str),
        }
        let mut out = String::new();
        for &root in roots {
            let mut stack = vec![Step::Text(")"), Step::Node(root), Step::Text("(")];
            while let Some(step) = stack.pop() {
                let n = match step {
                    Step::Text(t) => {
                        out.push_str(t);
                        continue;
                    }
                    Step::Node(n) => n,
                };
                let node = &self.nodes[n];
                if let Some(m) = node.msg {
                    out.push_str(&numbers[m].to_string());
                }
                match node.children.as_slice() {
                    [] => {}
                    [only] => {
                        if node.msg.is_some() {
                            out.push(' ');
                        }
                        stack.push(Step::Node(*only));
                    }
                    many => {
                        if node.msg.is_some() {
                            out.push(' ');
                        }
                        for &c in many.iter().rev() {
                            stack.extend([Step::Text(")"), Step::Node(c), Step::Text("(")]);
                        }
                    }
                }
            }
        }
        out
    }
}

/// RFC 5256 §3 ORDEREDSUBJECT: messages grouped by base subject; in each group the first
/// (by sent date) is the parent of all the others; groups ordered by their first message.
fn ordered_subject(fields: &[Fields], numbers: &[u32]) -> String {
    let mut order: Vec<usize> = (0..fields.len()).collect();
    order.sort_by(|&a, &b| {
        (&fields[a].subject, fields[a].sent, a).cmp(&(&fields[b].subject, fields[b].sent, b))
    });
    let mut forest = Forest {
        nodes: Vec::new(),
        fields,
    };
    let mut roots: Vec<usize> = Vec::new();
    let mut last: Option<(usize, &str)> = None;
    for m in order {
        let n = forest.add(Some(m));
        match last {
            Some((root, subject)) if subject == fields[m].subject => forest.link(root, n),
            _ => {
                roots.push(n);
                last = Some((n, &fields[m].subject));
            }
        }
    }
    forest.sort(&mut roots);
    forest.render(&roots, numbers)
}

/// RFC 5256 §3 REFERENCES, steps 1 to 6.
fn references(fields: &[Fields], numbers: &[u32]) -> String {
    let mut forest = Forest {
        nodes: Vec::new(),
        fields,
    };
    let mut ids: HashMap<&str, usize> = HashMap::new();
    for (m, f) in fields.iter().enumerate() {
        // (1) A message without a Message-ID, or repeating an earlier one, gets a node of
        // its own; a dummy made for the ID by an earlier reference becomes this message.
        let me = match f.message_id.as_deref() {
            Some(id) => match ids.get(id) {
                Some(&n) if forest.nodes[n].msg.is_none() => {
                    forest.nodes[n].msg = Some(m);
                    n
                }
                Some(_) => forest.add(Some(m)),
                None => {
                    let n = forest.add(Some(m));
                    ids.insert(id, n);
                    n
                }
            },
            None => forest.add(Some(m)),
        };
        // (1A) Link the references in a chain, never replacing a parent, never a loop.
        let mut prev: Option<usize> = None;
        for r in &f.references {
            let n = match ids.get(r.as_str()) {
                Some(&n) => n,
                None => {
                    let n = forest.add(None);
                    ids.insert(r, n);
                    n
                }
            };
            if let Some(p) = prev
                && forest.nodes[n].parent.is_none()
                && !forest.is_ancestor_or_self(n, p)
            {
                forest.link(p, n);
            }
            prev = Some(n);
        }
        // (1B) The last reference is the parent, replacing any (a truncated References
        // elsewhere), unless that would loop; no references: no parent.
        forest.unlink(me);
        if let Some(p) = prev
            && !forest.is_ancestor_or_self(me, p)
        {
            forest.link(p, me);
        }
    }
    // (2) The roots; (3) pruned; (4) sorted (a dummy by its sorted children).
    let roots: Vec<usize> = (0..forest.nodes.len())
        .filter(|&n| forest.nodes[n].parent.is_none())
        .collect();
    let mut roots = forest.prune(roots);
    for &r in &roots {
        if forest.nodes[r].msg.is_none() {
            let mut children = std::mem::take(&mut forest.nodes[r].children);
            forest.sort(&mut children);
            forest.nodes[r].children = children;
        }
    }
    forest.sort(&mut roots);
    let roots = merge_subjects(&mut forest, roots);
    // (6) Every set of siblings by sent date, children before parents (a dummy's key is
    // its first child).
    for n in forest.preorder(&roots).into_iter().rev() {
        let mut children = std::mem::take(&mut forest.nodes[n].children);
        forest.sort(&mut children);
        forest.nodes[n].children = children;
    }
    let mut roots = roots;
    forest.sort(&mut roots);
    forest.render(&roots, numbers)
}

/// RFC 5256 §3 REFERENCES step 5: threads at the top with the same base subject merge.
fn merge_subjects(forest: &mut Forest, roots: Vec<usize>) -> Vec<usize> {
    let is_dummy = |f: &Forest, n: usize| f.nodes[n].msg.is_none();
    let is_reply = |f: &Forest, n: usize| f.nodes[n].msg.is_some_and(|m| f.fields[m].reply);
    // (5B) One thread per subject: a dummy is preferred, then a message that is not a reply.
    let mut table: HashMap<String, usize> = HashMap::new();
    for &r in &roots {
        let subject = forest.subject(r).to_string();
        if subject.is_empty() {
            continue;
        }
        match table.get(&subject) {
            None => {
                table.insert(subject, r);
            }
            Some(&t)
                if !is_dummy(forest, t)
                    && (is_dummy(forest, r) || (is_reply(forest, t) && !is_reply(forest, r))) =>
            {
                table.insert(subject, r);
            }
            Some(_) => {}
        }
    }
    // (5C) Merge the others into it. `gone` marks the roots merged away (removed from the
    // list at the end, not one by one).
    let mut out = roots.clone();
    let mut gone = vec![false; forest.nodes.len()];
    let mut replaced: HashMap<usize, usize> = HashMap::new();
    for r in roots {
        let subject = forest.subject(r).to_string();
        let Some(&t) = table.get(&subject) else {
            continue;
        };
        // A thread already moved under another one is not merged twice.
        if subject.is_empty() || t == r || forest.nodes[r].parent.is_some() {
            continue;
        }
        if is_dummy(forest, t) && is_dummy(forest, r) {
            for c in std::mem::take(&mut forest.nodes[r].children) {
                forest.nodes[c].parent = None;
                forest.link(t, c);
            }
        } else if is_dummy(forest, t) || (is_reply(forest, r) && !is_reply(forest, t)) {
            forest.link(t, r);
        } else {
            let d = forest.add(None);
            gone.push(false);
            // The dummy takes the place of `t` among the roots.
            replaced.insert(t, d);
            forest.link(d, t);
            forest.link(d, r);
            table.insert(subject, d);
        }
        gone[r] = true;
    }
    out.retain(|&n| !gone[n]);
    for slot in &mut out {
        while let Some(&d) = replaced.get(slot) {
            *slot = d;
        }
    }
    out
}

impl Session {
    pub(crate) async fn handle_thread(
        &mut self,
        tag: &str,
        uid: bool,
        algorithm: ThreadAlgorithm,
        charset: String,
        key: SearchKey,
    ) -> Result<(), End> {
        let Some(indexes) = self.sort_search(tag, &charset, &key).await? else {
            return Ok(());
        };
        let fields = match self.fields(&indexes).await {
            Ok(f) => f,
            Err(e) => return self.search_failed(tag, e).await,
        };
        let numbers: Vec<u32> = indexes.iter().map(|&i| self.number(i, uid)).collect();
        // Threading is CPU work on the blocking pool (`cpu.rs`).
        let threads = match cpu::run(move || match algorithm {
            ThreadAlgorithm::OrderedSubject => ordered_subject(&fields, &numbers),
            ThreadAlgorithm::References => references(&fields, &numbers),
        })
        .await
        {
            Ok(t) => t,
            Err(e) => return self.search_failed(tag, e.into()).await,
        };
        // RFC 5256 §4: `THREAD [SP 1*thread-list]`.
        let line = if threads.is_empty() {
            "THREAD".to_string()
        } else {
            format!("THREAD {threads}")
        };
        response::untagged(&mut self.shell.wbuf, &line);
        self.catch_up(uid).await;
        self.ok(tag, "THREAD completed");
        Ok(())
    }
}

#[cfg(test)]
mod tests;
