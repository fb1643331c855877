//! `Proxy-Authorization: Basic` (RFC 9110 §11.7.1, RFC 7617) checked against the
//! configured credentials.

use super::RequestHead;
use crate::socks5::Credentials;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

/// Standard base64, padding optional: clients differ, and the padding carries no meaning.
const BASIC: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The outcome of the check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyAuth {
    /// The request carries the configured credentials.
    Granted,
    /// Missing, malformed or wrong: answer 407 ([`super::Status::ProxyAuthRequired`]).
    Required,
}

/// Checks the request's `Proxy-Authorization` against `expected`. Exactly one such field
/// is accepted (two could be read differently by two readers); the scheme name is
/// case-insensitive (RFC 9110 §11.1); user and password split at the first colon, since a
/// user-id cannot contain one (RFC 7617 §2). The comparison is constant-time
/// ([`Credentials::verify`]).
pub fn check_basic(head: &RequestHead, expected: &Credentials) -> ProxyAuth {
    let mut fields = head.values("proxy-authorization");
    let (Some(value), None) = (fields.next(), fields.next()) else {
        return ProxyAuth::Required;
    };
    match basic_credentials(value) {
        Some((user, pass)) if expected.verify(user.as_slice(), pass.as_slice()) => {
            ProxyAuth::Granted
        }
        _ => ProxyAuth::Required,
    }
}

/// The user and password of a `Basic` credential, or `None` if it is not one.
fn basic_credentials(value: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = value.trim_ascii();
    let space = value.iter().position(|&b| b == b' ')?;
    let (scheme, token) = value.split_at(space);
    if !scheme.eq_ignore_ascii_case(b"basic") {
        return None;
    }
    let decoded = BASIC.decode(token.trim_ascii()).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

#[cfg(test)]
mod tests;
