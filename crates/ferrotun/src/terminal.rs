//! Colour on the terminal, as `wg` decides and strips it (`terminal.c`).
//!
//! Pretty output is written in pieces, each with its escape sequences. With colour off every
//! piece is filtered on its own, exactly as `wg` filters each `terminal_printf` call: an
//! `ESC [` and everything up to and including the next ASCII letter is dropped (an `ESC [`
//! in the last two bytes of a piece is kept).

use std::io::{IsTerminal as _, Write};

/// Foreground green.
pub const GREEN: &str = "\x1b[32m";
/// Foreground yellow.
pub const YELLOW: &str = "\x1b[33m";
/// Foreground cyan.
pub const CYAN: &str = "\x1b[36m";
/// Foreground red.
pub const RED: &str = "\x1b[31m";
/// Bold.
pub const BOLD: &str = "\x1b[1m";
/// Back to normal.
pub const RESET: &str = "\x1b[0m";

/// Whether pretty output is coloured: `WG_COLOR_MODE=always|never`, otherwise only when
/// standard output is a terminal.
#[must_use]
pub fn colour_wanted() -> bool {
    match std::env::var_os("WG_COLOR_MODE") {
        Some(mode) if mode == "always" => true,
        Some(mode) if mode == "never" => false,
        _ => std::io::stdout().is_terminal(),
    }
}

/// Writes pretty-output pieces, coloured or filtered.
pub struct Terminal<'w> {
    out: &'w mut dyn Write,
    colour: bool,
}

impl<'w> Terminal<'w> {
    /// A writer with colour on or off.
    pub fn new(out: &'w mut dyn Write, colour: bool) -> Self {
        Terminal { out, colour }
    }

    /// One `terminal_printf` call's worth of text. Write errors are ignored, as `printf`'s
    /// are.
    pub fn piece(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let _ = if self.colour {
            self.out.write_all(bytes)
        } else {
            self.out.write_all(&strip_escapes(bytes))
        };
    }

    /// Raw bytes (an interface name may not be UTF-8), filtered like a piece.
    pub fn piece_bytes(&mut self, bytes: &[u8]) {
        let _ = if self.colour {
            self.out.write_all(bytes)
        } else {
            self.out.write_all(&strip_escapes(bytes))
        };
    }
}

/// `filter_ansi` on one piece.
#[must_use]
pub fn strip_escapes(piece: &[u8]) -> Vec<u8> {
    // Dropped bytes become NUL, as in C; the input has none of its own.
    let mut bytes = piece.to_vec();
    let len = bytes.len();
    for i in 0..len.saturating_sub(2) {
        if bytes[i] != 0x1b || bytes[i + 1] != b'[' {
            continue;
        }
        bytes[i] = 0;
        bytes[i + 1] = 0;
        let mut j = i + 2;
        while j < len && !bytes[j].is_ascii_alphabetic() {
            bytes[j] = 0;
            j += 1;
        }
        if j < len {
            bytes[j] = 0;
        }
    }
    bytes.retain(|b| *b != 0);
    bytes
}

#[cfg(test)]
mod tests;
