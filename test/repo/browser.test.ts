// The packages a web app imports build for a browser as they are: no Node.js built-in, the
// middleware's `browser` entry, and the size budget. The bench prints the same sizes.
import { runInNewContext } from 'node:vm'
import { describe, expect, it } from 'vitest'
import { BROWSER_BUDGET, BROWSER_BUNDLES, browserBundle } from '../../bench/src/bundle.js'

const XMPP_JS = ['@xmpp/xml', '@xmpp/jid']

describe('in a browser bundle', () => {
  it.each(['conditions', 'errors', 'xep'] as const)(
    '@xmpp-errors/%s uses no Node.js built-in',
    async (name) => {
      // esbuild fails the build on a node: import for the browser platform; the inputs say the rest.
      const bundle = await browserBundle(BROWSER_BUNDLES[name])
      expect(bundle.inputs.filter((input) => input.startsWith('node:'))).toEqual([])
      // Nor does it reach for Node.js's globals.
      expect(bundle.code.match(/\b(?:process|Buffer|require)\s*[.(]/g)).toBeNull()
    },
  )

  it(`errors with conditions stays within ${BROWSER_BUDGET / 1024} KB min+gzip`, async () => {
    // @xmpp/xml is left out: an @xmpp/client app ships it already.
    const bundle = await browserBundle(BROWSER_BUNDLES.errors, XMPP_JS)
    expect(bundle.gzipBytes).toBeLessThanOrEqual(BROWSER_BUDGET)
  })

  it('the middleware takes its browser entry, whose guard() says at once that it needs Node.js', async () => {
    const bundle = await browserBundle(
      "import { guard, errors, StanzaError } from '@xmpp-errors/middleware'\n" +
        'globalThis.result = { errors: typeof errors, error: new StanzaError("item-not-found").condition }\n' +
        'try { guard({}) } catch (e) { globalThis.result.guard = e.message }',
    )
    expect(bundle.inputs.filter((input) => input.includes('middleware/dist/'))).toContain(
      'packages/middleware/dist/browser.js',
    )
    // A realm with no process, Buffer or require, as in a browser.
    const realm: { result?: unknown; console: Console } = { console }
    runInNewContext(bundle.code.replace(/^export\s*\{[^}]*\};?\s*$/m, ''), realm)
    expect(realm.result).toEqual({
      errors: 'function',
      error: 'item-not-found',
      guard: expect.stringMatching(/^guard\(\) needs Node\.js/),
    })
  })
})
