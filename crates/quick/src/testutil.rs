//! What the unit tests share: fixed keys and the wg-quick file parser.

use crate::plan::Invocation;
use ferrotun_conf::{parse_bytes, Config, Dialect, ParseOptions, SystemResolver};

pub const PEER_A: &str = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";
pub const PEER_B: &str = "HIgo9xNzJMWLKASShiTqIybxZ0U3wGLiUeJ1PKf8ykw=";
pub const PRIVATE: &str = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";

/// `text` parsed as `wg0.conf` in wg-quick's dialect, warnings dropped.
pub fn config(text: &str) -> Config {
    let mut notify = |_: &str| {};
    let mut warn = |_: &ferrotun_conf::Warning| {};
    let mut resolver = SystemResolver::new(&mut notify);
    let mut options = ParseOptions {
        dialect: Dialect::WgQuick,
        resolver: &mut resolver,
        warn: &mut warn,
    };
    parse_bytes(text.as_bytes(), Some("wg0.conf"), &mut options).expect("test config parses")
}

/// `wg0` from `/etc/wireguard/wg0.conf`, run by `ferrotund` in this namespace.
pub fn inv() -> Invocation {
    Invocation {
        interface: "wg0".into(),
        path: "/etc/wireguard/wg0.conf".into(),
        daemon: "ferrotund".into(),
        netns: None,
    }
}
