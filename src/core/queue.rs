//! The outbound queue: messages the app sent while the socket was not open,
//! bounded by count and bytes, flushed in order after reconnect.

use crate::prelude::*;

use alloc::collections::VecDeque;

use super::config::{Overflow, QueueConfig};
use super::error::SendError;
use super::payload::Payload;

/// A message waiting for an open socket.
#[derive(Clone, Debug)]
pub struct QueuedMessage<P> {
    /// The payload as the app gave it.
    pub payload: P,
    /// Its size, counted against `queue.maxBytes`.
    pub size: usize,
    /// The request this message carries, if it came from `request`.
    pub request: Option<u64>,
}

/// The bounded FIFO queue.
#[derive(Clone, Debug)]
pub struct OutboundQueue<P> {
    items: VecDeque<QueuedMessage<P>>,
    bytes: usize,
    max_messages: usize,
    max_bytes: usize,
    overflow: Overflow,
}

impl<P: Payload> OutboundQueue<P> {
    /// An empty queue with these limits.
    pub fn new(config: &QueueConfig) -> Self {
        OutboundQueue {
            items: VecDeque::new(),
            bytes: 0,
            max_messages: config.max_messages,
            max_bytes: config.max_bytes,
            overflow: config.overflow,
        }
    }

    /// Accepts a message, or refuses it with the reason. With the
    /// `dropOldest` policy, returns the messages evicted to make room.
    pub fn push(
        &mut self,
        payload: P,
        request: Option<u64>,
    ) -> Result<Vec<QueuedMessage<P>>, SendError> {
        let size = payload.size();
        if self.max_messages == 0 || size > self.max_bytes {
            return Err(SendError::QueueTooSmall {
                size,
                max_messages: self.max_messages,
                max_bytes: self.max_bytes,
            });
        }
        let fits = |queue: &Self| {
            // `checked_add`: sizes are JS lengths, a sum can exceed usize.
            queue.items.len() < queue.max_messages
                && queue
                    .bytes
                    .checked_add(size)
                    .is_some_and(|total| total <= queue.max_bytes)
        };
        let mut evicted = Vec::new();
        if !fits(self) {
            match self.overflow {
                Overflow::Reject => {
                    return Err(SendError::QueueFull {
                        queued: self.items.len(),
                        max_messages: self.max_messages,
                        max_bytes: self.max_bytes,
                    });
                }
                Overflow::DropOldest => {
                    while !fits(self) {
                        match self.pop() {
                            Some(oldest) => evicted.push(oldest),
                            None => break,
                        }
                    }
                }
            }
        }
        self.bytes += size;
        self.items.push_back(QueuedMessage {
            payload,
            size,
            request,
        });
        Ok(evicted)
    }

    /// Takes the oldest message.
    pub fn pop(&mut self) -> Option<QueuedMessage<P>> {
        let item = self.items.pop_front()?;
        self.bytes -= item.size;
        Some(item)
    }

    /// Removes the message carrying `request` (a request that timed out
    /// before it could be sent). Returns whether one was removed.
    pub fn remove_request(&mut self, request: u64) -> bool {
        let mut removed = None;
        self.items.retain(|item| {
            let hit = item.request == Some(request);
            if hit {
                removed = Some(item.size);
            }
            !hit
        });
        if let Some(size) = removed {
            self.bytes -= size;
        }
        removed.is_some()
    }

    /// Messages waiting.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing waits.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Bytes waiting.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Drops everything (dispose).
    pub fn clear(&mut self) {
        self.items.clear();
        self.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::prelude::rust_2024::*;

    #[test]
    fn byte_totals_past_usize_max_are_refused_not_wrapped() {
        use crate::core::payload::OfSize;
        let half = usize::MAX / 2 + 1;
        let mut queue = OutboundQueue::new(&QueueConfig {
            max_messages: 10,
            max_bytes: usize::MAX,
            overflow: Overflow::Reject,
        });
        assert!(queue.push(OfSize(half), None).is_ok());
        assert!(queue.push(OfSize(half), None).is_err(), "would overflow");
        assert_eq!((queue.len(), queue.bytes()), (1, half));
    }

    fn queue(max_messages: usize, max_bytes: usize, overflow: Overflow) -> OutboundQueue<String> {
        OutboundQueue::new(&QueueConfig {
            max_messages,
            max_bytes,
            overflow,
        })
    }

    #[test]
    fn keeps_order_and_counts_bytes() {
        let mut q = queue(10, 100, Overflow::Reject);
        q.push("a".into(), None).unwrap();
        q.push("bb".into(), None).unwrap();
        assert_eq!(q.bytes(), 3);
        assert_eq!(q.pop().unwrap().payload, "a");
        assert_eq!(q.pop().unwrap().payload, "bb");
        assert_eq!(q.bytes(), 0);
    }

    #[test]
    fn reject_policy_refuses_when_full_by_count_or_bytes() {
        let mut q = queue(2, 5, Overflow::Reject);
        q.push("aa".into(), None).unwrap();
        q.push("bb".into(), None).unwrap();
        assert!(matches!(
            q.push("c".into(), None),
            Err(SendError::QueueFull { .. })
        ));
        let mut q = queue(10, 5, Overflow::Reject);
        q.push("aaaa".into(), None).unwrap();
        assert!(q.push("bb".into(), None).is_err());
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn a_message_that_can_never_fit_is_refused_whatever_the_policy() {
        for overflow in [Overflow::Reject, Overflow::DropOldest] {
            let mut q = queue(10, 5, overflow);
            q.push("a".into(), None).unwrap();
            assert_eq!(
                q.push("123456".into(), None).unwrap_err(),
                SendError::QueueTooSmall {
                    size: 6,
                    max_messages: 10,
                    max_bytes: 5
                }
            );
            assert_eq!(q.len(), 1, "nothing evicted for it");
            let mut disabled = queue(0, 5, overflow);
            assert!(matches!(
                disabled.push("a".into(), None),
                Err(SendError::QueueTooSmall { .. })
            ));
        }
    }

    #[test]
    fn drop_oldest_evicts_and_reports_what_it_dropped() {
        let mut q = queue(2, 100, Overflow::DropOldest);
        q.push("a".into(), None).unwrap();
        q.push("b".into(), None).unwrap();
        let evicted = q.push("c".into(), None).unwrap();
        assert_eq!(evicted.len(), 1);
        assert_eq!(evicted[0].payload, "a");
        assert_eq!(q.pop().unwrap().payload, "b");
    }

    #[test]
    fn message_larger_than_the_byte_cap_is_refused_even_when_dropping() {
        let mut q = queue(10, 3, Overflow::DropOldest);
        q.push("a".into(), None).unwrap();
        assert!(q.push("abcd".into(), None).is_err());
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn removes_a_request_by_id() {
        let mut q = queue(10, 100, Overflow::Reject);
        q.push("a".into(), None).unwrap();
        q.push("r".into(), Some(7)).unwrap();
        assert!(q.remove_request(7));
        assert!(!q.remove_request(7));
        assert_eq!(q.len(), 1);
        assert_eq!(q.bytes(), 1);
    }
}
