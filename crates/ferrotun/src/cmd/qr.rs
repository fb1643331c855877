//! `qr CONFIG_FILE|INTERFACE`: the config file as a QR code on the terminal, for the
//! WireGuard apps on phones, which import a whole wg-quick file from one.
//!
//! The code holds the file byte for byte (comments too), at the lowest error-correction
//! level, which gives the smallest code for a terminal (as `qrencode` does by default). The
//! file is parsed first, so that a broken file is refused here rather than by the phone.
//!
//! Two module rows make one text line, drawn with the Unicode half blocks `▀`, `▄` and `█`
//! for light modules and a space for dark ones, inside a quiet zone of two light modules. On
//! a terminal (or with `WG_COLOR_MODE=always`) the lines are drawn bright white on black, so
//! the code scans whatever the terminal's colours; otherwise the text is plain and reads
//! right on a dark background.

use crate::console::{err_line, out_bytes, usage};
use crate::Invocation;
use ferrotun_conf::resolve::strip_os_error_suffix;
use ferrotun_conf::{parse_bytes, Dialect, OfflineResolver, ParseOptions, Warning};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the code, on every side.
const QUIET_ZONE: usize = 2;
/// The most bytes a QR code holds (version 40, level L).
const MAX_BYTES: usize = 2953;

/// `qr`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    let argument = match inv.args {
        [_, arg] if arg != "-h" && arg != "--help" => arg.to_string_lossy().into_owned(),
        _ => {
            usage(inv.prog, inv.command(), "[ CONFIG_FILE | INTERFACE ]");
            return 1;
        }
    };
    let prog = inv.prog.to_string_lossy();
    match encode(&argument) {
        Ok(code) => {
            out_bytes(render(&code, crate::terminal::colour_wanted()).as_bytes());
            0
        }
        Err(message) => {
            err_line(&format!("{prog}: {message}"));
            1
        }
    }
}

/// The QR code for the file the argument names (an existing file is that file; otherwise an
/// interface name means `/etc/wireguard/NAME.conf`), or why there is none.
fn encode(argument: &str) -> Result<QrCode, String> {
    let path = ferrotun_quick::invocation::existing_file_or_resolved(argument);
    let name = path.display().to_string();
    let text = std::fs::read(&path)
        .map_err(|e| format!("{name}: {}", strip_os_error_suffix(&e.to_string())))?;
    let mut warn = |_: &Warning| {};
    let mut resolver = OfflineResolver;
    let mut options = ParseOptions {
        dialect: Dialect::WgQuick,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    parse_bytes(&text, Some(&name), &mut options)
        .map_err(|e| format!("{e} (`ferrotun check {argument}' lists every problem)"))?;
    QrCode::with_error_correction_level(&text, EcLevel::L).map_err(|e| match e {
        QrError::DataTooLong => format!(
            "{name} has {} bytes, more than a QR code holds ({MAX_BYTES}); remove comments \
             and blank lines",
            text.len()
        ),
        other => format!("{name}: cannot encode as a QR code: {other}"),
    })
}

/// The code as text lines, with the quiet zone; `colour` adds the escape sequences that
/// force white on black.
#[must_use]
pub fn render(code: &QrCode, colour: bool) -> String {
    let width = code.width();
    let colors = code.to_colors();
    let size = width + 2 * QUIET_ZONE;
    // Rows and columns count from the quiet zone's corner; outside the code is light.
    let light = |x: usize, y: usize| {
        let (Some(x), Some(y)) = (x.checked_sub(QUIET_ZONE), y.checked_sub(QUIET_ZONE)) else {
            return true;
        };
        x >= width || y >= width || colors[y * width + x] == Color::Light
    };
    let mut text = String::new();
    for y in (0..size).step_by(2) {
        if colour {
            text.push_str("\x1b[40;97m");
        }
        for x in 0..size {
            // Below an odd last row is the terminal, not the quiet zone.
            let bottom = y + 1 < size && light(x, y + 1);
            text.push(match (light(x, y), bottom) {
                (true, true) => '█',
                (true, false) => '▀',
                (false, true) => '▄',
                (false, false) => ' ',
            });
        }
        if colour {
            text.push_str("\x1b[0m");
        }
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The module grid (true = light) read back from the text, quiet zone included.
    fn grid(text: &str) -> Vec<Vec<bool>> {
        let mut rows = Vec::new();
        for line in text.lines() {
            let (top, bottom): (Vec<bool>, Vec<bool>) = line
                .chars()
                .map(|c| (matches!(c, '█' | '▀'), matches!(c, '█' | '▄')))
                .unzip();
            rows.push(top);
            rows.push(bottom);
        }
        rows
    }

    #[test]
    fn modules_become_half_blocks() {
        let code = QrCode::with_error_correction_level(b"hello", EcLevel::L).unwrap();
        assert_eq!(code.width(), 21);
        let text = render(&code, false);
        let size = 21 + 2 * QUIET_ZONE;
        assert_eq!(text.lines().count(), size.div_ceil(2));
        assert!(text.lines().all(|l| l.chars().count() == size));
        let rows = grid(&text);
        let colors = code.to_colors();
        for y in 0..size {
            for x in 0..size {
                let inside = (QUIET_ZONE..QUIET_ZONE + 21).contains(&x)
                    && (QUIET_ZONE..QUIET_ZONE + 21).contains(&y);
                let expected =
                    !inside || colors[(y - QUIET_ZONE) * 21 + x - QUIET_ZONE] == Color::Light;
                assert_eq!(rows[y][x], expected, "module {x},{y}");
            }
        }
        // The last line's lower half is outside (odd size): drawn dark, never as a module.
        assert!(rows[size].iter().all(|light| !light));
    }

    #[test]
    fn colour_wraps_every_line() {
        let code = QrCode::with_error_correction_level(b"x", EcLevel::L).unwrap();
        let text = render(&code, true);
        assert!(text
            .lines()
            .all(|l| l.starts_with("\x1b[40;97m") && l.ends_with("\x1b[0m")));
        let plain = render(&code, false);
        assert_eq!(
            text.replace("\x1b[40;97m", "").replace("\x1b[0m", ""),
            plain
        );
    }
}
