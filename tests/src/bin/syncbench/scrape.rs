//! The server's own view, read from `GET /metrics`: how many devices are connected and how
//! many documents are in memory, so the benchmark knows when every document has been dropped.

#[derive(Debug, Default)]
pub struct Gauges {
    pub connected_devices: Option<f64>,
    pub documents_in_memory: Option<f64>,
}

pub async fn gauges(base_url: &str) -> anyhow::Result<Gauges> {
    let text = reqwest::get(format!("{base_url}/metrics")).await?.error_for_status()?.text().await?;
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|v| v.trim().parse().ok())
    };
    Ok(Gauges {
        connected_devices: value("kith_connected_devices"),
        documents_in_memory: value("kith_documents_in_memory"),
    })
}
