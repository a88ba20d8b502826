import type { StreamCondition } from '@xmpp-errors/conditions'

// What the in-memory server does wrong, as a server would. The names and shapes are those of
// the repository's scriptable XEP-0114 server (tools/servers, `hostile.ts`): a script per
// connection for the stream header and the handshake, and, on a live connection, `streamError`,
// `stopReading`, `resumeReading`, `closeMidStanza` and `destroy`. A case written against one
// reads the same against the other.

/** A stream error the server sends: its condition, character data (see-other-host's host), text. */
export interface ScriptedStreamError {
  condition: StreamCondition
  content?: string
  text?: string
}

/**
 * What the server does on one connection. For a client, `handshake` is the SASL exchange.
 * - `header`: answered (`'answer'`, the default), never (`'silent'`), or with a stream error;
 * - `handshake`: accepted (`'accept'`, the default), never answered, or a stream error.
 */
export interface ConnectionScript {
  header?: 'answer' | 'silent' | ScriptedStreamError
  handshake?: 'accept' | 'silent' | ScriptedStreamError
}

/** One script for every connection, or one per connection by its index (0 first). */
export type Script = ConnectionScript | ((index: number) => ConnectionScript)
