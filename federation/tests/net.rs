//! The sync transport over real loopback TCP: uplinks, requests both ways, size caps,
//! shutdown and reconnection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use govnode_federation::net::{
    self, NetConfig, NetError, NetEvent, NetHandle, PeerId, PostcardCodec, Responder,
};
use libp2p::StreamProtocol;
use libp2p::identity::Keypair;
use libp2p::request_response::Codec;
use serde::{Deserialize, Serialize};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{Instant, timeout};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Req {
    Echo(String),
    WhoAmI,
    Blob(usize),
    Hang,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Resp {
    Echo(String),
    You(String),
    Blob(#[serde(with = "serde_bytes")] Vec<u8>),
}

/// Answers every request; counts the `Hang`s it will never answer.
#[derive(Default)]
struct TestResponder {
    hangs: AtomicUsize,
}

impl Responder<Req, Resp> for TestResponder {
    fn respond(&self, peer: PeerId, request: Req) -> BoxFuture<'static, Resp> {
        match request {
            Req::Echo(s) => async move { Resp::Echo(s) }.boxed(),
            Req::WhoAmI => async move { Resp::You(peer.to_string()) }.boxed(),
            Req::Blob(n) => async move { Resp::Blob(vec![7; n]) }.boxed(),
            Req::Hang => {
                self.hangs.fetch_add(1, Ordering::SeqCst);
                futures::future::pending().boxed()
            }
        }
    }
}

const WAIT: Duration = Duration::from_secs(15);
const MIB: usize = 1 << 20;

struct Node {
    key: Keypair,
    handle: NetHandle<Req, Resp>,
    events: mpsc::UnboundedReceiver<NetEvent>,
    responder: Arc<TestResponder>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Node {
    async fn start(key: Keypair, config: NetConfig) -> Result<Node, NetError> {
        let responder = Arc::new(TestResponder::default());
        let (stop, stopped) = watch::channel(false);
        let dyn_responder: Arc<dyn Responder<Req, Resp>> = responder.clone();
        let (handle, events, task) =
            net::spawn(key.clone(), config, dyn_responder, stopped).await?;
        Ok(Node {
            key,
            handle,
            events,
            responder,
            stop,
            task,
        })
    }

    async fn new(config: NetConfig) -> Node {
        Node::start(Keypair::generate_ed25519(), config)
            .await
            .unwrap()
    }

    fn id(&self) -> PeerId {
        self.handle.local_peer_id()
    }

    async fn addr(&self) -> SocketAddr {
        self.handle.listen_addr().await
    }

    /// Waits for the next event about `peer`, skipping others.
    async fn next_event(&mut self, peer: PeerId) -> NetEvent {
        let deadline = Instant::now() + WAIT;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .expect("no event in time")
                .expect("event channel closed");
            match &event {
                NetEvent::Connected { peer: p, .. } | NetEvent::Disconnected { peer: p }
                    if *p == peer =>
                {
                    return event;
                }
                _ => {}
            }
        }
    }

    async fn stop(self) {
        self.stop.send(true).unwrap();
        timeout(WAIT, self.task).await.unwrap().unwrap();
    }
}

fn config() -> NetConfig {
    NetConfig {
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
        request_timeout: Duration::from_secs(10),
        ..NetConfig::default()
    }
}

fn with_uplink(uplink: SocketAddr) -> NetConfig {
    NetConfig {
        uplinks: vec![uplink],
        ..config()
    }
}

/// Polls `check` until it holds or the deadline passes.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn uplink_connects_and_requests_flow_both_ways() {
    let mut a = Node::new(config()).await;
    let mut b = Node::new(with_uplink(a.addr().await)).await;
    assert_ne!(a.addr().await.port(), 0);

    let NetEvent::Connected { outbound, .. } = b.next_event(a.id()).await else {
        panic!("expected Connected")
    };
    assert!(outbound, "B dialled its uplink");
    let NetEvent::Connected {
        outbound, address, ..
    } = a.next_event(b.id()).await
    else {
        panic!("expected Connected")
    };
    assert!(!outbound, "A accepted B");
    assert!(address.to_string().starts_with("/ip4/127.0.0.1/tcp/"));
    assert_eq!(a.handle.connected().await.len(), 1);
    assert_eq!(b.handle.connected().await[0].0, a.id());

    // B asks A, A asks B, over the one connection; each side sees the other's identity.
    let echo = b.handle.request(a.id(), Req::Echo("hello A".into())).await;
    assert_eq!(echo, Ok(Resp::Echo("hello A".into())));
    let echo = a.handle.request(b.id(), Req::Echo("hello B".into())).await;
    assert_eq!(echo, Ok(Resp::Echo("hello B".into())));
    let seen_by_a = b.handle.request(a.id(), Req::WhoAmI).await.unwrap();
    assert_eq!(seen_by_a, Resp::You(b.id().to_string()));
    let seen_by_b = a.handle.request(b.id(), Req::WhoAmI).await.unwrap();
    assert_eq!(seen_by_b, Resp::You(a.id().to_string()));

    // Concurrent requests from clones of one handle.
    let calls = (0..20).map(|i| {
        let h = b.handle.clone();
        let a_id = a.id();
        async move { h.request(a_id, Req::Echo(i.to_string())).await }
    });
    for (i, r) in futures::future::join_all(calls)
        .await
        .into_iter()
        .enumerate()
    {
        assert_eq!(r, Ok(Resp::Echo(i.to_string())));
    }

    // Every byte one side wrote, the other read.
    assert!(b.handle.bytes_sent() > 0 && a.handle.bytes_sent() > 0);
    let (ha, hb) = (a.handle.clone(), b.handle.clone());
    eventually("byte counters agree", async || {
        ha.bytes_sent() == hb.bytes_received() && hb.bytes_sent() == ha.bytes_received()
    })
    .await;
    assert_eq!(b.handle.connected().await.len(), 1, "still one peer");
}

#[tokio::test]
async fn large_response_works_and_oversize_fails_without_breaking_the_connection() {
    let mut a = Node::new(config()).await;
    let small = NetConfig {
        max_response_bytes: 8 * MIB,
        ..with_uplink(a.addr().await)
    };
    let mut b = Node::new(small).await;
    b.next_event(a.id()).await;
    a.next_event(b.id()).await;

    let Resp::Blob(blob) = b.handle.request(a.id(), Req::Blob(5 * MIB)).await.unwrap() else {
        panic!("expected a blob")
    };
    assert_eq!(blob.len(), 5 * MIB);
    assert!(b.handle.bytes_received() > 5 * MIB as u64);

    // Refused by the reader (B caps responses at 8 MiB, A would send 10).
    match b.handle.request(a.id(), Req::Blob(10 * MIB)).await {
        Err(NetError::Io(msg)) => assert!(msg.contains("response cap"), "{msg}"),
        other => panic!("expected a response-cap error, got {other:?}"),
    }
    // Refused by the writer (B will not send over its own cap).
    let err = a.handle.request(b.id(), Req::Blob(10 * MIB)).await;
    assert!(err.is_err(), "oversize response must fail: {err:?}");

    // The connection survives both.
    let echo = b
        .handle
        .request(a.id(), Req::Echo("still here".into()))
        .await;
    assert_eq!(echo, Ok(Resp::Echo("still here".into())));
    let echo = a.handle.request(b.id(), Req::Echo("me too".into())).await;
    assert_eq!(echo, Ok(Resp::Echo("me too".into())));
    assert!(b.events.try_recv().is_err(), "no disconnect");
}

#[tokio::test]
async fn uplink_reconnects_after_restart_on_the_same_port() {
    let mut a = Node::new(config()).await;
    let a_addr = a.addr().await;
    let mut b = Node::new(with_uplink(a_addr)).await;
    b.next_event(a.id()).await;
    a.next_event(b.id()).await;

    // A request A has pending when it stops fails with Shutdown.
    let (ha, b_id) = (a.handle.clone(), b.id());
    let pending = tokio::spawn(async move { ha.request(b_id, Req::Hang).await });
    let responder = b.responder.clone();
    eventually("B got the hanging request", async || {
        responder.hangs.load(Ordering::SeqCst) == 1
    })
    .await;

    let (a_key, a_id) = (a.key.clone(), a.id());
    a.stop().await;
    assert_eq!(
        timeout(WAIT, pending).await.unwrap().unwrap(),
        Err(NetError::Shutdown)
    );
    assert_eq!(
        b.next_event(a_id).await,
        NetEvent::Disconnected { peer: a_id }
    );
    assert_eq!(
        b.handle.request(a_id, Req::WhoAmI).await,
        Err(NetError::NotConnected(a_id))
    );

    // Same key, same port: B finds it again by itself.
    let a = Node::start(
        a_key,
        NetConfig {
            listen: a_addr,
            ..config()
        },
    )
    .await
    .unwrap();
    assert_eq!(a.addr().await, a_addr);
    assert!(matches!(
        b.next_event(a_id).await,
        NetEvent::Connected { outbound: true, .. }
    ));
    let echo = b.handle.request(a_id, Req::Echo("back".into())).await;
    assert_eq!(echo, Ok(Resp::Echo("back".into())));
    let who = a.handle.request(b.id(), Req::WhoAmI).await;
    assert_eq!(who, Ok(Resp::You(a_id.to_string())));
}

#[tokio::test]
async fn errors_one_off_dials_and_idle_timeout() {
    let idle = NetConfig {
        idle_timeout: Duration::from_millis(300),
        ..config()
    };
    let a = Node::new(idle.clone()).await;
    let a_addr = a.addr().await;

    // Unknown peer: fails fast, nothing dialled.
    let stranger = PeerId::random();
    let r = a.handle.request(stranger, Req::WhoAmI).await;
    assert_eq!(r, Err(NetError::NotConnected(stranger)));

    // The port is taken.
    let taken = Node::start(
        Keypair::generate_ed25519(),
        NetConfig {
            listen: a_addr,
            ..config()
        },
    );
    assert!(matches!(taken.await.err(), Some(NetError::Listen { .. })));

    // A one-off dial connects, serves requests, then closes once idle.
    let mut c = Node::new(idle.clone()).await;
    c.handle.dial(a_addr).await.unwrap();
    assert!(matches!(
        c.next_event(a.id()).await,
        NetEvent::Connected { outbound: true, .. }
    ));
    assert_eq!(
        c.handle.request(a.id(), Req::WhoAmI).await,
        Ok(Resp::You(c.id().to_string()))
    );
    assert_eq!(
        c.next_event(a.id()).await,
        NetEvent::Disconnected { peer: a.id() }
    );

    // An uplink added later stays connected although idle.
    let mut b = Node::new(idle).await;
    b.handle.add_uplink(a_addr).await;
    b.next_event(a.id()).await;
    let quiet = timeout(Duration::from_millis(1500), b.next_event(a.id())).await;
    assert!(quiet.is_err(), "uplink dropped while idle: {quiet:?}");

    // Request timeout.
    let hasty = NetConfig {
        request_timeout: Duration::from_millis(300),
        ..with_uplink(a_addr)
    };
    let mut d = Node::new(hasty).await;
    d.next_event(a.id()).await;
    assert_eq!(
        d.handle.request(a.id(), Req::Hang).await,
        Err(NetError::Timeout)
    );

    // A dead address fails the dial.
    let dead = SocketAddr::from(([127, 0, 0, 1], 1));
    assert!(matches!(
        c.handle.dial(dead).await,
        Err(NetError::Dial { .. })
    ));

    // Dropping every handle ends the task.
    drop(d.handle);
    timeout(WAIT, d.task).await.unwrap().unwrap();
}

#[tokio::test]
async fn codec_frames_caps_and_counts() {
    let proto = StreamProtocol::new(net::PROTOCOL);
    let mut codec = PostcardCodec::<Req, Resp>::new(64, 1024);

    let mut wire = futures::io::Cursor::new(Vec::new());
    codec
        .write_request(&proto, &mut wire, Req::Echo("hi".into()))
        .await
        .unwrap();
    let frame = wire.into_inner();
    assert_eq!(&frame[..4], &((frame.len() - 4) as u32).to_be_bytes());
    assert_eq!(codec.bytes_sent(), frame.len() as u64);
    let back = codec
        .read_request(&proto, &mut futures::io::Cursor::new(&frame))
        .await;
    assert_eq!(back.unwrap(), Req::Echo("hi".into()));
    assert_eq!(codec.bytes_received(), frame.len() as u64);

    // Oversize on write: nothing goes out.
    let mut wire = futures::io::Cursor::new(Vec::new());
    let err = codec
        .write_request(&proto, &mut wire, Req::Echo("x".repeat(100)))
        .await;
    let err = err.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("request cap"), "{err}");
    assert!(wire.into_inner().is_empty());

    // Oversize on read: refused from the prefix alone.
    let prefix = 2000u32.to_be_bytes();
    let err = codec
        .read_response(&proto, &mut futures::io::Cursor::new(&prefix))
        .await;
    let err = err.unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
    assert!(err.to_string().contains("response cap"), "{err}");

    // A truncated frame is an error, not a hang.
    let cut = [0, 0, 0, 10, 1, 2];
    let err = codec
        .read_response(&proto, &mut futures::io::Cursor::new(&cut))
        .await;
    assert_eq!(err.unwrap_err().kind(), std::io::ErrorKind::UnexpectedEof);
}
