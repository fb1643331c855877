//! The UDP ASSOCIATE datagram header (RFC 1928 §7): `RSV(2) FRAG ATYP DST.ADDR DST.PORT`,
//! then the payload. Datagrams arrive whole, so these parsers are not incremental.

use super::address::{parse_address, write_address, AddressError};
use super::target::DomainError;
use super::{Parsed, Target};
use std::fmt;

/// A datagram from the client: where to send the payload, and the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UdpDatagram<'a> {
    /// DST.ADDR and DST.PORT.
    pub target: Target,
    /// The data after the header.
    pub payload: &'a [u8],
}

/// Why a datagram is dropped. RFC 1928 §7 sends no error for UDP: the datagram is
/// dropped silently (the caller may count it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UdpError {
    /// Shorter than its header.
    Truncated,
    /// FRAG is not zero: a fragment. Reassembly is optional (§7) and we do not do it, so
    /// the fragment is dropped as the RFC allows.
    Fragmented(u8),
    /// An address type other than 1, 3 and 4.
    AddressType(u8),
    /// A domain name that is not one.
    Domain(DomainError),
}

/// Splits a client's datagram into its target and payload. RSV is not checked, as in
/// requests.
pub fn parse_udp_datagram(datagram: &[u8]) -> Result<UdpDatagram<'_>, UdpError> {
    let Some(&frag) = datagram.get(2) else {
        return Err(UdpError::Truncated);
    };
    if frag != 0 {
        return Err(UdpError::Fragmented(frag));
    }
    let parsed = parse_address(&datagram[3..]).map_err(|e| match e {
        AddressError::Type(t) => UdpError::AddressType(t),
        AddressError::Domain(d) => UdpError::Domain(d),
    })?;
    match parsed {
        Parsed::Incomplete => Err(UdpError::Truncated),
        Parsed::Done { msg, used } => Ok(UdpDatagram {
            target: msg,
            payload: &datagram[3 + used..],
        }),
    }
}

/// Appends the header of a datagram to the client: `source` is where the payload came
/// from. The payload follows it.
pub fn write_udp_header(source: &Target, out: &mut Vec<u8>) {
    out.extend_from_slice(&[0, 0, 0]);
    write_address(source, out);
}

impl fmt::Display for UdpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UdpError::Truncated => f.write_str("datagram shorter than its SOCKS header"),
            UdpError::Fragmented(n) => write!(f, "fragment {n} (reassembly not supported)"),
            UdpError::AddressType(t) => write!(f, "unsupported address type {t}"),
            UdpError::Domain(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for UdpError {}

#[cfg(test)]
mod tests;
