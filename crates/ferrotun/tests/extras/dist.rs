//! The files in `dist/` are current and work: the generated ones, the man pages, the systemd
//! unit ([`super::completion`] tries the completion scripts in their shells).

use super::{dist, ferrotun, have, TempDir};
use std::process::Command;

/// `(file in dist/, ferrotun arguments that generate it)`.
const GENERATED: &[(&str, &[&str])] = &[
    ("completions/ferrotun.bash", &["completion", "bash"]),
    ("completions/_ferrotun", &["completion", "zsh"]),
    ("completions/ferrotun.fish", &["completion", "fish"]),
    ("man/ferrotun.8", &["man"]),
];

#[test]
fn generated_files_are_up_to_date() {
    let update = std::env::var_os("FERROTUN_UPDATE_DIST").is_some_and(|v| v == "1");
    for (file, args) in GENERATED {
        let run = ferrotun(args, &[]);
        assert_eq!((run.code, run.err.as_str()), (0, ""), "{args:?}");
        let path = dist().join(file);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &run.out).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == run.out,
            "dist/{file} is not what `ferrotun {}` prints; regenerate with \
             FERROTUN_UPDATE_DIST=1 cargo test -p ferrotun --test extras generated",
            args.join(" ")
        );
    }
}

/// The subcommands `ferrotun help` lists.
pub fn commands() -> Vec<String> {
    let run = ferrotun(&["help"], &[]);
    let names: Vec<String> = run
        .out
        .lines()
        .filter_map(|l| {
            l.strip_prefix("  ")?
                .split_once(':')
                .map(|(n, _)| n.to_string())
        })
        .collect();
    assert!(names.len() >= 17, "{}", run.out);
    names
}

/// roff source to plain text, enough to find the synopses in it.
fn unroff(page: &str) -> String {
    page.replace(r"\-", "-")
        .replace(r"\e", "\\")
        .replace(r"\fB", "")
        .replace(r"\fR", "")
        .replace(r"\fI", "")
        .replace(r"\&", "")
}

/// Arguments that make each subcommand print its usage (and touch nothing).
fn usage_args(command: &str) -> Vec<&str> {
    match command {
        "show" => vec!["show", "a", "b", "c", "d"],
        "genkey" | "genpsk" | "pubkey" | "man" => vec![command, "extra"],
        _ => vec![command],
    }
}

#[test]
fn the_man_page_has_every_command_as_its_usage_says() {
    let page = unroff(&ferrotun(&["man"], &[]).out);
    for command in commands() {
        let run = ferrotun(&usage_args(&command), &[]);
        assert_eq!(run.code, 1, "{command}: {run:?}");
        let usage = run
            .err
            .lines()
            .find_map(|l| l.strip_prefix("Usage: "))
            .unwrap();
        let synopsis = usage.split_once(' ').unwrap().1.trim_end();
        let line = format!("ferrotun {synopsis}");
        assert!(
            page.lines().any(|l| l == line),
            "the man page lacks `{line}'"
        );
    }
}

#[test]
fn the_man_page_renders_without_warnings() {
    if !have("groff") {
        return;
    }
    let output = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(dist().join("man/ferrotun.8"))
        .output()
        .unwrap();
    assert!(output.status.success());
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

/// `key=value` lines of a unit file, by section.
fn unit_keys(text: &str) -> Vec<(String, String, String)> {
    let mut section = String::new();
    let mut keys = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
            continue;
        }
        let (key, value) = line.split_once('=').expect("key=value");
        keys.push((
            section.clone(),
            key.trim().to_string(),
            value.trim().to_string(),
        ));
    }
    keys
}

#[test]
fn the_systemd_unit_runs_ferrotun() {
    let text = std::fs::read_to_string(dist().join("systemd/ferrotun@.service")).unwrap();
    let keys = unit_keys(&text);
    let get = |section: &str, key: &str| -> Vec<&str> {
        keys.iter()
            .filter(|(s, k, _)| s == section && k == key)
            .map(|(_, _, v)| v.as_str())
            .collect()
    };
    assert_eq!(get("Service", "Type"), ["oneshot"]);
    assert_eq!(get("Service", "RemainAfterExit"), ["yes"]);
    assert_eq!(get("Service", "ExecStart"), ["/usr/bin/ferrotun up %i"]);
    assert_eq!(get("Service", "ExecStop"), ["/usr/bin/ferrotun down %i"]);
    assert_eq!(
        get("Service", "ExecReload"),
        ["/usr/bin/ferrotun reload %i"]
    );
    assert_eq!(
        get("Service", "Environment"),
        ["WG_ENDPOINT_RESOLUTION_RETRIES=infinity"]
    );
    assert_eq!(
        get("Unit", "After"),
        ["network-online.target nss-lookup.target"]
    );
    assert_eq!(
        get("Unit", "Wants"),
        ["network-online.target nss-lookup.target"]
    );
    assert_eq!(
        get("Install", "WantedBy"),
        ["multi-user.target ferrotun.target"]
    );
    // The commands it runs exist.
    for command in ["up", "down", "reload"] {
        assert!(commands().iter().any(|c| c == command), "{command}");
    }
}

#[test]
fn the_proxy_unit_runs_ferrotun_proxy_without_privileges() {
    let text = std::fs::read_to_string(dist().join("systemd/ferrotun-proxy@.service")).unwrap();
    let keys = unit_keys(&text);
    let get = |key: &str| -> Vec<&str> {
        keys.iter()
            .filter(|(s, k, _)| s == "Service" && k == key)
            .map(|(_, _, v)| v.as_str())
            .collect()
    };
    assert_eq!(
        get("ExecStart"),
        ["/usr/bin/ferrotun proxy --uapi ${RUNTIME_DIRECTORY}/%i.sock ${CREDENTIALS_DIRECTORY}/proxy.conf"]
    );
    assert_eq!(get("DynamicUser"), ["yes"]);
    assert_eq!(get("CapabilityBoundingSet"), [""]);
    assert_eq!(get("NoNewPrivileges"), ["yes"]);
    assert_eq!(
        get("LoadCredential"),
        ["proxy.conf:/etc/ferrotun/proxy/%i.conf"]
    );
    assert!(commands().iter().any(|c| c == "proxy"));
}

#[test]
fn systemd_accepts_the_unit() {
    if !have("systemd-analyze") {
        return;
    }
    let dir = TempDir::new("systemd");
    let ferrotun_bin = env!("CARGO_BIN_EXE_ferrotun");
    for name in [
        "ferrotun@.service",
        "ferrotun.target",
        "ferrotun-proxy@.service",
    ] {
        let text = std::fs::read_to_string(dist().join("systemd").join(name)).unwrap();
        // Verification wants the programs to exist: point it at the one just built.
        dir.file(name, &text.replace("/usr/bin/ferrotun", ferrotun_bin));
    }
    let verify = |unit: &str| {
        Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(dir.path().join(unit))
            .output()
            .unwrap()
    };
    for unit in ["ferrotun@wg0.service", "ferrotun-proxy@work.service"] {
        let output = verify(unit);
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{unit}");
        assert!(output.status.success(), "{unit}");
    }
    // And it would notice a mistake.
    dir.file(
        "ferrotun@.service",
        "[Service]\nType=oneshot\nExecStart=relative up %i\n",
    );
    assert!(!verify("ferrotun@wg0.service").status.success());
}

/// The names in `text` that look like environment variables the daemon reads.
fn env_names(text: &str) -> Vec<String> {
    let mut names: Vec<String> = text
        .split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            ["WG_", "FERROTUN_", "LOG_", "RUST_"]
                .iter()
                .any(|p| s.starts_with(p))
                && s.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        })
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    names
}

#[test]
fn ferrotund_page_matches_the_daemon() {
    let page = unroff(&std::fs::read_to_string(dist().join("man/ferrotund.8")).unwrap());
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../ferrotund/src");
    let mut sources = String::new();
    for entry in std::fs::read_dir(&src).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            sources.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    let usage = sources
        .split("\"Usage: ")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("ferrotund's usage line");
    assert!(page.lines().any(|l| l == usage), "synopsis `{usage}'");
    let names = env_names(&sources);
    assert!(names.iter().any(|n| n == "WG_TUN_FD"), "{names:?}");
    for name in names {
        assert!(page.contains(&name), "ferrotund.8 does not explain {name}");
    }
    if have("groff") {
        let output = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(dist().join("man/ferrotund.8"))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    }
}
