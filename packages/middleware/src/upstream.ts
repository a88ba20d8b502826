import { StanzaError } from '@xmpp-errors/errors'

/**
 * What becomes of an error reply a handler's own request got from another entity and did not
 * catch: `'hide'` answers internal-server-error, `'relay'` answers the same condition and type.
 */
export type UpstreamPolicy = 'hide' | 'relay'

/** The error reply another entity sent to a request of ours, as the log record carries it. */
export interface Upstream {
  /** Who answered: the `from` of its error reply. */
  from: string | undefined
  condition: string
  type: string | undefined
  /** The peer's text: for the log only, never sent on. */
  text: string | undefined
}

function safely<T>(read: () => T): T | undefined {
  try {
    return read()
  } catch {
    return undefined
  }
}

/** The peer's error, read as a web app reads a rejected request, with who sent it. */
export function readUpstream(
  thrown: unknown,
): { upstream: Upstream; error: StanzaError } | undefined {
  const error = StanzaError.fromRequest(thrown)
  if (error === undefined) return undefined
  const from = safely(
    () =>
      (error.element as { parent?: { attrs?: { from?: unknown } } } | undefined)?.parent?.attrs
        ?.from,
  )
  return {
    error,
    upstream: {
      from: typeof from === 'string' ? from : undefined,
      condition: error.originalCondition ?? error.condition,
      type: error.type,
      text: error.text,
    },
  }
}

/**
 * The error to answer the requester with. The peer's text, application element and URI are its
 * own words about its own state (Prosody's "Component unavailable", say): not ours to expose.
 */
export function upstreamReply(peer: StanzaError, policy: UpstreamPolicy, cause: unknown) {
  if (policy === 'relay') {
    try {
      return new StanzaError(peer.condition, { type: peer.type, cause, stack: false })
    } catch {
      // A type the condition does not allow: its default type instead.
      return new StanzaError(peer.condition, { cause, stack: false })
    }
  }
  return new StanzaError('internal-server-error', { cause, stack: false })
}
