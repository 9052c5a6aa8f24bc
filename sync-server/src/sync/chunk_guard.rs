//! Bounds how large a peer's automerge chunks become once inflated, before automerge sees them.
//!
//! Automerge inflates a compressed change chunk (type 2) and the deflated columns of document
//! (type 0) and bundle (type 3) chunks into memory in one go, with no limit: 1 MiB of deflated
//! zeros becomes 1 GiB. So we walk the chunk layout ourselves — magic, checksum, type, uLEB
//! length, and for documents and bundles the column metadata — and inflate every deflated part
//! through a counting sink that stops at the budget. Nothing inflated is kept: memory stays at
//! the decoder's window whatever the input claims. Written from the storage format
//! (automerge's `rust/automerge/src/storage/`), not from its code.
//!
//! Pure and synchronous; the caller runs it on a blocking thread (inflating up to the budget
//! takes tens of milliseconds) and outside any document lock.

use std::io::{self, Write};

use sha2::{Digest, Sha256};

const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
const HASH_LEN: usize = 32;
/// Bit 3 of a column spec: the column's bytes are raw DEFLATE.
const COLUMN_DEFLATE: u32 = 0b1000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChunkType {
    Document,
    Change,
    Compressed,
    Bundle,
}

/// Why a chunk was refused. The text goes to the peer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChunkError {
    #[error("change inflates to more than {limit} bytes, this server's limit")]
    TooLarge { limit: u64 },
    #[error("not an automerge chunk: {0}")]
    Malformed(&'static str),
    #[error("chunk checksum does not match its contents")]
    Checksum,
}

/// How many inflated bytes one message may still produce.
#[derive(Debug)]
pub struct Budget {
    limit: u64,
    left: u64,
}

impl Budget {
    pub fn new(limit: u64) -> Self {
        Budget { limit, left: limit }
    }

    fn spend(&mut self, n: u64) -> Result<(), ChunkError> {
        self.left = self.left.checked_sub(n).ok_or(ChunkError::TooLarge { limit: self.limit })?;
        Ok(())
    }
}

/// Checks every chunk in `bytes` (a change, a saved document, or several concatenated, as
/// automerge accepts them) and charges its inflated size to `budget`.
pub fn check_chunks(mut bytes: &[u8], budget: &mut Budget) -> Result<(), ChunkError> {
    if bytes.is_empty() {
        return Err(ChunkError::Malformed("empty"));
    }
    while !bytes.is_empty() {
        bytes = check_one(bytes, budget)?;
    }
    Ok(())
}

/// Checks the chunk at the start of `input`; returns what follows it.
fn check_one<'a>(input: &'a [u8], budget: &mut Budget) -> Result<&'a [u8], ChunkError> {
    let mut r = Reader(input);
    if r.take(4)? != MAGIC {
        return Err(ChunkError::Malformed("bad magic bytes"));
    }
    let checksum = r.take(4)?;
    let type_byte = r.take(1)?[0];
    let kind = match type_byte {
        0 => ChunkType::Document,
        1 => ChunkType::Change,
        2 => ChunkType::Compressed,
        3 => ChunkType::Bundle,
        _ => return Err(ChunkError::Malformed("unknown chunk type")),
    };
    let len = r.uleb()?;
    let len = usize::try_from(len).map_err(|_| ChunkError::Malformed("chunk length too large"))?;
    let data = r.take(len)?;
    // A compressed chunk's checksum is that of the change inside; automerge verifies it after
    // inflating, which the budget check below has made safe.
    if kind != ChunkType::Compressed && !checksum_matches(checksum, type_byte, data) {
        return Err(ChunkError::Checksum);
    }
    match kind {
        // Change chunks may not hold deflated columns (automerge refuses them).
        ChunkType::Change => budget.spend(data.len() as u64)?,
        ChunkType::Compressed => inflate_counting(data, budget)?,
        ChunkType::Document => check_document(data, budget)?,
        ChunkType::Bundle => check_bundle(data, budget)?,
    }
    Ok(r.0)
}

fn checksum_matches(checksum: &[u8], type_byte: u8, data: &[u8]) -> bool {
    let mut header = vec![type_byte];
    write_uleb(&mut header, data.len() as u64);
    let digest = Sha256::new().chain_update(&header).chain_update(data).finalize();
    digest[..4] == *checksum
}

/// Actors, heads, change column metadata, op column metadata, change data, op data, head
/// indices (ignored: small, never deflated).
fn check_document(data: &[u8], budget: &mut Budget) -> Result<(), ChunkError> {
    let mut r = Reader(data);
    skip_actors(&mut r)?;
    skip_hashes(&mut r)?;
    let change_columns = r.columns()?;
    let op_columns = r.columns()?;
    charge_columns(&mut r, &change_columns, budget)?;
    charge_columns(&mut r, &op_columns, budget)?;
    budget.spend(r.0.len() as u64)
}

/// Dependencies, actors, change column metadata and data, op column metadata and data.
fn check_bundle(data: &[u8], budget: &mut Budget) -> Result<(), ChunkError> {
    let mut r = Reader(data);
    skip_hashes(&mut r)?;
    skip_actors(&mut r)?;
    let change_columns = r.columns()?;
    charge_columns(&mut r, &change_columns, budget)?;
    let op_columns = r.columns()?;
    charge_columns(&mut r, &op_columns, budget)?;
    budget.spend(r.0.len() as u64)
}

fn skip_actors(r: &mut Reader<'_>) -> Result<(), ChunkError> {
    // Each actor takes at least one byte, so the count is bounded by the input.
    for _ in 0..r.uleb()? {
        let len = r.uleb()?;
        r.take(usize::try_from(len).map_err(|_| ChunkError::Malformed("actor id too long"))?)?;
    }
    Ok(())
}

fn skip_hashes(r: &mut Reader<'_>) -> Result<(), ChunkError> {
    let count = usize::try_from(r.uleb()?).map_err(|_| ChunkError::Malformed("too many hashes"))?;
    r.take(count.checked_mul(HASH_LEN).ok_or(ChunkError::Malformed("too many hashes"))?)?;
    Ok(())
}

/// One column's metadata: its spec and its stored (possibly deflated) length.
struct Column {
    deflated: bool,
    len: usize,
}

fn charge_columns(r: &mut Reader<'_>, columns: &[Column], budget: &mut Budget) -> Result<(), ChunkError> {
    for column in columns {
        let bytes = r.take(column.len)?;
        if column.deflated {
            inflate_counting(bytes, budget)?;
        } else {
            budget.spend(bytes.len() as u64)?;
        }
    }
    Ok(())
}

/// Inflates raw DEFLATE `bytes` into nowhere, charging every produced byte to `budget` and
/// stopping as soon as it runs out.
fn inflate_counting(bytes: &[u8], budget: &mut Budget) -> Result<(), ChunkError> {
    let mut sink = CountingSink { left: budget.left, over: false };
    let mut decoder = flate2::read::DeflateDecoder::new(bytes);
    match io::copy(&mut decoder, &mut sink) {
        Ok(n) => budget.spend(n),
        Err(_) if sink.over => Err(ChunkError::TooLarge { limit: budget.limit }),
        Err(_) => Err(ChunkError::Malformed("corrupt deflate data")),
    }
}

/// Counts bytes written to it and fails once more than `left` arrive.
struct CountingSink {
    left: u64,
    over: bool,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.left.checked_sub(buf.len() as u64) {
            Some(left) => {
                self.left = left;
                Ok(buf.len())
            }
            None => {
                self.over = true;
                Err(io::Error::other("inflate budget exhausted"))
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A cursor over untrusted bytes: every read is bounds-checked.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], ChunkError> {
        if n > self.0.len() {
            return Err(ChunkError::Malformed("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn uleb(&mut self) -> Result<u64, ChunkError> {
        let mut value: u64 = 0;
        for shift in (0..64).step_by(7) {
            let byte = self.take(1)?[0];
            let bits = u64::from(byte & 0x7f);
            if shift == 63 && bits > 1 {
                return Err(ChunkError::Malformed("uLEB128 overflows 64 bits"));
            }
            value |= bits << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(ChunkError::Malformed("uLEB128 overflows 64 bits"))
    }

    /// Column metadata: a count, then (spec, length) pairs. The count is not trusted for an
    /// allocation: each pair takes at least two bytes, so the loop ends with the input.
    fn columns(&mut self) -> Result<Vec<Column>, ChunkError> {
        let count = self.uleb()?;
        let mut columns = Vec::new();
        for _ in 0..count {
            let spec = self.uleb()?;
            let len = self.uleb()?;
            let len = usize::try_from(len).map_err(|_| ChunkError::Malformed("column too long"))?;
            columns.push(Column { deflated: spec & u64::from(COLUMN_DEFLATE) != 0, len });
        }
        Ok(columns)
    }
}

fn write_uleb(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
#[path = "chunk_guard_tests.rs"]
mod tests;
