//! The greeting (RFC 1928 §3): the client's methods, the server's choice.

use super::{Error, Parsed, VERSION};

/// The client's first message: the authentication methods it offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// The method codes, in the client's order (may be empty, then none is acceptable).
    pub methods: Vec<u8>,
}

/// The server's setting: which authentication a client must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthPolicy {
    /// Anyone may connect (method 0).
    NoAuth,
    /// Username and password (method 2, RFC 1929) are required; method 0 is refused, or a
    /// configured password could be bypassed by not offering it.
    UserPass,
}

/// The method the server selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// X'00' NO AUTHENTICATION REQUIRED.
    NoAuth,
    /// X'02' USERNAME/PASSWORD: the sub-negotiation follows.
    UserPass,
    /// X'FF' NO ACCEPTABLE METHODS: the client must close.
    NoAcceptable,
}

impl Method {
    /// The code on the wire.
    pub fn code(self) -> u8 {
        match self {
            Method::NoAuth => 0x00,
            Method::UserPass => 0x02,
            Method::NoAcceptable => 0xff,
        }
    }
}

impl Greeting {
    /// The method the server takes: the one `policy` requires if the client offers it.
    pub fn select(&self, policy: AuthPolicy) -> Method {
        let wanted = match policy {
            AuthPolicy::NoAuth => Method::NoAuth,
            AuthPolicy::UserPass => Method::UserPass,
        };
        if self.methods.contains(&wanted.code()) {
            wanted
        } else {
            Method::NoAcceptable
        }
    }
}

/// Parses `VER NMETHODS METHODS...` at the start of `buf`.
pub fn parse_greeting(buf: &[u8]) -> Result<Parsed<Greeting>, Error> {
    let Some(&version) = buf.first() else {
        return Ok(Parsed::Incomplete);
    };
    if version != VERSION {
        return Err(Error::GreetingVersion(version));
    }
    let Some(&count) = buf.get(1) else {
        return Ok(Parsed::Incomplete);
    };
    let used = 2 + usize::from(count);
    let Some(methods) = buf.get(2..used) else {
        return Ok(Parsed::Incomplete);
    };
    Ok(Parsed::Done {
        msg: Greeting {
            methods: methods.to_vec(),
        },
        used,
    })
}

/// The server's answer `VER METHOD`. After [`Method::NoAcceptable`] the server closes.
pub fn write_method_selection(method: Method) -> [u8; 2] {
    [VERSION, method.code()]
}

#[cfg(test)]
mod tests;
