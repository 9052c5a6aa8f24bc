//! The server's [`HubObserver`]: what the live hub reports becomes the `/metrics` counters,
//! and documents dropped from memory become a request to give their pages back to the OS.

use std::sync::Arc;

use crate::live::HubObserver;
use crate::metrics::Metrics;

pub struct ServerObserver {
    metrics: Arc<Metrics>,
}

impl ServerObserver {
    pub fn new(metrics: Arc<Metrics>) -> Self {
        ServerObserver { metrics }
    }
}

impl HubObserver for ServerObserver {
    fn persisted(&self, bytes: u64) {
        Metrics::add(&self.metrics.persisted_bytes, bytes);
    }

    fn released(&self, _docs: usize) {
        // The dropped documents' pages belong to whichever workers allocated them, and
        // mimalloc returns them to the OS only once those workers allocate again: ask each to
        // do it when it next goes idle (the runtime's park hook, `cli::run`).
        kith_alloc::request_release();
    }

    fn message_in(&self) {
        Metrics::inc(&self.metrics.sync_messages_in);
    }

    fn message_out(&self) {
        Metrics::inc(&self.metrics.sync_messages_out);
    }
}
