//! Prometheus metrics without a metrics crate: a few counters and one latency histogram,
//! rendered in the text exposition format at `GET /metrics`. Lives in `AppState` (no global
//! registry), so every test server counts only its own traffic.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the request latency buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Default)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum_secs: f64,
}

#[derive(Default)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    pub accounts_created: AtomicU64,
    pub logins_ok: AtomicU64,
    pub logins_failed: AtomicU64,
    pub logins_limited: AtomicU64,
    /// Sync protocol messages received from / sent to devices (the /sync loop counts them).
    pub sync_messages_in: AtomicU64,
    pub sync_messages_out: AtomicU64,
    /// Document bytes written durably to the store (the hub counts them after each write).
    pub persisted_bytes: AtomicU64,
    /// (accepted by the push service?, HTTP status or "error") -> deliveries.
    push: Mutex<BTreeMap<(bool, String), u64>>,
}

/// Values read at scrape time rather than counted; `None` leaves the metric out (that part
/// of the server is not running).
#[derive(Clone, Debug, Default)]
pub struct Gauges {
    pub connected_devices: u64,
    pub documents_in_memory: Option<u64>,
    pub nudges_pending: Option<u64>,
}

impl Metrics {
    /// Records one finished request under its route *pattern* (bounded cardinality).
    pub fn observe_request(&self, method: &str, route: &str, status: u16, took: Duration) {
        let mut routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        // `/devices/{id}` is shown as `/devices/:id`: braces inside label values trip up
        // common (regex-based) Prometheus parsers and PromQL regexes alike.
        let route = route.replace('{', ":").replace('}', "");
        let stats = routes.entry((method.to_string(), route)).or_default();
        *stats.by_status.entry(status).or_default() += 1;
        let secs = took.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                stats.buckets[i] += 1;
            }
        }
        stats.count += 1;
        stats.sum_secs += secs;
    }

    pub fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// One Web Push delivery attempt: `status` is the push service's HTTP answer, `None` a
    /// network error; `sent` whether it accepted the message (2xx).
    pub fn push_result(&self, sent: bool, status: Option<u16>) {
        let status = status.map_or_else(|| "error".to_string(), |s| s.to_string());
        let mut push = self.push.lock().unwrap_or_else(|p| p.into_inner());
        *push.entry((sent, status)).or_default() += 1;
    }

    /// The text exposition format (version 0.0.4), without scrape-time gauges.
    pub fn render(&self) -> String {
        self.render_with(&Gauges::default())
    }

    /// The text exposition format (version 0.0.4).
    pub fn render_with(&self, gauges: &Gauges) -> String {
        let mut out = String::new();
        let gauge = |out: &mut String, name: &str, help: &str, value: u64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        };
        gauge(&mut out, "kith_connected_devices", "Open WebSocket sync connections.", gauges.connected_devices);
        if let Some(docs) = gauges.documents_in_memory {
            gauge(&mut out, "kith_documents_in_memory", "Documents loaded in memory.", docs);
        }
        if let Some(pending) = gauges.nudges_pending {
            gauge(&mut out, "kith_nudges_pending", "Reminder nudges waiting to be sent.", pending);
        }
        let counter = |out: &mut String, name: &str, help: &str, value: &AtomicU64| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            let _ = writeln!(out, "{name} {}", value.load(Ordering::Relaxed));
        };
        counter(&mut out, "kith_accounts_created_total", "Accounts created.", &self.accounts_created);
        counter(&mut out, "kith_sync_messages_in_total", "Sync messages received from devices.", &self.sync_messages_in);
        counter(&mut out, "kith_sync_messages_out_total", "Sync messages sent to devices.", &self.sync_messages_out);
        counter(&mut out, "kith_persisted_bytes_total", "Document bytes written to storage.", &self.persisted_bytes);
        {
            let push = self.push.lock().unwrap_or_else(|p| p.into_inner());
            for (sent, name, help) in [
                (true, "kith_push_sent_total", "Web Push messages the push service accepted, by HTTP status."),
                (false, "kith_push_failed_total", "Web Push deliveries that failed, by HTTP status (or error)."),
            ] {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
                for ((s, status), n) in push.iter() {
                    if *s == sent {
                        let _ = writeln!(out, "{name}{{status=\"{}\"}} {n}", escape(status));
                    }
                }
            }
        }
        let _ = writeln!(out, "# HELP kith_logins_total Login attempts by outcome.\n# TYPE kith_logins_total counter");
        for (outcome, value) in
            [("ok", &self.logins_ok), ("failed", &self.logins_failed), ("rate_limited", &self.logins_limited)]
        {
            let _ = writeln!(out, "kith_logins_total{{outcome=\"{outcome}\"}} {}", value.load(Ordering::Relaxed));
        }

        let routes = self.routes.lock().unwrap_or_else(|p| p.into_inner());
        let _ = writeln!(out, "# HELP kith_http_requests_total HTTP requests by route and status.");
        let _ = writeln!(out, "# TYPE kith_http_requests_total counter");
        for ((method, route), stats) in routes.iter() {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "kith_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        let _ = writeln!(out, "# HELP kith_http_request_duration_seconds HTTP request latency.");
        let _ = writeln!(out, "# TYPE kith_http_request_duration_seconds histogram");
        for ((method, route), stats) in routes.iter() {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape(route));
            for (bound, n) in BUCKETS.iter().zip(stats.buckets) {
                let _ = writeln!(out, "kith_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}");
            }
            let _ = writeln!(out, "kith_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", stats.count);
            let _ = writeln!(out, "kith_http_request_duration_seconds_sum{{{labels}}} {}", stats.sum_secs);
            let _ = writeln!(out, "kith_http_request_duration_seconds_count{{{labels}}} {}", stats.count);
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.observe_request("GET", "/api/v1/me", 200, Duration::from_millis(3));
        metrics.observe_request("GET", "/api/v1/me", 401, Duration::from_millis(30));
        Metrics::inc(&metrics.logins_failed);
        let text = metrics.render();
        assert!(text.contains("kith_logins_total{outcome=\"failed\"} 1"), "{text}");
        assert!(text.contains("kith_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1"));
        assert!(text.contains("kith_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/me\",le=\"0.005\"} 1"));
        assert!(text.contains("kith_http_request_duration_seconds_bucket{method=\"GET\",route=\"/api/v1/me\",le=\"0.05\"} 2"));
        assert!(text.contains("kith_http_request_duration_seconds_count{method=\"GET\",route=\"/api/v1/me\"} 2"));
    }

    #[test]
    fn renders_sync_push_and_scrape_time_gauges() {
        let metrics = Metrics::default();
        Metrics::inc(&metrics.sync_messages_in);
        Metrics::add(&metrics.persisted_bytes, 42);
        metrics.push_result(true, Some(201));
        metrics.push_result(false, Some(410));
        metrics.push_result(false, None);
        let text = metrics.render_with(&Gauges { connected_devices: 3, documents_in_memory: Some(2), nudges_pending: None });
        for line in [
            "kith_connected_devices 3",
            "kith_documents_in_memory 2",
            "kith_sync_messages_in_total 1",
            "kith_sync_messages_out_total 0",
            "kith_persisted_bytes_total 42",
            "kith_push_sent_total{status=\"201\"} 1",
            "kith_push_failed_total{status=\"410\"} 1",
            "kith_push_failed_total{status=\"error\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "{line} missing from\n{text}");
        }
        assert!(!text.contains("kith_nudges_pending"), "a part that is not running is left out");
    }
}
