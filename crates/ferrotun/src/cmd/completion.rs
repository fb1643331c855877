//! `completion bash|zsh|fish`: a completion script for the shell, generated from the
//! dispatch tables and [`super::spec`], so that it always knows every subcommand.
//!
//! The scripts complete what wireguard-tools' own bash completions do, for all three shells:
//! subcommands (with their descriptions where the shell shows them), running interfaces
//! (from `ferrotun show interfaces`), `show`'s fields, `set`'s keywords and the peers of the
//! interface after `peer`, files where a file is expected, and for the wg-quick commands the
//! config names in `/etc/wireguard` as well as `.conf` files.

use super::spec::{self, Args, Operand};
use crate::console::{out_bytes, usage};
use crate::Invocation;

mod bash;
mod fish;
mod zsh;

/// `completion`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    let script = match inv.args {
        [_, shell] => match shell.to_str() {
            Some("bash") => bash::script(),
            Some("zsh") => zsh::script(),
            Some("fish") => fish::script(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    if script.is_empty() {
        usage(inv.prog, inv.command(), "{ bash | zsh | fish }");
        return 1;
    }
    out_bytes(script.as_bytes());
    0
}

/// How the scripts' helpers name an operand kind.
fn operand_word(operand: Operand) -> &'static str {
    match operand {
        Operand::Config => "configs",
        Operand::Interface => "interfaces",
    }
}

/// The words of a list, space-separated (for the shells' word lists).
fn words(list: &[&str]) -> String {
    list.join(" ")
}

/// The subcommands grouped by the completion code `body` writes for them, in table order;
/// those it writes nothing for are left out.
fn grouped(body: fn(Args) -> String) -> Vec<(String, Vec<&'static str>)> {
    let mut groups: Vec<(String, Vec<&'static str>)> = Vec::new();
    for (spec, _) in spec::commands() {
        let code = body(spec.args);
        if code.is_empty() {
            continue;
        }
        match groups.iter_mut().find(|(c, _)| *c == code) {
            Some((_, names)) => names.push(spec.name),
            None => groups.push((code, vec![spec.name])),
        }
    }
    groups
}
