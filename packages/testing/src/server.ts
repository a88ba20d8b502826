import { EventEmitter } from 'node:events'
import xml, { type Element, Parser } from '@xmpp/xml'
import { NS_STREAM, NS_STREAMS } from '@xmpp-errors/conditions'
import type { ConnectionScript, Script, ScriptedStreamError } from './behaviours.js'
import { writeAfterEnd } from './xmpp-internals.js'

// The other end of the entity's socket: just enough of a server, in memory. A component gets the
// XEP-0114 header and handshake; a client gets SASL PLAIN or ANONYMOUS and resource binding
// (RFC 6120 §6, §7). Once online, what the entity writes is handed to the observer, and the
// server writes only what a test or its script asks for.

export type EntityKind = 'component' | 'client'

const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl'
const NS_BIND = 'urn:ietf:params:xml:ns:xmpp-bind'
/** Node's default for a socket, the point past which write() returns false (Node 20). */
const HIGH_WATER_MARK = 16 * 1024

export interface ServerObserver {
  /** The n-th connection (1 first) completed its handshake or bound its resource. */
  online(connection: number): void
  /**
   * A string the entity wrote while online, as written, with the elements it completed (a
   * string may hold several, or end one begun by an earlier string).
   */
  wrote(data: string, elements: Element[]): void
  /** The server closed the stream with this `<stream:error/>`. */
  streamError(element: Element): void
}

/** One end of the socket pair: what xmpp.js holds, in place of a net.Socket. */
export interface MemorySocket extends EventEmitter {
  connect(): void
  write(data: string, callback?: (error?: Error) => void): boolean
  end(): void
  destroy(): void
}

export class MemoryServer {
  /** The class to set as the entity's `Socket`: each instance is a new connection. */
  readonly Socket: new () => MemorySocket
  /** Connections accepted so far. */
  connections = 0
  private link: Link | undefined

  constructor(
    readonly kind: EntityKind,
    readonly domain: string,
    private readonly script: Script,
    private readonly observer: ServerObserver,
  ) {
    const server = this
    this.Socket = class extends EventEmitter implements MemorySocket {
      private link: Link | undefined
      connect(): void {
        this.link = server.accept(this)
        setImmediate(() => this.emit('connect'))
      }
      write(data: string, callback?: (error?: Error) => void): boolean {
        if (this.link === undefined) throw new Error('write before connect')
        return this.link.fromEntity(data, callback ?? (() => {}))
      }
      end(): void {
        this.link?.close()
      }
      destroy(): void {
        this.link?.close()
      }
    }
  }

  private accept(socket: MemorySocket): Link {
    const index = this.connections
    this.connections += 1
    const script = typeof this.script === 'function' ? this.script(index) : this.script
    this.link = new Link(this, socket, this.connections, script, this.observer)
    return this.link
  }

  /** The connection that is up, if any. */
  get live(): Link | undefined {
    return this.link?.closed === false ? this.link : undefined
  }

  /**
   * Writes `data` to the entity now, in the caller's call stack, as the socket's 'data' event
   * does: what the entity's parser and handlers throw synchronously comes back to the caller.
   */
  push(data: string): void {
    const link = this.live
    if (link === undefined) throw new Error('the entity is not connected')
    link.wire.emit('data', data)
  }

  /** The connection that is up, or an error saying there is none. */
  connected(): Link {
    const link = this.live
    if (link === undefined) throw new Error('the entity is not connected')
    return link
  }

  /**
   * Lets go of what a script holds back (a silent header or handshake, unread writes), so that the
   * timeouts xmpp.js set on them end when the entity stops, not seconds after the test.
   */
  release(): void {
    this.link?.release()
  }
}

type Phase = 'header' | 'handshake' | 'auth' | 'restart' | 'bind' | 'online'

export class Link {
  closed = false
  private phase: Phase = 'header'
  private parser = this.newParser()
  private reading = true
  /** Writes waiting while the server does not read. */
  private parked: Array<{ data: string; callback: (error?: Error) => void }> = []
  private buffered = 0
  private mustDrain = false
  /** Writes to the entity, in order, each in a later turn of the event loop as a socket's are. */
  private outbox: Array<string | 'close'> = []
  private flushing = false
  private user = 'tester'

  constructor(
    private readonly server: MemoryServer,
    /** The entity's end of the socket. */
    readonly wire: MemorySocket,
    private readonly number: number,
    private readonly script: ConnectionScript,
    private readonly observer: ServerObserver,
  ) {}

  private newParser(): Parser {
    const parser = new Parser()
    parser.on('start', () => this.onHeader())
    parser.on('element', (element) => this.onElement(element))
    parser.on('end', () => {
      this.send('</stream:stream>')
      this.close()
    })
    parser.on('error', () => this.close())
    return parser
  }

  fromEntity(data: string, callback: (error?: Error) => void): boolean {
    if (this.closed) {
      setImmediate(callback, writeAfterEnd())
      return false
    }
    if (!this.reading) {
      this.parked.push({ data, callback })
      this.buffered += Buffer.byteLength(data)
      if (this.buffered >= HIGH_WATER_MARK) this.mustDrain = true
      return !this.mustDrain
    }
    this.read(data)
    callback()
    return true
  }

  /** The elements completed by the string being read, while online. */
  private completed: Element[] = []

  private read(data: string): void {
    if (this.phase !== 'online') {
      this.parser.write(data)
      return
    }
    this.completed = []
    this.parser.write(data)
    this.observer.wrote(data, this.completed)
  }

  /** Answers what a `'silent'` script held back, and reads what waits. */
  release(): void {
    this.resumeReading()
    const held = this.held
    this.held = undefined
    if (held === 'header') this.answerHeader()
    else if (held === 'handshake') this.send('<handshake/>')
    else if (held === 'auth') this.send(`<success xmlns='${NS_SASL}'/>`)
    if (held === 'handshake') this.goOnline()
    if (held === 'auth') this.restart()
  }

  /** What a `'silent'` script kept from being answered. */
  private held: 'header' | 'handshake' | 'auth' | undefined

  stopReading(): void {
    this.reading = false
  }

  resumeReading(): void {
    this.reading = true
    const parked = this.parked
    this.parked = []
    this.buffered = 0
    for (const { data, callback } of parked) {
      if (this.closed) break
      this.read(data)
      callback()
    }
    if (this.mustDrain) {
      this.mustDrain = false
      this.wire.emit('drain')
    }
  }

  private header(): string {
    const attrs =
      this.server.kind === 'component'
        ? `xmlns='jabber:component:accept' from='${this.server.domain}'`
        : `xmlns='jabber:client' from='${this.server.domain}' version='1.0'`
    return `<?xml version='1.0'?><stream:stream xmlns:stream='${NS_STREAM}' ${attrs} id='stream-${this.number}-${this.phase}'>`
  }

  private onHeader(): void {
    const { header } = this.script
    if (header === 'silent' && this.phase === 'header') {
      this.held = 'header'
      return
    }
    if (typeof header === 'object' && this.phase === 'header') {
      this.send(this.header())
      this.streamError(header)
      return
    }
    this.answerHeader()
  }

  private answerHeader(): void {
    const header = this.header()
    if (this.server.kind === 'component') {
      this.send(header)
      this.phase = 'handshake'
      return
    }
    if (this.phase === 'header') {
      const mechanisms = ['PLAIN', 'ANONYMOUS'].map((m) => xml('mechanism', {}, m))
      this.send(header + features(xml('mechanisms', { xmlns: NS_SASL }, ...mechanisms)))
      this.phase = 'auth'
    } else {
      this.send(header + features(xml('bind', { xmlns: NS_BIND })))
      this.phase = 'bind'
    }
  }

  private onElement(element: Element): void {
    switch (this.phase) {
      case 'online':
        this.completed.push(element)
        return
      case 'handshake':
        if (element.name !== 'handshake' || this.refusesHandshake('handshake')) return
        this.send('<handshake/>')
        this.goOnline()
        return
      case 'auth':
        this.authenticate(element)
        return
      case 'bind':
        this.bind(element)
        return
      case 'header':
      case 'restart':
        return
    }
  }

  /** Whether the script keeps the handshake (or SASL) from succeeding: silent, or an error. */
  private refusesHandshake(held: 'handshake' | 'auth'): boolean {
    const { handshake } = this.script
    if (handshake === 'silent') this.held = held
    else if (typeof handshake === 'object') this.streamError(handshake)
    return handshake !== undefined && handshake !== 'accept'
  }

  private authenticate(element: Element): void {
    if (!element.is('auth', NS_SASL)) return
    if (element.attrs.mechanism === 'PLAIN') {
      const [, user] = Buffer.from(element.text(), 'base64').toString('utf8').split('\0')
      if (user) this.user = user
    }
    if (this.refusesHandshake('auth')) return
    this.send(`<success xmlns='${NS_SASL}'/>`)
    this.restart()
  }

  /** RFC 6120 §6.4.6: after success the client opens a new stream, header first. */
  private restart(): void {
    this.parser = this.newParser()
    this.phase = 'restart'
  }

  private bind(element: Element): void {
    const bind = element.getChild('bind', NS_BIND)
    if (element.name !== 'iq' || bind === undefined) return
    const resource = bind.getChildText('resource') || 'test'
    const jid = `${this.user}@${this.server.domain}/${resource}`
    const result = xml(
      'iq',
      { type: 'result', id: element.attrs.id },
      xml('bind', { xmlns: NS_BIND }, xml('jid', {}, jid)),
    )
    this.send(result.toString())
    this.goOnline()
  }

  private goOnline(): void {
    this.phase = 'online'
    this.observer.online(this.number)
  }

  /** Writes the start of a stanza, and closes the connection in the middle of it. */
  closeMidStanza(): void {
    this.send(`<message from='peer@${this.server.domain}' to='${this.server.domain}'><body>hal`)
    this.close()
  }

  /** Sends `<stream:error/>` and closes the stream, as RFC 6120 §4.9.1.1 says. */
  streamError({ condition, content, text }: ScriptedStreamError): void {
    const element = xml(
      'stream:error',
      {},
      xml(condition, { xmlns: NS_STREAMS }, ...(content === undefined ? [] : [content])),
      ...(text === undefined ? [] : [xml('text', { xmlns: NS_STREAMS }, text)]),
    )
    this.observer.streamError(element)
    this.send(element.toString())
    this.send('</stream:stream>')
    this.close()
  }

  private send(data: string): void {
    this.outbox.push(data)
    this.flush()
  }

  /** Closes the connection once what was sent before has been delivered: `destroy`. */
  close(): void {
    if (this.outbox.includes('close')) return
    this.outbox.push('close')
    this.flush()
  }

  private flush(): void {
    if (this.flushing) return
    this.flushing = true
    setImmediate(() => {
      this.flushing = false
      const outbox = this.outbox
      this.outbox = []
      for (const item of outbox) {
        if (this.closed) return
        if (item === 'close') {
          this.closed = true
          for (const { callback } of this.parked) callback(new Error('socket closed'))
          this.parked = []
          this.wire.emit('end')
          this.wire.emit('close', false)
          return
        }
        this.wire.emit('data', item)
      }
    })
  }
}

function features(...children: Element[]): string {
  return xml('stream:features', {}, ...children).toString()
}
