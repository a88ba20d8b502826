/**
 * What this package remembers about each entity (a component or a client), in one place. One
 * entity may be protected by guard() and by several errors(): they share its state, and only
 * its. Held weakly: a connection that is let go of takes its state with it.
 */
export interface EntityState {
  /** It has our 'error' listener (see `watch`). */
  watched: boolean
  /** Where its connection is, when guard() follows it (see `transition`); else undefined. */
  phase: Phase | undefined
  /** It is sending a stream error of ours and closing its stream (see `closeStream`). */
  sendingStreamError: boolean
  /** When it last closed its stream after a stream error of ours. */
  closedAt: number | undefined
}

const states = new WeakMap<object, EntityState>()

/** The entity's state, made on first use. */
export function stateOf(entity: object): EntityState {
  let state = states.get(entity)
  if (state === undefined) {
    state = { watched: false, phase: undefined, sendingStreamError: false, closedAt: undefined }
    states.set(entity, state)
  }
  return state
}

/** The entity's state if it has any, without making one. */
export function knownState(entity: object): EntityState | undefined {
  return states.get(entity)
}

/** Whether guard() follows the entity's connection, and so records the server's stream errors. */
export function governs(entity: object): boolean {
  return knownState(entity)?.phase !== undefined
}

/**
 * Whether the entity closed its stream after a stream error of ours in the last few seconds.
 * The server drops the socket on receiving a stream error, so a reset while writing the closing
 * tag is expected then, not news.
 */
export function closedByUs(entity: object, now = Date.now()): boolean {
  const state = knownState(entity)
  if (state === undefined) return false
  if (state.sendingStreamError) return true
  const at = state.closedAt
  return at !== undefined && now - at < 5000
}

// ---- the connection as a state machine ---------------------------------------------------------

/**
 * Where a guarded connection is:
 * - `idle`: not started yet;
 * - `connecting`: the socket is opening, or the stream header is sent and not answered;
 * - `handshaking`: the server's header arrived, the handshake (XEP-0114) is not answered yet;
 * - `online`: the handshake was accepted;
 * - `backing-off`: the stream is down, and the reconnect plugin waits the backoff's delay;
 * - `redirecting`: the same, before a reconnect to the host a see-other-host named;
 * - `stopping`: the server refused the configuration, or the user called `stop()`: nothing
 *   reconnects, and the component goes offline once the socket is down;
 * - `stopped`: offline.
 */
export const phases = [
  'idle',
  'connecting',
  'handshaking',
  'online',
  'backing-off',
  'redirecting',
  'stopping',
  'stopped',
] as const

export type Phase = (typeof phases)[number]

/**
 * What moves it. `connecting`, `opened`, `online`, `disconnected` and `stopped` are xmpp.js's
 * statuses; `refused`, `failed` and `redirected` are the policy's verdicts on a stream error from
 * the server or a timeout (see `connection-policy.ts`): stop, reconnect with backoff, follow;
 * `stop` is the user's own `stop()`, which xmpp.js's statuses do not tell from a drop (it resets
 * the status before it emits 'disconnect').
 */
export const connectionEvents = [
  'connecting',
  'opened',
  'online',
  'refused',
  'failed',
  'redirected',
  'disconnected',
  'stop',
  'stopped',
] as const

export type ConnectionEvent = (typeof connectionEvents)[number]

/** Every phase gets every event: `null` where the event changes nothing (it is ignored). */
type Table = { readonly [P in Phase]: { readonly [E in ConnectionEvent]: Phase | null } }

// The stream is down or going down: only a new connection (or offline) moves it on.
const down = (phase: Phase) =>
  ({
    connecting: 'connecting',
    opened: null,
    online: null,
    refused: null,
    failed: null,
    redirected: null,
    disconnected: phase,
    stop: 'stopping',
    stopped: 'stopped',
  }) as const

// A stream that is up, or coming up: the server's verdicts and the socket's end apply.
const up = {
  connecting: null,
  refused: 'stopping',
  failed: 'backing-off',
  stop: 'stopping',
} as const

/**
 * The transitions. `disconnected` while up means the socket ended without a stream error (the
 * server crashed, the connection was refused): the plugin reconnects, after a backoff too.
 */
export const transitions: Table = {
  idle: { ...down('idle'), disconnected: null, stop: null },
  connecting: {
    ...up,
    opened: 'handshaking',
    online: 'online',
    redirected: 'redirecting',
    disconnected: 'backing-off',
    stopped: 'stopped',
  },
  handshaking: {
    ...up,
    opened: null,
    online: 'online',
    redirected: 'redirecting',
    disconnected: 'backing-off',
    stopped: 'stopped',
  },
  online: {
    ...up,
    opened: null,
    online: null,
    redirected: 'redirecting',
    disconnected: 'backing-off',
    stopped: 'stopped',
  },
  'backing-off': down('backing-off'),
  redirecting: down('redirecting'),
  stopping: { ...down('stopping'), connecting: null, stop: null },
  stopped: { ...down('stopped'), disconnected: null, stop: null, stopped: null },
}

/** The phase after `event`, or null when the event changes nothing in `phase`. */
export function transition(phase: Phase, event: ConnectionEvent): Phase | null {
  return transitions[phase][event]
}
