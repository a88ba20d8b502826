import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'

/**
 * A scriptable XEP-0114 server that speaks just enough of the protocol to be hostile: it answers
 * the stream header and the handshake as told, records what it receives, and lets a test write
 * raw XML, stop reading, close mid-stanza, or redirect. Not an XMPP server: no routing, no XML
 * parser (a component's header and handshake are found by their text).
 */

const NS_STREAMS = 'urn:ietf:params:xml:ns:xmpp-streams'

/** A stream error to answer with: the condition, its character data (see-other-host's host), a text. */
export interface ScriptedStreamError {
  condition: string
  content?: string
  text?: string
}

/** What the server does on one connection. */
export interface ConnectionScript {
  /**
   * The stream header: answered with ours (`'answer'`, the default), never (`'silent'`), or with
   * ours and then a stream error, before any handshake.
   */
  header?: 'answer' | 'silent' | ScriptedStreamError
  /** The handshake: accepted (`'accept'`, the default), never answered, or a stream error. */
  handshake?: 'accept' | 'silent' | ScriptedStreamError
}

/** One connection from a component, as the test sees and drives it. */
export interface HostileConnection {
  /** 0 for the first connection the server accepted. */
  readonly index: number
  /** The stream id the server gave, the handshake's salt. */
  readonly streamId: string
  /** The handshake digests received, in order. */
  readonly handshakes: string[]
  /** Everything the component wrote, as text. */
  readonly input: () => string
  /** Resolves once the handshake is accepted. */
  readonly online: Promise<void>
  /** Resolves when the socket is closed. */
  readonly closed: Promise<void>
  write(raw: string): void
  /** Stops reading from the component: its writes queue up in the kernel, then in its socket. */
  stopReading(): void
  resumeReading(): void
  /** Sends the start of a stanza and closes the socket in the middle of it. */
  closeMidStanza(): void
  /** Sends `<stream:error/>` and closes the stream, as RFC 6120 §4.9.1.1 says. */
  streamError(error: ScriptedStreamError): void
  /** Closes the socket at once. */
  destroy(): void
}

export interface HostileServer {
  readonly host: string
  readonly port: number
  /** `xmpp://host:port`, for `component({ service })`. */
  readonly service: string
  /** Every connection accepted so far, in order. */
  readonly connections: HostileConnection[]
  /** Closes every connection and stops listening. */
  close(): Promise<void>
}

export interface HostileServerOptions {
  /** A script for every connection, or one per connection by its index. */
  script?: ConnectionScript | ((index: number) => ConnectionScript)
  /** Loopback address to listen on. Default 127.0.0.1. */
  host?: string
  /** Port to listen on. Default: a free one. */
  port?: number
  /** The `from` of the server's stream header. Default `hostile.localhost`. */
  from?: string
}

/** The server's stream error, as `<stream:error/>` text. */
export function streamErrorXml({ condition, content, text }: ScriptedStreamError): string {
  const body = content === undefined ? '' : escapeText(content)
  const textXml = text === undefined ? '' : `<text xmlns='${NS_STREAMS}'>${escapeText(text)}</text>`
  return `<stream:error><${condition} xmlns='${NS_STREAMS}'>${body}</${condition}>${textXml}</stream:error>`
}

function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function header(from: string, id: string): string {
  return (
    `<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' ` +
    `xmlns:stream='http://etherx.jabber.org/streams' id='${id}' from='${from}'>`
  )
}

const HANDSHAKE = /<handshake(?:\s[^>]*)?>([^<]*)<\/handshake>/g

/** Starts a hostile server on loopback. */
export async function startHostileServer(
  options: HostileServerOptions = {},
): Promise<HostileServer> {
  const host = options.host ?? '127.0.0.1'
  const from = options.from ?? 'hostile.localhost'
  const scriptFor = (index: number): ConnectionScript => {
    const script = options.script ?? {}
    return typeof script === 'function' ? script(index) : script
  }
  const connections: HostileConnection[] = []
  const sockets = new Set<Socket>()

  function accept(socket: Socket) {
    sockets.add(socket)
    const index = connections.length
    const script = scriptFor(index)
    const streamId = randomBytes(8).toString('hex')
    const handshakes: string[] = []
    let input = ''
    let opened = false
    let handshakesSeen = 0
    let goOnline: () => void = () => {}
    const online = new Promise<void>((resolve) => {
      goOnline = resolve
    })
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))

    const send = (raw: string) => {
      if (!socket.destroyed) socket.write(raw)
    }
    const closeWith = (error: ScriptedStreamError) => {
      if (!socket.destroyed) socket.end(`${streamErrorXml(error)}</stream:stream>`)
    }

    socket.on('data', (chunk: Buffer) => {
      input += chunk.toString('utf8')
      if (!opened && input.includes('<stream:stream')) {
        opened = true
        const answer = script.header ?? 'answer'
        if (answer === 'silent') return
        send(header(from, streamId))
        if (typeof answer === 'object') return closeWith(answer)
      }
      const found = [...input.matchAll(HANDSHAKE)]
      for (const match of found.slice(handshakesSeen)) {
        handshakes.push(match[1] ?? '')
        const answer = script.handshake ?? 'accept'
        if (answer === 'silent') continue
        if (typeof answer === 'object') closeWith(answer)
        else {
          send('<handshake/>')
          goOnline()
        }
      }
      handshakesSeen = found.length
    })

    connections.push({
      index,
      streamId,
      handshakes,
      input: () => input,
      online,
      closed,
      write: send,
      stopReading: () => socket.pause(),
      resumeReading: () => socket.resume(),
      closeMidStanza() {
        if (!socket.destroyed) socket.end(`<message from='a@b' to='${from}' id='cut'><bo`)
      },
      streamError: closeWith,
      destroy: () => socket.destroy(),
    })
  }

  const server: Server = createServer(accept)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, resolve)
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    host,
    port,
    service: `xmpp://${host}:${port}`,
    connections,
    async close() {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}
