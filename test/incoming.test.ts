// The stream error a server sends when the component's secret is wrong. It arrives before any
// stanza, so guard() must be what keeps an 'error' event without a listener from ending the
// process; and guard(), which stops the component, records it once, at error, with a hint.
// This file uses component c14 (no other test file of the shared servers connects it).
import { component } from '@xmpp/component'
import { errors, guard } from '@xmpp-errors/middleware'
import { recordingLogger } from '@xmpp-errors/testing'
import { describe, expect, it } from 'vitest'
import { componentOf, servers, until } from './src/suite.js'

describe.each(servers)('incoming errors through $kind', (server) => {
  it("records the server's stream error once, at error, and nothing else", async () => {
    const logger = recordingLogger()
    const c = guard(
      component({
        service: `xmpp://${server.host}:${server.componentPort}`,
        domain: componentOf(server, 'c14'),
        password: `not ${server.componentSecret}`,
      }),
      { logger },
    )
    c.middleware.use(errors({ logger }))
    // No 'error' listener of the test's own: guard()'s is the only one.
    const started = c.start().then(
      () => 'online',
      () => 'refused',
    )
    expect(await started).toBe('refused')
    await until('the component to stop', () => c.status === 'offline')
    const observed = logger.where((e) => e.object.action === 'observe')
    expect(observed).toHaveLength(1)
    expect(observed[0]?.level).toBe('error')
    expect(observed[0]?.object).toMatchObject({
      xmpp: { kind: 'stream', code: 'stream-not-authorized', condition: 'not-authorized' },
      stanza: { name: 'stream:error' },
      next: { action: 'stop' },
    })
    // The same stream error was emitted as 'error' by xmpp.js: recorded once, above.
    expect(logger.entries).toHaveLength(1)
  })
})
