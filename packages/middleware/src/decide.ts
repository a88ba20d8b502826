import type { XmlElement } from '@xmpp-errors/errors'
import type { XmppError } from './normalise.js'

export type Decision =
  | { action: 'reply' }
  | { action: 'close' }
  | { action: 'drop'; reason: DropReason }

export type DropReason =
  | 'error-stanza'
  | 'iq-result'
  | 'nonza'
  | 'malformed-address'
  | 'rate-limited'
  | 'stanza-too-large'
  | 'send-queue-full'

const STANZAS = new Set(['iq', 'message', 'presence'])

/**
 * Whether an error may be answered, per RFC 6120: never an error to an error (§8.3.1), never a
 * reply to a result (§8.2.3), and nonzas (handshake, stream errors) have no one to answer.
 */
export function decide(stanza: XmlElement, error: XmppError): Decision {
  if (error.kind === 'stream') return { action: 'close' }
  if (!STANZAS.has(stanza.name)) return { action: 'drop', reason: 'nonza' }
  const type = stanza.attrs.type
  if (type === 'error') return { action: 'drop', reason: 'error-stanza' }
  if (stanza.name === 'iq' && type === 'result') return { action: 'drop', reason: 'iq-result' }
  return { action: 'reply' }
}
