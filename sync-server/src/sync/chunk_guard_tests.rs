use std::io::Write;

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjType, ROOT};
use proptest::prelude::*;

use super::*;

const MIB: u64 = 1024 * 1024;

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("in memory");
    enc.finish().expect("in memory")
}

/// A chunk with a valid header around `data`.
fn chunk(type_byte: u8, data: &[u8]) -> Vec<u8> {
    let mut header = vec![type_byte];
    write_uleb(&mut header, data.len() as u64);
    let digest = Sha256::new().chain_update(&header).chain_update(data).finalize();
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&digest[..4]);
    out.extend_from_slice(&header);
    out.extend_from_slice(data);
    out
}

/// A compressed change chunk (type 2) inflating to `zeros` zero bytes: the bomb.
fn compressed_bomb(zeros: usize) -> Vec<u8> {
    chunk(2, &deflate(&vec![0; zeros]))
}

/// A document chunk with no actors or heads and one deflated change column of `zeros` bytes.
fn document_bomb(zeros: usize) -> Vec<u8> {
    let column = deflate(&vec![0; zeros]);
    let mut data = vec![0, 0]; // no actors, no heads
    data.push(1); // one change column
    write_uleb(&mut data, (1 << 4) | u64::from(COLUMN_DEFLATE));
    write_uleb(&mut data, column.len() as u64);
    data.push(0); // no op columns
    data.extend_from_slice(&column);
    chunk(0, &data)
}

/// A document big enough that automerge deflates its columns when saving.
fn big_doc() -> AutoCommit {
    let mut doc = AutoCommit::new();
    let contacts = doc.put_object(ROOT, "contacts", ObjType::Map).expect("put");
    for i in 0..500 {
        let c = doc.put_object(&contacts, format!("contact-{i}"), ObjType::Map).expect("put");
        doc.put(&c, "name", format!("Person number {i}")).expect("put");
        doc.put(&c, "note", "met at the conference, likes tea and long walks").expect("put");
    }
    doc
}

#[test]
fn a_compressed_change_bomb_is_refused_without_inflating_it_all() {
    let bomb = compressed_bomb(32 * MIB as usize);
    assert!(bomb.len() < 64 * 1024, "the bomb is small on the wire: {}", bomb.len());
    let started = std::time::Instant::now();
    let refused = check_chunks(&bomb, &mut Budget::new(MIB));
    assert_eq!(refused, Err(ChunkError::TooLarge { limit: MIB }));
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
}

#[test]
fn a_document_with_a_deflated_column_bomb_is_refused() {
    let bomb = document_bomb(8 * MIB as usize);
    assert_eq!(check_chunks(&bomb, &mut Budget::new(MIB)), Err(ChunkError::TooLarge { limit: MIB }));
}

#[test]
fn the_budget_covers_every_chunk_of_one_message() {
    let small = compressed_bomb(600 * 1024);
    let mut budget = Budget::new(MIB);
    assert_eq!(check_chunks(&small, &mut budget), Ok(()));
    assert_eq!(check_chunks(&small, &mut budget), Err(ChunkError::TooLarge { limit: MIB }));
}

#[test]
fn real_changes_compressed_or_not_pass() {
    let mut doc = big_doc();
    let mut change = doc.get_last_local_change().expect("a change").clone();
    let raw = change.raw_bytes().to_vec();
    let compressed = change.bytes().to_vec();
    assert_eq!(compressed.get(8), Some(&2), "automerge compresses a change this big");
    assert!(compressed.len() < raw.len());
    assert_eq!(check_chunks(&raw, &mut Budget::new(64 * MIB)), Ok(()));
    assert_eq!(check_chunks(&compressed, &mut Budget::new(64 * MIB)), Ok(()));
    // The inflated size, not the wire size, is what counts.
    let tight = compressed.len() as u64 + 16;
    assert!(check_chunks(&compressed, &mut Budget::new(tight)).is_err());
}

#[test]
fn a_saved_document_with_deflated_columns_passes_and_costs_its_inflated_size() {
    let mut doc = big_doc();
    let saved = doc.save();
    let mut r = Reader(&saved[9..]);
    r.uleb().expect("length");
    let mut budget = Budget::new(64 * MIB);
    assert_eq!(check_chunks(&saved, &mut budget), Ok(()));
    let inflated = 64 * MIB - budget.left;
    assert!(inflated > saved.len() as u64, "columns were deflated: {inflated} vs {}", saved.len());
    // And a save after it (concatenated change chunks) passes too.
    let heads = doc.get_heads();
    doc.put(ROOT, "schema", 1).expect("put");
    let mut both = saved.clone();
    both.extend(doc.save_after(&heads));
    assert_eq!(check_chunks(&both, &mut Budget::new(64 * MIB)), Ok(()));
}

#[test]
fn junk_is_malformed_not_a_panic() {
    assert!(matches!(check_chunks(b"", &mut Budget::new(MIB)), Err(ChunkError::Malformed(_))));
    assert!(matches!(check_chunks(b"hello world", &mut Budget::new(MIB)), Err(ChunkError::Malformed(_))));
    let mut bad_sum = chunk(1, b"whatever");
    bad_sum[4] ^= 0xff;
    assert_eq!(check_chunks(&bad_sum, &mut Budget::new(MIB)), Err(ChunkError::Checksum));
    // A length far beyond the input.
    let mut huge = MAGIC.to_vec();
    huge.extend_from_slice(&[0, 0, 0, 0, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert!(matches!(check_chunks(&huge, &mut Budget::new(MIB)), Err(ChunkError::Malformed(_))));
}

/// Valid inputs to mutate: a saved document with deflated columns, a compressed change, and a
/// document bomb (built once: deflating is slow in debug builds).
fn samples() -> &'static [Vec<u8>; 3] {
    static SAMPLES: std::sync::OnceLock<[Vec<u8>; 3]> = std::sync::OnceLock::new();
    SAMPLES.get_or_init(|| {
        let mut doc = AutoCommit::new();
        let c = doc.put_object(ROOT, "contacts", ObjType::Map).expect("put");
        for i in 0..40 {
            doc.put(&c, format!("k{i}"), "some text that repeats, some text that repeats").expect("put");
        }
        let change = doc.get_last_local_change().expect("change").clone().bytes().to_vec();
        [doc.save(), change, document_bomb(2 * MIB as usize)]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = check_chunks(&bytes, &mut Budget::new(MIB));
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        let _ = check_chunks(&with_magic, &mut Budget::new(MIB));
    }

    #[test]
    fn mutated_real_chunks_never_panic(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
        cut in any::<prop::sample::Index>(),
        which in 0usize..3,
    ) {
        let mut bytes = samples()[which].clone();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let _ = check_chunks(&bytes, &mut Budget::new(MIB));
        let _ = check_chunks(&bytes[..cut.index(bytes.len())], &mut Budget::new(MIB));
    }
}
