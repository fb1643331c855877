//! The engine of ferrotun's userspace WireGuard, as a library: the `ferrotund` daemon runs
//! it on a kernel TUN device, `ferrotun proxy` on a userspace TCP/IP stack ([`engine`],
//! [`stack_port`]). Each thread's file and the parts they share are listed in `daemon.rs`.

mod control;
mod crypto_pool;
mod daemon;
mod device_cell;
mod drop_report;
pub mod engine;
mod handshake_queue;
mod handshake_thread;
mod icmp;
pub mod lifecycle;
mod load;
pub mod logging;
mod offload_send;
mod packet_loop;
mod packet_thread;
mod plain_send;
mod receive;
mod sched;
pub mod settings;
mod sockets;
pub mod stack_port;
pub mod startup;
mod test_timing;
mod threads;
mod timer_thread;
mod transmit;
pub mod tun_port;
mod tun_thread;
mod udp_thread;
mod watch;
