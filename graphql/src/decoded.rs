//! The last event payload a subscription decoded, kept for the next subscriber.
//! A tenant's subscribers receive each event one after another (the feed hands
//! every one of them the same `Arc<Event>`), so with a memo of one entry per
//! payload type all but the first subscriber clone the decoded value instead of
//! deserializing the JSON payload again (its ids, its timestamps). Keyed by the
//! event's id, which is unique, so a value never answers for another event;
//! failures are not kept.

use std::sync::Mutex;

use berth_core::ids::EventId;

/// One decoded payload of type `T`, by event id.
#[derive(Debug, Default)]
pub struct LastDecoded<T>(Mutex<Option<(EventId, T)>>);

impl<T: Clone> LastDecoded<T> {
    /// An empty memo (for a `static`).
    pub const fn new() -> Self {
        Self(Mutex::new(None))
    }

    /// The payload of event `id`: the memo's when it holds that event, otherwise
    /// `decode`'s answer, kept when it succeeded.
    pub fn get_or<E>(&self, id: EventId, decode: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
        if let Ok(memo) = self.0.lock()
            && let Some((kept, value)) = memo.as_ref()
            && *kept == id
        {
            return Ok(value.clone());
        }
        let value = decode()?;
        if let Ok(mut memo) = self.0.lock() {
            *memo = Some((id, value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_event_once_and_never_answers_for_another() {
        let memo = LastDecoded::<String>::new();
        let (a, b) = (EventId::new(), EventId::new());
        let mut decoded = 0;
        let mut get = |id, text: &str| {
            memo.get_or(id, || {
                decoded += 1;
                Ok::<_, ()>(text.to_owned())
            })
        };
        assert_eq!(get(a, "a"), Ok("a".to_owned()));
        assert_eq!(get(a, "ignored"), Ok("a".to_owned()));
        assert_eq!(get(b, "b"), Ok("b".to_owned()));
        assert_eq!(get(a, "a again"), Ok("a again".to_owned()));
        assert_eq!(decoded, 3);
    }

    #[test]
    fn a_failure_is_not_kept() {
        let memo = LastDecoded::<u8>::new();
        let id = EventId::new();
        assert_eq!(memo.get_or(id, || Err("bad")), Err("bad"));
        assert_eq!(memo.get_or(id, || Ok::<_, &str>(7)), Ok(7));
    }
}
