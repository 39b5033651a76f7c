//! Kafka's default key partitioner: `Utils.murmur2` and `toPositive(hash) % partitions`
//! (spec §4.4). Connect's status and offsets stores send keyed records without a partition,
//! so a Rust writer must pick the same partition or compaction keeps two latest values.

const SEED: u32 = 0x9747_b28c;
const M: u32 = 0x5bd1_e995;
const R: u32 = 24;

/// Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with Kafka's seed, bytes read unsigned,
/// blocks little-endian, all arithmetic wrapping.
pub fn murmur2(data: &[u8]) -> i32 {
    // Java mixes in the length as an int; arrays never reach 2^31 bytes there.
    let mut h = SEED ^ data.len() as u32;
    let mut blocks = data.chunks_exact(4);
    for block in &mut blocks {
        let mut k = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        k = k.wrapping_mul(M);
        k ^= k >> R;
        k = k.wrapping_mul(M);
        h = h.wrapping_mul(M);
        h ^= k;
    }
    let tail = blocks.remainder();
    if tail.len() == 3 {
        h ^= u32::from(tail[2]) << 16;
    }
    if tail.len() >= 2 {
        h ^= u32::from(tail[1]) << 8;
    }
    if let Some(&first) = tail.first() {
        h ^= u32::from(first);
        h = h.wrapping_mul(M);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(M);
    h ^= h >> 15;
    h as i32
}

/// The partition Java's producer picks for a keyed record: `(murmur2(key) & 0x7fffffff) %
/// partitions` (`Utils.toPositive` clears the sign bit; it is not `abs`). `partitions` is the
/// topic's full partition count. `None` when the count is not positive, where Java would
/// divide by zero.
pub fn partition_for_key(key: &[u8], partitions: i32) -> Option<i32> {
    (partitions > 0).then(|| (murmur2(key) & 0x7fff_ffff) % partitions)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Kafka's `UtilsTest.testMurmur2` vectors.
    #[test]
    fn kafka_test_vectors() {
        let vectors: &[(&str, i32)] = &[
            ("21", -973932308),
            ("foobar", -790332482),
            ("a-little-bit-long-string", -985981536),
            ("a-little-bit-longer-string", -1486304829),
            (
                "lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8",
                -58897971,
            ),
            ("abc", 479470107),
        ];
        for &(key, hash) in vectors {
            assert_eq!(murmur2(key.as_bytes()), hash, "{key}");
        }
    }

    /// Every row of the spec's table with partitions: murmur2, toPositive, %25, %5. With the
    /// vectors above they cover every tail length (45 bytes leaves 1, 34 leaves 2, 31 leaves 3).
    #[test]
    fn spec_partition_table() {
        let rows: &[(&str, i32, i32, i32, i32)] = &[
            ("21", -973932308, 1173551340, 15, 0),
            ("foobar", -790332482, 1357151166, 16, 1),
            ("abc", 479470107, 479470107, 7, 2),
            (
                r#"["local-file-source",{"filename":"test.txt"}]"#,
                891569160,
                891569160,
                10,
                0,
            ),
            (
                "status-connector-local-file-source",
                -413568198,
                1733915450,
                0,
                0,
            ),
            (
                "status-task-local-file-source-0",
                842236109,
                842236109,
                9,
                4,
            ),
        ];
        for &(key, hash, positive, p25, p5) in rows {
            let key = key.as_bytes();
            assert_eq!(murmur2(key), hash, "{key:?}");
            assert_eq!(murmur2(key) & 0x7fff_ffff, positive, "{key:?}");
            assert_eq!(partition_for_key(key, 25), Some(p25), "{key:?}");
            assert_eq!(partition_for_key(key, 5), Some(p5), "{key:?}");
        }
    }

    #[test]
    fn sign_bit_is_cleared_not_negated_and_bad_counts_are_refused() {
        // abs(-973932308) % 25 would be 8; Java's toPositive gives 15.
        assert_eq!(partition_for_key(b"21", 25), Some(15));
        assert_eq!(partition_for_key(b"21", 1), Some(0));
        assert_eq!(partition_for_key(b"21", 0), None);
        assert_eq!(partition_for_key(b"21", -5), None);
    }
}
