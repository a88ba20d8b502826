/// <reference path="./src/xmpp-modules.d.ts" />
// Errors that peers send the component are observed at debug, not handled: here, the stream
// error a server sends when the component's secret is wrong. It arrives before any stanza, so
// guard() must be what keeps an 'error' event without a listener from ending the process.
// This file uses component c14 (no other test file of the shared servers connects it).
import { component } from '@xmpp/component'
import { errors, guard } from '@xmpp-errors/middleware'
import { describe, expect, it } from 'vitest'
import { recordingLogger } from './src/recording-logger.js'
import { componentOf, servers, until } from './src/suite.js'

describe.each(servers)('incoming errors through $kind', (server) => {
  it("records the server's stream error at debug, and nothing at warn or error", async () => {
    const logger = recordingLogger()
    const c = guard(
      component({
        service: `xmpp://${server.host}:${server.componentPort}`,
        domain: componentOf(server, 'c14'),
        password: `not ${server.componentSecret}`,
      }),
      { logger },
    )
    c.reconnect.stop()
    c.middleware.use(errors({ logger }))
    // No 'error' listener of the test's own: guard()'s is the only one.
    const started = c.start().then(
      () => 'online',
      () => 'refused',
    )
    await until('the stream error to be observed', () =>
      logger.entries.some((e) => e.object.action === 'observe'),
    )
    expect(await started).toBe('refused')
    const observed = logger.where((e) => e.object.action === 'observe')
    expect(observed).toHaveLength(1)
    expect(observed[0]?.level).toBe('debug')
    expect(observed[0]?.object).toMatchObject({
      xmpp: { kind: 'stream', code: 'stream-not-authorized', condition: 'not-authorized' },
      stanza: { name: 'stream:error' },
    })
    // The same stream error was emitted as 'error' by xmpp.js: recorded once, at debug, above.
    expect(logger.where((e) => e.level === 'warn' || e.level === 'error')).toEqual([])
    await c.stop().catch(() => {})
  })
})
