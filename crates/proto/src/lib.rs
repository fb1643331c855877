//! ferrotun-proto
#![forbid(unsafe_code)]

pub mod consts;
pub mod cookie;
pub mod crypto;
pub mod keypair;
pub mod keys;
pub mod noise;
pub mod ratelimiter;
pub mod replay;
pub mod time;
pub mod wire;

#[cfg(test)]
mod test_vectors;
