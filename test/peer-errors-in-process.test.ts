// Hostile error replies to the component's own iqCaller requests, generated: every field of the
// reply up to 1 MB, in characters JSON writes long, and every shape xmpp.js reads or cannot read.
// Whatever the peer sends, the requester gets exactly one answer at once, and no log line of
// any record (the default logger's, pino's) is longer than MAX_RECORD_LINE.
import { type Component, xml } from '@xmpp/component'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { errors, MAX_RECORD_LINE, type UpstreamPolicy } from '@xmpp-errors/middleware'
import { type TestEntity, testComponent } from '@xmpp-errors/testing'
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { logLines, longest } from './src/log-lines.js'
import { present } from './src/suite.js'

const C = 'c1.localhost'
const PEER = 'peer.localhost'
const NS = 'urn:xmpp-errors:peer-errors'
const FROM = 'u1@localhost/r'

// Characters that a JSON writer turns into six bytes (a control character, a lone surrogate),
// two (a quote, a backslash, a newline), three or four in UTF-8, and plain ones.
const CHARS = ['x', '\u0001', '\ud800', '"', '\\', '\n', 'é', '😀', '<']

/** A string a peer might put in any field: small, around the caps, or up to 1 MB. */
const field = fc
  .record({
    char: fc.constantFrom(...CHARS),
    size: fc.oneof(
      { weight: 3, arbitrary: fc.nat(16) },
      { weight: 2, arbitrary: fc.integer({ min: 200, max: 3_000 }) },
      { weight: 1, arbitrary: fc.integer({ min: 100_000, max: 1_000_000 }) },
    ),
  })
  .map(({ char, size }) => char.repeat(Math.ceil(size / char.length)))

const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined })

const reply = fc.record({
  resource: maybe(field),
  // What xmpp.js reads (a condition first) and what it cannot (nothing, a code, no <error/>).
  shape: fc.constantFrom('no-error', 'empty', 'code-only', 'condition', 'text-first'),
  type: maybe(fc.oneof(fc.constantFrom('cancel', 'auth', 'modify', 'wait', 'continue'), field)),
  code: maybe(fc.oneof(fc.constantFrom('404', '503', '500', '302', '999'), field)),
  condition: fc.oneof(
    fc.constantFrom('item-not-found', 'gone', 'redirect', 'undefined-condition', 'not-authorized'),
    field.map((name) => `c${name}`),
  ),
  conditionData: maybe(field),
  text: maybe(field),
  lang: maybe(field),
  by: maybe(field),
  characterData: maybe(field),
  application: maybe(fc.record({ name: field, ns: field, content: field })),
})

type Reply = typeof reply extends fc.Arbitrary<infer R> ? R : never

/** The iq the peer answers with, built as its XML parser would hand it over. */
function errorReply(r: Reply, id: string) {
  const from = r.resource === undefined ? PEER : `${PEER}/${r.resource}`
  const attrs: Record<string, string> = {}
  if (r.type !== undefined) attrs.type = r.type
  if (r.code !== undefined) attrs.code = r.code
  if (r.by !== undefined) attrs.by = r.by
  const text =
    r.text === undefined
      ? undefined
      : xml('text', { xmlns: NS_STANZAS, ...(r.lang ? { 'xml:lang': r.lang } : {}) }, r.text)
  const condition = xml(r.condition, { xmlns: NS_STANZAS }, ...present(r.conditionData))
  const application = r.application
    ? xml(`a${r.application.name}`, { xmlns: `urn:${r.application.ns}` }, r.application.content)
    : undefined
  const children = {
    'no-error': undefined,
    empty: [r.characterData],
    'code-only': [r.characterData],
    condition: [condition, text, application],
    'text-first': [text, condition, application],
  }[r.shape]
  const error =
    children === undefined
      ? undefined
      : xml(
          'error',
          r.shape === 'code-only' ? { ...attrs, code: r.code ?? '404' } : attrs,
          ...present(...children),
        )
  return xml('iq', { type: 'error', id, from, to: C }, ...present(error))
}

type Handling = UpstreamPolicy | 'wrap'

/**
 * A component whose route asks the peer and lets the failure through, under the `upstream`
 * policy, or (`wrap`) as the cause of an error of its own, which a logger writes too.
 */
async function asker(handling: Handling) {
  const log = logLines()
  const upstream = handling === 'relay' ? 'relay' : 'hide'
  const setup = (c: Component) => {
    c.middleware.use(errors({ logger: log.logger, upstream }))
    c.iqCallee.get(NS, 'query', async (ctx) => {
      const id = `up-${ctx.stanza.attrs.id}`
      try {
        // Long enough that a request still pending at the end of a case is one never answered.
        await c.iqCaller.request(
          xml('iq', { type: 'get', to: PEER, id }, xml('q', { xmlns: NS })),
          60_000,
        )
      } catch (cause) {
        throw handling === 'wrap' ? new Error('lookup failed', { cause }) : cause
      }
      return xml('query', { xmlns: NS })
    })
  }
  return { h: await testComponent(setup, { domain: C }), log }
}

/** What was written to the requester for request `id`. */
const answersTo = (h: TestEntity<Component>, id: string) =>
  h.written.filter(
    (s) => s.startsWith('<iq') && s.includes(`id="${id}"`) && s.includes(`to="${FROM}"`),
  )

describe('hostile error replies to iqCaller requests', () => {
  let askers: Record<Handling, Awaited<ReturnType<typeof asker>>>
  beforeAll(async () => {
    askers = { hide: await asker('hide'), relay: await asker('relay'), wrap: await asker('wrap') }
  })
  let sequence = 0

  it('get exactly one answer each, at once, and no log line over MAX_RECORD_LINE', async () => {
    let longestLine = 0
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Handling>('hide', 'relay', 'wrap'),
        reply,
        async (handling, r) => {
          const { h, log } = askers[handling]
          h.clear()
          log.lines.length = 0
          const id = `q${sequence++}`
          h.feed(xml('iq', { type: 'get', id, from: FROM, to: C }, xml('query', { xmlns: NS })))
          await h.settle()
          expect(h.written.some((s) => s.includes(`id="up-${id}"`))).toBe(true)
          // As parsed: a lone surrogate or a control character has no XML serialization.
          expect(h.feed(errorReply(r, `up-${id}`), { parsed: true }).threw).toBeUndefined()
          await h.settle()
          const answers = answersTo(h, id)
          expect(answers).toHaveLength(1)
          expect(answers[0]).toContain('type="error"')
          if (handling !== 'relay') expect(answers[0]).toContain('<internal-server-error')
          const line = longest(log.lines)
          longestLine = Math.max(longestLine, line)
          expect(line).toBeLessThanOrEqual(MAX_RECORD_LINE)
          expect(
            (h.entity.iqCaller as unknown as { handlers: Map<string, unknown> }).handlers.size,
          ).toBe(0)
        },
      ),
      { numRuns: 150 },
    )
    console.log(
      `hostile peer errors: longest log line ${longestLine} bytes (bound ${MAX_RECORD_LINE})`,
    )
  })
})
