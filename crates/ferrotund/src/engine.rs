//! The data plane and the timers: one thread reads the TUN device and one thread per UDP
//! socket reads the network (or, if asked, one thread does both: `packet_loop.rs`), and
//! one thread sleeps until the device's exact next deadline. They share the sans-IO device
//! behind one lock, held only for the protocol step itself, never across a system call; the
//! packet threads take it only when their data path cannot go on alone (`data_path.rs`).

use crate::crypto_pool::CryptoPool;
use crate::drop_report::DropReport;
use crate::handshake_queue::HandshakeQueue;
use crate::icmp;
use crate::load::LoadMeter;
use ferrotun_io::clock;
use ferrotun_io::tun::Tun;
use ferrotun_io::udp::UdpPair;
use ferrotun_proto::device::{Device, PeerId, Transmit};
use ferrotun_proto::peer::Endpoint;
use ferrotun_proto::time::Instant;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::Duration;

/// Why the daemon stops.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    /// SIGINT or SIGTERM.
    Signal,
    /// The TUN interface is gone (`ip link del`).
    InterfaceGone,
    /// The UAPI socket file was removed.
    SocketRemoved,
}

/// State shared by every thread of the daemon.
pub struct Shared {
    device: Mutex<Device>,
    pub(crate) timer_wake: Condvar,
    /// The deadline (ns) the timer thread sleeps until; `u64::MAX` while it has none.
    pub(crate) timer_target: AtomicU64,
    pub(crate) tun: Tun,
    sockets: RwLock<Arc<UdpPair>>,
    /// Replaced sockets whose reader threads may not have let go of them yet.
    retired: Mutex<Vec<std::sync::Weak<UdpPair>>>,
    pub(crate) fwmark: AtomicU64,
    pub(crate) load: LoadMeter,
    pub(crate) crypto: CryptoPool,
    pub(crate) handshakes: HandshakeQueue,
    pub(crate) drop_report: DropReport,
    /// When the TUN's MTU was last looked up (ns), and what it was.
    mtu_checked: AtomicU64,
    mtu: AtomicU64,
    exit: Mutex<Option<std::sync::mpsc::Sender<Exit>>>,
    pub(crate) stopping: AtomicBool,
    /// Whether one thread serves the TUN and the sockets (`packet_loop.rs`).
    one_packet_thread: AtomicBool,
}

/// How often the data path looks up the TUN's MTU.
const MTU_POLL_NANOS: u64 = 1_000_000_000;

/// Size of every packet buffer: the largest UDP payload.
pub(crate) const BUF: usize = 65_536;

pub(crate) fn now() -> Instant {
    Instant::from_nanos(clock::now_nanos())
}

impl Shared {
    /// Wraps the pieces; nothing runs until [`Shared::start`].
    pub fn new(
        device: Device,
        tun: Tun,
        sockets: UdpPair,
        exit: std::sync::mpsc::Sender<Exit>,
    ) -> Arc<Self> {
        Arc::new(Shared {
            device: Mutex::new(device),
            timer_wake: Condvar::new(),
            timer_target: AtomicU64::new(u64::MAX),
            tun,
            sockets: RwLock::new(Arc::new(sockets)),
            retired: Mutex::new(Vec::new()),
            fwmark: AtomicU64::new(0),
            load: LoadMeter::default(),
            crypto: CryptoPool::from_env(),
            handshakes: HandshakeQueue::default(),
            drop_report: DropReport::default(),
            mtu_checked: AtomicU64::new(0),
            mtu: AtomicU64::new(0),
            exit: Mutex::new(Some(exit)),
            stopping: AtomicBool::new(false),
            one_packet_thread: AtomicBool::new(false),
        })
    }

    /// Starts the TUN, UDP and timer threads.
    pub fn start(self: &Arc<Self>) {
        let me = Arc::clone(self);
        if crate::packet_loop::one_packet_thread() && self.tun.set_nonblocking().is_ok() {
            self.one_packet_thread.store(true, Ordering::Release);
            spawn("packets", move || me.packet_loop());
        } else if self.tun.offload().is_some() {
            spawn("tun", move || me.tun_loop_offload());
        } else {
            spawn("tun", move || me.tun_loop());
        }
        if !self.one_packet_thread.load(Ordering::Acquire) {
            self.spawn_socket_readers(&self.sockets());
        }
        let me = Arc::clone(self);
        spawn("timers", move || me.timer_loop());
        let me = Arc::clone(self);
        spawn("handshake", move || me.handshake_loop());
    }

    /// Locks the device. Callers that change it must call [`Shared::kick_timers`] before
    /// unlocking, so a new earlier deadline is not slept through.
    pub fn lock(&self) -> MutexGuard<'_, Device> {
        self.device
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// One protocol step: locks the device, runs due timers and `f`, then (unlocked) sends
    /// what the device queued. Every data-path and handshake step goes through here, so none
    /// forgets the timer kick or the drop report.
    pub(crate) fn step<R>(&self, f: impl FnOnce(&mut Device, Instant) -> R) -> R {
        self.step_with_mtu(self.poll_mtu(), f)
    }

    /// [`step`](Self::step) with the result of a [`poll_mtu`](Self::poll_mtu) already made.
    pub(crate) fn step_with_mtu<R>(
        &self,
        mtu: Option<usize>,
        f: impl FnOnce(&mut Device, Instant) -> R,
    ) -> R {
        let (result, transmits) = {
            let mut dev = self.lock();
            let now = now();
            if let Some(mtu) = mtu {
                dev.set_mtu(mtu);
            }
            run_due_timers(&mut dev, now);
            let result = f(&mut dev, now);
            let transmits = drain(&mut dev);
            self.kick_timers(&dev);
            self.report_drops(&dev, now);
            (result, transmits)
        };
        self.send_all(transmits);
        result
    }

    /// The TUN's MTU if it changed, looked up at most once a second. Transport messages are
    /// padded up to the MTU and no further (as the kernel and wireguard-go do), so after
    /// `ip link set mtu` a full-size packet must not grow past it.
    pub(crate) fn poll_mtu(&self) -> Option<usize> {
        let t = clock::now_nanos();
        let last = self.mtu_checked.load(Ordering::Relaxed);
        if t.saturating_sub(last) < MTU_POLL_NANOS && last != 0 {
            return None;
        }
        self.mtu_checked.store(t.max(1), Ordering::Relaxed);
        let mtu = u64::from(self.tun.mtu().ok()?);
        (self.mtu.swap(mtu, Ordering::Relaxed) != mtu).then_some(mtu as usize)
    }

    /// Logs the drop counters now and then (see `drop_report`).
    pub(crate) fn report_drops(&self, dev: &Device, now: Instant) {
        let full = self.handshakes.dropped.load(Ordering::Relaxed);
        let _ = self.drop_report.maybe_log(now, &dev.drop_stats(), full);
    }

    /// Wakes the timer thread if the device now has a deadline before the one it sleeps for.
    pub fn kick_timers(&self, device: &Device) {
        if let Some(deadline) = device.poll_timeout() {
            if deadline.as_nanos() < self.timer_target.load(Ordering::Acquire) {
                self.timer_wake.notify_one();
            }
        }
    }

    /// The current sockets.
    pub fn sockets(&self) -> Arc<UdpPair> {
        Arc::clone(
            &self
                .sockets
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        )
    }

    /// Replaces the sockets (listen port change) and restarts the readers.
    pub fn replace_sockets(self: &Arc<Self>, sockets: UdpPair) {
        let new = Arc::new(sockets);
        let old = {
            let mut slot = self
                .sockets
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            core::mem::replace(&mut *slot, Arc::clone(&new))
        };
        old.shutdown();
        let mut retired = self
            .retired
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        retired.retain(|w| w.strong_count() > 0);
        retired.push(Arc::downgrade(&old));
        drop(retired);
        drop(old);
        if !self.one_packet_thread.load(Ordering::Acquire) {
            self.spawn_socket_readers(&new);
        }
    }

    /// Waits (up to `limit`) until every replaced socket is closed, so its port can be bound
    /// again: their reader threads close them as soon as the scheduler runs them.
    pub fn wait_for_retired_sockets(&self, limit: Duration) -> bool {
        let deadline = std::time::Instant::now() + limit;
        loop {
            let mut retired = self
                .retired
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            retired.retain(|w| w.strong_count() > 0);
            if retired.is_empty() {
                return true;
            }
            drop(retired);
            if std::time::Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Asks the main thread to stop the daemon.
    pub fn request_exit(&self, why: Exit) {
        self.stopping.store(true, Ordering::Release);
        self.handshakes.wake();
        let sender = self
            .exit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(tx) = sender.as_ref() {
            let _ = tx.send(why);
        }
    }

    fn spawn_socket_readers(self: &Arc<Self>, pair: &Arc<UdpPair>) {
        for family in [false, true] {
            let socket = if family { &pair.v6 } else { &pair.v4 };
            if socket.is_some() {
                let (me, pair) = (Arc::clone(self), Arc::clone(pair));
                spawn("udp", move || {
                    let socket = if family { &pair.v6 } else { &pair.v4 };
                    if let Some(socket) = socket {
                        me.udp_loop(socket, &pair);
                    }
                });
            }
        }
    }

    /// Sends datagrams the device queued; failed sends are taken back out of the peers'
    /// transmit counters. Consecutive datagrams of one size for one destination (a burst of
    /// released packets, or cookie replies to one flooding source) go out as one UDP GSO
    /// send.
    pub fn send_all(&self, transmits: Vec<Transmit>) {
        if transmits.is_empty() {
            return;
        }
        let sockets = self.sockets();
        let mut failed = Vec::new();
        let mut joined = Vec::new();
        let mut rest = &transmits[..];
        while let Some(first) = rest.first() {
            let n = rest
                .iter()
                .take_while(|t| t.dst == first.dst && t.data.len() == first.data.len())
                .count();
            let (run, tail) = rest.split_at(n);
            rest = tail;
            let (to, from) = (first.dst.addr, first.dst.local_ip);
            let sent = if n == 1 {
                sockets.send(&first.data, to, from)
            } else {
                joined.clear();
                run.iter().for_each(|t| joined.extend_from_slice(&t.data));
                sockets.send_segments(&joined, first.data.len(), to, from)
            };
            if let Err(e) = sent {
                tracing::debug!(dst = %to, error = %e, "send failed");
                failed.extend(run.iter().filter_map(|t| t.peer.map(|p| (p, t.data.len()))));
            }
        }
        if !failed.is_empty() {
            let mut dev = self.lock();
            for (peer, bytes) in failed {
                dev.on_send_failed(peer, bytes);
            }
        }
    }

    /// The fast path: one sealed packet straight from the output buffer, no allocation.
    pub(crate) fn send_sealed(&self, peer: PeerId, dst: Endpoint, data: &[u8]) {
        if let Err(e) = self.sockets().send(data, dst.addr, dst.local_ip) {
            tracing::debug!(dst = %dst.addr, error = %e, "send failed");
            self.lock().on_send_failed(peer, data.len());
        }
    }

    pub(crate) fn unreachable(&self, packet: &[u8]) {
        if let Some(reply) = icmp::host_unreachable(packet) {
            let _ = self.write_one(&reply);
        }
    }

    fn timer_loop(self: Arc<Self>) {
        let mut dev = self.lock();
        while !self.stopping.load(Ordering::Acquire) {
            let now = now();
            run_due_timers(&mut dev, now);
            let transmits = drain(&mut dev);
            if !transmits.is_empty() {
                drop(dev);
                self.send_all(transmits);
                dev = self.lock();
                continue;
            }
            let deadline = dev.poll_timeout().map(Instant::as_nanos);
            self.timer_target
                .store(deadline.unwrap_or(u64::MAX), Ordering::Release);
            dev = match deadline {
                Some(d) => {
                    let wait = Duration::from_nanos(d.saturating_sub(now.as_nanos()));
                    self.timer_wake
                        .wait_timeout(dev, wait)
                        .map(|(g, _)| g)
                        .unwrap_or_else(|e| e.into_inner().0)
                }
                None => self
                    .timer_wake
                    .wait(dev)
                    .unwrap_or_else(std::sync::PoisonError::into_inner),
            };
        }
    }
}

/// Runs expired timers. Also called from the packet paths, so timers catch up promptly after
/// a suspend even though the timer thread's sleep does not count suspended time.
pub(crate) fn run_due_timers(dev: &mut Device, now: Instant) {
    if dev.poll_timeout().is_some_and(|d| d <= now) {
        dev.handle_timeout(now);
    }
}

/// Takes every queued transmit, and logs events.
pub(crate) fn drain(dev: &mut Device) -> Vec<Transmit> {
    while let Some(event) = dev.poll_event() {
        tracing::debug!(?event, "protocol event");
    }
    std::iter::from_fn(|| dev.poll_transmit()).collect()
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new()
        .name(format!("ferrotund-{name}"))
        .spawn(f)
    {
        tracing::error!(error = %e, "cannot start thread");
        std::process::exit(1);
    }
}
