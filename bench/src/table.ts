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
  return markdown(header, right, body)
}

/** Rows as a Markdown table with aligned columns; `right` says which are aligned right. */
function markdown(header: string[], right: boolean[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  const line = (cells: string[]) =>
    `| ${cells
      .map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' | ')} |`
  const rule = widths.map((w, i) => (right[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w)))
  return [line(header), `| ${rule.join(' | ')} |`, ...rows.map(line)].join('\n')
}

/**
 * The scaling figures as their own table: per axis, errors()'s extra time per error at each
 * value and against the first value of the axis (1.00 is flat). Empty without such figures.
 */
export function scalingTable(figures: readonly Figure[]): string {
  const points = figures.filter((f) => f.scaling)
  if (points.length === 0) return ''
  const first = new Map<string, number>()
  const rows = points.map((f) => {
    const { axis, value } = f.scaling ?? { axis: '', value: 0 }
    if (!first.has(axis)) first.set(axis, f.value)
    const base = first.get(axis) ?? Number.NaN
    return [
      axis,
      value.toLocaleString('en'),
      withUnit(f.unit, f.value),
      spread(f.unit, f.spread),
      (f.value / base).toFixed(2),
    ]
  })
  const header = ['Axis', 'Value', 'Extra per error', 'Spread over rounds', '/ first']
  return markdown(header, [false, true, true, false, true], rows)
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
