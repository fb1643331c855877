//! Root-only tests of ferrotun-quick in network namespaces: `up`/`down` against the stock
//! wg-quick, `reload`, `--netns`, `save`, a taken `ListenPort`, and SIGINT/SIGTERM during
//! `up`. They use the release daemon (`FERROTUND`, else `target/release/ferrotund`). Not
//! root, or a tool missing (`wg-quick`, `wg`, `ip`, `ping`, and `nft` for the default-route
//! tests): the test fails under `FERROTUN_REQUIRE_ALL=1`, naming it, and is logged as a skip
//! otherwise.

mod harness;
mod interrupt;
mod moved;
mod port;
mod reload;
mod save;
mod wgquick;
