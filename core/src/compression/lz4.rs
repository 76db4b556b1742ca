//! LZ4 frames as Kafka writes them (64 KiB independent blocks, no checksums), encoded by a
//! small deterministic greedy compressor.
//!
//! lz4_flex's compressor hashes 5 bytes on 64-bit targets and 4 on 32-bit ones, so its
//! output (and thus a batch's size, segment rolls and `retention.bytes`) would differ between
//! native and wasm. This encoder reads the same bytes everywhere; lz4_flex decodes.

use alloc::vec::Vec;

const MAGIC: u32 = 0x184D_2204;
/// FLG: version 01, independent blocks, no block or content checksums.
const FLG: u8 = 0b0110_0000;
/// BD: 64 KiB maximum block size.
const BD: u8 = 0x40;
const BLOCK: usize = 64 * 1024;
const MIN_MATCH: usize = 4;
const LAST_LITERALS: usize = 5;
const MF_LIMIT: usize = 12;
const HASH_BITS: u32 = 12;

/// Compresses `data` into one LZ4 frame.
pub fn compress(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() / 2 + 16);
    out.extend_from_slice(&MAGIC.to_le_bytes());
    out.extend_from_slice(&[FLG, BD, header_checksum()]);
    let mut block = Vec::new();
    for chunk in data.chunks(BLOCK) {
        block.clear();
        compress_block(chunk, &mut block);
        if block.len() < chunk.len() {
            out.extend_from_slice(&(block.len() as u32).to_le_bytes());
            out.extend_from_slice(&block);
        } else {
            // Incompressible: stored as is, flagged by the size's high bit.
            out.extend_from_slice(&(chunk.len() as u32 | 0x8000_0000).to_le_bytes());
            out.extend_from_slice(chunk);
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out
}

/// Decompresses an LZ4 frame; `None` if it is malformed or inflates past `limit` bytes.
pub fn decompress(frame: &[u8], limit: usize) -> Option<Vec<u8>> {
    if frame.get(..4)? != MAGIC.to_le_bytes() {
        return None;
    }
    let flg = *frame.get(4)?;
    let content_size = if flg & 0b0000_1000 != 0 { 8 } else { 0 };
    let mut pos = 7 + content_size;
    let mut out = Vec::new();
    loop {
        let size = u32::from_le_bytes(frame.get(pos..pos + 4)?.try_into().ok()?);
        pos += 4;
        if size == 0 {
            return Some(out);
        }
        let len = (size & 0x7FFF_FFFF) as usize;
        let body = frame.get(pos..pos.checked_add(len)?)?;
        pos += len + if flg & 0b0001_0000 != 0 { 4 } else { 0 };
        if size & 0x8000_0000 != 0 {
            out.extend_from_slice(body);
        } else {
            let mut buf = alloc::vec![0; BLOCK];
            let n = lz4_flex::block::decompress_into(body, &mut buf).ok()?;
            out.extend_from_slice(buf.get(..n)?);
        }
        if out.len() > limit {
            return None;
        }
    }
}

/// The frame descriptor's checksum: the second byte of xxHash32 of FLG and BD.
fn header_checksum() -> u8 {
    (twox_hash::XxHash32::oneshot(0, &[FLG, BD]) >> 8) as u8
}

fn read_u32(data: &[u8], i: usize) -> u32 {
    data.get(i..i + 4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

fn hash(seq: u32) -> usize {
    (seq.wrapping_mul(2_654_435_761) >> (32 - HASH_BITS)) as usize
}

/// Greedy LZ4 block compression (the block format's rules: the last 5 bytes are literals,
/// and no match starts within the last 12).
fn compress_block(input: &[u8], out: &mut Vec<u8>) {
    let mut table = alloc::vec![usize::MAX; 1 << HASH_BITS];
    let (mut i, mut anchor) = (0, 0);
    while i + MF_LIMIT <= input.len() {
        let seq = read_u32(input, i);
        let h = hash(seq);
        let candidate = table[h];
        table[h] = i;
        if candidate == usize::MAX || i - candidate > 0xFFFF || read_u32(input, candidate) != seq {
            i += 1;
            continue;
        }
        let mut len = MIN_MATCH;
        while i + len < input.len() - LAST_LITERALS && input[candidate + len] == input[i + len] {
            len += 1;
        }
        write_sequence(out, &input[anchor..i], Some((i - candidate, len)));
        i += len;
        anchor = i;
    }
    write_sequence(out, &input[anchor..], None);
}

fn write_sequence(out: &mut Vec<u8>, literals: &[u8], matched: Option<(usize, usize)>) {
    let lit = literals.len();
    let extra = matched.map_or(0, |(_, len)| len - MIN_MATCH);
    out.push(((lit.min(15) as u8) << 4) | extra.min(15) as u8);
    write_length(out, lit);
    out.extend_from_slice(literals);
    if let Some((offset, _)) = matched {
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        write_length(out, extra);
    }
}

fn write_length(out: &mut Vec<u8>, n: usize) {
    if n >= 15 {
        let mut rest = n - 15;
        while rest >= 255 {
            out.push(255);
            rest -= 255;
        }
        out.push(rest as u8);
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;
    use crate::rand::Rng;

    fn samples() -> Vec<Vec<u8>> {
        let mut rng = Rng::new(5);
        let noise: Vec<u8> = (0..70_000).map(|_| rng.next_u64() as u8).collect();
        let text: Vec<u8> = (0..200_000u32)
            .flat_map(|i| alloc::format!("{{\"id\":{},\"k\":\"user-{}\"}}", i, i % 97).into_bytes())
            .collect();
        alloc::vec![
            Vec::new(),
            b"a".to_vec(),
            b"abcabcabcabcabcabcabc".to_vec(),
            alloc::vec![7; 100_000],
            noise,
            text
        ]
    }

    #[test]
    fn frames_decode_back_to_the_input() {
        for data in samples() {
            let frame = compress(&data);
            assert_eq!(
                decompress(&frame, data.len()).as_deref(),
                Some(&data[..]),
                "{} bytes",
                data.len()
            );
            assert_eq!(
                decompress(&frame, data.len().saturating_sub(1)).is_some(),
                data.is_empty()
            );
        }
    }

    #[test]
    fn lz4_flex_reads_the_frames_as_standard_lz4() {
        for data in samples() {
            let frame = compress(&data);
            // Block by block, lz4_flex's decoder agrees; the header checksum is xxHash32's.
            assert_eq!(
                frame[6],
                (twox_hash::XxHash32::oneshot(0, &frame[4..6]) >> 8) as u8
            );
            assert_eq!(decompress(&frame, usize::MAX).unwrap(), data);
        }
        {
            use std::io::Read;
            let data = &samples()[5];
            let mut out = Vec::new();
            lz4_flex::frame::FrameDecoder::new(&compress(data)[..])
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(&out, data, "lz4_flex's frame decoder reads the whole frame");
        }
    }

    #[test]
    fn the_encoding_is_the_same_everywhere() {
        // Pinned bytes: a change here means native and wasm could disagree again.
        let frame = compress(b"logplay logplay logplay logplay!");
        // Header (magic, FLG 0x60, BD 0x40, checksum 0x82), one 18-byte block: 8 literals
        // "logplay ", a 19-byte match at offset 8, the literals "play!"; then the end mark.
        let expected: [u8; 33] = [
            0x04, 0x22, 0x4d, 0x18, 0x60, 0x40, 0x82, 0x12, 0, 0, 0, 0x8f, b'l', b'o', b'g', b'p',
            b'l', b'a', b'y', b' ', 0x08, 0x00, 0x00, 0x50, b'p', b'l', b'a', b'y', b'!', 0, 0, 0,
            0,
        ];
        assert_eq!(frame, expected);
        assert!(decompress(&[1, 2, 3], 10).is_none());
        assert!(decompress(&frame[..frame.len() - 2], 100).is_none());
    }
}
