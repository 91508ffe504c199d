//! Injectable randomness.
//!
//! The simulator draws reference numbers, KSeF-number technical parts, JWT secrets and
//! RSA blinding from a [`SimRng`]: the operating system's generator in normal use, or a
//! deterministic SHA-256 counter generator (seeded) for reproducible tests.

use std::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};

/// The simulator's random generator.
#[derive(Debug)]
pub struct SimRng {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Os,
    Seeded {
        seed: [u8; 32],
        counter: u64,
        buf: [u8; 32],
        used: usize,
    },
}

impl SimRng {
    /// The operating system's generator.
    pub fn os() -> Self {
        Self { kind: Kind::Os }
    }

    /// A deterministic generator (SHA-256 of seed and a counter). Not for production keys.
    pub fn seeded(seed: u64) -> Self {
        let seed: [u8; 32] = Sha256::digest(seed.to_be_bytes()).into();
        Self {
            kind: Kind::Seeded {
                seed,
                counter: 0,
                buf: [0; 32],
                used: 32,
            },
        }
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut v = vec![0; n];
        self.fill(&mut v);
        v
    }

    /// `n` random uppercase hex characters.
    pub fn hex_upper(&mut self, n: usize) -> String {
        let mut s = hex::encode_upper(self.bytes(n.div_ceil(2)));
        s.truncate(n);
        s
    }

    fn fill(&mut self, dst: &mut [u8]) {
        match &mut self.kind {
            Kind::Os => {
                // getrandom failing means the OS has no entropy source; nothing sensible
                // can continue, and the simulator is a test tool.
                if getrandom::fill(dst).is_err() {
                    dst.iter_mut().for_each(|b| *b = 0);
                }
            }
            Kind::Seeded {
                seed,
                counter,
                buf,
                used,
            } => {
                for b in dst.iter_mut() {
                    if *used == 32 {
                        let mut h = Sha256::new();
                        h.update(*seed);
                        h.update(counter.to_be_bytes());
                        *buf = h.finalize().into();
                        *counter += 1;
                        *used = 0;
                    }
                    *b = buf[*used];
                    *used += 1;
                }
            }
        }
    }
}

impl TryRng for SimRng {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.fill(&mut b);
        Ok(u32::from_le_bytes(b))
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.fill(&mut b);
        Ok(u64::from_le_bytes(b))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.fill(dst);
        Ok(())
    }
}

impl TryCryptoRng for SimRng {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeded_is_deterministic() {
        let a = SimRng::seeded(7).hex_upper(20);
        let b = SimRng::seeded(7).hex_upper(20);
        assert_eq!(a, b);
        assert_eq!(a.len(), 20);
        assert_ne!(a, SimRng::seeded(8).hex_upper(20));
    }
}
