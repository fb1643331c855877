//! Policy rules: wg-quick's two rules per family, added, deleted and listed.

use super::super::netlink::{Message, Netlink, Request};
use super::{af, RT_TABLE_MAIN};
use crate::action::{Family, Rule};
use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::rule::{RuleAction, RuleAttribute, RuleFlags, RuleMessage};
use netlink_packet_route::RouteNetlinkMessage as Rtnl;
use std::io;

/// `struct fib_rule_hdr` that looks up `table` (in `rtm_table` too when it fits, as `ip`
/// does), plus `FRA_TABLE`.
fn rule_message(family: Family, table: u32, flags: RuleFlags) -> RuleMessage {
    let mut message = RuleMessage::default();
    message.header.family = af(family);
    message.header.table = u8::try_from(table).unwrap_or(0);
    message.header.action = RuleAction::ToTable;
    message.header.flags = flags;
    message.attributes.push(RuleAttribute::Table(table));
    message
}

/// One of wg-quick's rules, whole.
fn full_rule(rule: &Rule) -> RuleMessage {
    match rule {
        Rule::NotFwmark { family, mark } => {
            let mut message = rule_message(*family, *mark, RuleFlags::Invert);
            message.attributes.push(RuleAttribute::FwMark(*mark));
            message
        }
        Rule::SuppressMain { family } => {
            let mut message = rule_message(*family, RT_TABLE_MAIN, RuleFlags::empty());
            message.attributes.push(RuleAttribute::SuppressPrefixLen(0));
            message
        }
    }
}

pub(crate) fn add_rule_request(rule: &Rule) -> Request {
    Request::change(Rtnl::NewRule(full_rule(rule)), NLM_F_CREATE | NLM_F_EXCL)
}

/// `ip rule add ...`.
pub fn add_rule(nl: &mut Netlink, rule: &Rule) -> io::Result<()> {
    nl.change(&add_rule_request(rule))
}

pub(crate) fn delete_rule_request(rule: &Rule) -> Request {
    let message = match rule {
        // `del_if` deletes by table alone, which also catches rules whose mark differs.
        Rule::NotFwmark { family, mark } => rule_message(*family, *mark, RuleFlags::empty()),
        Rule::SuppressMain { .. } => full_rule(rule),
    };
    Request::change(Rtnl::DelRule(message), 0)
}

/// `ip rule delete table T` / `ip rule delete table main suppress_prefixlength 0`: deletes
/// one matching rule; `Ok(false)` when none is left.
pub fn delete_rule(nl: &mut Netlink, rule: &Rule) -> io::Result<bool> {
    match nl.change(&delete_rule_request(rule)) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Ok(false),
        Err(e) => Err(e),
    }
}

/// wg-quick's rules among the rules of `family` (`ip rule show`): each `not fwmark T
/// lookup T` and each `lookup main suppress_prefixlength 0`, once per rule found.
pub fn dump_rules(nl: &mut Netlink, family: Family) -> io::Result<Vec<Rule>> {
    let replies = nl.query(&dump_rules_request(family))?;
    Ok(parse_rules(&replies, family))
}

pub(crate) fn dump_rules_request(family: Family) -> Request {
    let mut message = RuleMessage::default();
    message.header.family = af(family);
    Request::dump(Rtnl::GetRule(message))
}

/// wg-quick's rules in a dump of `family`'s rules.
pub(crate) fn parse_rules(replies: &[Message], family: Family) -> Vec<Rule> {
    let mut rules = Vec::new();
    for reply in replies {
        let Rtnl::NewRule(message) = reply else {
            continue;
        };
        let mut table = u32::from(message.header.table);
        let (mut mark, mut suppress) = (None, None);
        for attribute in &message.attributes {
            match attribute {
                RuleAttribute::Table(t) => table = *t,
                RuleAttribute::FwMark(m) => mark = Some(*m),
                RuleAttribute::SuppressPrefixLen(s) => suppress = Some(*s),
                _ => {}
            }
        }
        let invert = message.header.flags.contains(RuleFlags::Invert);
        if invert && mark == Some(table) {
            rules.push(Rule::NotFwmark {
                family,
                mark: table,
            });
        } else if !invert && table == RT_TABLE_MAIN && suppress == Some(0) {
            rules.push(Rule::SuppressMain { family });
        }
    }
    rules
}
