//! Replies decoded attribute by attribute, for when `netlink-packet-route` cannot decode
//! one whole.
//!
//! The crate decodes a message whole or not at all, and real kernels have sent link
//! messages it could not decode (an empty `IFLA_VFINFO_LIST` from netdevsim, an empty
//! `IFLA_AF_SPEC`, a veth link's reply: rust-netlink/netlink-packet-route issues 138, 147
//! and 151). wg-quick reads links and routes anywhere on the host (the MTU of the link
//! towards an endpoint, every route of every table), so one odd attribute of an unrelated
//! link or route must not stop `up`: here, as in the hand-written parser before the crate,
//! an attribute that does not decode is left out. The fixed header must decode.

use super::Message;
use netlink_packet_core::ParseableParametrized as _;
use netlink_packet_core::{DecodeError, NlaBuffer, NlasIterator, Parseable as _};
use netlink_packet_route::address::{AddressAttribute, AddressHeader, AddressMessage};
use netlink_packet_route::link::{LinkAttribute, LinkHeader, LinkMessage};
use netlink_packet_route::route::{RouteAttribute, RouteHeader, RouteLwEnCapType, RouteMessage};
use netlink_packet_route::rule::{RuleAttribute, RuleHeader, RuleMessage};
use netlink_packet_route::RouteNetlinkMessage as Rtnl;

/// `struct ifinfomsg`, `ifaddrmsg`, `rtmsg` and `fib_rule_hdr`: where attributes start.
const IFINFOMSG: usize = 16;
const IFADDRMSG: usize = 8;
const RTMSG: usize = 12;
const FIB_RULE_HDR: usize = 12;

/// A link, address, route or rule (the replies we read) with the attributes that decode;
/// `None` for another kind of message or a fixed header that does not decode.
pub(super) fn decode(kind: u16, payload: &[u8]) -> Option<Message> {
    let rest = |at: usize| payload.get(at..);
    Some(match kind {
        libc::RTM_NEWLINK => {
            let mut message = LinkMessage::default();
            message.header = LinkHeader::parse(payload).ok()?;
            let family = message.header.interface_family;
            message.attributes = attributes(rest(IFINFOMSG)?, |nla| {
                LinkAttribute::parse_with_param(nla, family)
            });
            Rtnl::NewLink(message)
        }
        libc::RTM_NEWADDR => {
            let mut message = AddressMessage::default();
            message.header = AddressHeader::parse(payload).ok()?;
            message.attributes = attributes(rest(IFADDRMSG)?, AddressAttribute::parse);
            Rtnl::NewAddress(message)
        }
        libc::RTM_NEWROUTE => {
            let mut message = RouteMessage::default();
            message.header = RouteHeader::parse(payload).ok()?;
            // Without the encapsulation's type an `RTA_ENCAP` is left out; we read none.
            let param = (
                message.header.address_family,
                message.header.kind,
                RouteLwEnCapType::None,
            );
            message.attributes = attributes(rest(RTMSG)?, |nla| {
                RouteAttribute::parse_with_param(nla, param)
            });
            Rtnl::NewRoute(message)
        }
        libc::RTM_NEWRULE => {
            let mut message = RuleMessage::default();
            message.header = RuleHeader::parse(payload).ok()?;
            message.attributes = attributes(rest(FIB_RULE_HDR)?, RuleAttribute::parse);
            Rtnl::NewRule(message)
        }
        _ => return None,
    })
}

/// The attributes in `bytes` that `parse` accepts, up to the first malformed one.
fn attributes<'a, A>(
    bytes: &'a [u8],
    parse: impl Fn(&NlaBuffer<&'a [u8]>) -> Result<A, DecodeError>,
) -> Vec<A> {
    NlasIterator::new(bytes)
        .map_while(Result::ok)
        .filter_map(|nla| parse(&nla).ok())
        .collect()
}
