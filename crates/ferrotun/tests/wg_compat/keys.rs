//! `genkey`, `genpsk` and `pubkey`.

use crate::prerequisites;
use crate::sandbox::{ferrotun_bin, Sandbox};

fn pubkey(sandbox: &Sandbox, program: &str, input: &[u8]) -> crate::Run {
    sandbox.run_as("wg", program, &["pubkey"], &[], input)
}

#[test]
fn generated_keys_work_with_wg() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    for command in ["genkey", "genpsk"] {
        let key = sandbox.ferrotun(&[command]);
        assert_eq!(key.code, 0, "{key}");
        let text = key.out();
        assert_eq!(text.len(), 45, "{text:?}");
        assert!(text.ends_with("=\n"));
        let ours = pubkey(&sandbox, ferrotun_bin(), text.as_bytes());
        let wg = pubkey(&sandbox, "wg", text.as_bytes());
        assert_eq!(ours, wg);
        assert_eq!(ours.code, 0);
    }
    let a = sandbox.ferrotun(&["genkey"]).out();
    let b = sandbox.ferrotun(&["genkey"]).out();
    assert_ne!(a, b);
}

#[test]
fn pubkey_inputs_match_wg() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    let key = "GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3A=";
    let inputs: Vec<Vec<u8>> = vec![
        key.into(),
        format!("{key}\n").into(),
        format!("{key} \t\r\n\n").into(),
        format!("{key}\0\0\n").into(),
        format!("{key}x").into(),
        format!("{key}\n{key}\n").into(),
        key[..43].into(),
        b"".to_vec(),
        format!(" {key}").into(),
        "GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3B=".into(),
        "GH6X2HOSjtisa3HKsIIlMfc8gljKwDH+l7MX2WCzR3!=".into(),
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
        vec![0xff; 44],
    ];
    for input in inputs {
        let wg = pubkey(&sandbox, "wg", &input);
        let ours = pubkey(&sandbox, ferrotun_bin(), &input);
        assert_eq!(wg, ours, "input {:?}", String::from_utf8_lossy(&input));
    }
}

#[test]
fn key_command_usage_and_warnings_match_wg() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    for args in [&["genkey", "x"][..], &["genpsk", "x"], &["pubkey", "x"]] {
        crate::assert_same(&sandbox, args, &[]);
    }
    // Writing a key to a file others can read draws a warning.
    let file = std::env::temp_dir().join(format!("ferrotun-wgc-{}-key", std::process::id()));
    let file = file.display();
    let script =
        |program: &str| format!("umask 022; rm -f {file}; exec -a wg {program} genkey > {file}");
    let wg = sandbox.run_as("bash", "bash", &["-c", &script("wg")], &[], b"");
    let ours = sandbox.run_as("bash", "bash", &["-c", &script(ferrotun_bin())], &[], b"");
    assert_eq!((wg.err(), wg.code), (ours.err(), ours.code));
    assert!(
        ours.err()
            .starts_with("Warning: writing to world accessible file."),
        "{ours}"
    );
    let _ = std::fs::remove_file(file.to_string());
}

#[test]
fn top_level_commands_match_wg() {
    if !prerequisites() {
        return;
    }
    let sandbox = Sandbox::new();
    for args in [
        &["--help"][..],
        &["help"],
        &["-h"],
        &["bogus"],
        &["show", "--help"],
        &["show", "a", "b", "c"],
    ] {
        crate::assert_same(&sandbox, args, &[]);
    }
    for args in [
        &["showconf"][..],
        &["setconf", "x"],
        &["addconf"],
        &["syncconf", "a", "b", "c"],
    ] {
        crate::assert_same(&sandbox, args, &[]);
    }
    // No interfaces at all.
    for args in [
        &[][..],
        &["show"],
        &["show", "all", "dump"],
        &["show", "interfaces"],
    ] {
        crate::assert_same(&sandbox, args, &[]);
    }
    // A name with no socket and no kernel device.
    for args in [
        &["show", "nosuchif0"][..],
        &["showconf", "nosuchif0"],
        &["set", "nosuchif0", "listen-port", "1"],
    ] {
        crate::assert_same(&sandbox, args, &[]);
    }
}
