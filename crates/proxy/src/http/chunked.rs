//! The end of a chunked body (RFC 9112 §7.1), found without decoding it: the proxy forwards
//! the body byte for byte as it passes through this scanner, and on a kept-alive
//! connection the next message starts where the scanner says the body ended.
//!
//! The syntax is enforced strictly (CRLF line ends, hexadecimal sizes that fit in 64 bits):
//! a proxy that accepted what the next hop rejects, or the other way round, would disagree
//! with it about where the body ends — the shape of request smuggling.

use std::fmt;

/// Scanner state: where in the chunk grammar the next byte falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Reading a chunk size: its value so far and its number of digits.
    Size(u64, u8),
    /// In a chunk extension (after `;` or whitespace), up to the CR; the size.
    Extension(u64),
    /// Expecting the LF after a size line; the size.
    SizeLf(u64),
    /// Inside chunk data: bytes left.
    Data(u64),
    /// Expecting the CR after chunk data.
    DataCr,
    /// Expecting the LF after chunk data.
    DataLf,
    /// At the start of a trailer line (or of the final empty line).
    TrailerStart,
    /// Inside a trailer field line, up to the CR.
    Trailer,
    /// Expecting the LF after a trailer line.
    TrailerLf,
    /// Expecting the LF of the final empty line.
    FinalLf,
    /// The body has ended.
    Done,
}

/// Tracks one chunked body across reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkedBody {
    state: State,
}

/// What a slice of body bytes amounted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scan {
    /// All of it belongs to the body, which goes on.
    More,
    /// The body ended after this many bytes of the slice; the rest is the next message.
    End(usize),
}

/// A body that is not valid chunked coding: the connection cannot be trusted any further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChunkError(&'static str);

impl Default for ChunkedBody {
    fn default() -> ChunkedBody {
        ChunkedBody::new()
    }
}

impl ChunkedBody {
    /// A scanner at the start of a body.
    pub fn new() -> ChunkedBody {
        ChunkedBody {
            state: State::Size(0, 0),
        }
    }

    /// Scans the next bytes of the body. After [`Scan::End`] every call returns `End(0)`.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<Scan, ChunkError> {
        let mut at = 0;
        while at < bytes.len() {
            if self.state == State::Done {
                return Ok(Scan::End(at));
            }
            if let State::Data(left) = self.state {
                let take = usize::try_from(left)
                    .unwrap_or(usize::MAX)
                    .min(bytes.len() - at);
                at += take;
                // `take` ≤ `left`, so this neither truncates nor underflows.
                let left = left - u64::try_from(take).unwrap_or(left);
                self.state = if left == 0 {
                    State::DataCr
                } else {
                    State::Data(left)
                };
                continue;
            }
            self.state = next(self.state, bytes[at])?;
            at += 1;
        }
        Ok(match self.state {
            State::Done => Scan::End(at),
            _ => Scan::More,
        })
    }
}

/// One byte through the grammar (chunk data is skipped in bulk by the caller).
fn next(state: State, byte: u8) -> Result<State, ChunkError> {
    Ok(match (state, byte) {
        (State::Size(value, digits), _) if byte.is_ascii_hexdigit() => {
            if digits == 16 {
                return Err(ChunkError("chunk size over 64 bits"));
            }
            let digit = u64::from(char::from(byte).to_digit(16).unwrap_or(0));
            State::Size(value << 4 | digit, digits + 1)
        }
        (State::Size(_, 0), _) => return Err(ChunkError("chunk size missing")),
        (State::Size(value, _), b'\r') => State::SizeLf(value),
        // Extensions are not ours to interpret; whitespace may precede the `;` (RFC 9112
        // §7.1.1). They pass through with the body.
        (State::Size(value, _), b';' | b' ' | b'\t') => State::Extension(value),
        (State::Extension(value), b'\r') => State::SizeLf(value),
        (State::Extension(_), b'\n') => return Err(ChunkError("bare LF after a chunk size")),
        (State::Extension(value), _) => State::Extension(value),
        (State::SizeLf(0), b'\n') => State::TrailerStart,
        (State::SizeLf(size), b'\n') => State::Data(size),
        (State::DataCr, b'\r') => State::DataLf,
        (State::DataLf, b'\n') => State::Size(0, 0),
        (State::TrailerStart, b'\r') => State::FinalLf,
        (State::TrailerStart | State::Trailer, b'\n') => {
            return Err(ChunkError("bare LF in trailer section"))
        }
        (State::Trailer, b'\r') => State::TrailerLf,
        (State::TrailerStart | State::Trailer, _) => State::Trailer,
        (State::TrailerLf, b'\n') => State::TrailerStart,
        (State::FinalLf, b'\n') => State::Done,
        _ => return Err(ChunkError("malformed chunked body")),
    })
}

impl fmt::Display for ChunkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "bad chunked body: {}", self.0)
    }
}

impl std::error::Error for ChunkError {}

#[cfg(test)]
mod tests;
