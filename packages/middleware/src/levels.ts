import type { StreamCondition } from '@xmpp-errors/conditions'

/**
 * The level of the record of a stream error the component sends, one row per condition. `error`
 * (with the stack) is kept for what went wrong on our side and needs someone to look; a stream
 * error sent on purpose (an admin's `system-shutdown`, a `see-other-host` redirect) or because
 * the peer broke the protocol is `warn`, so that a planned shutdown pages no one.
 */
export const streamErrorLevels = {
  // Sent on purpose.
  'system-shutdown': 'warn',
  'see-other-host': 'warn',
  reset: 'warn',
  conflict: 'warn',
  'host-gone': 'warn',
  // The peer's doing (RFC 6120 §4.9.3): it sent something the stream cannot carry.
  'bad-format': 'warn',
  'bad-namespace-prefix': 'warn',
  'connection-timeout': 'warn',
  'host-unknown': 'warn',
  'improper-addressing': 'warn',
  'invalid-from': 'warn',
  'invalid-namespace': 'warn',
  'invalid-xml': 'warn',
  'not-authorized': 'warn',
  'not-well-formed': 'warn',
  'policy-violation': 'warn',
  'restricted-xml': 'warn',
  'unsupported-encoding': 'warn',
  'unsupported-feature': 'warn',
  'unsupported-stanza-type': 'warn',
  'unsupported-version': 'warn',
  // Ours: a fault, a lack of resources, or one we could not name.
  'internal-server-error': 'error',
  'remote-connection-failed': 'error',
  'resource-constraint': 'error',
  'undefined-condition': 'error',
} as const satisfies Record<StreamCondition, 'warn' | 'error'>
