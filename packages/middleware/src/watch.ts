import { isStanzaError } from '@xmpp-errors/errors'
import { closedByUs, stateOf } from './entity-state.js'
import { type ErrorRecord, recordEvent, wasRecorded } from './record.js'
import type { XmppEntity } from './types.js'
import { isServerStreamError, isSocketReset } from './xmpp-internals.js'

/** How the watcher records: the publish and the correlation ids of its errors() or guard(). */
export interface Recorder {
  publish(record: ErrorRecord): void
  nextId(): string
}

/**
 * Listens for 'error' on the entity. Without a listener an 'error' event kills the process, and
 * xmpp.js emits one when a reply cannot be written, or when a route registered before errors()
 * throws, which is worth saying loudly. Each becomes a record, through the recorder of the first
 * errors() or guard() to watch the entity.
 */
export function watch(entity: XmppEntity, recorder: Recorder): void {
  // One listener per entity, however many errors() and guard() protect it.
  const state = stateOf(entity)
  if (state.watched) return
  state.watched = true
  const { publish, nextId } = recorder
  entity.on('error', (error) => {
    try {
      if (isStanzaError(error)) {
        const msg = `StanzaError ${error.condition} reached xmpp.js's IQ handler, which answered internal-server-error instead: use errors() before any iqCallee.get/set route`
        publish(recordEvent(error, 'error', msg, nextId(), { name: 'iq' }))
      } else if (
        entity.listenerCount('error') === 1 &&
        // A stream error the server sent us: recorded when its element passes the middleware.
        !isServerStreamError(error) &&
        !wasRecorded(error)
      ) {
        if (isSocketReset(error) && closedByUs(entity)) {
          publish(
            recordEvent(
              error,
              'debug',
              'socket reset after our stream error, as expected',
              nextId(),
            ),
          )
        } else {
          publish(recordEvent(error, 'error', 'xmpp.js emitted an error', nextId()))
        }
      }
    } catch {}
  })
}
