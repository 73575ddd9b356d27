//! A committed write publishes itself. Whatever a write does that others must hear of
//! — an event appended to a mentorship, mail queued, people joining — is noted by the
//! store function that does it ([`note`]); the write path collects the notes of each
//! write and, once its transaction has committed, hands them to every [`Subscriber`]
//! (the live hub, the mailer). A write that rolls back publishes nothing. Handlers
//! never tell anyone: a new write path that appends events is heard without more code.

use mentorpost_model::api::EventView;
use mentorpost_model::{MentorshipId, UserId};
use std::cell::RefCell;
use std::future::Future;
use std::sync::{Arc, RwLock};

/// One thing a committed write tells the rest of the service.
#[derive(Clone, Debug)]
pub enum Note {
    /// Events were appended to this mentorship.
    Events(MentorshipId),
    /// A `message.created` event with its client payload, sent live without reading it
    /// back (the posting path knows it whole).
    Message(EventView),
    /// These people became members of a mentorship: their sockets follow it.
    Joined(Vec<UserId>),
    /// These outbox rows were queued: the worker claims them by id.
    Mail(Vec<String>),
    /// Mail was queued without ids to hand over: the worker looks for due mail.
    MailDue,
}

/// Hears of every committed write's notes, after the commit.
pub trait Subscriber: Send + Sync {
    fn committed(&self, notes: &[Note]);
}

/// The subscribers of one database, shared by its clones.
#[derive(Clone, Default)]
pub(crate) struct Publisher {
    subscribers: Arc<RwLock<Vec<Arc<dyn Subscriber>>>>,
}

impl Publisher {
    pub(crate) fn subscribe(&self, subscriber: Arc<dyn Subscriber>) {
        self.subscribers.write().unwrap_or_else(|e| e.into_inner()).push(subscriber);
    }

    pub(crate) fn publish(&self, notes: &[Note]) {
        if notes.is_empty() {
            return;
        }
        for subscriber in self.subscribers.read().unwrap_or_else(|e| e.into_inner()).iter() {
            subscriber.committed(notes);
        }
    }
}

tokio::task_local! {
    static NOTES: RefCell<Vec<Note>>;
}

/// Notes something the write in progress does. Outside a write (a read, a test calling
/// a store function directly) it is dropped: nothing was committed to tell of.
pub fn note(note: Note) {
    let _ = NOTES.try_with(|notes| notes.borrow_mut().push(note));
}

/// Runs `work` collecting what it notes.
pub(crate) async fn collecting<F: Future>(work: F) -> (F::Output, Vec<Note>) {
    NOTES
        .scope(RefCell::new(Vec::new()), async move {
            let output = work.await;
            let notes = NOTES.with(|notes| notes.take());
            (output, notes)
        })
        .await
}
