import { DOMAIN, HOST, type Launched, type Supervisor } from './process.js'

// What the tests and the bench see of a throwaway server, Prosody or ejabberd alike: where it
// listens, its components and users, and its process.

export interface XmppUser {
  username: string
  password: string
  /** username@domain */
  jid: string
}

/** Where a server takes components (XEP-0114), and the domain and secret of each. */
export interface ComponentListener {
  address: string
  port: number
  /** Each component's domain, and its secret. */
  secrets: Readonly<Record<string, string>>
}

export interface XmppServer {
  kind: 'prosody' | 'ejabberd'
  /** '127.0.0.1' */
  host: string
  /** 'localhost' */
  domain: string
  c2sPort: number
  componentPort: number
  componentSecret: string
  /** Component domains configured on the server, e.g. ['c1.localhost', ..., 'c16.localhost'] */
  components: string[]
  /** Pre-registered users, at least 8 (u1..u8, password 'p') */
  users: XmppUser[]
  /** Changes on restart(). */
  pid: number
  /** Temp dir holding config, data, logs */
  dir: string
  /** Server log at debug level, so tests can grep what the server saw */
  logFile: string
  /** XMPP over WebSocket (RFC 7395), e.g. `ws://127.0.0.1:5280/xmpp-websocket`, when asked for. */
  websocketUrl?: string | undefined
  /** SIGTERM by PID, wait for exit (SIGKILL after a timeout) */
  stop(): Promise<void>
  /** SIGKILL by PID, wait for exit */
  kill(): Promise<void>
  /** Start again on the same ports, same config/data (stops it first if it is still running) */
  restart(): Promise<void>
}

/**
 * The serialisable part: what the tests' global setup hands to test files with provide(), and
 * what the bench hands to its child processes.
 */
export type ServerInfo = Omit<XmppServer, 'stop' | 'kill' | 'restart'>

/**
 * A plain snapshot of the server, because provide() must structured-clone its value (and a child
 * process gets JSON), and the server object carries functions.
 */
export function serverInfo(server: ServerInfo): ServerInfo {
  return {
    kind: server.kind,
    host: server.host,
    domain: server.domain,
    c2sPort: server.c2sPort,
    componentPort: server.componentPort,
    componentSecret: server.componentSecret,
    components: [...server.components],
    users: server.users.map((u) => ({ ...u })),
    pid: server.pid,
    dir: server.dir,
    logFile: server.logFile,
    ...(server.websocketUrl === undefined ? {} : { websocketUrl: server.websocketUrl }),
  }
}

/** The `cK.localhost` components and `uK@localhost` users (password 'p'), 32 of each by default. */
export function accounts(opts: { components?: number; users?: number }): {
  components: string[]
  users: XmppUser[]
} {
  return {
    components: Array.from({ length: opts.components ?? 32 }, (_, i) => `c${i + 1}.${DOMAIN}`),
    users: Array.from({ length: opts.users ?? 32 }, (_, i) => ({
      username: `u${i + 1}`,
      password: 'p',
      jid: `u${i + 1}@${DOMAIN}`,
    })),
  }
}

/**
 * The XmppServer of a supervised process: restart() relaunches the process and resolves once
 * `ready` has for the new one.
 */
export function supervisedServer<K extends XmppServer['kind']>(
  info: Omit<ServerInfo, 'kind' | 'host' | 'domain' | 'pid'> & { kind: K },
  supervisor: Supervisor,
  ready: (proc: Launched) => Promise<void>,
): XmppServer & { kind: K } {
  const server = {
    ...info,
    host: HOST,
    domain: DOMAIN,
    pid: supervisor.proc.pid,
    stop: supervisor.stop,
    kill: supervisor.kill,
    async restart() {
      const proc = await supervisor.relaunch()
      server.pid = proc.pid
      await ready(proc)
    },
  }
  return server
}
