use super::*;
use crate::http::{parse_request, Limits};

fn head_with(fields: &str) -> RequestHead {
    let text = format!("CONNECT h:443 HTTP/1.1\r\n{fields}\r\n");
    let (head, _) = parse_request(text.as_bytes(), &Limits::default())
        .expect("valid")
        .done()
        .expect("complete");
    head
}

fn check(fields: &str) -> ProxyAuth {
    check_basic(&head_with(fields), &Credentials::new("user", "se:cret"))
}

// "user:se:cret" in base64; "user:pw" without its padding.
const TOKEN: &str = "dXNlcjpzZTpjcmV0";
const UNPADDED: &str = "dXNlcjpwdw";

#[test]
fn the_configured_credentials_are_granted() {
    assert_eq!(
        check(&format!("Proxy-Authorization: Basic {TOKEN}\r\n")),
        ProxyAuth::Granted
    );
    assert_eq!(
        check(&format!("proxy-authorization:   basic   {TOKEN}  \r\n")),
        ProxyAuth::Granted
    );
    let other = Credentials::new("user", "pw");
    for token in [UNPADDED.to_owned(), format!("{UNPADDED}==")] {
        let head = head_with(&format!("Proxy-Authorization: Basic {token}\r\n"));
        assert_eq!(check_basic(&head, &other), ProxyAuth::Granted, "{token}");
    }
}

#[test]
fn anything_else_requires_authentication() {
    for fields in [
        String::new(),
        format!("Authorization: Basic {TOKEN}\r\n"),
        format!("Proxy-Authorization: Bearer {TOKEN}\r\n"),
        format!("Proxy-Authorization: Basic{TOKEN}\r\n"),
        "Proxy-Authorization: Basic dXNlcjpzZTpjcmV1\r\n".to_owned(),
        "Proxy-Authorization: Basic dXNlcg==\r\n".to_owned(),
        "Proxy-Authorization: Basic !!!!\r\n".to_owned(),
        "Proxy-Authorization: Basic\r\n".to_owned(),
        format!("Proxy-Authorization: Basic {TOKEN}\r\nProxy-Authorization: Basic {TOKEN}\r\n"),
    ] {
        assert_eq!(check(&fields), ProxyAuth::Required, "{fields}");
    }
}
