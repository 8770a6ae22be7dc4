//! The task that owns the `Swarm`: commands in, events out, uplinks kept connected.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use libp2p::identity::Keypair;
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, OutboundFailure, OutboundRequestId, ProtocolSupport};
use libp2p::swarm::dial_opts::DialOpts;
use libp2p::swarm::{ConnectionId, NetworkBehaviour, SwarmEvent};
use libp2p::{Multiaddr, PeerId, StreamProtocol, Swarm, SwarmBuilder, noise, ping, tcp, yamux};
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tracing::{debug, info, warn};

use super::codec::PostcardCodec;
use super::uplinks::Uplinks;
use super::{
    Command, Message, NetConfig, NetError, NetEvent, NetHandle, PROTOCOL, Responder, Spawned,
    keep_alive,
};

/// How long `spawn` waits for the listener to report its address.
const LISTEN_WAIT: Duration = Duration::from_secs(10);

#[derive(NetworkBehaviour)]
struct Behaviour<Req: Message, Resp: Message> {
    sync: request_response::Behaviour<PostcardCodec<Req, Resp>>,
    ping: ping::Behaviour,
    keep_alive: keep_alive::Behaviour,
}

type Reply<T> = oneshot::Sender<Result<T, NetError>>;

/// Starts the network: binds `config.listen`, waits until it is listening, dials the
/// uplinks and returns. The task stops when `shutdown` becomes true (failing pending
/// requests with [`NetError::Shutdown`]) or when every handle is dropped; if the
/// `shutdown` sender is dropped, only the handles can stop it.
pub async fn spawn<Req: Message, Resp: Message>(
    keypair: Keypair,
    config: NetConfig,
    responder: Arc<dyn Responder<Req, Resp>>,
    shutdown: watch::Receiver<bool>,
) -> Result<Spawned<Req, Resp>, NetError> {
    let (sent, received) = (Arc::default(), Arc::default());
    let codec = PostcardCodec::with_counters(
        config.max_request_bytes,
        config.max_response_bytes,
        Arc::clone(&sent),
        Arc::clone(&received),
    );
    let local_peer_id = keypair.public().to_peer_id();
    let rr_config =
        request_response::Config::default().with_request_timeout(config.request_timeout);
    let idle = config.idle_timeout;
    let mut swarm = SwarmBuilder::with_existing_identity(keypair)
        .with_tokio()
        .with_tcp(
            tcp::Config::default().nodelay(true),
            noise::Config::new,
            yamux::Config::default,
        )
        .map_err(|e| NetError::Transport(e.to_string()))?
        .with_behaviour(|_| Behaviour {
            sync: request_response::Behaviour::with_codec(
                codec,
                [(StreamProtocol::new(PROTOCOL), ProtocolSupport::Full)],
                rr_config,
            ),
            ping: ping::Behaviour::default(),
            keep_alive: keep_alive::Behaviour::default(),
        })
        .map_err(|e| NetError::Transport(e.to_string()))?
        .with_swarm_config(|c| c.with_idle_connection_timeout(idle))
        .build();

    let listen_addr = listen(&mut swarm, config.listen).await?;
    info!(peer = %local_peer_id, %listen_addr, "listening");

    let (commands_tx, commands) = mpsc::channel(256);
    let (events, events_rx) = mpsc::unbounded_channel();
    let (responses_tx, responses) = mpsc::unbounded_channel();
    let mut task = Task {
        swarm,
        responder,
        commands,
        responses_tx,
        responses,
        events,
        pending: HashMap::new(),
        dials: HashMap::new(),
        uplinks: Uplinks::new(config.backoff_min, config.backoff_max),
        connections: HashMap::new(),
    };
    for addr in &config.uplinks {
        task.add_uplink(*addr);
    }
    let join = tokio::spawn(task.run(shutdown));
    let handle = NetHandle {
        commands: commands_tx,
        local_peer_id,
        listen_addr,
        sent,
        received,
    };
    Ok((handle, events_rx, join))
}

/// Listens on `addr` and returns the bound address once the listener reports it.
async fn listen<B: NetworkBehaviour>(
    swarm: &mut Swarm<B>,
    addr: SocketAddr,
) -> Result<SocketAddr, NetError> {
    let failed = |reason: String| NetError::Listen { addr, reason };
    // libp2p-tcp sets SO_REUSEPORT on listeners, so a port another node holds would be
    // shared silently; a plain bind first turns that into an error.
    if addr.port() != 0 {
        drop(std::net::TcpListener::bind(addr).map_err(|e| failed(e.to_string()))?);
    }
    let id = swarm
        .listen_on(to_multiaddr(addr))
        .map_err(|e| failed(e.to_string()))?;
    let wait = async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::NewListenAddr {
                    listener_id,
                    address,
                } if listener_id == id => {
                    let port = address.iter().find_map(|p| match p {
                        Protocol::Tcp(port) => Some(port),
                        _ => None,
                    });
                    return port
                        .map(|port| SocketAddr::new(addr.ip(), port))
                        .ok_or_else(|| failed(format!("listener reported {address}")));
                }
                SwarmEvent::ListenerError { error, .. } => return Err(failed(error.to_string())),
                SwarmEvent::ListenerClosed { reason, .. } => {
                    let why = reason.err().map_or("closed".to_string(), |e| e.to_string());
                    return Err(failed(why));
                }
                _ => {}
            }
        }
    };
    tokio::time::timeout(LISTEN_WAIT, wait)
        .await
        .map_err(|_| failed("no listen address reported".to_string()))?
}

fn to_multiaddr(addr: SocketAddr) -> Multiaddr {
    Multiaddr::empty()
        .with(Protocol::from(addr.ip()))
        .with(Protocol::Tcp(addr.port()))
}

struct Task<Req: Message, Resp: Message> {
    swarm: Swarm<Behaviour<Req, Resp>>,
    responder: Arc<dyn Responder<Req, Resp>>,
    commands: mpsc::Receiver<Command<Req, Resp>>,
    responses_tx: mpsc::UnboundedSender<(request_response::ResponseChannel<Resp>, Resp)>,
    responses: mpsc::UnboundedReceiver<(request_response::ResponseChannel<Resp>, Resp)>,
    events: mpsc::UnboundedSender<NetEvent>,
    pending: HashMap<OutboundRequestId, Reply<Resp>>,
    dials: HashMap<ConnectionId, (SocketAddr, Reply<()>)>,
    uplinks: Uplinks,
    /// Open connections per peer, with their remote addresses.
    connections: HashMap<PeerId, Vec<(ConnectionId, Multiaddr)>>,
}

impl<Req: Message, Resp: Message> Task<Req, Resp> {
    async fn run(mut self, mut shutdown: watch::Receiver<bool>) {
        let mut watching = true;
        while !*shutdown.borrow_and_update() {
            let next_redial = self.uplinks.next_redial();
            let far = Instant::now() + Duration::from_secs(3600);
            tokio::select! {
                event = self.swarm.select_next_some() => self.on_swarm_event(event),
                command = self.commands.recv() => match command {
                    Some(command) => self.on_command(command),
                    None => {
                        debug!("every handle dropped, stopping");
                        break;
                    }
                },
                Some((channel, response)) = self.responses.recv() => {
                    if self.swarm.behaviour_mut().sync.send_response(channel, response).is_err() {
                        debug!("response dropped: request timed out or connection closed");
                    }
                }
                () = tokio::time::sleep_until(next_redial.unwrap_or(far)), if next_redial.is_some() => {
                    self.redial_due();
                }
                changed = shutdown.changed(), if watching => {
                    // A dropped sender can no longer ask us to stop; the handles still can.
                    watching = changed.is_ok();
                }
            }
        }
        for (_, reply) in self.pending.drain() {
            let _ = reply.send(Err(NetError::Shutdown));
        }
        for (_, (_, reply)) in self.dials.drain() {
            let _ = reply.send(Err(NetError::Shutdown));
        }
        info!("network task stopped");
    }

    fn on_command(&mut self, command: Command<Req, Resp>) {
        match command {
            Command::Request {
                peer,
                request,
                reply,
            } => {
                if !self.swarm.is_connected(&peer) {
                    let _ = reply.send(Err(NetError::NotConnected(peer)));
                    return;
                }
                let id = self.swarm.behaviour_mut().sync.send_request(&peer, request);
                self.pending.insert(id, reply);
            }
            Command::Connected { reply } => {
                let peers = self.connections.iter();
                let peers =
                    peers.filter_map(|(peer, conns)| Some((*peer, conns.first()?.1.clone())));
                let _ = reply.send(peers.collect());
            }
            Command::Dial { addr, reply } => {
                let opts = DialOpts::unknown_peer_id()
                    .address(to_multiaddr(addr))
                    .build();
                let id = opts.connection_id();
                match self.swarm.dial(opts) {
                    Ok(()) => {
                        self.dials.insert(id, (addr, reply));
                    }
                    Err(e) => {
                        let reason = e.to_string();
                        let _ = reply.send(Err(NetError::Dial { addr, reason }));
                    }
                }
            }
            Command::AddUplink { addr } => self.add_uplink(addr),
        }
    }

    fn on_swarm_event(&mut self, event: SwarmEvent<BehaviourEvent<Req, Resp>>) {
        match event {
            SwarmEvent::Behaviour(BehaviourEvent::Sync(event)) => self.on_sync_event(event),
            SwarmEvent::Behaviour(BehaviourEvent::Ping(ping::Event {
                peer,
                connection,
                result: Err(e),
            })) if !matches!(e, ping::Failure::Unsupported) => {
                // A dead peer: drop the connection (uplinks get redialled).
                warn!(peer = %peer, error = %e, "ping failed, closing the connection");
                self.swarm.close_connection(connection);
            }
            SwarmEvent::ConnectionEstablished {
                peer_id: peer,
                connection_id,
                endpoint,
                ..
            } => {
                let address = endpoint.get_remote_address().clone();
                let outbound = endpoint.is_dialer();
                debug!(peer = %peer, %address, outbound, "connected");
                let conns = self.connections.entry(peer).or_default();
                conns.push((connection_id, address.clone()));
                if conns.len() == 1 {
                    let _ = self.events.send(NetEvent::Connected {
                        peer,
                        address,
                        outbound,
                    });
                }
                if let Some((_, reply)) = self.dials.remove(&connection_id) {
                    let _ = reply.send(Ok(()));
                }
                if let Some(addr) = self.uplinks.established(connection_id) {
                    info!(peer = %peer, %addr, "uplink connected");
                }
            }
            SwarmEvent::ConnectionClosed {
                peer_id: peer,
                connection_id,
                cause,
                ..
            } => {
                let cause = cause.map_or("closed".to_string(), |e| e.to_string());
                debug!(peer = %peer, %cause, "connection closed");
                if let Some(conns) = self.connections.get_mut(&peer) {
                    conns.retain(|(id, _)| *id != connection_id);
                    if conns.is_empty() {
                        self.connections.remove(&peer);
                        let _ = self.events.send(NetEvent::Disconnected { peer });
                    }
                }
                if let Some((addr, delay)) = self.uplinks.lost(connection_id) {
                    warn!(peer = %peer, %addr, %cause, ?delay, "uplink lost, redialling");
                }
            }
            SwarmEvent::OutgoingConnectionError {
                connection_id,
                error,
                ..
            } => {
                if let Some((addr, reply)) = self.dials.remove(&connection_id) {
                    let reason = error.to_string();
                    let _ = reply.send(Err(NetError::Dial { addr, reason }));
                }
                if let Some((addr, delay)) = self.uplinks.lost(connection_id) {
                    debug!(%addr, error = %error, ?delay, "uplink dial failed");
                }
            }
            SwarmEvent::IncomingConnectionError {
                send_back_addr,
                error,
                ..
            } => debug!(address = %send_back_addr, error = %error, "inbound connection failed"),
            SwarmEvent::ListenerClosed {
                addresses, reason, ..
            } => {
                warn!(?addresses, ?reason, "listener closed");
            }
            _ => {}
        }
    }

    fn on_sync_event(&mut self, event: request_response::Event<Req, Resp>) {
        match event {
            request_response::Event::Message { peer, message, .. } => match message {
                request_response::Message::Request {
                    request, channel, ..
                } => {
                    let answer = self.responder.respond(peer, request);
                    let responses = self.responses_tx.clone();
                    tokio::spawn(async move {
                        let _ = responses.send((channel, answer.await));
                    });
                }
                request_response::Message::Response {
                    request_id,
                    response,
                } => {
                    if let Some(reply) = self.pending.remove(&request_id) {
                        let _ = reply.send(Ok(response));
                    }
                }
            },
            request_response::Event::OutboundFailure {
                peer,
                request_id,
                error,
                ..
            } => {
                warn!(peer = %peer, error = %error, "request failed");
                let error = match error {
                    OutboundFailure::DialFailure => NetError::NotConnected(peer),
                    OutboundFailure::Timeout => NetError::Timeout,
                    OutboundFailure::ConnectionClosed => NetError::ConnectionClosed,
                    OutboundFailure::UnsupportedProtocols => NetError::UnsupportedProtocol,
                    OutboundFailure::Io(e) => NetError::Io(e.to_string()),
                };
                if let Some(reply) = self.pending.remove(&request_id) {
                    let _ = reply.send(Err(error));
                }
            }
            request_response::Event::InboundFailure { peer, error, .. } => {
                warn!(peer = %peer, error = %error, "answering a request failed");
            }
            request_response::Event::ResponseSent { .. } => {}
        }
    }

    fn add_uplink(&mut self, addr: SocketAddr) {
        if self.uplinks.add(addr) {
            self.dial_uplink(addr);
        }
    }

    fn dial_uplink(&mut self, addr: SocketAddr) {
        let opts = DialOpts::unknown_peer_id()
            .address(to_multiaddr(addr))
            .build();
        let id = opts.connection_id();
        self.swarm.behaviour_mut().keep_alive.keep(id);
        debug!(%addr, "dialling uplink");
        match self.swarm.dial(opts) {
            Ok(()) => self.uplinks.dialing(addr, id),
            Err(e) => {
                let delay = self.uplinks.retry(addr);
                debug!(%addr, error = %e, ?delay, "uplink dial failed");
            }
        }
    }

    fn redial_due(&mut self) {
        for addr in self.uplinks.due(Instant::now()) {
            self.dial_uplink(addr);
        }
    }
}
