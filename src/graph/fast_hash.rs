//! A fast hasher for the graph's and the evaluation walk's own maps, whose keys are addresses
//! and names from the user's configuration.
//!
//! The standard library's SipHash resists keys chosen to collide, which matters for maps fed
//! by untrusted input. These maps are fed by the configuration being planned, and a plan of
//! 10,000 instances hashed module instances and addresses millions of times: SipHash was
//! about 12% of its CPU time (`perf`, see docs/performance.md). This hasher mixes a
//! word at a time (rotate, xor, multiply by an odd constant — the scheme rustc uses for its
//! own maps), several times faster on these short keys.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// A `HashMap` hashed with [`FastHasher`]; create it with `FastMap::default()`.
pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// A `HashSet` hashed with [`FastHasher`]; create it with `FastSet::default()`.
pub type FastSet<T> = HashSet<T, BuildHasherDefault<FastHasher>>;

/// Multiply-rotate hashing of 64-bit words. Not collision resistant: only for keys that come
/// from the configuration itself.
#[derive(Clone, Copy, Debug, Default)]
pub struct FastHasher(u64);

/// An odd constant with well-spread bits (2^64 divided by the golden ratio, made odd).
const SEED: u64 = 0x9e37_79b9_7f4a_7c15;

impl FastHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(w);
            self.add(u64::from_le_bytes(buf));
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            let mut buf = [0u8; 8];
            buf[..rest.len()].copy_from_slice(rest);
            // The length tells "ab" from "ab\0".
            self.add(u64::from_le_bytes(buf) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_u16(&mut self, i: u16) {
        self.add(u64::from(i));
    }

    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::{BuildHasher, Hash};

    fn hash<T: Hash>(v: &T) -> u64 {
        BuildHasherDefault::<FastHasher>::default().hash_one(v)
    }

    #[test]
    fn equal_keys_hash_equal_and_near_keys_differ() {
        assert_eq!(hash(&"module.cell[1]"), hash(&"module.cell[1]".to_string()));
        let keys = [
            "a",
            "b",
            "ab",
            "ab\0",
            "module.cell[1]",
            "module.cell[2]",
            "",
        ];
        let hashes: FastSet<u64> = keys.iter().map(hash).collect();
        assert_eq!(hashes.len(), keys.len());
    }

    #[test]
    fn a_map_of_many_addresses_works() {
        let mut m: FastMap<String, usize> = FastMap::default();
        for i in 0..10_000 {
            m.insert(format!("module.cell[{i}].aws_vpc.this"), i);
        }
        assert_eq!(m.len(), 10_000);
        assert_eq!(m["module.cell[4242].aws_vpc.this"], 4242);
    }
}
