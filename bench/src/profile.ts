import { readFileSync } from 'node:fs'
import { relative } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Summarizes a V8 .cpuprofile (from node --cpu-prof): self time by function and by owner
 * (ours: packages/*; xmpp.js; node internals; the bench itself), to tell whose cost a
 * slowdown is.
 *
 *   node bench/dist/profile.js FILE.cpuprofile [top=25]
 */
interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount?: number
}

interface Profile {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
}

const OWNERS: Array<[string, RegExp]> = [
  ['ours (packages/errors)', /packages\/errors\//],
  ['ours (packages/middleware)', /packages\/middleware\//],
  ['ours (packages/conditions)', /packages\/conditions\//],
  ['xmpp.js (ltx)', /\/ltx\//],
  ['xmpp.js (koa-compose)', /koa-compose/],
  ['xmpp.js', /@xmpp[+/]/],
  ['bench', /\/bench\//],
  ['node', /^node:|^$/],
]

export function ownerOf(url: string): string {
  for (const [owner, pattern] of OWNERS) if (pattern.test(url)) return owner
  return 'other'
}

function where(url: string, line: number): string {
  if (!url) return ''
  const path = url.startsWith('file:') ? relative(process.cwd(), fileURLToPath(url)) : url
  return `${path.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '')}:${line + 1}`
}

export function summariseProfile(profile: Profile, top = 25): string {
  const byNode = new Map<number, number>()
  profile.samples.forEach((id, i) => {
    byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0))
  })
  const byFunction = new Map<string, { us: number; owner: string }>()
  const byOwner = new Map<string, number>()
  let total = 0
  for (const node of profile.nodes) {
    const us = byNode.get(node.id) ?? 0
    if (us === 0) continue
    const { functionName, url, lineNumber } = node.callFrame
    if (functionName === '(idle)' || functionName === '(program)') continue
    total += us
    const owner = functionName === '(garbage collector)' ? 'gc' : ownerOf(url)
    const key = `${functionName || '(anonymous)'} ${where(url, lineNumber)}`.trim()
    const entry = byFunction.get(key) ?? { us: 0, owner }
    entry.us += us
    byFunction.set(key, entry)
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + us)
  }
  const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`
  const lines = [
    `busy ${(total / 1e6).toFixed(2)} s (idle and (program) left out)`,
    '',
    'by owner:',
  ]
  for (const [owner, us] of [...byOwner].sort((a, b) => b[1] - a[1])) {
    lines.push(`  ${pct(us)}  ${owner}`)
  }
  lines.push('', `top ${top} functions by self time:`)
  for (const [key, { us, owner }] of [...byFunction]
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, top)) {
    lines.push(`  ${pct(us)}  ${key}  [${owner}]`)
  }
  return lines.join('\n')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [file, top] = process.argv.slice(2)
  if (!file) {
    console.error('usage: node bench/dist/profile.js FILE.cpuprofile [top]')
    process.exitCode = 2
  } else {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile
    console.log(summariseProfile(profile, top ? Number(top) : 25))
  }
}
