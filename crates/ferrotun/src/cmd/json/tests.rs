//! Every `--json` form against the schema in `docs/`, and the secrets rule. The root test
//! in `tests/wg_compat/show.rs` checks the same against real daemons.

use super::*;
use ferrotun_proto::keys::{PresharedKey, PrivateKey};

const SCHEMA: &str = include_str!("../../../../../docs/show-json.v1.schema.json");

fn schema() -> Value {
    serde_json::from_str(SCHEMA).expect("the schema is JSON")
}

/// A validator for the definition `def` of the schema (`None`: the whole schema).
fn validator(def: Option<&str>) -> jsonschema::Validator {
    let mut schema = schema();
    if let Some(def) = def {
        let object = schema.as_object_mut().unwrap();
        object.remove("anyOf");
        object.insert("$ref".into(), format!("#/$defs/{def}").into());
    }
    jsonschema::draft202012::new(&schema).expect("a valid JSON Schema")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, value: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?} in {value:#}");
}

fn sample() -> DeviceInfo {
    let private = PrivateKey::from_bytes([7; 32]);
    let mut with_all = PeerInfo::new(PrivateKey::from_bytes([1; 32]).public_key());
    with_all.preshared_key = Some(PresharedKey::from_bytes([9; 32]));
    with_all.endpoint = Some("[fe80::1%1]:51820".parse().unwrap());
    with_all.allowed_ips = vec![
        ("10.0.0.2".parse().unwrap(), 32),
        ("fd00::2".parse().unwrap(), 128),
    ];
    with_all.last_handshake_sec = 1_700_000_000;
    with_all.last_handshake_nsec = 999_999_999;
    with_all.rx_bytes = u64::MAX;
    with_all.tx_bytes = 1;
    with_all.persistent_keepalive = 65535;
    DeviceInfo {
        public_key: Some(private.public_key()),
        private_key: Some(private),
        listen_port: 65535,
        fwmark: u32::MAX,
        peers: vec![
            with_all,
            PeerInfo::new(PrivateKey::from_bytes([2; 32]).public_key()),
        ],
    }
}

#[test]
fn the_schema_describes_every_form() {
    // The version is in the file name and the `$id`; docs/json.md says what changes it.
    assert_eq!(schema()["$id"], "urn:ferrotun:show-json:v1");
    let info = sample();
    let name = OsStr::new("wg0");
    let any = validator(None);
    let whole_interface = validator(Some("whole_interface"));
    for secrets in [Secrets::Hidden, Secrets::Shown] {
        let document = whole(name, &info, secrets);
        assert_valid(&any, &document);
        assert_valid(&whole_interface, &document);
        assert_valid(&any, &Value::Array(vec![document.clone(), document]));
    }
    let bare = whole(name, &DeviceInfo::default(), Secrets::Hidden);
    assert_valid(&whole_interface, &bare);
    for form in FIELDS.iter().map(|(form, _)| *form).chain(["dump"]) {
        let value = field(name, &info, OsStr::new(form)).expect("a known field");
        assert_valid(&any, &value);
    }
    let names = interface_names(&[OsString::from("wg0"), OsString::from("wg1")]);
    assert_valid(&any, &serde_json::from_slice(&names).unwrap());
    // The schema is not a pass-all: a wrong type, an unknown member and a hidden key's old
    // "(hidden)" text are all refused.
    let mut wrong = whole(name, &info, Secrets::Shown);
    wrong["listen_port"] = "51820".into();
    assert!(!any.is_valid(&wrong));
    let mut unknown = whole(name, &info, Secrets::Shown);
    unknown["extra"] = 1.into();
    assert!(!any.is_valid(&unknown));
    let mut hidden = whole(name, &info, Secrets::Shown);
    hidden["private_key"] = "(hidden)".into();
    assert!(!any.is_valid(&hidden));
    assert!(!whole_interface.is_valid(&json!({ "interface": "wg0" })));
}

#[test]
fn hidden_secrets_are_left_out_and_missing_ones_are_null() {
    let info = sample();
    let name = OsStr::new("wg0");
    let hidden = whole(name, &info, Secrets::Hidden);
    assert!(hidden.get("private_key").is_none(), "{hidden:#}");
    assert!(hidden["peers"][0].get("preshared_key").is_none());
    assert_eq!(hidden["peers"][1]["preshared_key"], Value::Null);
    assert!(!hidden
        .to_string()
        .contains(&PresharedKey::from_bytes([9; 32]).to_base64()));
    let shown = whole(name, &info, Secrets::Shown);
    let private = PrivateKey::from_bytes([7; 32]).to_base64();
    assert_eq!(shown["private_key"], private.as_str());
    let none = whole(name, &DeviceInfo::default(), Secrets::Hidden);
    assert_eq!(none["private_key"], Value::Null);
    assert_eq!(none["public_key"], Value::Null);
}

#[test]
fn field_forms_keep_their_members() {
    let info = sample();
    let name = OsStr::new("wg0");
    let cut = |form: &str| field(name, &info, OsStr::new(form)).unwrap();
    let handshakes = cut("latest-handshakes");
    assert_eq!(
        handshakes["peers"][0],
        json!({
            "public_key": info.peers[0].public_key.to_base64(),
            "latest_handshake": 1_700_000_000,
            "latest_handshake_nsec": 999_999_999,
        })
    );
    assert_eq!(handshakes.as_object().unwrap().len(), 2);
    assert_eq!(
        cut("listen-port"),
        json!({ "interface": "wg0", "listen_port": 65535 })
    );
    assert_eq!(
        cut("private-key")["private_key"],
        PrivateKey::from_bytes([7; 32]).to_base64().as_str()
    );
    assert_eq!(cut("transfer")["peers"][0]["rx_bytes"], u64::MAX);
    assert_eq!(cut("dump"), whole(name, &info, Secrets::Shown));
    assert!(field(name, &info, OsStr::new("bogus")).is_none());
}
