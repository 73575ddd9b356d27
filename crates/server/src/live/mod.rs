//! Live delivery: the hub that fans committed events out to WebSocket connections,
//! the connection handler, and the cross-instance signal over PostgreSQL.
//!
//! The flow of one event: a handler commits a write, then calls [`Hub::news`] with the
//! mentorship id (and, on PostgreSQL, the [`fanout::Notifier`] tells the other
//! instances). The hub's pump for that mentorship reads the events after the last one
//! it delivered from the database, in order, serialises each once, and offers it to
//! every subscribed connection's bounded queue. A connection whose queue is full is
//! closed with [`close::RESUME`](mentorpost_model::ws::close::RESUME) instead of
//! slowing anyone down; it reconnects and resumes from its cursors.

pub mod fanout;
pub mod hub;
pub mod socket;

pub use hub::Hub;
