import { describe, expect, it } from 'vitest'
import { MAX_REDIRECTS, redirectRule, timeoutRule } from '../src/connection-policy.js'
import {
  type ConnectionEvent,
  connectionEvents,
  type Phase,
  phases,
  transition,
} from '../src/entity-state.js'

// The whole table, one row per phase, one column per event (in the order of connectionEvents):
// '.' where the event changes nothing. A change to the machine shows here as a change of a cell.
const EXPECTED: Record<Phase, string> = {
  //            connecting   opened       online  refused   failed       redirected   disconnected stop      stopped
  idle: '       connecting   .            .       .         .            .            .            .         stopped',
  connecting:
    ' .            handshaking  online  stopping  backing-off  redirecting  backing-off  stopping  stopped',
  handshaking:
    '.            .            online  stopping  backing-off  redirecting  backing-off  stopping  stopped',
  online:
    '     .            .            .       stopping  backing-off  redirecting  backing-off  stopping  stopped',
  'backing-off':
    '           connecting   .            .       .         .            .            backing-off  stopping  stopped',
  redirecting:
    'connecting   .            .       .         .            .            redirecting  stopping  stopped',
  stopping:
    '   .            .            .       .         .            .            stopping     .         stopped',
  stopped:
    '    connecting   .            .       .         .            .            .            .         .',
}

describe('the connection machine', () => {
  it('has a transition or an explicit no-op for every phase × every event', () => {
    for (const phase of phases) {
      const row = connectionEvents.map((event) => transition(phase, event) ?? '.')
      expect(row, phase).toEqual(EXPECTED[phase].trim().split(/\s+/))
    }
    expect(Object.keys(EXPECTED).sort()).toEqual([...phases].sort())
  })

  it('leaves stopped only by a new connection, and reaches it from every phase', () => {
    for (const event of connectionEvents) {
      const to = transition('stopped', event)
      expect(to === null || event === 'connecting', event).toBe(true)
    }
    // The user's stop() ends whatever is up or on its way back: nothing reconnects after it.
    for (const phase of phases.filter((p) => p !== 'idle' && !p.startsWith('stop'))) {
      expect(transition(phase, 'stop'), phase).toBe('stopping')
    }
    for (const phase of phases.filter((p) => p !== 'stopped')) {
      expect(transition(phase, 'stopped'), phase).toBe('stopped')
    }
  })

  it('takes a verdict of the policy only while the stream is up or coming up', () => {
    const verdicts: ConnectionEvent[] = ['refused', 'failed', 'redirected']
    for (const phase of phases) {
      const up = phase === 'connecting' || phase === 'handshaking' || phase === 'online'
      for (const event of verdicts)
        expect(transition(phase, event) !== null, `${phase} ${event}`).toBe(up)
    }
  })
})

describe('redirectRule', () => {
  const service = 'xmpp://xmpp.example.org:5347'

  it("follows the configured service's host, on any port", () => {
    expect(redirectRule('xmpp.example.org:5348', service, [], 0)).toEqual({
      follow: true,
      service: 'xmpp://xmpp.example.org:5348',
    })
    expect(redirectRule('XMPP.example.org', service, [], 0)).toMatchObject({ follow: true })
  })

  it('follows another host only when allowed, by host or by host and port', () => {
    expect(redirectRule('evil.example:5347', service, [], 0)).toEqual({
      follow: false,
      why: "evil.example:5347 is neither the configured service's host nor in redirectHosts",
    })
    expect(redirectRule('b.example:5347', service, ['b.example'], 0)).toMatchObject({
      follow: true,
    })
    expect(redirectRule('b.example:5347', service, ['b.example:5347'], 0)).toMatchObject({
      follow: true,
    })
    expect(redirectRule('b.example:5348', service, ['b.example:5347'], 0)).toMatchObject({
      follow: false,
    })
    expect(redirectRule('[::1]:5347', 'xmpp://[::1]:5347', [], 0)).toMatchObject({ follow: true })
  })

  it('follows nothing malformed, and nothing past the bound', () => {
    for (const host of [undefined, '', 'a b', '[', 'example.org:99999', 'exa%mple', '[::1', ' ']) {
      expect(redirectRule(host, service, [], 0), String(host)).toMatchObject({ follow: false })
    }
    expect(redirectRule('xmpp.example.org', service, [], MAX_REDIRECTS)).toMatchObject({
      follow: false,
      why: `${MAX_REDIRECTS} redirects in a row without coming online`,
    })
  })
})

describe('timeoutRule', () => {
  it('stops before the component was ever online, reconnects after', () => {
    expect(timeoutRule(false).action).toBe('stop')
    expect(timeoutRule(true).action).toBe('reconnect')
  })
})
