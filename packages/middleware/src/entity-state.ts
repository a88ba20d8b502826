/**
 * What this package remembers about each entity (a component or a client), in one place. One
 * entity may be protected by guard() and by several errors(): they share its state, and only
 * its. Held weakly: a connection that is let go of takes its state with it.
 */
export interface EntityState {
  /** It has our 'error' listener (see `watch`). */
  watched: boolean
  /** guard() records its server stream errors, so errors() does not record them again. */
  governed: boolean
  /** It is sending a stream error of ours and closing its stream (see `closeStream`). */
  closing: boolean
  /** When it last closed its stream after a stream error of ours. */
  closedAt: number | undefined
}

const states = new WeakMap<object, EntityState>()

/** The entity's state, made on first use. */
export function stateOf(entity: object): EntityState {
  let state = states.get(entity)
  if (state === undefined) {
    state = { watched: false, governed: false, closing: false, closedAt: undefined }
    states.set(entity, state)
  }
  return state
}

/** The entity's state if it has any, without making one. */
export function knownState(entity: object): EntityState | undefined {
  return states.get(entity)
}
