import { describe, expect, it } from 'vitest'
import { describeStartupError } from '../../src/bot.js'

const config = {
  service: 'xmpp://127.0.0.1:5347',
  host: '127.0.0.1',
  port: 5347,
  domain: 'notes.example.org',
}

function streamError(condition: string, text?: string) {
  return Object.assign(new Error(condition), { name: 'StreamError', condition, text })
}

function systemError(code: string) {
  return Object.assign(new Error(`connect ${code}`), { code })
}

describe('describeStartupError', () => {
  it.each([
    [
      streamError('not-authorized'),
      'the component secret was rejected by xmpp://127.0.0.1:5347: check BOT_SECRET',
    ],
    [
      streamError('not-authorized', 'Given token does not match calculated token'),
      'the component secret was rejected by xmpp://127.0.0.1:5347: check BOT_SECRET (the server said: Given token does not match calculated token)',
    ],
    [
      streamError('host-unknown'),
      "xmpp://127.0.0.1:5347 does not serve the component domain notes.example.org: check BOT_DOMAIN against the server's Component entries, and that BOT_SERVICE is its component port, not its client port",
    ],
    [
      streamError('conflict'),
      'another component is already connected as notes.example.org to xmpp://127.0.0.1:5347',
    ],
    [
      streamError('policy-violation', 'slow down'),
      'xmpp://127.0.0.1:5347 closed the stream with the error policy-violation (the server said: slow down)',
    ],
    [
      systemError('ECONNREFUSED'),
      'connection refused at 127.0.0.1:5347: is the XMPP server running, with its component port there? check BOT_SERVICE',
    ],
    [systemError('ENOTFOUND'), 'cannot resolve the host 127.0.0.1: check BOT_SERVICE'],
    [
      systemError('EHOSTUNREACH'),
      'cannot reach 127.0.0.1:5347 (EHOSTUNREACH): check BOT_SERVICE and the network',
    ],
    [
      systemError('ECONNRESET'),
      '127.0.0.1:5347 closed the connection during the handshake: is it the component port (not the client port)? check BOT_SERVICE',
    ],
    [
      Object.assign(new Error('timeout'), { name: 'TimeoutError' }),
      "no answer from 127.0.0.1:5347 in time: is it an XMPP server's component port? check BOT_SERVICE",
    ],
    [new Error('odd'), 'could not connect to xmpp://127.0.0.1:5347: odd'],
    ['a string', 'could not connect to xmpp://127.0.0.1:5347: a string'],
  ])('explains %o', (error, message) => {
    expect(describeStartupError(error, config)).toBe(message)
  })
})
