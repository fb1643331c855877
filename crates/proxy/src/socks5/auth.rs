//! Username/password authentication (RFC 1929), and the credentials the HTTP proxy's
//! Basic authentication checks too.

use super::{Error, Parsed};
use std::fmt;
use subtle::ConstantTimeEq;

/// The sub-negotiation's version byte (RFC 1929 §2).
const AUTH_VERSION: u8 = 1;

/// The configured username and password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    username: Vec<u8>,
    password: Vec<u8>,
}

impl Credentials {
    /// Credentials from the configuration.
    pub fn new(username: impl Into<Vec<u8>>, password: impl Into<Vec<u8>>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }

    /// The configured username.
    pub fn username(&self) -> &[u8] {
        &self.username
    }

    /// Whether `username` and `password` are the configured ones. The bytes are compared in
    /// constant time, and both fields always, so the time taken tells an attacker neither
    /// how much of a guess was right nor which field was wrong (a length mismatch still
    /// returns early inside `subtle`, which only reveals the lengths).
    pub fn verify(&self, username: &[u8], password: &[u8]) -> bool {
        let user = self.username.ct_eq(username);
        let pass = self.password.ct_eq(password);
        (user & pass).into()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &String::from_utf8_lossy(&self.username))
            .field("password", &"<redacted>")
            .finish()
    }
}

/// The client's `VER ULEN UNAME PLEN PASSWD`. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthRequest {
    /// The username offered.
    pub username: Vec<u8>,
    /// The password offered.
    pub password: Vec<u8>,
}

impl AuthRequest {
    /// Whether the offer matches `expected` (constant time, see [`Credentials::verify`]).
    pub fn matches(&self, expected: &Credentials) -> bool {
        expected.verify(&self.username, &self.password)
    }
}

impl fmt::Debug for AuthRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthRequest")
            .field("username", &String::from_utf8_lossy(&self.username))
            .field("password", &"<redacted>")
            .finish()
    }
}

/// Parses the sub-negotiation request at the start of `buf`. RFC 1929 gives both lengths
/// as 1 to 255; a zero length is still parsed (the layout is unambiguous) and simply fails
/// verification, so the client gets the status reply rather than a bare close.
pub fn parse_auth(buf: &[u8]) -> Result<Parsed<AuthRequest>, Error> {
    let Some(&version) = buf.first() else {
        return Ok(Parsed::Incomplete);
    };
    if version != AUTH_VERSION {
        return Err(Error::AuthVersion(version));
    }
    let Some((username, after_user)) = length_prefixed(buf, 1) else {
        return Ok(Parsed::Incomplete);
    };
    let Some((password, used)) = length_prefixed(buf, after_user) else {
        return Ok(Parsed::Incomplete);
    };
    Ok(Parsed::Done {
        msg: AuthRequest {
            username: username.to_vec(),
            password: password.to_vec(),
        },
        used,
    })
}

/// The length byte at `at` and that many bytes after it, with the offset past them.
fn length_prefixed(buf: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let len = usize::from(*buf.get(at)?);
    let end = at + 1 + len;
    Some((buf.get(at + 1..end)?, end))
}

/// The outcome of the sub-negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthStatus {
    /// X'00': the request follows.
    Success,
    /// Any other status; the server closes right after sending it (RFC 1929 §2).
    Failure,
}

/// The server's `VER STATUS` reply.
pub fn write_auth_status(status: AuthStatus) -> [u8; 2] {
    match status {
        AuthStatus::Success => [AUTH_VERSION, 0x00],
        AuthStatus::Failure => [AUTH_VERSION, 0x01],
    }
}

#[cfg(test)]
mod tests;
