//! The random provider (hashicorp/random 3.x), built in: generated types
//! ([`crate::aws::generated`]) whose results are random.
//!
//! Strings, passwords and ids come from the thread-local CSPRNG (ChaCha12 seeded from the
//! operating system, `rand::rng`); a configured `seed` (`random_integer`, `random_shuffle`)
//! seeds a `StdRng` instead, so that the same seed gives the same result in ecsform (not the
//! same result as Terraform's, which uses Go's `math/rand`: the provider itself promises no
//! stability across versions).

use rand::SeedableRng;
use sha2::Digest;

pub(crate) use super::generated::{declare, int, text, with, Generator};

pub mod id;
pub mod integer;
pub mod pet;
pub mod shuffle;
pub mod string;

/// The generator for a `seed` argument: seeded from it when set (the same seed, the same
/// result), else the thread-local CSPRNG.
pub(crate) fn seeded(seed: &str) -> Box<dyn rand::Rng> {
    if seed.is_empty() {
        Box::new(rand::rng())
    } else {
        let digest: [u8; 32] = sha2::Sha256::digest(seed.as_bytes()).into();
        Box::new(rand::rngs::StdRng::from_seed(digest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::generated::Generated;
    use crate::aws::ResourceType;
    use crate::lang::Value;
    use std::collections::BTreeMap;

    #[test]
    fn keepers_that_keep_nothing_are_no_keepers() {
        let t = Generated(pet::RandomPet);
        let n = |keepers: Value| {
            t.normalize(Value::map([("keepers", keepers)]))
                .as_map()
                .unwrap()["keepers"]
                .clone()
        };
        assert_eq!(n(Value::Map(BTreeMap::new())), Value::Null);
        assert_eq!(n(Value::map([("a", Value::Null)])), Value::Null);
        let kept = Value::map([("a", Value::string("1"))]);
        assert_eq!(n(kept.clone()), kept);
        assert_eq!(n(Value::Unknown), Value::Unknown);
    }

    #[test]
    fn a_seed_gives_the_same_numbers() {
        use rand::RngExt;
        let draw = |seed: &str| -> Vec<u32> {
            let mut r = seeded(seed);
            (0..8).map(|_| r.random_range(0..1000)).collect()
        };
        assert_eq!(draw("abc"), draw("abc"));
        assert_ne!(draw("abc"), draw("abd"));
    }
}
