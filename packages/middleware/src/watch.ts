import { isStanzaError, isXmppError } from '@xmpp-errors/errors'
import { stateOf } from './entity-state.js'
import { wasRecorded } from './outgoing.js'
import { closedByUs } from './stream.js'
import type { Logger, XmppEntity } from './types.js'

/** A stream error the server sent us: recorded when its element passes the middleware. */
function isPeerStreamError(error: unknown): boolean {
  if (isXmppError(error)) return false
  try {
    const { name, element } = error as { name?: unknown; element?: unknown }
    return name === 'StreamError' && element !== undefined
  } catch {
    return false
  }
}

function isSocketReset(error: unknown): boolean {
  try {
    const code = (error as { code?: unknown }).code
    return code === 'ECONNRESET' || code === 'EPIPE'
  } catch {
    return false
  }
}

/**
 * Listens for 'error' on the entity. Without a listener an 'error' event kills the process, and
 * xmpp.js emits one when a reply cannot be written, or when a route registered before errors()
 * throws, which is worth saying loudly.
 */
export function watch(entity: XmppEntity, logger: Logger): void {
  // One listener per entity, however many errors() and guard() protect it.
  const state = stateOf(entity)
  if (state.watched) return
  state.watched = true
  entity.on('error', (error) => {
    try {
      if (isStanzaError(error)) {
        logger.error(
          { err: error },
          `StanzaError ${error.condition} reached xmpp.js's IQ handler, which answered internal-server-error instead: use errors() before any iqCallee.get/set route`,
        )
      } else if (
        entity.listenerCount('error') === 1 &&
        !isPeerStreamError(error) &&
        !wasRecorded(error)
      ) {
        if (isSocketReset(error) && closedByUs(entity)) {
          logger.debug({ err: error }, 'socket reset after our stream error, as expected')
        } else {
          logger.error({ err: error }, 'xmpp.js emitted an error')
        }
      }
    } catch {}
  })
}
