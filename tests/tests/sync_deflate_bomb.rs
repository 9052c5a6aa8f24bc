//! Finding 1 of issue 12: a `sync` message whose change is a compressed automerge chunk of
//! deflated zeros. Automerge inflates such a chunk whole, with no limit; the server must refuse
//! it before that, quickly, without the memory, and without stalling other users.

use std::time::{Duration, Instant};

use automerge::sync::{ChunkList, SyncDoc};
use kith_tests::client::{Device, Event};
use kith_tests::load::stats::rss_mib;
use kith_tests::process::{create_account, KithProcess};
use kith_tests::unique_email;
use sha2::{Digest, Sha256};

const PASSWORD: &str = "correct horse battery staple";
/// What the bomb inflates to: far over the default 64 MiB budget.
const INFLATED: usize = 256 * 1024 * 1024;

/// Raw DEFLATE of `len` zero bytes, written by hand (one fixed-Huffman block: a literal zero,
/// then back-references of 258 bytes at distance 1): building it with a compressor in a
/// debug build would take longer than the test.
fn deflated_zeros(len: usize) -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.lsb(1, 1); // BFINAL
    bits.lsb(1, 2); // BTYPE = fixed Huffman
    bits.msb(0x30, 8); // literal 0
    let mut left = len - 1;
    while left >= 258 {
        bits.msb(0xC5, 8); // length code 285: 258 bytes
        bits.msb(0, 5); // distance code 0: distance 1
        left -= 258;
    }
    for _ in 0..left {
        bits.msb(0x30, 8);
    }
    bits.msb(0, 7); // end of block
    bits.finish()
}

#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn bit(&mut self, b: u32) {
        self.acc |= (b & 1) << self.n;
        self.n += 1;
        if self.n == 8 {
            self.out.push(self.acc as u8);
            self.acc = 0;
            self.n = 0;
        }
    }
    /// Header fields: least significant bit first.
    fn lsb(&mut self, v: u32, n: u32) {
        (0..n).for_each(|i| self.bit(v >> i));
    }
    /// Huffman codes: most significant bit first.
    fn msb(&mut self, v: u32, n: u32) {
        (0..n).rev().for_each(|i| self.bit(v >> i));
    }
    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A compressed change chunk (type 2) around `deflated`. Its checksum is of nothing real: the
/// server must not need to inflate it to refuse it.
fn compressed_chunk(deflated: &[u8]) -> Vec<u8> {
    let mut len = Vec::new();
    let mut v = deflated.len() as u64;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            len.push(byte);
            break;
        }
        len.push(byte | 0x80);
    }
    let digest = Sha256::new().chain_update([2u8]).chain_update(&len).chain_update(deflated).finalize();
    let mut out = vec![0x85, 0x6f, 0x4a, 0x83];
    out.extend_from_slice(&digest[..4]);
    out.push(2);
    out.extend_from_slice(&len);
    out.extend_from_slice(deflated);
    out
}

#[test]
fn the_hand_made_bomb_really_inflates_to_its_size() {
    use std::io::Read;
    let bomb = deflated_zeros(1_000_003);
    let mut out = Vec::new();
    flate2::read::DeflateDecoder::new(&bomb[..]).read_to_end(&mut out).expect("valid deflate");
    assert_eq!(out.len(), 1_000_003);
    assert!(out.iter().all(|b| *b == 0));
}

#[tokio::test]
async fn a_deflate_bomb_is_refused_fast_without_the_memory_while_others_stay_served() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let db = format!("sqlite://{}", dir.path().join("kith.db").display());
    let kith = KithProcess::start(&db).await?;
    let pid = kith.pid().ok_or_else(|| anyhow::anyhow!("kith exited"))?;
    let (token, doc) = create_account(&kith.base_url, &unique_email("bomber"), PASSWORD).await?;
    let (other_token, _) = create_account(&kith.base_url, &unique_email("bystander"), PASSWORD).await?;

    let mut attacker = Device::new(&doc);
    attacker.connect(&format!("{}/sync", kith.base_url.replacen("http://", "ws://", 1)), &token).await?;
    attacker.sync().await?;

    // A well-formed sync message whose one change is the bomb.
    let bomb = compressed_chunk(&deflated_zeros(INFLATED));
    assert!(bomb.len() < 8 * 1024 * 1024, "fits a frame: {} bytes", bomb.len());
    attacker.put("bait", "1");
    let mut state = automerge::sync::State::new();
    let mut message = attacker.doc.generate_sync_message(&mut state).ok_or_else(|| anyhow::anyhow!("no message"))?;
    message.changes = ChunkList::from(vec![bomb]);
    let frame = attacker.sync_message(message.encode());

    let http = reqwest::Client::new();
    let me = format!("{}/api/v1/me", kith.base_url);
    let rss_before = rss_mib(pid).unwrap_or_default();
    let sent = Instant::now();
    attacker.send(&frame).await?;

    // Meanwhile another user keeps asking who they are, and we watch the server's memory.
    let bystander = async {
        let mut slowest = Duration::ZERO;
        let mut peak = rss_before;
        loop {
            let asked = Instant::now();
            let status = http.get(&me).bearer_auth(&other_token).send().await?.status();
            anyhow::ensure!(status.is_success(), "GET /me answered {status}");
            slowest = slowest.max(asked.elapsed());
            peak = peak.max(rss_mib(pid).unwrap_or_default());
            if sent.elapsed() > Duration::from_secs(2) {
                return anyhow::Ok((slowest, peak));
            }
        }
    };
    let answer = async {
        let event = tokio::time::timeout(Duration::from_secs(30), attacker.next_event()).await;
        (event, sent.elapsed())
    };
    let ((event, answered_in), watched) = tokio::join!(answer, bystander);
    let (slowest_me, peak_rss) = watched?;
    eprintln!("answered in {answered_in:?}; RSS {rss_before:.0} -> {peak_rss:.0} MiB; slowest GET /me {slowest_me:?}");
    assert!(peak_rss - rss_before < 50.0, "RSS grew from {rss_before:.0} MiB to {peak_rss:.0} MiB");
    assert!(answered_in < Duration::from_millis(500), "answered after {answered_in:?}");
    assert!(slowest_me < Duration::from_millis(300), "another user's GET /me took {slowest_me:?}");
    match event {
        Ok(Ok(Event::Error(message))) => assert!(message.contains("inflates to more than"), "{message}"),
        other => panic!("expected a protocol error, got {other:?}"),
    }
    Ok(())
}
