//! [`JobList`]: the configured [`Item`]s of a service that runs one loop per item
//! (collection jobs, ETRN entries), in config order, replaced by a changed config while
//! running: an item whose settings are unchanged is kept (its loop, schedule and status), the
//! others are stopped and new ones made. Also each item's status and "run now".

use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// A status that shows its item's position in the config.
pub(crate) trait Indexed {
    fn set_index(&mut self, index: usize);
}

/// One configured item with its own loop: its settings, its status, and the loop's signals.
pub(crate) struct Item<C, S> {
    pub config: C,
    status: Mutex<S>,
    /// "Run now" wakes the loop (a permit is kept if it is busy).
    pub wake: Notify,
    /// Cancelled when the item is removed or replaced (and at shutdown).
    pub stop: CancellationToken,
    /// Cancelled when the item's loop has ended (the loop holds its drop guard).
    pub ended: CancellationToken,
}

impl<C, S> Item<C, S> {
    pub fn new(config: C, status: S, stop: CancellationToken) -> Item<C, S> {
        Item {
            config,
            status: Mutex::new(status),
            wake: Notify::new(),
            stop,
            ended: CancellationToken::new(),
        }
    }

    pub fn state(&self) -> MutexGuard<'_, S> {
        lock(&self.status)
    }
}

/// What [`JobList::replace`] changed: the items to start and those it stopped.
pub(crate) struct Replaced<T> {
    pub started: Vec<Arc<T>>,
    pub stopped: Vec<Arc<T>>,
}

/// The items in config order.
pub(crate) struct JobList<C, S> {
    items: Mutex<Vec<Arc<Item<C, S>>>>,
}

impl<C: PartialEq, S: Clone + Indexed> JobList<C, S> {
    pub fn new(items: Vec<Arc<Item<C, S>>>) -> JobList<C, S> {
        JobList {
            items: Mutex::new(items),
        }
    }

    /// One item per entry of `configs`, in config order: `make(index, entry, stop)`, where
    /// `stop` is a child of `shutdown`.
    pub fn from_config(
        configs: &[C],
        shutdown: &CancellationToken,
        make: impl Fn(usize, &C, CancellationToken) -> Item<C, S>,
    ) -> JobList<C, S> {
        let items = configs.iter().enumerate();
        JobList::new(
            items
                .map(|(index, c)| Arc::new(make(index, c, shutdown.child_token())))
                .collect(),
        )
    }

    pub fn all(&self) -> Vec<Arc<Item<C, S>>> {
        lock(&self.items).clone()
    }

    /// Every item's status, in config order.
    pub fn status(&self) -> Vec<S> {
        lock(&self.items)
            .iter()
            .map(|i| i.state().clone())
            .collect()
    }

    /// Wakes item `index`; `false` when there is no such item.
    pub fn run_now(&self, index: usize) -> bool {
        match lock(&self.items).get(index) {
            Some(item) => {
                item.wake.notify_one();
                true
            }
            None => false,
        }
    }

    /// The items for `configs`: unchanged ones kept (re-indexed), the others made by `make`
    /// (index, config); items no longer wanted are stopped.
    pub fn replace<'c>(
        &self,
        configs: impl IntoIterator<Item = &'c C>,
        mut make: impl FnMut(usize, &C) -> Item<C, S>,
    ) -> Replaced<Item<C, S>>
    where
        C: 'c,
    {
        let mut started = Vec::new();
        let stopped: Vec<Arc<Item<C, S>>> = {
            let mut items = lock(&self.items);
            let mut old: Vec<Option<Arc<Item<C, S>>>> = items.drain(..).map(Some).collect();
            for (index, config) in configs.into_iter().enumerate() {
                let same = old
                    .iter_mut()
                    .find(|i| i.as_ref().is_some_and(|i| i.config == *config))
                    .and_then(Option::take);
                let item = match same {
                    Some(item) => {
                        item.state().set_index(index);
                        item
                    }
                    None => {
                        let item = Arc::new(make(index, config));
                        started.push(item.clone());
                        item
                    }
                };
                items.push(item);
            }
            old.into_iter().flatten().collect()
        };
        for item in &stopped {
            item.stop.cancel();
        }
        Replaced { started, stopped }
    }
}

/// A lock whose holder panicked still gives usable data.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use tokio_util::sync::CancellationToken;

    use super::{Indexed, Item, JobList};

    type Status = (usize, &'static str);

    impl Indexed for Status {
        fn set_index(&mut self, index: usize) {
            self.0 = index;
        }
    }

    fn item(index: usize, config: &&'static str) -> Item<&'static str, Status> {
        Item::new(config, (index, config), CancellationToken::new())
    }

    #[test]
    fn unchanged_items_are_kept_and_reindexed_the_rest_replaced() {
        let list = JobList::new(Vec::new());
        let first = list.replace(&["a", "b", "c"], item);
        assert_eq!(first.started.len(), 3);
        let (a, b) = (first.started[0].clone(), first.started[1].clone());
        // "b" kept (moves to 0), "c" edited into "d", "a" removed; a second "b" is new.
        let second = list.replace(&["b", "d", "b"], item);
        assert!(std::sync::Arc::ptr_eq(&list.all()[0], &b));
        assert_eq!(list.status(), [(0, "b"), (1, "d"), (2, "b")]);
        let started: Vec<_> = second.started.iter().map(|i| i.config).collect();
        assert_eq!(started, ["d", "b"]);
        let stopped: Vec<_> = second.stopped.iter().map(|i| i.config).collect();
        assert_eq!(stopped, ["a", "c"]);
        assert!(a.stop.is_cancelled() && !b.stop.is_cancelled());
        assert!(list.run_now(2) && !list.run_now(3));
    }
}
