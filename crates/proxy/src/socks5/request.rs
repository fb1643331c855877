//! The request (RFC 1928 §4): `VER CMD RSV ATYP DST.ADDR DST.PORT`.

use super::address::parse_address;
use super::{Error, Parsed, Target, VERSION};

/// What the client asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// X'01': a TCP connection to the target.
    Connect,
    /// X'02': a TCP connection from the target, accepted by the server (RFC 1928 §4).
    Bind,
    /// X'03': a UDP relay; the target is where the client will send from (often all zeros).
    UdpAssociate,
}

impl Command {
    /// The code on the wire.
    pub fn code(self) -> u8 {
        match self {
            Command::Connect => 1,
            Command::Bind => 2,
            Command::UdpAssociate => 3,
        }
    }

    fn from_code(code: u8) -> Option<Command> {
        match code {
            1 => Some(Command::Connect),
            2 => Some(Command::Bind),
            3 => Some(Command::UdpAssociate),
            _ => None,
        }
    }
}

/// A parsed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The command.
    pub command: Command,
    /// DST.ADDR and DST.PORT.
    pub target: Target,
}

/// Parses a request at the start of `buf`. The command and address type are judged as
/// soon as their byte arrives, so the client gets reply 7 or 8 without the server waiting
/// for an address it cannot use. RSV is not checked: RFC 1928 gives it no meaning, and a
/// client that sets it still means its request.
pub fn parse_request(buf: &[u8]) -> Result<Parsed<Request>, Error> {
    let Some(&version) = buf.first() else {
        return Ok(Parsed::Incomplete);
    };
    if version != VERSION {
        return Err(Error::RequestVersion(version));
    }
    let Some(&code) = buf.get(1) else {
        return Ok(Parsed::Incomplete);
    };
    let command = Command::from_code(code).ok_or(Error::Command(code))?;
    let Some(address) = buf.get(3..) else {
        return Ok(Parsed::Incomplete);
    };
    Ok(parse_address(address)?
        .map(|target| Request { command, target })
        .shift(3))
}

/// Appends a request to `out`, as a client sends it (for tests and for a SOCKS5 client).
pub fn write_request(request: &Request, out: &mut Vec<u8>) {
    out.extend_from_slice(&[VERSION, request.command.code(), 0]);
    super::address::write_address(&request.target, out);
}

#[cfg(test)]
mod tests;
