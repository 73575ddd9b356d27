//! The benchmarks' shared parts. Every bench binary (`mentorpost-bench`, `digest`,
//! `health`, `inbound`, `live`) starts the release `mentorpost` binary on a fresh
//! database, seeds it, samples `/proc` and splices its section into
//! `docs/benchmarks.md` through this library:
//!
//! - [`cli`]: the shared options (server binary, backends), the runtime, the
//!   documented command line;
//! - [`server`]: the database the bench owns and the server process;
//! - [`seed`]: the HTTP API calls that set up a programme, and the `post-messages`
//!   world;
//! - [`sys`]: CPU, memory and the machine, from `/proc`;
//! - [`sink`]: a discard-only SMTP server;
//! - [`docs`]: splicing a section into `docs/benchmarks.md`;
//! - [`load`] and [`report`]: the `post-messages` bench's load generator and figures;
//! - [`writer`]: one member posting while background work runs, and its latencies.

pub mod cli;
pub mod docs;
pub mod load;
pub mod report;
pub mod seed;
pub mod server;
pub mod sink;
pub mod sys;
pub mod writer;

use hdrhistogram::Histogram;

/// A latency histogram in µs: 1 µs to 60 s at 3 significant digits.
pub fn latency_histogram() -> Histogram<u64> {
    // The bounds are constants that hdrhistogram accepts; this cannot fail.
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}
