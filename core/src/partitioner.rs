//! Choosing a partition: Kafka's Java-exact murmur2 for keys, and the `partitioner` options.

use crate::error::{err, Result};

/// Kafka's murmur2 hash (`org.apache.kafka.common.utils.Utils.murmur2`), bit for bit.
pub fn murmur2(data: &[u8]) -> i32 {
    const M: u32 = 0x5bd1_e995;
    let mut h: u32 = 0x9747_b28c ^ data.len() as u32;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> 24;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M) ^ k;
    }
    let tail = chunks.remainder();
    if !tail.is_empty() {
        for (i, &b) in tail.iter().enumerate().rev() {
            h ^= u32::from(b) << (8 * i);
        }
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition the Java client picks for `key`: `(murmur2(key) & 0x7fffffff) % partitions`.
/// Returns 0 when `partitions` is 0.
pub fn partition_for_key(key: &[u8], partitions: u32) -> u32 {
    if partitions == 0 {
        return 0;
    }
    (murmur2(key) & 0x7fff_ffff) as u32 % partitions
}

/// librdkafka's `consistent` hash: CRC32 of the key, modulo the partition count.
pub fn consistent_partition(key: &[u8], partitions: u32) -> u32 {
    if partitions == 0 {
        return 0;
    }
    crate::compression::crc32(key) % partitions
}

/// The producer's `partitioner` setting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Partitioner {
    /// The Java client's default: murmur2 for keys; null keys stick to one partition until
    /// its batch is sent or full (KIP-480).
    #[default]
    Sticky,
    /// Java's `RoundRobinPartitioner`: every record, keyed or not, goes to the next partition.
    RoundRobin,
    /// librdkafka `consistent`: CRC32 of the key (null keys hash as empty).
    Consistent,
    /// librdkafka `consistent_random`: CRC32 for keys, random for null keys.
    ConsistentRandom,
    /// librdkafka `murmur2`: Java-compatible murmur2 (null keys hash as empty).
    Murmur2,
    /// librdkafka `murmur2_random`: Java-compatible murmur2, random for null keys.
    Murmur2Random,
    /// librdkafka `random`: a random partition for every record.
    Random,
}

impl Partitioner {
    /// Parses a `partitioner` value.
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "sticky" | "default" => Self::Sticky,
            "round_robin" => Self::RoundRobin,
            "consistent" => Self::Consistent,
            "consistent_random" => Self::ConsistentRandom,
            "murmur2" => Self::Murmur2,
            "murmur2_random" => Self::Murmur2Random,
            "random" => Self::Random,
            _ => {
                return Err(err!(
                    InvalidConfig,
                    "Invalid value {name} for configuration partitioner: String must be one of: sticky, round_robin, consistent, consistent_random, murmur2, murmur2_random, random"
                ))
            }
        })
    }

    /// The setting's name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sticky => "sticky",
            Self::RoundRobin => "round_robin",
            Self::Consistent => "consistent",
            Self::ConsistentRandom => "consistent_random",
            Self::Murmur2 => "murmur2",
            Self::Murmur2Random => "murmur2_random",
            Self::Random => "random",
        }
    }

    /// The partition a key maps to, if this partitioner decides by the key alone.
    pub fn partition_for(self, key: Option<&[u8]>, partitions: u32) -> Option<u32> {
        match (self, key) {
            (Self::Sticky | Self::Murmur2Random, Some(k)) | (Self::Murmur2, Some(k)) => {
                Some(partition_for_key(k, partitions))
            }
            (Self::Murmur2, None) => Some(partition_for_key(&[], partitions)),
            (Self::Consistent | Self::ConsistentRandom, Some(k)) => {
                Some(consistent_partition(k, partitions))
            }
            (Self::Consistent, None) => Some(consistent_partition(&[], partitions)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    use super::*;

    #[test]
    fn murmur2_matches_kafkas_published_vectors() {
        // From Apache Kafka's UtilsTest.testMurmur2.
        let cases: [(&[u8], i32); 6] = [
            (b"21", -973_932_308),
            (b"foobar", -790_332_482),
            (b"a-little-bit-long-string", -985_981_536),
            (b"a-little-bit-longer-string", -1_486_304_829),
            (
                b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58_897_971,
            ),
            (b"abc", 479_470_107),
        ];
        for (input, want) in cases {
            assert_eq!(murmur2(input), want, "{:?}", core::str::from_utf8(input));
        }
    }

    #[test]
    fn key_partitions_are_positive_modulo_the_count() {
        assert_eq!(
            partition_for_key(b"21", 3),
            ((-973_932_308i32 & 0x7fff_ffff) % 3) as u32
        );
        assert_eq!(partition_for_key(b"foobar", 1), 0);
        assert_eq!(partition_for_key(b"x", 0), 0);
        for n in 1..50 {
            assert!(partition_for_key(&[n as u8; 7], n) < n);
        }
        assert_eq!(consistent_partition(b"123456789", 1000), 0xCBF4_3926 % 1000);
    }

    #[test]
    fn partitioner_names_parse_and_decide() {
        for name in [
            "sticky",
            "round_robin",
            "consistent",
            "consistent_random",
            "murmur2",
            "murmur2_random",
            "random",
        ] {
            assert_eq!(Partitioner::parse(name).unwrap().name(), name);
        }
        assert!(Partitioner::parse("hash").is_err());
        assert_eq!(
            Partitioner::Sticky.partition_for(Some(b"21"), 3),
            Some(partition_for_key(b"21", 3))
        );
        assert_eq!(Partitioner::Sticky.partition_for(None, 3), None);
        assert_eq!(Partitioner::RoundRobin.partition_for(Some(b"21"), 3), None);
        assert_eq!(Partitioner::Random.partition_for(Some(b"21"), 3), None);
    }
}
