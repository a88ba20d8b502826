export interface XmppUser {
  username: string
  password: string
  /** username@domain */
  jid: string
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
  /** SIGTERM by PID, wait for exit (SIGKILL after a timeout) */
  stop(): Promise<void>
  /** SIGKILL by PID, wait for exit */
  kill(): Promise<void>
  /** Start again on the same ports, same config/data (stops it first if it is still running) */
  restart(): Promise<void>
}

/** The serialisable part, as handed to test files by globalSetup's provide(). */
export type ServerInfo = Omit<XmppServer, 'stop' | 'kill' | 'restart'>

/**
 * A plain snapshot of the server, because provide() must structured-clone its value and the
 * server object carries functions.
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
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    prosody: ServerInfo
    ejabberd?: ServerInfo
  }
}
