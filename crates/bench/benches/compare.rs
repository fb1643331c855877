//! `cargo bench -p ferrotun-bench`: see the crate docs.

fn main() {
    ferrotun_bench::main();
}
