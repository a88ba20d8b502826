import { HANDLED_ERRORS, HANDLED_STANZAS, RECEIVED_ERRORS } from '@xmpp-errors/otel'
import type { OtlpReceiver } from './otlp-receiver.js'

// The metrics read-back, and the lines the report prints of it.

/** Counts by condition, then by action (reply, drop, close; observe for errors received). */
export type ErrorCounts = Record<string, Record<string, number>>

/**
 * The bot's error counters (those it handled, those peers sent it) by condition and action, as
 * its last OTLP export gave them.
 */
export function errorCounts(receiver: OtlpReceiver): ErrorCounts {
  const counts: ErrorCounts = {}
  const by = ['xmpp.error.condition', 'xmpp.error.action']
  for (const name of [HANDLED_ERRORS, RECEIVED_ERRORS]) {
    for (const [key, n] of receiver.totals(name, by)) {
      const [condition = '', action = ''] = key.split(' ')
      counts[condition] = { ...counts[condition], [action]: n }
    }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}

/** The stanzas the bot handled, as its last OTLP export gave them. */
export function stanzaCount(receiver: OtlpReceiver): number {
  let total = 0
  for (const n of receiver.totals(HANDLED_STANZAS, []).values()) total += n
  return total
}

/** The counts, a line per condition: its total, then by action. */
export function countsTable(counts: ErrorCounts, stanzas: number): string {
  const width = Math.max(9, ...Object.keys(counts).map((c) => c.length))
  const lines = Object.entries(counts).map(([condition, actions]) => {
    const total = Object.values(actions).reduce((sum, n) => sum + n, 0)
    const split = Object.entries(actions).map(([action, n]) => `${action} ${n}`)
    return `  ${condition.padEnd(width)}  ${String(total).padStart(3)}  (${split.join(', ')})`
  })
  const handled = Object.values(counts)
    .flatMap((actions) => Object.entries(actions))
    .filter(([action]) => action !== 'observe')
    .reduce((sum, [, n]) => sum + n, 0)
  const rate = stanzas > 0 ? ` (${((100 * handled) / stanzas).toFixed(0)} %)` : ''
  return [
    `The bot's error counters by condition (its OTLP export):`,
    ...lines,
    `  ${handled} errors handled for ${stanzas} stanzas${rate}`,
  ].join('\n')
}
