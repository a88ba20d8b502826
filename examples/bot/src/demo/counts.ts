import type { OtlpReceiver } from './otlp-receiver.js'

// The metrics read-back, and the lines the report prints of it.

/** Counts by condition, then by action (reply, drop, close). */
export type ErrorCounts = Record<string, Record<string, number>>

/** The bot's xmpp.errors counter by condition and action, as its last OTLP export gave it. */
export function errorCounts(receiver: OtlpReceiver): ErrorCounts {
  const counts: ErrorCounts = {}
  const by = ['xmpp.error.condition', 'xmpp.error.action']
  for (const [key, n] of receiver.totals('xmpp.errors', by)) {
    const [condition = '', action = ''] = key.split(' ')
    counts[condition] = { ...counts[condition], [action]: n }
  }
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)))
}

/** The counts, a line per condition: its total, then by action. */
export function countsTable(counts: ErrorCounts): string {
  const width = Math.max(9, ...Object.keys(counts).map((c) => c.length))
  const lines = Object.entries(counts).map(([condition, actions]) => {
    const total = Object.values(actions).reduce((sum, n) => sum + n, 0)
    const split = Object.entries(actions).map(([action, n]) => `${action} ${n}`)
    return `  ${condition.padEnd(width)}  ${String(total).padStart(3)}  (${split.join(', ')})`
  })
  return [`The bot's xmpp.errors counter by condition (its OTLP export):`, ...lines].join('\n')
}
