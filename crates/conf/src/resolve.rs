//! Name resolution for `Endpoint` and `ListenPort`, as `wg` does it with `getaddrinfo`.
//!
//! * Endpoints: a numeric address is taken as is; a host name is looked up, and a transient
//!   failure is retried with a growing pause (1 s, then ×1.2 up to 20 s) as many times as
//!   `WG_ENDPOINT_RESOLUTION_RETRIES` says (default 15, `infinity` for no limit). "Unknown
//!   name", "no data" and "non-recoverable failure" are final at once. The port may be a
//!   number or a UDP service name; the first IPv4 or IPv6 result wins.
//! * Ports: a number or a UDP service name, resolved with `AI_PASSIVE`.
//!
//! The [`Resolver`] trait lets tests and other front ends replace the system resolver;
//! [`OfflineResolver`] checks names for form only.

use crate::error::{Error, ErrorKind};
use dns_lookup::{AddrInfoHints, LookupError, LookupErrorKind};
use std::net::SocketAddr;
use std::time::Duration;

mod offline;
pub use offline::{is_host_name, OfflineResolver};

/// Resolves the two kinds of names a configuration can hold.
pub trait Resolver {
    /// The address for an endpoint's `host` and `service` (`original` is the whole value,
    /// for messages).
    fn resolve_endpoint(
        &mut self,
        host: &str,
        service: &str,
        original: &str,
    ) -> Result<SocketAddr, Error>;

    /// The port for a `ListenPort` value.
    fn resolve_port(&mut self, service: &str) -> Result<u16, Error>;
}

/// The system resolver (`getaddrinfo`), with `wg`'s retry policy. Each "trying again" notice
/// goes to the callback, which the CLI prints to standard error.
pub struct SystemResolver<'a> {
    notify: &'a mut dyn FnMut(&str),
}

impl<'a> SystemResolver<'a> {
    /// A resolver that reports retries to `notify`.
    pub fn new(notify: &'a mut dyn FnMut(&str)) -> Self {
        SystemResolver { notify }
    }
}

impl Resolver for SystemResolver<'_> {
    fn resolve_endpoint(
        &mut self,
        host: &str,
        service: &str,
        original: &str,
    ) -> Result<SocketAddr, Error> {
        port_in_range(service)?;
        // Read on every call, as `wg` does, so a bad value fails only where it matters.
        let retries = retries_from_env()?;
        if let Ok(Some(addr)) = first_inet(Some(host), service, libc::AI_NUMERICHOST) {
            return Ok(addr);
        }
        let mut retry = Retry {
            retries,
            notify: &mut *self.notify,
            sleep: &mut std::thread::sleep,
        };
        retry.run(original, &mut || first_inet(Some(host), service, 0))
    }

    fn resolve_port(&mut self, service: &str) -> Result<u16, Error> {
        if service.is_empty() {
            return Err(Error::new(
                ErrorKind::Syntax,
                "Unable to parse empty port".to_string(),
            ));
        }
        port_in_range(service)?;
        match first_inet(None, service, libc::AI_PASSIVE) {
            Ok(Some(addr)) => Ok(addr.port()),
            Ok(None) => Err(no_inet(service)),
            Err(e) => Err(Error::new(
                ErrorKind::Syntax,
                format!("{}: `{service}'", lookup_error_text(&e)),
            )),
        }
    }
}

/// `wg`'s retry loop around one lookup.
struct Retry<'r> {
    /// `None`: retry forever.
    retries: Option<u32>,
    notify: &'r mut dyn FnMut(&str),
    sleep: &'r mut dyn FnMut(Duration),
}

/// One `getaddrinfo` call: the first IPv4 or IPv6 address, `None` if there is none.
type Lookup<'l> = dyn FnMut() -> Result<Option<SocketAddr>, LookupError> + 'l;

impl Retry<'_> {
    fn run(&mut self, original: &str, lookup: &mut Lookup<'_>) -> Result<SocketAddr, Error> {
        let mut retries_left = self.retries;
        let mut pause_us: u64 = 1_000_000;
        loop {
            let failure = match lookup() {
                Ok(Some(addr)) => return Ok(addr),
                Ok(None) => return Err(no_inet(original)),
                Err(e) => e,
            };
            let text = lookup_error_text(&failure);
            let permanent = matches!(
                failure.kind(),
                LookupErrorKind::NoName | LookupErrorKind::Fail | LookupErrorKind::NoData
            );
            let exhausted = match retries_left {
                Some(0) => true,
                Some(n) => {
                    retries_left = Some(n - 1);
                    false
                }
                None => false,
            };
            if permanent || exhausted {
                return Err(Error::new(
                    ErrorKind::Syntax,
                    format!("{text}: `{original}'"),
                ));
            }
            let seconds = Duration::from_micros(pause_us).as_secs_f64();
            (self.notify)(&format!(
                "{text}: `{original}'. Trying again in {seconds:.2} seconds..."
            ));
            (self.sleep)(Duration::from_micros(pause_us));
            pause_us = (pause_us * 6 / 5).min(20_000_000);
        }
    }
}

/// Refuses a numeric port above 65535. `getaddrinfo` reads a numeric service with
/// `strtoul` and keeps the low 16 bits, so `wg` takes `ListenPort = 99999` as 34463 (and
/// `-1` as 65535); ferrotun says so instead (docs/compatibility.md). A service name is
/// left to `getaddrinfo`.
fn port_in_range(service: &str) -> Result<(), Error> {
    match parse_c_ulong(service) {
        Some(port) if port > u64::from(u16::MAX) => Err(Error::new(
            ErrorKind::Syntax,
            format!("Port is not a number from 0 to 65535: `{service}'"),
        )),
        _ => Ok(()),
    }
}

fn no_inet(value: &str) -> Error {
    Error::new(
        ErrorKind::Syntax,
        format!("Neither IPv4 nor IPv6 address found: `{value}'"),
    )
}

/// `getaddrinfo` for UDP, with `flags` (`AI_*`), as `wg` calls it: the first result, or
/// `Ok(None)` when that is neither IPv4 nor IPv6. The one place that sets the hints, for
/// the parser here and for `ferrotun show`'s endpoints.
pub fn first_inet(
    host: Option<&str>,
    service: &str,
    flags: i32,
) -> Result<Option<SocketAddr>, LookupError> {
    let hints = AddrInfoHints {
        flags,
        address: libc::AF_UNSPEC,
        socktype: libc::SOCK_DGRAM,
        protocol: libc::IPPROTO_UDP,
    };
    let mut results = dns_lookup::getaddrinfo(host, Some(service), Some(hints))?;
    Ok(results
        .next()
        .and_then(Result::ok)
        .map(|info| info.sockaddr))
}

/// The text `wg` prints for a failed lookup: `gai_strerror`, or `strerror` for `EAI_SYSTEM`.
fn lookup_error_text(error: &LookupError) -> String {
    let text = error.to_string();
    let text = text
        .strip_prefix("failed to lookup address information: ")
        .unwrap_or(&text);
    strip_os_error_suffix(text).to_string()
}

/// `strerror` text from Rust's rendering of an OS error ("... (os error N)").
#[must_use]
pub fn strip_os_error_suffix(text: &str) -> &str {
    match text.rfind(" (os error ") {
        Some(at) if text.ends_with(')') => &text[..at],
        _ => text,
    }
}

/// `WG_ENDPOINT_RESOLUTION_RETRIES`: unset means 15, `infinity` means no limit (`None`).
/// Anything `strtoul` does not fully consume, or above `INT_MAX`, is an error.
fn retries_from_env() -> Result<Option<u32>, Error> {
    let Some(raw) = std::env::var_os("WG_ENDPOINT_RESOLUTION_RETRIES") else {
        return Ok(Some(15));
    };
    let text = raw.to_string_lossy();
    if text == "infinity" {
        return Ok(None);
    }
    parse_c_ulong(&text)
        .and_then(|n| u32::try_from(n).ok())
        .filter(|n| i32::try_from(*n).is_ok())
        .map(Some)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Environment,
                format!("Unable to parse WG_ENDPOINT_RESOLUTION_RETRIES: `{text}'"),
            )
        })
}

/// `strtoul(s, &end, 10)` with `*end == '\0'` required: leading whitespace, an optional
/// sign (a minus wraps, as in C), then digits; the empty string is 0.
fn parse_c_ulong(s: &str) -> Option<u64> {
    if s.is_empty() {
        return Some(0);
    }
    let body = s.trim_start_matches(|c: char| u8::try_from(c).is_ok_and(crate::value::is_wg_space));
    let (negative, digits) = match body.as_bytes().first() {
        Some(b'-') => (true, &body[1..]),
        Some(b'+') => (false, &body[1..]),
        _ => (false, body),
    };
    let n = crate::value::all_digits_saturating(digits, 10)?;
    Some(if negative && n != u64::MAX {
        n.wrapping_neg()
    } else {
        n
    })
}

#[cfg(test)]
mod tests;
