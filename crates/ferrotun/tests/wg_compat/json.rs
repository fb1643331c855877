//! `show --json` (issue 13, item 8): every form's output, from live ferrotund daemons and
//! from a replayed reply with every kind of value, is valid under the versioned schema in
//! `docs/show-json.v1.schema.json` and carries the same data as `dump`; secrets are left out
//! unless `WG_HIDE_KEYS=never`.

use crate::daemon::{Daemon, Impl};
use crate::fixtures;
use crate::replay::Replay;
use crate::sandbox::Sandbox;
use crate::show::synthetic_reply;
use crate::{ferrotund_available, prerequisites};
use serde_json::Value;

const SCHEMA: &str = include_str!("../../../../docs/show-json.v1.schema.json");

/// The field forms of `show`, each also with `--json`.
const FIELDS: [&str; 12] = [
    "public-key",
    "private-key",
    "listen-port",
    "fwmark",
    "peers",
    "preshared-keys",
    "endpoints",
    "allowed-ips",
    "latest-handshakes",
    "persistent-keepalive",
    "transfer",
    "dump",
];

/// A validator for the whole schema, or for its definition `def`.
fn validator(def: Option<&str>) -> jsonschema::Validator {
    let mut schema: Value = serde_json::from_str(SCHEMA).expect("the schema is JSON");
    if let (Some(def), Some(object)) = (def, schema.as_object_mut()) {
        object.remove("anyOf");
        object.insert("$ref".into(), format!("#/$defs/{def}").into());
    }
    jsonschema::draft202012::new(&schema).expect("a valid JSON Schema")
}

/// `ferrotun ARGS` (with `env`): its output as JSON, valid under `validator`.
#[track_caller]
fn valid_json(
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
    validator: &jsonschema::Validator,
) -> Value {
    let run = sandbox.run_as("wg", crate::sandbox::ferrotun_bin(), args, env, b"");
    assert_eq!(run.code, 0, "{args:?}: {run}");
    let value: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{args:?}: {errors:?} in {value:#}");
    value
}

/// Every form for interface `name`, each checked against the schema and against `dump`.
fn check_every_form(sandbox: &Sandbox, name: &str) {
    let any = validator(None);
    let whole = validator(Some("whole_interface"));
    let hidden = valid_json(sandbox, &["show", name, "--json"], &[], &whole);
    let shown_env = [("WG_HIDE_KEYS", "never")];
    let shown = valid_json(sandbox, &["show", name, "--json"], &shown_env, &whole);
    // A key is left out while hidden; no key is null either way.
    match &shown["private_key"] {
        Value::String(_) => assert!(hidden.get("private_key").is_none(), "{hidden:#}"),
        other => assert_eq!(
            (other, &hidden["private_key"]),
            (&Value::Null, &Value::Null)
        ),
    }
    for (hidden, shown) in hidden["peers"]
        .as_array()
        .unwrap()
        .iter()
        .zip(shown["peers"].as_array().unwrap())
    {
        match &shown["preshared_key"] {
            Value::String(_) => assert!(hidden.get("preshared_key").is_none(), "{hidden:#}"),
            _ => assert_eq!(hidden["preshared_key"], Value::Null),
        }
    }
    assert_json_is_dump(&shown, &sandbox.wg(&["show", name, "dump"]).out(), name);
    for field in FIELDS {
        let value = valid_json(sandbox, &["show", name, field, "--json"], &[], &any);
        let all = valid_json(sandbox, &["show", "all", field, "--json"], &[], &any);
        assert!(all.as_array().unwrap().contains(&value), "{field}: {all:#}");
        if field == "dump" {
            assert_eq!(value, shown);
            continue;
        }
        // The field form is the whole object cut down: every member it has is the same.
        for (member, part) in value.as_object().unwrap() {
            if member == "peers" {
                for (cut, peer) in part
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(shown["peers"].as_array().unwrap())
                {
                    for (key, v) in cut.as_object().unwrap() {
                        assert_eq!(&peer[key], v, "{field}: {key}");
                    }
                }
            } else {
                assert_eq!(&shown[member], part, "{field}: {member}");
            }
        }
        assert!(value.as_object().unwrap().len() >= 2, "{field}: {value:#}");
    }
    let bad = sandbox.ferrotun(&["show", name, "no-such-field", "--json"]);
    assert_eq!(bad.code, 1, "{bad}");
}

#[test]
fn every_form_follows_the_schema() {
    if !prerequisites() || !ferrotund_available() {
        return;
    }
    let sandbox = Sandbox::new();
    let live = Daemon::start(&sandbox, Impl::Ferrotund);
    let conf = fixtures::temp_file(
        "json.conf",
        &fixtures::config(fixtures::port(), Some("0xca6c"), 12),
    );
    assert_eq!(sandbox.wg(&["setconf", &live.name, &conf]).code, 0);
    let empty = Daemon::start(&sandbox, Impl::Ferrotund);
    let replay = Replay::start(&sandbox, synthetic_reply().as_bytes());
    for name in [&live.name, &empty.name, &replay.name] {
        check_every_form(&sandbox, name);
    }
    let any = validator(None);
    let all = valid_json(&sandbox, &["show", "--json"], &[], &any);
    assert_eq!(all.as_array().map(Vec::len), Some(3));
    let names = valid_json(&sandbox, &["show", "interfaces", "--json"], &[], &any);
    assert_eq!(names.as_array().map(Vec::len), Some(3));
}

/// Every `dump` field of one interface equals its JSON counterpart.
fn assert_json_is_dump(doc: &Value, dump: &str, name: &str) {
    let mut lines = dump.lines().map(|l| l.split('\t').collect::<Vec<_>>());
    let device = lines.next().unwrap();
    assert_eq!(doc["interface"], name);
    let key = |v: &Value| v.as_str().unwrap_or("(none)").to_string();
    assert_eq!(
        (key(&doc["private_key"]), key(&doc["public_key"])),
        (device[0].to_string(), device[1].to_string())
    );
    assert_eq!(doc["listen_port"].to_string(), device[2]);
    let fwmark = doc["fwmark"].as_u64().unwrap();
    let fwmark = if fwmark == 0 {
        "off".to_string()
    } else {
        format!("0x{fwmark:x}")
    };
    assert_eq!(fwmark, device[3]);
    let peers = doc["peers"].as_array().unwrap();
    assert_eq!(peers.len(), dump.lines().count() - 1);
    for (peer, fields) in peers.iter().zip(lines) {
        assert_eq!(peer["public_key"], fields[0]);
        assert_eq!(key(&peer["preshared_key"]), fields[1]);
        assert_eq!(key(&peer["endpoint"]), fields[2]);
        let ips: Vec<&str> = peer["allowed_ips"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        let ips = if ips.is_empty() {
            "(none)".to_string()
        } else {
            ips.join(",")
        };
        assert_eq!(ips, fields[3]);
        assert_eq!(peer["latest_handshake"].to_string(), fields[4]);
        assert_eq!(
            (peer["rx_bytes"].to_string(), peer["tx_bytes"].to_string()),
            (fields[5].to_string(), fields[6].to_string())
        );
        let keepalive = peer["persistent_keepalive"].as_u64().unwrap();
        let keepalive = if keepalive == 0 {
            "off".to_string()
        } else {
            keepalive.to_string()
        };
        assert_eq!(keepalive, fields[7]);
    }
}
