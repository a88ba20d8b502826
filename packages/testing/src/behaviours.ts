import type { StreamCondition } from '@xmpp-errors/conditions'

/**
 * What the in-memory server does wrong, as a server would. The names are those of the scripted
 * XEP-0114 server of the repository's tools, so that a case written against one reads the same
 * against the other.
 *
 * Given in `script`, the n-th behaviour applies to the n-th connection; given to `fault()`, it
 * applies at once to the connection that is up.
 */
export type ServerBehaviour =
  /** Answers the stream header with `<stream:error/>` and closes (script only). */
  | { behaviour: 'stream-error-on-header'; condition: StreamCondition; text?: string }
  /** Never answers the handshake (script only). */
  | { behaviour: 'stall-handshake' }
  /** Sends `<stream:error/>` and closes: after the handshake, or at once with `fault()`. */
  | { behaviour: 'stream-error'; condition: StreamCondition; text?: string }
  /**
   * Stops reading: what the entity writes stays in the socket's buffer, write callbacks wait,
   * and `write()` returns false past the high-water mark. `resume()` reads it all.
   */
  | { behaviour: 'stop-reading' }
  /** `see-other-host` naming `host`: after the handshake, or at once with `fault()`. */
  | { behaviour: 'redirect'; host: string }
  /** Writes half a stanza, then closes the connection without a word. */
  | { behaviour: 'close-mid-stanza' }
  /** Closes the connection without a word, as a crashed server or a cut link does. */
  | { behaviour: 'disconnect' }

export type ServerBehaviourName = ServerBehaviour['behaviour']

/** The behaviours that only a new connection can show. */
export const connectionTimeOnly: ReadonlySet<ServerBehaviourName> = new Set([
  'stream-error-on-header',
  'stall-handshake',
])
