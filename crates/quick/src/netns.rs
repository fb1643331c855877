//! `--netns NAME`: the interface lives in network namespace NAME while the daemon and its
//! UDP socket stay in the caller's (wireguard.com/netns, "birthplace" semantics).
//!
//! Namespaces are entered per thread: [`Namespace::run`] runs a closure on a short-lived
//! thread that has joined NAME, so netlink sockets opened there belong to NAME, and
//! programs started there (hooks, `nft`, ...) start inside it. The calling thread never
//! changes namespace.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd as _, AsRawFd as _};

/// Where `ip netns add` keeps its namespaces.
pub const NETNS_DIR: &str = "/var/run/netns";

/// A named network namespace, opened.
#[derive(Debug)]
pub struct Namespace {
    name: String,
    file: File,
}

/// Whether `name` can be a file name under [`NETNS_DIR`].
#[must_use]
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains('/') && !name.contains('\0')
}

impl Namespace {
    /// Opens `/var/run/netns/NAME`.
    pub fn open(name: &str) -> io::Result<Self> {
        if !is_valid_name(name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{name}' is not a valid network namespace name"),
            ));
        }
        let path = format!("{NETNS_DIR}/{name}");
        let file = File::open(&path).map_err(|e| {
            let hint = if e.kind() == io::ErrorKind::NotFound {
                " (create it with `ip netns add')"
            } else {
                ""
            };
            io::Error::new(
                e.kind(),
                format!("network namespace `{name}': {path}: {e}{hint}"),
            )
        })?;
        Ok(Namespace {
            name: name.to_string(),
            file,
        })
    }

    /// The name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The descriptor to pass as `IFLA_NET_NS_FD`.
    #[must_use]
    pub fn raw_fd(&self) -> i32 {
        self.file.as_raw_fd()
    }

    /// Runs `f` on a thread inside this namespace and returns its result.
    pub fn run<T: Send>(&self, f: impl FnOnce() -> io::Result<T> + Send) -> io::Result<T> {
        std::thread::scope(|scope| {
            let worker = scope.spawn(|| {
                nix::sched::setns(self.file.as_fd(), nix::sched::CloneFlags::CLONE_NEWNET)
                    .map_err(|e| {
                        io::Error::new(
                            io::Error::from(e).kind(),
                            format!("cannot enter network namespace `{}': {e}", self.name),
                        )
                    })?;
                f()
            });
            match worker.join() {
                Ok(result) => result,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
}

/// Runs `f` inside `netns`, or right here when there is none.
pub fn within<T: Send>(
    netns: Option<&Namespace>,
    f: impl FnOnce() -> io::Result<T> + Send,
) -> io::Result<T> {
    match netns {
        Some(ns) => ns.run(f),
        None => f(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_leave_the_directory() {
        for bad in ["", ".", "..", "a/b", "../x"] {
            assert!(!is_valid_name(bad), "{bad:?}");
            assert!(Namespace::open(bad).is_err());
        }
        assert!(is_valid_name("blue-1"));
    }

    #[test]
    fn missing_namespace_is_a_clear_error() {
        let error = Namespace::open("ferrotun-no-such-namespace").unwrap_err();
        assert!(error.to_string().contains("ip netns add"), "{error}");
    }
}
