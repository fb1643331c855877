//! The request-target forms a proxy receives (RFC 9112 §3.2): authority-form for CONNECT
//! (`host:port`) and absolute-form for everything else (`http://host[:port]/path?query`).

use super::Error;
use crate::socks5::Target;

/// The port of an `http` URI without one (RFC 9110 §4.2.1).
const HTTP_PORT: u16 = 80;

/// Where a plain request goes and what the origin server is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AbsoluteForm {
    pub(crate) target: Target,
    /// The authority without user information: the `Host` header's value.
    pub(crate) host: String,
    /// Path and query, never empty (origin-form, RFC 9112 §3.2.1).
    pub(crate) path: String,
}

/// CONNECT's `host:port`; the port is required (RFC 9110 §9.3.6).
pub(crate) fn parse_authority_form(text: &str) -> Result<Target, Error> {
    match split_host_port(text)? {
        (host, Some(port)) => host_target(host, port),
        (_, None) => Err(Error::BadTarget("CONNECT needs host:port")),
    }
}

/// `http://authority[/path][?query][#fragment]`. Only `http`: a client wanting TLS asks
/// for a tunnel with CONNECT, and a proxy that spoke TLS to the origin for it would hold
/// the plaintext of a connection the user believes end-to-end encrypted.
pub(crate) fn parse_absolute_form(text: &str) -> Result<AbsoluteForm, Error> {
    let Some((scheme, rest)) = text.split_once("://") else {
        return Err(Error::NotProxyRequest);
    };
    if !scheme.eq_ignore_ascii_case("http") {
        return Err(Error::UnsupportedScheme);
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if authority.contains('@') {
        // RFC 9110 §4.2.4: user information in an http URI is to be treated as an error;
        // forwarding it would leak what was probably a password.
        return Err(Error::BadTarget("user information in the URI"));
    }
    let (host, port) = split_host_port(authority)?;
    let target = host_target(host, port.unwrap_or(HTTP_PORT))?;
    let tail = tail.split('#').next().unwrap_or_default();
    let path = match tail.strip_prefix('?') {
        Some(_) => format!("/{tail}"),
        None if tail.is_empty() => "/".to_owned(),
        None => tail.to_owned(),
    };
    Ok(AbsoluteForm {
        target,
        host: authority.to_owned(),
        path,
    })
}

/// Splits `host[:port]` or `[v6][:port]`. An empty port (`host:`) counts as absent, as
/// RFC 3986 §3.2.3 allows.
fn split_host_port(authority: &str) -> Result<(&str, Option<u16>), Error> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let Some((inner, after)) = rest.split_once(']') else {
            return Err(Error::BadTarget("unclosed IPv6 literal"));
        };
        match after {
            "" => (inner, ""),
            _ => match after.strip_prefix(':') {
                Some(port) => (inner, port),
                None => return Err(Error::BadTarget("text after an IPv6 literal")),
            },
        }
    } else {
        authority.split_once(':').unwrap_or((authority, ""))
    };
    if port.is_empty() {
        return Ok((host, None));
    }
    if port.len() > 5 || !port.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::BadTarget("bad port"));
    }
    match port.parse::<u16>() {
        Ok(0) | Err(_) => Err(Error::BadTarget("bad port")),
        Ok(port) => Ok((host, Some(port))),
    }
}

fn host_target(host: &str, port: u16) -> Result<Target, Error> {
    Target::from_host(host.as_bytes(), port).map_err(Error::Host)
}

#[cfg(test)]
mod tests;
