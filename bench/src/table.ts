import type { Machine } from './machine.js'
import type { Summary } from './stats.js'
import { type Figure, passes, type Unit } from './suite.js'

function digits(unit: Unit, value: number): string {
  if (!Number.isFinite(value)) return String(value)
  switch (unit) {
    case 'ratio':
      return value.toFixed(3)
    case 'MB':
    case 'µs':
      return value.toFixed(2)
    case 'ns':
    case 'B':
    case 'count':
      return value.toFixed(0)
    default:
      return value.toFixed(1)
  }
}

function withUnit(unit: Unit, value: number): string {
  const v = digits(unit, value)
  return unit === 'ratio' || unit === 'count' ? v : `${v} ${unit}`
}

function spread(unit: Unit, s: Summary | undefined): string {
  if (!s) return ''
  const d = (x: number) => digits(unit, x)
  return `IQR ${d(s.q1)}–${d(s.q3)}, range ${d(s.min)}–${d(s.max)} (n=${s.n})`
}

function target(figure: Figure): string {
  const t = figure.target
  if (!t) return ''
  const op = t.op === '>=' ? '≥' : t.op
  return `${op} ${withUnit(figure.unit, t.value)}`
}

function result(figure: Figure): string {
  const ok = passes(figure)
  return ok === undefined ? 'info' : ok ? 'PASS' : 'FAIL'
}

const escapePipes = (cell: string) => cell.replace(/\|/g, '\\|')

/**
 * The figures as a Markdown table with aligned columns (as Biome formats Markdown), readable
 * in a terminal and pasted as is into the README.
 */
export function table(figures: readonly Figure[]): string {
  const header = ['Figure', 'Median', 'Spread over rounds', 'Target', 'Result', 'Notes']
  const right = [false, true, false, false, false, false]
  const body = figures.map((f) =>
    [
      f.name,
      withUnit(f.unit, f.value),
      spread(f.unit, f.spread),
      target(f),
      result(f),
      f.note ?? '',
    ].map(escapePipes),
  )
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    `| ${cells
      .map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' | ')} |`
  const rule = widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)))
  return [line(header), `| ${rule.join(' | ')} |`, ...body.map(line)].join('\n')
}

export function verdict(figures: readonly Figure[]): string {
  const judged = figures.filter((f) => f.target)
  const failed = judged.filter((f) => passes(f) === false)
  return failed.length === 0
    ? `All ${judged.length} targets met.`
    : `${failed.length} of ${judged.length} targets missed: ${failed.map((f) => f.name).join('; ')}`
}

export function machineNotes(m: Machine, mode: string, seconds?: number): string {
  return [
    `- Mode: ${mode}${seconds === undefined ? '' : `, ${seconds.toFixed(0)} s in all`}`,
    `- Date: ${m.date}`,
    `- CPU: ${m.cpu}, ${m.cores} cores available, ${m.memory} RAM`,
    `- Node.js ${m.node}; Prosody ${m.prosody}`,
    `- xmpp.js: ${m.xmppjs.join(', ')}`,
  ].join('\n')
}
