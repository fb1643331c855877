//! The completion scripts in `dist/completions`, run in bash, zsh and fish against a stand-in
//! `ferrotun` that knows two interfaces and two peers.

use super::dist::commands;
use super::{dist, ferrotun, have, TempDir};
use std::process::Command;

#[test]
fn every_command_completes() {
    let scripts: Vec<String> = ["bash", "zsh", "fish"]
        .iter()
        .map(|shell| ferrotun(&["completion", shell], &[]).out)
        .collect();
    for command in commands() {
        for script in &scripts {
            assert!(script.contains(&command), "{command}");
        }
    }
    let run = ferrotun(&["completion", "tcsh"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.err.contains(" completion { bash | zsh | fish }"));
}

/// A stand-in `ferrotun` for the completion scripts: two interfaces, two peers.
fn stub(dir: &TempDir) -> String {
    let stub = dir.file(
        "ferrotun",
        "#!/bin/sh\ncase \"$*\" in\n'show interfaces') echo 'wg0 wg1' ;;\n\
         'show wg0 peers') printf 'PEERA=\\nPEERB=\\n' ;;\nesac\n",
    );
    std::fs::set_permissions(&stub, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    format!(
        "{}:{}",
        dir.path().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What bash completes for `line` (the cursor at its end; a trailing space starts a word).
fn bash_complete(path: &str, cwd: &std::path::Path, line: &str) -> Vec<String> {
    let mut words: Vec<&str> = line.split(' ').collect();
    if words.is_empty() {
        words.push("");
    }
    let array: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        "source '{}'\nCOMP_WORDS=({})\nCOMP_CWORD={}\n_ferrotun\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        dist().join("completions/ferrotun.bash").display(),
        array.join(" "),
        words.len() - 1
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &script])
        .env("PATH", path)
        .current_dir(cwd)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{line}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_like_wireguard_tools() {
    if !have("bash") {
        return;
    }
    let dir = TempDir::new("bash-completion");
    let path = stub(&dir);
    dir.file("site.conf", "");
    dir.file("notes.txt", "");
    let cwd = dir.path();
    let complete = |line: &str| bash_complete(&path, cwd, line);
    assert_eq!(complete("ferrotun sh"), ["show", "showconf"]);
    assert_eq!(complete("ferrotun c"), ["check", "completion"]);
    assert_eq!(
        complete("ferrotun show "),
        ["wg0", "wg1", "all", "interfaces"]
    );
    assert_eq!(
        complete("ferrotun show wg0 l"),
        ["listen-port", "latest-handshakes"]
    );
    assert_eq!(complete("ferrotun show interfaces "), Vec::<String>::new());
    assert_eq!(complete("ferrotun show --j"), ["--json"]);
    assert_eq!(complete("ferrotun down w"), ["wg0", "wg1"]);
    assert_eq!(complete("ferrotun syncconf wg0 no"), ["notes.txt"]);
    assert_eq!(
        complete("ferrotun set wg0 "),
        ["listen-port", "fwmark", "private-key", "peer"]
    );
    assert_eq!(complete("ferrotun set wg0 peer "), ["PEERA=", "PEERB="]);
    assert_eq!(complete("ferrotun set wg0 peer PEERA= e"), ["endpoint"]);
    assert_eq!(complete("ferrotun set wg0 private-key no"), ["notes.txt"]);
    assert_eq!(
        complete("ferrotun set wg0 listen-port "),
        Vec::<String>::new()
    );
    // Config names from /etc/wireguard come first; here only the local .conf file matches.
    assert_eq!(complete("ferrotun up si"), ["site.conf"]);
    assert_eq!(complete("ferrotun check --"), ["--wg", "--resolve"]);
    assert_eq!(complete("ferrotun check --wg si"), ["site.conf"]);
    assert_eq!(complete("ferrotun check site.conf "), Vec::<String>::new());
    assert_eq!(complete("ferrotun completion "), ["bash", "zsh", "fish"]);
    assert_eq!(complete("ferrotun genkey "), Vec::<String>::new());
    assert_eq!(complete("ferrotun down --netns x w"), ["wg0", "wg1"]);
    assert_eq!(complete("ferrotun down --netns zzqq"), Vec::<String>::new());
    assert_eq!(complete("ferrotun down wg0 "), Vec::<String>::new());
}

/// zsh's completion builtins as plain functions that print the candidates matching
/// `$PREFIX`, so that the script's own logic runs outside a completion widget.
const ZSH_STUBS: &str = r#"
compadd() {
	local a
	while (( $# )); do
		case $1 in
		(-a) shift; for a in ${(P)1}; do [[ $a == $PREFIX* ]] && print -r -- $a; done ;;
		(--) shift; for a in "$@"; do [[ $a == $PREFIX* ]] && print -r -- $a; done; return 0 ;;
		esac
		shift
	done
}
_wanted() { shift 3; "$@" }
_describe() { local item; for item in ${(P)4}; do [[ $item == $PREFIX* ]] && print -r -- ${item%%:*}; done }
_files() { print -r -- '<files>' }
"#;

#[test]
fn zsh_completes() {
    if !have("zsh") {
        return;
    }
    let script = dist().join("completions/_ferrotun");
    let status = Command::new("zsh").arg("-n").arg(&script).status().unwrap();
    assert!(status.success(), "zsh -n");
    let dir = TempDir::new("zsh-completion");
    let path = stub(&dir);
    let complete = |line: &str| -> Vec<String> {
        let words: Vec<&str> = line.split(' ').collect();
        let quoted: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
        let program = format!(
            "{ZSH_STUBS}\nsource '{}' >/dev/null\nwords=({})\nCURRENT={}\nPREFIX='{}'\n_ferrotun\n",
            script.display(),
            quoted.join(" "),
            words.len(),
            words.last().unwrap_or(&"")
        );
        let output = Command::new("zsh")
            .args(["-f", "-c", &program])
            .env("PATH", &path)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{line}");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    };
    assert_eq!(complete("ferrotun sh"), ["show", "showconf"]);
    assert_eq!(
        complete("ferrotun show "),
        ["wg0", "wg1", "all", "interfaces"]
    );
    assert_eq!(
        complete("ferrotun show wg0 pe"),
        ["peers", "persistent-keepalive"]
    );
    assert_eq!(complete("ferrotun show --"), ["--json"]);
    assert_eq!(complete("ferrotun setconf wg0 "), ["<files>"]);
    assert_eq!(
        complete("ferrotun set wg0 "),
        ["listen-port", "fwmark", "private-key", "peer"]
    );
    assert_eq!(complete("ferrotun set wg0 peer "), ["PEERA=", "PEERB="]);
    assert_eq!(complete("ferrotun set wg0 peer PEERA= r"), ["remove"]);
    assert_eq!(complete("ferrotun set wg0 preshared-key "), ["<files>"]);
    assert_eq!(complete("ferrotun down --netns x "), ["wg0", "wg1"]);
    assert_eq!(complete("ferrotun down --netns zzqq"), Vec::<String>::new());
    assert_eq!(complete("ferrotun down wg0 "), Vec::<String>::new());
    assert_eq!(complete("ferrotun check --r"), ["--resolve"]);
    assert_eq!(complete("ferrotun qr zzqq"), ["<files>"]);
    assert_eq!(complete("ferrotun completion z"), ["zsh"]);
}

#[test]
fn fish_completes() {
    if !have("fish") {
        return;
    }
    let dir = TempDir::new("fish-completion");
    let path = stub(&dir);
    dir.file("site.conf", "");
    let complete = |line: &str| -> Vec<String> {
        let script = format!(
            "source '{}'; complete -C '{line}'",
            dist().join("completions/ferrotun.fish").display()
        );
        let output = Command::new("fish")
            .args(["--no-config", "-c", &script])
            .env("PATH", &path)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{line}");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(complete("ferrotun showc"), ["showconf"]);
    assert_eq!(
        complete("ferrotun show "),
        ["all", "interfaces", "wg0", "wg1"]
    );
    assert_eq!(complete("ferrotun show wg0 tr"), ["transfer"]);
    assert_eq!(complete("ferrotun set wg0 peer "), ["PEERA=", "PEERB="]);
    assert_eq!(complete("ferrotun set wg0 peer PEERA= rem"), ["remove"]);
    assert_eq!(complete("ferrotun check --r"), ["--resolve"]);
    assert_eq!(complete("ferrotun up si"), ["site.conf"]);
    assert_eq!(complete("ferrotun completion f"), ["fish"]);
    assert_eq!(complete("ferrotun down --netns x w"), ["wg0", "wg1"]);
    assert_eq!(complete("ferrotun down --netns zzqq"), Vec::<String>::new());
}
