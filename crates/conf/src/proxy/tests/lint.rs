use super::*;

fn after_wg(body: &str) -> Vec<String> {
    warnings(&format!("{}{body}", wg()))
}

#[test]
fn a_clean_file_has_no_warning() {
    assert_eq!(
        after_wg("[Socks5]\nBindAddress = [::1]:1080\n[http]\nBindAddress = localhost:8080\n"),
        Vec::<String>::new()
    );
    // Reachable by others, but with credentials.
    assert_eq!(
        after_wg("[Socks5]\nBindAddress = 0.0.0.0:1080\nUsername = u\nPassword = p\n"),
        Vec::<String>::new()
    );
}

#[test]
fn open_listeners() {
    assert_eq!(
        after_wg("[Socks5]\nBindAddress = 0.0.0.0:1080\n[http]\nBindAddress = :8080\n"),
        [
            "proxy.conf:8: Warning: [Socks5] listens on 0.0.0.0:1080 without Username and Password: anyone who can reach it can use your tunnel",
            "proxy.conf:10: Warning: [http] listens on :8080 without Username and Password: anyone who can reach it can use your tunnel",
        ]
    );
    assert_eq!(
        after_wg("[TCPClientTunnel]\nBindAddress = 192.0.2.1:22\nTarget = 10.9.0.1:22\n[UDPProxyTunnel]\nBindAddress = [::]:53\nTarget = 10.9.0.1:53\n"),
        [
            "proxy.conf:8: Warning: [TCPClientTunnel] listens on 192.0.2.1:22: anyone who can reach it can reach 10.9.0.1:22 through your tunnel",
            "proxy.conf:11: Warning: [UDPProxyTunnel] listens on [::]:53: anyone who can reach it can reach 10.9.0.1:53 through your tunnel",
        ]
    );
}

#[test]
fn a_port_the_system_picks() {
    assert_eq!(
        after_wg("[Socks5]\n"),
        ["proxy.conf:8: Warning: [Socks5] listens on 127.0.0.1:0, a port the system picks when the proxy starts (BindAddress chooses one)"]
    );
}

#[test]
fn a_name_without_dns() {
    let text = format!(
        "{}[STDIOTunnel]\nTarget = host.example:22\n[TCPServerTunnel]\nListenPort = 1\nTarget = localhost:1\n",
        wg().replace("DNS = 10.9.0.1\n", "")
    );
    assert_eq!(
        warnings(&text),
        ["proxy.conf:7: Warning: Target host.example:22 is a name, but [Interface] has no DNS server to resolve it through the tunnel"]
    );
}

#[test]
fn the_wireguard_part() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32, fd00::2/128\nMTU = 1200\n\
         Table = off\nPostUp = true\nFwMark = 1\nListenPort = 1\nListenPort = 2\n\
         [Peer]\nPublicKey = {KEY2}\n[Socks5]\nBindAddress = 127.0.0.1:1\n"
    );
    assert_eq!(
        warnings(&text),
        [
            "proxy.conf:1: Warning: MTU 1200 is below 1280, the least IPv6 allows, but the proxy has an IPv6 Address",
            "proxy.conf:5: Warning: Table has no effect in the proxy, which creates no interface",
            "proxy.conf:6: Warning: PostUp has no effect in the proxy, which creates no interface",
            "proxy.conf:7: Warning: FwMark has no effect in the proxy, which creates no interface",
            "proxy.conf:9: Warning: ListenPort is given again (first at line 8); only the last one counts",
            "proxy.conf:10: Warning: this peer has no AllowedIPs: the proxy sends nothing to it",
        ]
    );
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32\nMTU = 70000\n[http]\n[Socks5]\n"
    );
    let found = warnings(&text);
    assert!(found.contains(
        &"proxy.conf:1: Warning: MTU 70000 is outside 68-65535, which the proxy cannot use"
            .to_string()
    ));
    assert!(found.contains(&"proxy.conf:1: Warning: there is no [Peer]: nothing is reachable until one is added (ferrotun set)".to_string()));
}

#[test]
fn a_file_that_serves_nothing() {
    let world = World::default().file("/cfg/wg0.conf", &wg());
    let checked = world.check("WGConfig = wg0.conf\n");
    assert_eq!(checked.errors, vec![]);
    let shown: Vec<String> = checked.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["proxy.conf: Warning: the file has no [Socks5], [http] or tunnel section, so the proxy serves nothing"]
    );
}

#[test]
fn warnings_of_an_imported_file_are_located_there() {
    let wg = wg().replace("[Peer]", "Table = off\n[Peer]");
    let world = World::default().file("/cfg/wg0.conf", &wg);
    let checked = world.check("WGConfig = wg0.conf\n[Socks5]\nBindAddress = 127.0.0.1:1\n");
    let shown: Vec<String> = checked.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        shown,
        ["/cfg/wg0.conf:5: Warning: Table has no effect in the proxy, which creates no interface"]
    );
}

#[test]
fn the_plain_file_lints_apply() {
    let text = format!(
        "[Interface]\nPrivateKey = {PRIV}\nAddress = 10.9.0.2/32\n\
         [Peer]\nPublicKey = {KEY1}\nAllowedIPs = 10.9.0.0/24\n[Socks5]\nBindAddress = 127.0.0.1:1\n"
    );
    assert_eq!(
        warnings(&text),
        ["proxy.conf:4: Warning: this peer's PublicKey is the interface's own public key (from its PrivateKey)"]
    );
}
