//! ferrotun-proto
#![forbid(unsafe_code)]

pub mod allowed_ips;
pub mod consts;
pub mod cookie;
pub mod crypto;
pub mod device;
pub mod keypair;
pub mod keys;
pub mod noise;
pub mod peer;
pub mod ratelimiter;
pub mod replay;
pub mod time;
pub mod timers;
pub mod wire;

#[cfg(test)]
mod test_vectors;
