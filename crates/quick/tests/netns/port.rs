//! `up` with a `ListenPort` that something already holds (issue 13, item 6): the error
//! names the port and the line that sets it, not the failed step, and the rollback leaves
//! nothing behind.

use crate::harness::{in_namespace, options, require_root, state, Sandbox, PRIVATE};
use ferrotun_quick::cmd;

#[test]
fn a_taken_port_is_named_with_its_line() {
    require_root!();
    let mut sandbox = Sandbox::new("pt");
    let ns = sandbox.namespace("n");
    let interface = sandbox.interface("p");
    let holder = in_namespace(&ns, || std::net::UdpSocket::bind("0.0.0.0:0")).unwrap();
    let port = holder.local_addr().unwrap().port();
    let file = sandbox.config(
        &interface,
        &format!(
            "[Interface]\nPrivateKey = {PRIVATE}\nAddress = 10.93.0.1/24\n\
             ListenPort = {port}\n"
        ),
    );
    let before = state(&ns, &interface);
    let error = in_namespace(&ns, || cmd::up(&file, &options())).unwrap_err();
    assert!(
        matches!(error, cmd::Error::PortInUse { port: p, .. } if p == port),
        "{error:?}"
    );
    let text = error.to_string();
    assert!(
        text.starts_with(&format!(
            "{file}:4: ListenPort = {port}: UDP port {port} is already in use on this host"
        )),
        "{text}"
    );
    assert!(!text.contains("wg addconf"), "{text}");
    assert_eq!(state(&ns, &interface), before, "rolled back");
    drop(holder);
}
