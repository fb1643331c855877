//! Policy rules: wg-quick's two rules per family, added, deleted and listed.

use super::super::netlink::{
    as_u32, attrs, put_u32, Message, Netlink, Request, F_CREATE, F_DUMP, F_EXCL,
};
use super::{af, RT_TABLE_MAIN};
use crate::action::{Family, Rule};
use std::io;

const RTM_NEWRULE: u16 = 32;
const RTM_DELRULE: u16 = 33;
const RTM_GETRULE: u16 = 34;
const FRA_FWMARK: u16 = 10;
const FRA_SUPPRESS_PREFIXLEN: u16 = 14;
const FRA_TABLE: u16 = 15;
const FIB_RULE_INVERT: u32 = 0x2;
const FR_ACT_TO_TBL: u8 = 1;
const ENOENT: i32 = 2;

/// `struct fib_rule_hdr` and attributes for one of wg-quick's rules.
fn rule_body(rule: &Rule) -> Vec<u8> {
    let (family, table, invert) = match rule {
        Rule::NotFwmark { family, mark } => (*family, *mark, true),
        Rule::SuppressMain { family } => (*family, RT_TABLE_MAIN, false),
    };
    let short = u8::try_from(table).unwrap_or(0);
    let mut body = vec![af(family), 0, 0, 0, short, 0, 0, FR_ACT_TO_TBL];
    let flags = if invert { FIB_RULE_INVERT } else { 0 };
    body.extend_from_slice(&flags.to_ne_bytes());
    put_u32(&mut body, FRA_TABLE, table);
    match rule {
        Rule::NotFwmark { mark, .. } => put_u32(&mut body, FRA_FWMARK, *mark),
        Rule::SuppressMain { .. } => put_u32(&mut body, FRA_SUPPRESS_PREFIXLEN, 0),
    }
    body
}

pub(crate) fn add_rule_request(rule: &Rule) -> Request {
    Request::change(RTM_NEWRULE, F_CREATE | F_EXCL, rule_body(rule))
}

/// `ip rule add ...`.
pub fn add_rule(nl: &mut Netlink, rule: &Rule) -> io::Result<()> {
    nl.change(&add_rule_request(rule))
}

pub(crate) fn delete_rule_request(rule: &Rule) -> Request {
    let mut body = rule_body(rule);
    if let Rule::NotFwmark { family, mark } = rule {
        // `del_if` deletes by table alone, which also catches rules whose mark differs.
        let short = u8::try_from(*mark).unwrap_or(0);
        body = vec![af(*family), 0, 0, 0, short, 0, 0, FR_ACT_TO_TBL, 0, 0, 0, 0];
        put_u32(&mut body, FRA_TABLE, *mark);
    }
    Request::change(RTM_DELRULE, 0, body)
}

/// `ip rule delete table T` / `ip rule delete table main suppress_prefixlength 0`: deletes
/// one matching rule; `Ok(false)` when none is left.
pub fn delete_rule(nl: &mut Netlink, rule: &Rule) -> io::Result<bool> {
    match nl.change(&delete_rule_request(rule)) {
        Ok(()) => Ok(true),
        Err(e) if e.raw_os_error() == Some(ENOENT) => Ok(false),
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
    let body = vec![af(family), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    Request::query(RTM_GETRULE, F_DUMP, body)
}

/// wg-quick's rules in a dump of `family`'s rules.
pub(crate) fn parse_rules(replies: &[Message], family: Family) -> Vec<Rule> {
    let mut rules = Vec::new();
    for message in replies {
        let p = &message.payload;
        let (Some(header_table), Some(flags)) = (p.get(4), p.get(8..12).and_then(as_u32)) else {
            continue;
        };
        let mut table = u32::from(*header_table);
        let (mut mark, mut suppress) = (None, None);
        for (kind, data) in attrs(p.get(12..).unwrap_or_default()) {
            match kind {
                FRA_TABLE => table = as_u32(data).unwrap_or(table),
                FRA_FWMARK => mark = as_u32(data),
                FRA_SUPPRESS_PREFIXLEN => suppress = as_u32(data),
                _ => {}
            }
        }
        let invert = flags & FIB_RULE_INVERT != 0;
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
