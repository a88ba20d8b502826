import type { ErrorType, StanzaCondition } from './conditions.js'

/**
 * XEP-0086 §3: the condition and type that a legacy error code stands for, for reading errors
 * from peers that send only `<error code='404'/>`. It is the XEP's own table, not the inverse of
 * the registry's `legacyCode`: several conditions share a code (404 is item-not-found,
 * recipient-unavailable and remote-server-not-found), and some codes (408, 502, 510) name
 * a condition that writes another code. 402 (payment-required) has no RFC 6120 condition.
 */
export const legacyCodes = {
  302: { condition: 'redirect', type: 'modify' },
  400: { condition: 'bad-request', type: 'modify' },
  401: { condition: 'not-authorized', type: 'auth' },
  403: { condition: 'forbidden', type: 'auth' },
  404: { condition: 'item-not-found', type: 'cancel' },
  405: { condition: 'not-allowed', type: 'cancel' },
  406: { condition: 'not-acceptable', type: 'modify' },
  407: { condition: 'registration-required', type: 'auth' },
  408: { condition: 'remote-server-timeout', type: 'wait' },
  409: { condition: 'conflict', type: 'cancel' },
  500: { condition: 'internal-server-error', type: 'wait' },
  501: { condition: 'feature-not-implemented', type: 'cancel' },
  502: { condition: 'service-unavailable', type: 'wait' },
  503: { condition: 'service-unavailable', type: 'cancel' },
  504: { condition: 'remote-server-timeout', type: 'wait' },
  510: { condition: 'service-unavailable', type: 'cancel' },
} as const satisfies Record<number, { condition: StanzaCondition; type: ErrorType }>

export type LegacyCode = keyof typeof legacyCodes

/** The XEP-0086 §3 reading of a `code` attribute (`'404'`, `404`), or undefined. */
export function fromLegacyCode(code: unknown): (typeof legacyCodes)[LegacyCode] | undefined {
  const value = typeof code === 'string' && /^\d{3}$/.test(code) ? Number(code) : code
  return typeof value === 'number' && Object.hasOwn(legacyCodes, value)
    ? legacyCodes[value as LegacyCode]
    : undefined
}
