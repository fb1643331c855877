//! Root-only tests of ferrotun-quick in network namespaces: `up`/`down` against the stock
//! wg-quick, `reload`, `--netns`, `save`, and SIGINT/SIGTERM during `up`. They use the
//! release daemon (`FERROTUND`, else `target/release/ferrotund`) and skip, passing, when
//! not root or when a tool is missing.

mod harness;
mod interrupt;
mod moved;
mod reload;
mod save;
mod wgquick;
