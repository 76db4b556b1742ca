//! Kafka's `compression.type` codecs, from well-kept crates.
//!
//! gzip (miniz_oxide), zstd (ruzstd) and LZ4 frames (our deterministic encoder, lz4_flex's
//! decoder) work without `std`; snappy (snap) needs the `std` feature, which the web app
//! and the CLI enable.
//!
//! Every encoder gives the same bytes natively and in wasm: batch sizes drive segment rolls
//! and `retention.bytes`, so they must not depend on the platform.

mod lz4;

use alloc::vec::Vec;

use crate::error::{err, Result};

/// A batch codec, by Kafka's `compression.type` names.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CompressionType {
    /// No compression.
    #[default]
    None,
    /// gzip (deflate with gzip framing).
    Gzip,
    /// snappy (raw blocks).
    Snappy,
    /// LZ4 frames.
    Lz4,
    /// Zstandard frames.
    Zstd,
}

impl CompressionType {
    /// Parses Kafka's name (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "none" => Self::None,
            "gzip" => Self::Gzip,
            "snappy" => Self::Snappy,
            "lz4" => Self::Lz4,
            "zstd" => Self::Zstd,
            _ => return None,
        })
    }

    /// Kafka's name for the codec.
    pub const fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
            Self::Snappy => "snappy",
            Self::Lz4 => "lz4",
            Self::Zstd => "zstd",
        }
    }
}

const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// CRC-32 as zlib computes it (ISO-HDLC), with one 256-entry table.
const CRC32: crc::Crc<u32, crc::Table<1>> =
    crc::Crc::<u32, crc::Table<1>>::new(&crc::CRC_32_ISO_HDLC);

/// The CRC-32 of `data`: gzip's trailer and librdkafka's `consistent` partitioner.
pub fn crc32(data: &[u8]) -> u32 {
    CRC32.checksum(data)
}

/// Compresses `data` with `codec`.
pub fn compress(codec: CompressionType, data: &[u8]) -> Result<Vec<u8>> {
    match codec {
        CompressionType::None => Ok(data.to_vec()),
        CompressionType::Gzip => {
            let mut out = GZIP_HEADER.to_vec();
            out.extend(miniz_oxide::deflate::compress_to_vec(data, 1));
            out.extend(crc32(data).to_le_bytes());
            out.extend((data.len() as u32).to_le_bytes());
            Ok(out)
        }
        CompressionType::Zstd => Ok(ruzstd::encoding::compress_to_vec(
            data,
            ruzstd::encoding::CompressionLevel::Fastest,
        )),
        #[cfg(feature = "std")]
        CompressionType::Snappy => snap::raw::Encoder::new()
            .compress_vec(data)
            .map_err(|e| err!(InvalidRecord, "snappy: {e}")),
        CompressionType::Lz4 => Ok(lz4::compress(data)),
        #[cfg(not(feature = "std"))]
        CompressionType::Snappy => Err(err!(
            InvalidConfig,
            "compression.type={} needs logplay-core's `std` feature",
            codec.name()
        )),
    }
}

/// Decompresses what [`compress`] made; refuses output larger than `limit` bytes.
pub fn decompress(codec: CompressionType, data: &[u8], limit: usize) -> Result<Vec<u8>> {
    let out = match codec {
        CompressionType::None => data.to_vec(),
        CompressionType::Gzip => {
            let body = data
                .get(GZIP_HEADER.len()..data.len().saturating_sub(8))
                .ok_or_else(|| err!(InvalidRecord, "gzip: truncated"))?;
            miniz_oxide::inflate::decompress_to_vec_with_limit(body, limit)
                .map_err(|e| err!(InvalidRecord, "gzip: {e}"))?
        }
        CompressionType::Zstd => {
            use ruzstd::io::Read;
            let mut dec = ruzstd::decoding::StreamingDecoder::new(data)
                .map_err(|e| err!(InvalidRecord, "zstd: {e}"))?;
            let mut out = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = dec
                    .read(&mut buf)
                    .map_err(|e| err!(InvalidRecord, "zstd: {e:?}"))?;
                if n == 0 {
                    break out;
                }
                out.extend_from_slice(&buf[..n]);
                if out.len() > limit {
                    break out;
                }
            }
        }
        #[cfg(feature = "std")]
        CompressionType::Snappy => snap::raw::Decoder::new()
            .decompress_vec(data)
            .map_err(|e| err!(InvalidRecord, "snappy: {e}"))?,
        CompressionType::Lz4 => lz4::decompress(data, limit).ok_or_else(|| {
            err!(
                InvalidRecord,
                "lz4: malformed frame or more than {limit} bytes"
            )
        })?,
        #[cfg(not(feature = "std"))]
        CompressionType::Snappy => {
            return Err(err!(
                InvalidConfig,
                "compression.type={} needs logplay-core's `std` feature",
                codec.name()
            ))
        }
    };
    if out.len() > limit {
        return Err(err!(
            RecordTooLarge,
            "decompressed batch exceeds {limit} bytes"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn every_codec_round_trips_and_shrinks_repetitive_data() {
        let data: Vec<u8> = (0..4000u32).flat_map(|i| (i % 50).to_le_bytes()).collect();
        for codec in [
            CompressionType::None,
            CompressionType::Gzip,
            CompressionType::Snappy,
            CompressionType::Lz4,
            CompressionType::Zstd,
        ] {
            assert_eq!(CompressionType::parse(codec.name()), Some(codec));
            let packed = compress(codec, &data).unwrap();
            if codec != CompressionType::None {
                assert!(packed.len() < data.len() / 4, "{codec:?}: {}", packed.len());
            }
            assert_eq!(
                decompress(codec, &packed, data.len()).unwrap(),
                data,
                "{codec:?}"
            );
            assert!(
                decompress(codec, &packed, 10).is_err(),
                "{codec:?} ignores the limit"
            );
        }
        assert_eq!(CompressionType::parse("brotli"), None);
    }

    #[test]
    fn gzip_output_is_a_real_gzip_member() {
        let packed = compress(CompressionType::Gzip, b"hello hello hello").unwrap();
        assert_eq!(&packed[..3], &[0x1f, 0x8b, 8]);
        let n = packed.len();
        assert_eq!(&packed[n - 4..], &17u32.to_le_bytes());
        assert!(decompress(CompressionType::Gzip, &[1, 2], 100).is_err());
    }
}
