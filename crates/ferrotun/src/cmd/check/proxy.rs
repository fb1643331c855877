//! `check FILE` for a `ferrotun proxy` configuration (a file with a proxy section or a
//! top-level `WGConfig`): every error of [`ferrotun_conf::proxy::check_proxy_bytes`] and its
//! warnings, in the same report as a plain file. Such a file may have any name, and `--wg`
//! does not apply to it.

use super::Report;
use ferrotun_conf::proxy::{
    check_proxy_bytes, is_proxy_config, system_env, system_read, ProxyOptions, WireGuardSource,
};
use ferrotun_conf::{OfflineResolver, Resolver, SystemResolver, Warning};
use ferrotun_quick::invocation;
use std::path::Path;

/// The report for `path` if it is a proxy configuration; `None` (the plain check goes on)
/// if it is not, or cannot be read.
pub(super) fn check(path: &Path, resolve: bool) -> Option<Report> {
    let text = std::fs::read(path).ok()?;
    if !is_proxy_config(&text) {
        return None;
    }
    let name = path.display().to_string();
    let mut notify = |line: &str| crate::console::err_line(line);
    let mut system = SystemResolver::new(&mut notify);
    let mut offline = OfflineResolver;
    let resolver: &mut dyn Resolver = if resolve { &mut system } else { &mut offline };
    let mut options = ProxyOptions {
        resolver,
        env: &system_env,
        read: &system_read,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let checked = check_proxy_bytes(&text, Some(&name), dir, &mut options);
    let mut report = Report {
        name: name.clone(),
        lines: Vec::new(),
        errors: 0,
        warnings: 0,
    };
    let key_file = match &checked.config.source {
        WireGuardSource::Imported { path, .. } => path.clone(),
        WireGuardSource::Inline => path.to_path_buf(),
    };
    let has_key = matches!(
        checked.config.wireguard.interface.private_key,
        Some(Some(_))
    );
    let own = world_accessible(path, has_key && key_file == path);
    let imported = (key_file != path)
        .then(|| world_accessible(&key_file, has_key))
        .flatten();
    for warning in own.iter().chain(&imported) {
        report.warning(warning);
    }
    for error in &checked.errors {
        report.error(error, None);
    }
    for warning in &checked.warnings {
        report.warning(warning);
    }
    Some(report)
}

/// A warning for a file others can read: the proxy file may hold passwords, the file with
/// the WireGuard part a private key.
fn world_accessible(path: &Path, holds_key: bool) -> Option<Warning> {
    invocation::permission_warning(path)?;
    let message = if holds_key {
        "Warning: the file is world accessible, and it holds a private key"
    } else {
        "Warning: the file is world accessible"
    };
    Some(Warning {
        path: Some(path.display().to_string()),
        line: None,
        message: message.to_string(),
    })
}
