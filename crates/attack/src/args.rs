//! `--name value` flags, parsed into a map; every getter names the flag in its error, so a
//! bad command line ends with a clear message rather than a panic.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::Duration;

pub struct Args {
    flags: HashMap<String, String>,
}

impl Args {
    /// Parses `--name value` pairs and `--name` switches (a switch is followed by another
    /// `--flag` or nothing).
    pub fn parse(argv: &[String]) -> Result<Args, String> {
        let mut flags = HashMap::new();
        let mut it = argv.iter().peekable();
        while let Some(arg) = it.next() {
            let name = arg
                .strip_prefix("--")
                .ok_or_else(|| format!("unexpected argument {arg:?}"))?;
            let value = match it.peek() {
                Some(v) if !v.starts_with("--") => it.next().cloned().unwrap_or_default(),
                _ => String::new(),
            };
            flags.insert(name.to_string(), value);
        }
        Ok(Args { flags })
    }

    pub fn has(&self, name: &str) -> bool {
        self.flags.contains_key(name)
    }

    pub fn str(&self, name: &str) -> Result<&str, String> {
        self.flags
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| format!("missing --{name}"))
    }

    /// A parsed value, or `default` if the flag is absent.
    pub fn get<T: FromStr>(&self, name: &str, default: T) -> Result<T, String> {
        match self.flags.get(name) {
            None => Ok(default),
            Some(v) => v
                .parse()
                .map_err(|_| format!("--{name}: cannot parse {v:?}")),
        }
    }

    pub fn addr(&self, name: &str) -> Result<SocketAddr, String> {
        let v = self.str(name)?;
        v.parse()
            .map_err(|_| format!("--{name}: {v:?} is not IP:PORT"))
    }

    /// A duration given in (possibly fractional) seconds.
    pub fn secs(&self, name: &str, default: f64) -> Result<Duration, String> {
        let s: f64 = self.get(name, default)?;
        Duration::try_from_secs_f64(s).map_err(|_| format!("--{name}: bad number of seconds"))
    }
}
