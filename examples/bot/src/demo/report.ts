import type { Row } from './walk.js'

// The report on stdout: a row per request, then how many got the expected answer.

/**
 * Two lines per request: what was sent and what came back (with the error's text, as the peer
 * sees it), then the log line the bot wrote about that very stanza.
 */
export function table(rows: Row[]): string {
  const width = (values: string[]) => Math.max(...values.map((v) => [...v].length))
  const nWidth = width(rows.map((r) => String(r.n)))
  const fromWidth = width(['from', ...rows.map((r) => r.from)])
  const requestWidth = width(['request', ...rows.map((r) => r.request)])
  const indent = ' '.repeat(nWidth + fromWidth + 4)
  const lines = [
    `${'#'.padStart(nWidth)}  ${'from'.padEnd(fromWidth)}  ${'request'.padEnd(requestWidth)}  reply`,
    `${indent}└ the bot's log line for that stanza`,
    '',
  ]
  for (const r of rows) {
    const text = r.text ? ` — ${r.text}` : ''
    const reply = `${r.ok ? '✓' : '✗'} ${r.got}${text}${r.ok ? '' : `  (expected ${r.expected})`}`
    lines.push(
      `${String(r.n).padStart(nWidth)}  ${r.from.padEnd(fromWidth)}  ${r.request.padEnd(requestWidth)}  ${reply}`,
    )
    if (r.log) lines.push(`${indent}└ ${r.log.level.padEnd(5)} ${r.log.msg}`)
  }
  return lines.join('\n')
}

/** The line under the table: how many requests got the expected answer, and how long it took. */
export function summary(rows: Row[], seconds: string): string {
  const ok = rows.every((r) => r.ok)
  const failed = rows.filter((r) => !r.ok).length
  return (
    `${ok ? 'All' : `${rows.length - failed} of`} ${rows.length} requests got the expected answer, ` +
    `each error with its log line (matched by stanza id); ${seconds} s.`
  )
}
