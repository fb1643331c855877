//! Request framing on one connection (wireguard-go `IpcHandle`), over any `Read + Write`
//! stream; in practice a `UnixStream` accepted from [`crate::socket`].
//!
//! * `get=1\n\n` → the reply lines, `errno=0\n\n`. The byte after `get=1\n` must be `\n`;
//!   any other byte is consumed and answered with `errno=-22\n\n`, as wireguard-go does.
//! * `set=1\n`, lines, `\n` → `errno=N\n\n`.
//! * Any other first line closes the connection without a reply. Several requests may
//!   follow each other on one connection.
//!
//! Differences from wireguard-go, all on malformed or hostile input:
//!
//! * A `set` is read up to its blank line before anything is applied. A request that ends
//!   without one (the client went away) is dropped unapplied; wireguard-go applies it.
//! * After a bad `set` line the rest of the request is still read (not parsed) and the
//!   connection stays usable; wireguard-go replies and then misreads the leftover lines as
//!   operations, which closes the connection.
//! * A line longer than [`Limits::max_line`] (64 KiB, the size of Go's `bufio.Scanner` token
//!   limit, which wireguard-go reports as `-EIO`) or a request larger than
//!   [`Limits::max_request`] is answered with `errno=-5` and the connection is closed; at
//!   most one line is ever buffered.
//!
//! The stream's I/O errors end [`serve`] with that error. A client that connects and sends
//! nothing blocks its thread until the stream's read timeout, which
//! [`accept_loop`](crate::accept::accept_loop) sets.

use crate::error::{Errno, Error};
use crate::model::SetRequest;
use crate::parse::{trim_cr, SetParser};
use std::io::{self, Read, Write};
use zeroize::Zeroize;

/// What the daemon provides to the connection loop. It takes its device lock only inside
/// [`get`](Handler::get) and [`set`](Handler::set): reading and parsing happen outside.
pub trait Handler {
    /// Appends the reply lines (see [`crate::get::write_get`]), without `errno=`.
    fn get(&mut self, out: &mut Vec<u8>) -> Result<(), Error>;
    /// Applies a parsed request (see [`crate::apply::apply`]).
    fn set(&mut self, request: SetRequest) -> Result<(), Error>;
    /// The index of the interface `name`, for endpoint zones (`if_nametoindex`); usually
    /// [`Interface::resolve_zone`](crate::apply::Interface::resolve_zone). Called while
    /// parsing, before [`set`](Handler::set), so it must not need the device lock.
    fn resolve_zone(&self, name: &str) -> Option<u32> {
        let _ = name;
        None
    }
    /// Called with every error before it is reported to the client, for the daemon's log.
    fn log_error(&mut self, error: &Error) {
        let _ = error;
    }
}

/// Bounds that keep a hostile client from making the daemon buffer without limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest accepted line, without its `\n`. Each connection allocates a read buffer of
    /// this size.
    pub max_line: usize,
    /// Largest accepted `set` request in bytes. The parsed request is held in memory, so
    /// this bounds memory too. The default, 256 MiB, fits a `setconf` of about 900,000
    /// peers that each have a PSK, an endpoint, a keepalive and one prefix (~280 bytes).
    pub max_request: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 64 * 1024,
            max_request: 256 * 1024 * 1024,
        }
    }
}

/// Longest operation line we look at: `get=1` and `set=1` are all there is.
const MAX_OP_LINE: usize = 16;

/// Serves requests on one connection until the client closes it, sends an unknown
/// operation, or breaks a limit. Returns the stream's I/O error, if any.
pub fn serve<S, H>(stream: S, handler: &mut H, limits: &Limits) -> io::Result<()>
where
    S: Read + Write,
    H: Handler + ?Sized,
{
    let mut conn = Conn::new(stream, limits.max_line.max(MAX_OP_LINE));
    loop {
        match conn.read_line(MAX_OP_LINE)? {
            ReadLine::Line(op) if conn.line(&op) == b"get=1" => match conn.read_byte()? {
                None => return Ok(()),
                Some(b'\n') => serve_get(&mut conn, handler)?,
                Some(c) => {
                    let msg = format!("trailing character in UAPI get: {:?}", char::from(c));
                    conn.reply_error(handler, &Error::invalid(msg))?;
                }
            },
            ReadLine::Line(op) if conn.line(&op) == b"set=1" => {
                match read_set(&mut conn, handler, limits)? {
                    SetOutcome::Parsed(request) => {
                        let result = handler.set(request);
                        conn.reply(handler, result)?;
                    }
                    SetOutcome::Invalid(e) => conn.reply_error(handler, &e)?,
                    SetOutcome::Fatal(e) => return conn.reply_error(handler, &e),
                    SetOutcome::Disconnected => return Ok(()),
                }
            }
            // An unknown operation, an over-long first line, or the end of the stream.
            _ => return Ok(()),
        }
    }
}

fn serve_get<S: Read + Write, H: Handler + ?Sized>(
    conn: &mut Conn<S>,
    handler: &mut H,
) -> io::Result<()> {
    let mut out = Vec::new();
    let result = match handler.get(&mut out) {
        Ok(()) => {
            out.extend_from_slice(b"errno=0\n\n");
            conn.write(&out)
        }
        Err(e) => conn.reply_error(handler, &e),
    };
    // The reply held the private key.
    out.zeroize();
    result
}

enum SetOutcome {
    Parsed(SetRequest),
    /// The request was read to its end but is invalid; the connection goes on.
    Invalid(Error),
    /// A limit was broken: reply and close.
    Fatal(Error),
    Disconnected,
}

/// Reads and parses a `set` body up to its blank line.
fn read_set<S: Read + Write, H: Handler + ?Sized>(
    conn: &mut Conn<S>,
    handler: &H,
    limits: &Limits,
) -> io::Result<SetOutcome> {
    let resolve = |name: &str| handler.resolve_zone(name);
    let mut parser = SetParser::new(&resolve);
    let mut failed: Option<Error> = None;
    let mut total: usize = 0;
    loop {
        let range = match conn.read_line(limits.max_line)? {
            ReadLine::Line(range) => range,
            ReadLine::TooLong => {
                let msg = format!(
                    "failed to read input: line longer than {} bytes",
                    limits.max_line
                );
                return Ok(SetOutcome::Fatal(Error::new(Errno::EIO, msg)));
            }
            ReadLine::Eof | ReadLine::Partial => return Ok(SetOutcome::Disconnected),
        };
        total = total.saturating_add(range.len() + 1);
        if total > limits.max_request {
            let msg = format!(
                "failed to read input: request larger than {} bytes",
                limits.max_request
            );
            return Ok(SetOutcome::Fatal(Error::new(Errno::EIO, msg)));
        }
        let line = trim_cr(conn.line(&range));
        if line.is_empty() {
            return Ok(match failed {
                Some(e) => SetOutcome::Invalid(e),
                None => SetOutcome::Parsed(parser.finish()),
            });
        }
        if failed.is_none() {
            if let Err(e) = parser.line(line) {
                failed = Some(e);
                // Free what was parsed; the rest of the request is only skipped.
                parser = SetParser::new(&resolve);
            }
        }
    }
}

/// What [`Conn::read_line`] found.
enum ReadLine {
    /// A complete line (without `\n`) at this range of the buffer.
    Line(std::ops::Range<usize>),
    /// The line exceeds the limit; the stream is now out of step.
    TooLong,
    /// The stream ended between lines.
    Eof,
    /// The stream ended inside a line.
    Partial,
}

/// A stream with a fixed-size read buffer: reading never buffers more than one line.
struct Conn<S> {
    stream: S,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
}

impl<S: Read + Write> Conn<S> {
    fn new(stream: S, max_line: usize) -> Self {
        Conn {
            stream,
            // The longest line plus its newline.
            buf: vec![0; max_line.saturating_add(1)].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    fn line(&self, range: &std::ops::Range<usize>) -> &[u8] {
        &self.buf[range.clone()]
    }

    fn read_line(&mut self, max: usize) -> io::Result<ReadLine> {
        let mut searched = self.start;
        loop {
            let found = self.buf[searched..self.end]
                .iter()
                .position(|&c| c == b'\n');
            if let Some(i) = found {
                let line = self.start..searched + i;
                self.start = searched + i + 1;
                return Ok(ReadLine::Line(line));
            }
            if self.end - self.start > max {
                return Ok(ReadLine::TooLong);
            }
            if self.start == self.end {
                (self.start, self.end) = (0, 0);
            } else if self.end == self.buf.len() {
                // Make room by moving the partial line to the front.
                self.buf.copy_within(self.start..self.end, 0);
                self.end -= self.start;
                self.start = 0;
            }
            searched = self.end;
            if self.fill()? == 0 {
                let partial = self.start != self.end;
                return Ok(if partial {
                    ReadLine::Partial
                } else {
                    ReadLine::Eof
                });
            }
        }
    }

    fn read_byte(&mut self) -> io::Result<Option<u8>> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
            if self.fill()? == 0 {
                return Ok(None);
            }
        }
        let byte = self.buf[self.start];
        self.start += 1;
        Ok(Some(byte))
    }

    /// Reads more into the free tail of the buffer (which must not be empty); 0 means the
    /// end of the stream.
    fn fill(&mut self) -> io::Result<usize> {
        loop {
            match self.stream.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    self.end += n;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    fn reply<H: Handler + ?Sized>(
        &mut self,
        h: &mut H,
        result: Result<(), Error>,
    ) -> io::Result<()> {
        match result {
            Ok(()) => self.write(b"errno=0\n\n"),
            Err(e) => self.reply_error(h, &e),
        }
    }

    fn reply_error<H: Handler + ?Sized>(&mut self, h: &mut H, e: &Error) -> io::Result<()> {
        h.log_error(e);
        self.write(format!("errno={}\n\n", e.errno()).as_bytes())
    }
}

#[cfg(test)]
mod tests;
