//! `genkey`, `genpsk` and `pubkey` (`genkey.c`, `pubkey.c`).

use crate::console::{err_line, out_bytes};
use crate::Invocation;
use ferrotun_conf::value::is_wg_space;
use ferrotun_proto::keys::{PresharedKey, PrivateKey};
use rand_core::{OsRng, RngCore as _};
use std::os::fd::AsFd as _;
use std::os::unix::ffi::OsStrExt as _;
use std::os::unix::fs::PermissionsExt as _;
use zeroize::Zeroize as _;

/// The base64 form of a key is 44 characters.
const BASE64_LEN: usize = 44;

/// `genkey` (clamped) and `genpsk` (raw random bytes).
pub fn genkey(inv: &Invocation<'_>) -> u8 {
    if inv.args.len() != 1 {
        inv.usage("");
        return 1;
    }
    if stdout_is_world_accessible_file() {
        crate::console::err_bytes(
            b"Warning: writing to world accessible file.\nConsider setting the umask to 077 and trying again.\n",
        );
    }
    let mut bytes = [0u8; 32];
    if let Err(e) = OsRng.try_fill_bytes(&mut bytes) {
        let code = e.raw_os_error().unwrap_or(libc::EIO);
        err_line(&format!(
            "getrandom: {}",
            ferrotun_uapi::client::Error::from_errno(code)
        ));
        return 1;
    }
    let text = if inv.command() == "genkey" {
        PrivateKey::from_bytes(bytes).to_base64()
    } else {
        PresharedKey::from_bytes(bytes).to_base64()
    };
    bytes.zeroize();
    out_bytes(format!("{text}\n").as_bytes());
    0
}

/// Whether standard output is a regular file that others may access.
fn stdout_is_world_accessible_file() -> bool {
    let stdout = std::io::stdout();
    let Ok(fd) = stdout.as_fd().try_clone_to_owned() else {
        return false;
    };
    std::fs::File::from(fd)
        .metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o007 != 0)
}

/// `pubkey`: a private key (44 base64 characters, then only whitespace or NUL bytes) on
/// standard input, its public key on standard output.
pub fn pubkey(inv: &Invocation<'_>) -> u8 {
    if inv.args.len() != 1 {
        inv.usage("");
        return 1;
    }
    let prog = String::from_utf8_lossy(inv.prog.as_bytes()).into_owned();
    let mut stdin = std::io::stdin().lock();
    let mut text = [0u8; BASE64_LEN];
    if read_full(&mut stdin, &mut text) != BASE64_LEN {
        err_line(&format!("{prog}: Key is not the correct length or format"));
        return 1;
    }
    if !rest_is_blank(&mut stdin) {
        text.zeroize();
        err_line(&format!("{prog}: Trailing characters found after key"));
        return 1;
    }
    let decoded = std::str::from_utf8(&text)
        .ok()
        .and_then(|s| PresharedKey::from_base64(s).ok());
    text.zeroize();
    let Some(raw) = decoded else {
        err_line(&format!("{prog}: Key is not the correct length or format"));
        return 1;
    };
    let public = PrivateKey::from_bytes(*raw.as_bytes()).public_key();
    out_bytes(format!("{}\n", public.to_base64()).as_bytes());
    0
}

/// Reads until `buf` is full or input ends (`fread`); returns how much was read.
fn read_full(input: &mut dyn std::io::Read, buf: &mut [u8]) -> usize {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    filled
}

/// Whether the rest of the input is whitespace and NUL bytes only (read in chunks, so an
/// endless input of blanks is not stored).
fn rest_is_blank(input: &mut dyn std::io::Read) -> bool {
    let mut chunk = [0u8; 512];
    loop {
        match input.read(&mut chunk) {
            Ok(0) => return true,
            Ok(n) => {
                if !chunk[..n].iter().all(|b| *b == 0 || is_wg_space(*b)) {
                    return false;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => return true,
        }
    }
}
