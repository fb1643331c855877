//! The initiator's side: add mac1/mac2 to our handshake messages, consume cookie replies.

use super::{cookie_key, mac1_key, CookieError};
use crate::consts::{COOKIE_SECRET_LATENCY, COOKIE_SECRET_MAX_AGE};
use crate::crypto::{mac, xopen};
use crate::keys::PublicKey;
use crate::time::Instant;
use crate::wire::CookieReply;
use zeroize::Zeroize;

/// Per-peer mac state for messages we send to that peer.
pub struct CookieGenerator {
    mac1_key: [u8; 32],
    cookie_key: [u8; 32],
    /// mac1 of our last handshake message: the AD of the cookie reply that answers it.
    last_mac1: Option<[u8; 16]>,
    cookie: Option<([u8; 16], Instant)>,
}

impl CookieGenerator {
    /// Keys derived from the peer's public key.
    #[must_use]
    pub fn new(peer: &PublicKey) -> Self {
        CookieGenerator {
            mac1_key: mac1_key(peer),
            cookie_key: cookie_key(peer),
            last_mac1: None,
            cookie: None,
        }
    }

    /// Fills in mac1 and (if we hold a fresh cookie) mac2 of a serialized initiation or
    /// response; mac2 stays zero otherwise.
    pub fn add_macs(&mut self, now: Instant, msg: &mut [u8]) {
        let len = msg.len();
        if len < 32 {
            return;
        }
        let mac1 = mac(&self.mac1_key, &[&msg[..len - 32]]);
        msg[len - 32..len - 16].copy_from_slice(&mac1);
        self.last_mac1 = Some(mac1);
        let mac2 = match self.fresh_cookie(now) {
            Some(cookie) => mac(&cookie, &[&msg[..len - 16]]),
            None => [0; 16],
        };
        msg[len - 16..].copy_from_slice(&mac2);
    }

    /// Accepts a cookie reply to our last handshake message. The cookie is used for the
    /// next (retransmitted) message; a cookie reply never triggers a send by itself.
    pub fn consume_reply(&mut self, now: Instant, reply: &CookieReply) -> Result<(), CookieError> {
        let last_mac1 = self.last_mac1.ok_or(CookieError::Unexpected)?;
        let mut cookie = [0u8; 16];
        xopen(
            &self.cookie_key,
            &reply.nonce,
            &reply.encrypted_cookie,
            &last_mac1,
            &mut cookie,
        )
        .map_err(|_| CookieError::Decrypt)?;
        self.cookie = Some((cookie, now));
        cookie.zeroize();
        self.last_mac1 = None;
        Ok(())
    }

    /// The cookie while younger than 115 s (the kernel's cutoff, stricter than wireguard-go's
    /// 120 s, so we never send a mac2 the responder's rotated secret would reject).
    fn fresh_cookie(&self, now: Instant) -> Option<[u8; 16]> {
        let (cookie, birth) = self.cookie?;
        let age = now.saturating_duration_since(birth);
        (age < COOKIE_SECRET_MAX_AGE - COOKIE_SECRET_LATENCY).then_some(cookie)
    }

    #[cfg(test)]
    pub(super) fn last_mac1(&self) -> Option<[u8; 16]> {
        self.last_mac1
    }
}

impl Drop for CookieGenerator {
    fn drop(&mut self) {
        if let Some((cookie, _)) = &mut self.cookie {
            cookie.zeroize();
        }
    }
}
