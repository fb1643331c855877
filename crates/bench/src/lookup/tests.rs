use super::*;
use naive::PrefixMaps;
use network_table::NetworkTable;

#[test]
fn data_set_has_the_promised_shape() {
    let data = data_set(5);
    assert_eq!(data.prefixes.len(), PREFIXES);
    assert_eq!(data.queries.len(), QUERIES);
    assert!(QUERIES.is_power_of_two());
    let v6 = data.queries.iter().filter(|q| q.is_ipv6()).count();
    assert!((QUERIES / 20..QUERIES / 5).contains(&v6), "{v6}");
}

#[test]
fn all_three_tables_agree_on_every_query() {
    let data = data_set(6);
    let naive = PrefixMaps::build(&data.prefixes);
    let network = NetworkTable::build(&data.prefixes);
    let ours = ours::Ours::build(&data.prefixes);
    let mut hits = 0;
    for &q in &data.queries[..8192] {
        let expected = naive.lookup(q);
        assert_eq!(network.lookup(q), expected, "ip_network_table, {q}");
        assert_eq!(ours.lookup(q), expected, "ferrotun, {q}");
        hits += usize::from(expected.is_some());
    }
    // Most queries are meant to hit.
    assert!(hits > 8192 * 7 / 10, "{hits}");
}

#[test]
fn inside_keeps_the_network_bits() {
    let mut rng = crate::rng::seeded(1);
    let p = Prefix {
        addr: Ipv4Addr::new(10, 20, 30, 40).into(),
        cidr: 16,
        value: 0,
    };
    for _ in 0..100 {
        let IpAddr::V4(a) = inside(&p, &mut rng) else {
            panic!("family changed")
        };
        assert_eq!(a.octets()[..2], [10, 20]);
    }
}
