//! The responder's side: verify mac1/mac2, answer with cookie replies when under load.

use super::{cookie_key, has_mac2, mac1_key, mac_fields, source_bytes};
use crate::consts::COOKIE_SECRET_MAX_AGE;
use crate::crypto::{mac, xseal};
use crate::keys::PublicKey;
use crate::time::Instant;
use crate::wire::CookieReply;
use rand_core::CryptoRngCore;
use std::net::SocketAddr;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// The outcome of checking a handshake message's macs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacVerdict {
    /// mac1 is wrong: drop silently.
    Invalid,
    /// mac1 is right; mac2 is missing or wrong.
    Mac1Only,
    /// Both macs are right: the sender proved it can receive at its source address.
    Mac1AndMac2,
}

/// Verifies macs on incoming handshake messages and creates cookie replies.
pub struct CookieChecker {
    mac1_key: [u8; 32],
    cookie_key: [u8; 32],
    secret: Zeroizing<[u8; 32]>,
    secret_birth: Option<Instant>,
}

impl CookieChecker {
    /// A checker for the interface whose public key is `own` (`None`: no private key set, so
    /// every mac1 is rejected).
    #[must_use]
    pub fn new(own: Option<&PublicKey>) -> Self {
        let (mac1_key, cookie_key) = match own {
            Some(k) => (mac1_key(k), cookie_key(k)),
            None => ([0; 32], [0; 32]),
        };
        CookieChecker {
            mac1_key,
            cookie_key,
            secret: Zeroizing::new([0; 32]),
            secret_birth: None,
        }
    }

    /// Whether mac1 of a serialized initiation or response is valid (all that matters while
    /// the device is not under load: mac2 is then not even computed, as in the kernel).
    #[must_use]
    pub fn check_mac1(&self, msg: &[u8]) -> bool {
        mac_fields(msg)
            .is_some_and(|f| bool::from(mac(&self.mac1_key, &[f.before_mac1]).ct_eq(f.mac1)))
    }

    /// Checks mac1 (always) and mac2 (against the cookie for `src`) of a serialized
    /// initiation or response. An all-zero mac2 (no cookie) is not computed.
    pub fn check(&self, now: Instant, msg: &[u8], src: SocketAddr) -> MacVerdict {
        let Some(f) = mac_fields(msg) else {
            return MacVerdict::Invalid;
        };
        if !bool::from(mac(&self.mac1_key, &[f.before_mac1]).ct_eq(f.mac1)) {
            return MacVerdict::Invalid;
        }
        if !has_mac2(msg) {
            return MacVerdict::Mac1Only;
        }
        match self.cookie(now, src) {
            Some(cookie) if bool::from(mac(&cookie, &[f.before_mac2]).ct_eq(f.mac2)) => {
                MacVerdict::Mac1AndMac2
            }
            _ => MacVerdict::Mac1Only,
        }
    }

    /// A cookie reply for the handshake message `msg` (already mac1-checked) from `src`.
    /// Rotates the secret first when it is older than two minutes.
    pub fn create_reply(
        &mut self,
        now: Instant,
        rng: &mut dyn CryptoRngCore,
        msg: &[u8],
        src: SocketAddr,
    ) -> Option<CookieReply> {
        if self.cookie(now, src).is_none() {
            rng.fill_bytes(&mut self.secret[..]);
            self.secret_birth = Some(now);
        }
        let mut nonce = [0u8; 24];
        rng.fill_bytes(&mut nonce);
        self.create_reply_with_nonce(now, msg, src, nonce)
    }

    pub(super) fn create_reply_with_nonce(
        &self,
        now: Instant,
        msg: &[u8],
        src: SocketAddr,
        nonce: [u8; 24],
    ) -> Option<CookieReply> {
        let mac1 = mac_fields(msg)?.mac1;
        let sender_index = u32::from_le_bytes(msg.get(4..8)?.try_into().ok()?);
        let cookie = self.cookie(now, src)?;
        let mut encrypted_cookie = [0u8; 32];
        xseal(
            &self.cookie_key,
            &nonce,
            &cookie,
            mac1,
            &mut encrypted_cookie,
        )
        .ok()?;
        Some(CookieReply {
            receiver_index: sender_index,
            nonce,
            encrypted_cookie,
        })
    }

    /// The current cookie for `src`, or `None` while the secret is unset or stale (as in
    /// wireguard-go: a stale secret validates no mac2).
    fn cookie(&self, now: Instant, src: SocketAddr) -> Option<[u8; 16]> {
        let birth = self.secret_birth?;
        if now.saturating_duration_since(birth) >= COOKIE_SECRET_MAX_AGE {
            return None;
        }
        let mut buf = [0u8; 18];
        Some(mac(&self.secret[..], &[source_bytes(src, &mut buf)]))
    }

    #[cfg(test)]
    pub(super) fn set_secret(&mut self, secret: [u8; 32], now: Instant) {
        *self.secret = secret;
        self.secret_birth = Some(now);
    }
}
