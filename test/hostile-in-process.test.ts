/// <reference path="./src/xmpp-modules.d.ts" />
// Hostile input against the process, in process: a real @xmpp/component 0.13.1 on a mocked
// socket (test/src/in-process.ts), with errors() and guard() as a component would use them.
import type { Element } from '@xmpp/client'
import { type Component, xml } from '@xmpp/component'
import { type ErrorRecord, errors, guard, type Logger } from '@xmpp-errors/middleware'
import { describe, expect, it } from 'vitest'
import { inProcess } from './src/in-process.js'

const C = 'c1.localhost'
const NS = 'urn:xmpp-errors:hostile'
const FROM = 'u1@localhost/r'

const throwingLogger: Logger = {
  debug() {
    throw new Error('logger down')
  },
  warn() {
    throw new Error('logger down')
  },
  error() {
    throw new Error('logger down')
  },
}

/** guard() and errors() with `records` collecting every onError record, then `setup`. */
function component(records: ErrorRecord[], logger: Logger, setup?: (c: Component) => void) {
  return inProcess(C, (c) => {
    guard(c, { logger, onError: (r) => records.push(r) })
    c.middleware.use(errors({ logger, onError: (r) => records.push(r) }))
    setup?.(c)
  })
}

describe("a throwing logger and a throwing 'element' listener", () => {
  it('do not throw out of the socket handler, and the request is still answered', async () => {
    const h = component([], throwingLogger, (c) => {
      // A listener that assumes every message has a body, fed a chat-state notification.
      c.on('element', (el: Element) => {
        if (el.is('message')) (el.getChild('body') as Element).text()
      })
      c.middleware.use(() => {
        throw new Error('boom')
      })
    })
    const chatState = xml(
      'message',
      { type: 'chat', id: 'cs', from: FROM, to: C },
      xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' }),
    )
    expect(h.feed(chatState)).toEqual({ threw: false })
    await h.settle()
    expect(h.written).toHaveLength(1)
    expect(h.written[0]).toContain('internal-server-error')
  })
})
