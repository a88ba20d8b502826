import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, inject, it } from 'vitest'
import type { Row } from '../../src/demo/walk.js'

const server = inject('prosody')
const demo = fileURLToPath(new URL('../../dist/demo.js', import.meta.url))

interface Report {
  ok: boolean
  bot: string
  seconds: number
  rows: Row[]
  /** The bot's error counters, by condition and action, from its OTLP export. */
  errors: Record<string, Record<string, number>>
  /** The stanzas the bot handled, from the same export. */
  stanzas: number
}

function runDemo(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  if (!existsSync(demo)) throw new Error(`${demo} is missing: run \`corepack pnpm build\` first`)
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [demo, ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ code: child.exitCode, stdout, stderr }),
    )
  })
}

/** The suite's Prosody, through the DEMO_* variables; component c15, users u15 and u16. */
const env = {
  DEMO_SERVICE: `xmpp://${server.host}:${server.c2sPort}`,
  DEMO_DOMAIN: server.domain,
  DEMO_COMPONENT_SERVICE: `xmpp://${server.host}:${server.componentPort}`,
  DEMO_COMPONENT_DOMAIN: 'c15.localhost',
  DEMO_SECRET: server.componentSecret,
  DEMO_USER: 'u15@localhost',
  DEMO_PASSWORD: 'p',
  DEMO_ADMIN: 'u16@localhost',
}

describe('pnpm demo, against a server given by DEMO_* variables', () => {
  it('walks through every case and reports each reply with the log line of its stanza', async () => {
    const { code, stdout, stderr } = await runDemo(['--json'], env)
    expect(stderr).toContain('the notes bot at c15.localhost, on your server')
    const report = JSON.parse(stdout) as Report
    const failed = report.rows.filter((r) => !r.ok)
    expect(failed).toEqual([])
    expect(report.ok).toBe(true)
    expect(code).toBe(0)
    expect(report.bot).toBe('c15.localhost')
    expect(report.seconds).toBeLessThan(30)

    const byRequest = new Map(report.rows.map((r) => [r.request, r]))
    const row = (request: string) => {
      const found = byRequest.get(request)
      if (!found) throw new Error(`no row for ${request}`)
      return found
    }
    // Every condition the bot is built to produce, each with the bot's log record of that stanza.
    const expected: Array<[string, string, string]> = [
      ['get pineapple (no such note)', 'item-not-found (cancel)', 'warn'],
      ['get without a key', 'bad-request (modify)', 'warn'],
      ['put "Shopping List" (bad key)', 'bad-request (modify)', 'warn'],
      ['put essay = 300 characters', 'bad-request (modify)', 'warn'],
      ['create groceries (exists)', 'conflict (cancel)', 'warn'],
      ['put sys.motd (admin-only)', 'forbidden (auth)', 'warn'],
      ['put rules (read-only)', 'not-allowed (cancel)', 'warn'],
      ['get groceries (moved)', 'redirect (modify)', 'warn'],
      ['chat "share shopping with bob@@x"', 'jid-malformed (modify)', 'warn'],
      ['put a 6th note (limit 5)', 'resource-constraint (wait)', 'error'],
      ['query urn:example:weather', 'service-unavailable (cancel)', 'warn'],
      ['chat "frobnicate"', 'bad-request (modify)', 'warn'],
      ['chat "shutdown" (not an admin)', 'forbidden (auth)', 'warn'],
      ['60 pings at once', 'policy-violation (wait)', 'warn'],
    ]
    for (const [request, condition, level] of expected) {
      const r = row(request)
      expect(r.from, request).toBe('user')
      expect(r.got.startsWith(condition), `${request}: ${r.got}`).toBe(true)
      expect(r.log, request).toMatchObject({ level })
      expect(r.log?.msg.startsWith(`${condition} replied to`), r.log?.msg).toBe(true)
    }
    expect(row('get groceries (moved)').got).toBe(
      'redirect (modify): → xmpp:c15.localhost?notes;key=shopping',
    )
    expect(row('chat "share shopping with bob@@x"').text).toBe(
      '"bob@@x" is not a JID: "@x" is not a valid domain',
    )
    // The token bucket lets the burst through and refuses the rest; past errors()' cap on error
    // replies (30 per 10 s in the demo), the bot answers no more.
    const flood =
      /^policy-violation \(wait\): (\d+) results, then (\d+) errors, then (\d+) unanswered$/.exec(
        row('60 pings at once').got,
      )
    expect(flood, row('60 pings at once').got).not.toBeNull()
    const [results, errors, unanswered] = (flood ?? []).slice(1).map(Number) as [
      number,
      number,
      number,
    ]
    expect(results).toBeLessThanOrEqual(40)
    expect(errors).toBeGreaterThan(0)
    expect(unanswered).toBeGreaterThan(0)
    expect(results + errors + unanswered).toBe(60)

    // Successes, some with an audit line.
    for (const request of ['disco#info', 'software version', 'ping', 'get groceries']) {
      expect(row(request).got.startsWith('result'), request).toBe(true)
    }
    expect(row('put rules, read-only')).toMatchObject({
      from: 'admin',
      got: 'result',
      log: { level: 'info', msg: 'created note rules for u16@localhost' },
    })
    expect(row('chat "get shopping"').got).toBe('chat: "shopping: milk, eggs"')

    // The admin's shutdown: the bot exits cleanly after its system-shutdown stream error.
    const last = report.rows.at(-2)
    expect(last).toMatchObject({
      from: 'admin',
      request: 'chat "shutdown"',
      got: 'bot exited (code 0)',
      log: {
        level: 'warn',
        msg: 'stream system-shutdown closed the stream after message chat from u16@localhost/demo',
      },
    })
    // Then the server answers for the absent component.
    expect(report.rows.at(-1)?.got).toMatch(/^[a-z-]+ \((cancel|wait)\)/)

    // The bot exported its counter as it exited: one count per record it logged.
    expect(report.errors['item-not-found']).toEqual({ reply: 1 })
    // Every request of the walk reached the bot's middleware and was counted.
    expect(report.stanzas).toBeGreaterThanOrEqual(report.rows.length)
    expect(report.errors['system-shutdown']).toEqual({ close: 1 })
    // Each policy-violation the flood got was counted once; the ones past the cap as drops.
    expect(report.errors['policy-violation']?.reply).toBe(errors)
    expect(report.errors['policy-violation']?.drop).toBeGreaterThan(0)
  })

  it('prints the table for people', async () => {
    const { code, stdout } = await runDemo([], env)
    expect(code).toBe(0)
    expect(stdout).toMatch(
      / 7 {2}user {3}get pineapple \(no such note\) +✓ item-not-found \(cancel\) — no note named "pineapple"\n +└ warn {2}item-not-found \(cancel\) replied to iq get from u15@localhost\/demo\n/,
    )
    expect(stdout).toMatch(/All 25 requests got the expected answer/)
  })

  it('says so when the server rejects the bot', async () => {
    const { code, stdout, stderr } = await runDemo(['--json'], { ...env, DEMO_SECRET: 'wrong' })
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain(
      `demo: the bot exited (code 1) instead of coming online:\nxmpp-errors bot: the component secret was rejected by ${env.DEMO_COMPONENT_SERVICE}: check BOT_SECRET`,
    )
    expect(stderr).toContain('DEMO_SECRET as BOT_SECRET')
  })

  it('prints its usage for --help and exits 0, without starting anything', async () => {
    const { code, stdout, stderr } = await runDemo(['--help'], {})
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toMatch(/^usage: pnpm demo \[--json\]/)
    expect(stdout).toContain('--json   the rows and the counts as JSON')
    expect(stdout).toContain('DEMO_COMPONENT_SERVICE  its component port')
  })

  it('refuses an unknown argument with the usage', async () => {
    const { code, stdout, stderr } = await runDemo(['--jsno'], {})
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^demo: unknown argument --jsno\n\nusage: pnpm demo/)
  })

  it('says what is missing when DEMO_* is incomplete', async () => {
    const { code, stderr } = await runDemo([], { DEMO_SERVICE: 'localhost:5222' })
    expect(code).toBe(2)
    expect(stderr).toContain('DEMO_SERVICE: "localhost:5222" uses localhost:, not xmpp:')
    expect(stderr).toContain('DEMO_COMPONENT_SERVICE is not set')
    expect(stderr).toContain('DEMO_USER is not set')
  })
})
