//! A stable hash of observable state (FNV-1a, 64 bit), identical natively and in wasm.

/// Feeds observable state, field by field, into a 64-bit FNV-1a hash.
#[derive(Clone, Debug)]
pub struct StateHasher {
    hash: u64,
}

impl Default for StateHasher {
    fn default() -> Self {
        Self {
            hash: 0xcbf2_9ce4_8422_2325,
        }
    }
}

impl StateHasher {
    /// Mixes in raw bytes, prefixed by their length so that fields cannot run together.
    pub fn bytes(&mut self, bytes: &[u8]) {
        self.raw(&(bytes.len() as u64).to_le_bytes());
        self.raw(bytes);
    }

    /// Mixes in an optional byte string (none and empty hash differently).
    pub fn opt_bytes(&mut self, bytes: Option<&[u8]>) {
        match bytes {
            None => self.u64(u64::MAX),
            Some(b) => self.bytes(b),
        }
    }

    /// Mixes in a number.
    pub fn u64(&mut self, n: u64) {
        self.raw(&n.to_le_bytes());
    }

    /// Mixes in a signed number.
    pub fn i64(&mut self, n: i64) {
        self.raw(&n.to_le_bytes());
    }

    /// Mixes in a string.
    pub fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.hash
    }

    fn raw(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.hash ^= u64::from(b);
            self.hash = self.hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}
