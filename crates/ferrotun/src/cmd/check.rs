//! `check [--wg] [--resolve] CONFIG_FILE|INTERFACE`: every problem of a config file, each as
//! `file:line: problem`, without touching the system.
//!
//! * Errors are what `up` (or with `--wg`, `setconf`) would refuse: everything the parser
//!   rejects ([`ferrotun_conf::check_bytes`] reads on after each one), and a file name that
//!   is not `INTERFACE.conf`. Unrecognized lines get a hint ([`hint`]).
//! * Warnings are what would work but is probably a mistake: the parser's own (host bits in
//!   an allowed IP), the lints of [`ferrotun_conf::lint`], a `Table` this host does not
//!   know, and a file that others can read.
//!
//! A `ferrotun proxy` configuration (a proxy section or `WGConfig`) is checked as one
//! ([`proxy`]), under any file name.
//!
//! Endpoint host names are checked for form only, so that `check` works offline and fast;
//! `--resolve` looks them up as `up` would. The report goes to standard output, in line
//! order, then a summary line; the exit status is 1 if there is an error.

use crate::console::{out_bytes, usage};
use crate::Invocation;
use ferrotun_conf::resolve::strip_os_error_suffix;
use ferrotun_conf::{
    check_bytes, lint, Config, Dialect, Error, ErrorKind, OfflineResolver, ParseOptions, Resolver,
    SystemResolver, Warning,
};
use ferrotun_quick::invocation;
use std::path::PathBuf;

mod hint;
mod proxy;

const USAGE: &str = "[--wg] [--resolve] [ CONFIG_FILE | INTERFACE ]";

/// What the command line asked for.
struct Request {
    dialect: Dialect,
    resolve: bool,
    argument: String,
}

fn request(inv: &Invocation<'_>) -> Option<Request> {
    let mut request = Request {
        dialect: Dialect::WgQuick,
        resolve: false,
        argument: String::new(),
    };
    let mut argument = None;
    for arg in inv.args.iter().skip(1) {
        match arg.to_str() {
            Some("--wg") => request.dialect = Dialect::Wg,
            Some("--resolve") => request.resolve = true,
            Some(a) if a.starts_with('-') => return None,
            _ if argument.is_some() => return None,
            _ => argument = Some(arg.to_string_lossy().into_owned()),
        }
    }
    request.argument = argument?;
    Some(request)
}

/// `check`.
pub fn run(inv: &Invocation<'_>) -> u8 {
    let Some(request) = request(inv) else {
        usage(inv.prog, inv.command(), USAGE);
        return 1;
    };
    let report = check(&request);
    let failed = report.errors > 0;
    out_bytes(report.render().as_bytes());
    u8::from(failed)
}

/// The findings, in line order.
struct Report {
    name: String,
    lines: Vec<(Option<usize>, String)>,
    errors: usize,
    warnings: usize,
}

impl Report {
    fn error(&mut self, error: &Error, hint: Option<String>) {
        let text = match hint {
            Some(hint) => format!("{error} ({hint})"),
            None => error.to_string(),
        };
        self.lines.push((error.line, text));
        self.errors += 1;
    }

    fn warning(&mut self, warning: &Warning) {
        self.lines.push((warning.line, warning.to_string()));
        self.warnings += 1;
    }

    fn render(mut self) -> String {
        // Stable: the parser's order stays for findings on the same line.
        self.lines.sort_by_key(|(line, _)| *line);
        let mut text: String = self.lines.iter().map(|(_, l)| format!("{l}\n")).collect();
        let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let summary = match (self.errors, self.warnings) {
            (0, 0) => "OK".to_string(),
            (0, w) => format!("OK, {}", plural(w, "warning")),
            (e, 0) => plural(e, "error"),
            (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
        };
        text.push_str(&format!("{}: {summary}\n", self.name));
        text
    }
}

fn check(request: &Request) -> Report {
    let (path, naming) = locate(&request.argument, request.dialect);
    if let Some(report) = proxy::check(&path, request.resolve) {
        return report;
    }
    let name = path.display().to_string();
    let mut report = Report {
        name: name.clone(),
        lines: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    if let Some(message) = naming {
        report.error(
            &Error::new(ErrorKind::Invalid, message).in_file(&name),
            None,
        );
    }
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) => {
            let message = strip_os_error_suffix(&e.to_string()).to_string();
            report.error(&Error::new(ErrorKind::Io, message).in_file(&name), None);
            return report;
        }
    };
    let (config, errors, warnings) = parse(&text, &name, request);
    if invocation::permission_warning(&path).is_some() {
        let message = if matches!(config.interface.private_key, Some(Some(_))) {
            "Warning: the file is world accessible, and it holds a private key"
        } else {
            "Warning: the file is world accessible"
        };
        report.warning(&Warning {
            path: Some(name.clone()),
            line: None,
            message: message.to_string(),
        });
    }
    for error in &errors {
        report.error(error, hint::for_error(error, request.dialect, &text));
    }
    let mut warnings = warnings;
    warnings.extend(lint(&text, Some(&name), &config, request.dialect));
    if request.dialect == Dialect::WgQuick {
        warnings.extend(table_warning(&text, &name, &config));
    }
    warnings.extend(port_warning(&text, &name, &config));
    for warning in &warnings {
        report.warning(warning);
    }
    report
}

/// What `check` reports as errors for the file at `path` (read again, names checked for
/// form only), each with its hint: for `up` and `setconf`, which stop at the first error,
/// to show every one as `check` would.
pub fn errors_with_hints(path: &std::path::Path, dialect: Dialect) -> Vec<String> {
    let Ok(text) = std::fs::read(path) else {
        return Vec::new();
    };
    let request = Request {
        dialect,
        resolve: false,
        argument: String::new(),
    };
    let (_, errors, _) = parse(&text, &path.display().to_string(), &request);
    errors
        .iter()
        .map(|error| match hint::for_error(error, dialect, &text) {
            Some(hint) => format!("{error} ({hint})"),
            None => error.to_string(),
        })
        .collect()
}

/// The file for the argument, and the error `up` would give for its name. An existing file
/// is that file (as for `qr`); otherwise an interface name means
/// `/etc/wireguard/NAME.conf`. With `--wg` any file name is fine.
fn locate(argument: &str, dialect: Dialect) -> (PathBuf, Option<String>) {
    let path = invocation::existing_file_or_resolved(argument);
    if dialect == Dialect::Wg || path != std::path::Path::new(argument) {
        return (path, None);
    }
    // A path: `up PATH` takes the interface name from the file's name.
    let naming = invocation::name_of_file(&path).err();
    (path, naming)
}

fn parse(text: &[u8], name: &str, request: &Request) -> (Config, Vec<Error>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let mut warn = |w: &Warning| warnings.push(w.clone());
    let mut notify = |line: &str| crate::console::err_line(line);
    let mut system = SystemResolver::new(&mut notify);
    let mut offline = OfflineResolver;
    let resolver: &mut dyn Resolver = if request.resolve {
        &mut system
    } else {
        &mut offline
    };
    let mut options = ParseOptions {
        dialect: request.dialect,
        resolver,
        warn: &mut warn,
    };
    let checked = check_bytes(text, Some(name), &mut options);
    (checked.config, checked.errors, warnings)
}

/// A `Table` that `up` would refuse on this host: neither `auto`, `off`, a number nor a
/// name that iproute2 knows here.
fn table_warning(text: &[u8], name: &str, config: &Config) -> Option<Warning> {
    let table = config.interface.quick.table.as_deref()?;
    let env = ferrotun_quick::Environment {
        table_names: ferrotun_quick::rt_tables::read(),
        ..ferrotun_quick::Environment::default()
    };
    ferrotun_quick::plan::table_mode(Some(table), &env).err()?;
    Some(Warning {
        path: Some(name.to_string()),
        line: last_key_line(text, "table"),
        message: format!(
            "Warning: Table `{table}' is neither auto, off, a number nor a table name known \
             on this host (/etc/iproute2/rt_tables), so `up' would fail here"
        ),
    })
}

/// A `ListenPort` that something on this host already listens on, so that `up` (or
/// `setconf`) would fail here with "Address already in use". Found by binding the port for
/// an instant, on IPv4 and IPv6 as the daemon does.
fn port_warning(text: &[u8], name: &str, config: &Config) -> Option<Warning> {
    let port = config.interface.listen_port.filter(|port| *port != 0)?;
    let taken = |ip: std::net::IpAddr| {
        std::net::UdpSocket::bind((ip, port))
            .is_err_and(|e| e.kind() == std::io::ErrorKind::AddrInUse)
    };
    let taken = taken([0, 0, 0, 0].into()) || taken(std::net::Ipv6Addr::UNSPECIFIED.into());
    taken.then(|| Warning {
        path: Some(name.to_string()),
        line: ferrotun_conf::lint::interface_key_line(text, "ListenPort"),
        message: format!(
            "Warning: UDP port {port} is already in use on this host, so `up' would fail \
             here (unless this interface is up and holds it)"
        ),
    })
}

/// The last line whose key (before `=`, comment and whitespace ignored) is `key`.
fn last_key_line(text: &[u8], key: &str) -> Option<usize> {
    let text = String::from_utf8_lossy(text);
    text.split('\n')
        .enumerate()
        .filter(|(_, line)| {
            let code = line.split('#').next().unwrap_or_default();
            code.split_once('=').is_some_and(|(k, _)| {
                ferrotun_conf::value::strip_spaces(k).eq_ignore_ascii_case(key)
            })
        })
        .map(|(index, _)| index + 1)
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(lines: &[(Option<usize>, &str)], errors: usize, warnings: usize) -> String {
        Report {
            name: "wg0.conf".into(),
            lines: lines.iter().map(|(l, t)| (*l, (*t).to_string())).collect(),
            errors,
            warnings,
        }
        .render()
    }

    #[test]
    fn findings_are_sorted_and_summed_up() {
        assert_eq!(render(&[], 0, 0), "wg0.conf: OK\n");
        assert_eq!(
            render(
                &[(Some(9), "b"), (None, "a"), (Some(2), "c"), (Some(9), "d")],
                3,
                1
            ),
            "a\nc\nb\nd\nwg0.conf: 3 errors, 1 warning\n"
        );
        assert_eq!(
            render(&[(Some(1), "w")], 0, 1),
            "w\nwg0.conf: OK, 1 warning\n"
        );
        assert_eq!(render(&[(Some(1), "e")], 1, 0), "e\nwg0.conf: 1 error\n");
    }

    #[test]
    fn the_table_line_is_found() {
        let text = b"[Interface]\n table = 1\n# Table = 2\nTable=x # Table = 3\n[Peer]\n";
        assert_eq!(last_key_line(text, "table"), Some(4));
        assert_eq!(last_key_line(text, "mtu"), None);
    }
}
