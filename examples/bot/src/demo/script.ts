import xml, { type Element } from '@xmpp/xml'
import { NS_DISCO_INFO, NS_DISCO_ITEMS } from '../disco.js'
import { NS_NOTES, NS_PING, NS_VERSION } from '../service.js'
import { demoLimits } from './bot-process.js'
import type { Target } from './target.js'

// The script: every request the demo sends, in order, and the answer each must get.

export interface Step {
  from: 'user' | 'admin'
  request: string
  expected: string
  /** Requests sent first (their replies awaited), e.g. to fill the store. Not shown. */
  before?: (id: () => string) => Element[]
  send: (id: string) => Element
  /** Special cases: many requests at once, or the shutdown. */
  special?: 'flood' | 'shutdown' | 'after-shutdown'
}

/** The requests, each to the bot at `target.bot`, from the user or the admin. */
export function steps(target: Target): Step[] {
  const to = target.bot
  const iq = (type: 'get' | 'set', child: Element) => (id: string) =>
    xml('iq', { type, to, id }, child)
  const chat = (body: string) => (id: string) =>
    xml('message', { type: 'chat', to, id }, xml('body', {}, body))
  const notes = (name: string, attrs: Record<string, string>, value?: string) =>
    xml(name, { xmlns: NS_NOTES, ...attrs }, ...(value === undefined ? [] : [value]))
  const query = (xmlns: string) => xml('query', { xmlns })
  const long = 'x'.repeat(demoLimits.maxValueLength + 100)
  return [
    {
      from: 'user',
      request: 'disco#info',
      expected: 'result',
      send: iq('get', query(NS_DISCO_INFO)),
    },
    {
      from: 'user',
      request: 'software version',
      expected: 'result',
      send: iq('get', query(NS_VERSION)),
    },
    {
      from: 'user',
      request: 'ping',
      expected: 'result',
      send: iq('get', xml('ping', { xmlns: NS_PING })),
    },
    {
      from: 'user',
      request: 'put groceries = "milk, eggs"',
      expected: 'result',
      send: iq('set', notes('put', { key: 'groceries' }, 'milk, eggs')),
    },
    {
      from: 'user',
      request: 'get groceries',
      expected: 'result',
      send: iq('get', notes('get', { key: 'groceries' })),
    },
    {
      from: 'user',
      request: 'disco#items',
      expected: 'result',
      send: iq('get', query(NS_DISCO_ITEMS)),
    },
    {
      from: 'user',
      request: 'get pineapple (no such note)',
      expected: 'item-not-found (cancel)',
      send: iq('get', notes('get', { key: 'pineapple' })),
    },
    {
      from: 'user',
      request: 'get without a key',
      expected: 'bad-request (modify)',
      send: iq('get', notes('get', {})),
    },
    {
      from: 'user',
      request: 'put "Shopping List" (bad key)',
      expected: 'bad-request (modify)',
      send: iq('set', notes('put', { key: 'Shopping List' }, 'x')),
    },
    {
      from: 'user',
      request: `put essay = ${long.length} characters`,
      expected: 'bad-request (modify)',
      send: iq('set', notes('put', { key: 'essay' }, long)),
    },
    {
      from: 'user',
      request: 'create groceries (exists)',
      expected: 'conflict (cancel)',
      send: iq('set', notes('put', { key: 'groceries', mode: 'create' }, 'bread')),
    },
    {
      from: 'user',
      request: 'put sys.motd (admin-only)',
      expected: 'forbidden (auth)',
      send: iq('set', notes('put', { key: 'sys.motd' }, 'hello')),
    },
    {
      from: 'admin',
      request: 'put rules, read-only',
      expected: 'result',
      send: iq('set', notes('put', { key: 'rules', readonly: 'true' }, 'be nice')),
    },
    {
      from: 'user',
      request: 'put rules (read-only)',
      expected: 'not-allowed (cancel)',
      send: iq('set', notes('put', { key: 'rules' }, 'be mean')),
    },
    {
      from: 'user',
      request: 'move groceries to shopping',
      expected: 'result',
      send: iq('set', notes('move', { key: 'groceries', to: 'shopping' })),
    },
    {
      from: 'user',
      request: 'get groceries (moved)',
      expected: 'redirect (modify)',
      send: iq('get', notes('get', { key: 'groceries' })),
    },
    {
      from: 'user',
      request: 'chat "share shopping with bob@@x"',
      expected: 'jid-malformed (modify)',
      send: chat('share shopping with bob@@x'),
    },
    { from: 'user', request: 'chat "get shopping"', expected: 'chat', send: chat('get shopping') },
    {
      from: 'user',
      request: `put a ${demoLimits.maxKeys + 1}th note (limit ${demoLimits.maxKeys})`,
      expected: 'resource-constraint (wait)',
      before: (id) =>
        ['todo', 'ideas', 'books'].map((key) => iq('set', notes('put', { key }, key))(id())),
      send: iq('set', notes('put', { key: 'one-too-many' }, '!')),
    },
    {
      from: 'user',
      request: 'query urn:example:weather',
      expected: 'service-unavailable (cancel)',
      send: iq('get', query('urn:example:weather')),
    },
    {
      from: 'user',
      request: 'chat "frobnicate"',
      expected: 'bad-request (modify)',
      send: chat('frobnicate'),
    },
    {
      from: 'user',
      request: 'chat "shutdown" (not an admin)',
      expected: 'forbidden (auth)',
      send: chat('shutdown'),
    },
    {
      from: 'user',
      request: `${demoLimits.burst + 20} pings at once`,
      expected: 'policy-violation (wait)',
      send: iq('get', xml('ping', { xmlns: NS_PING })),
      special: 'flood',
    },
    {
      from: 'admin',
      request: 'chat "shutdown"',
      expected: 'exit',
      send: chat('shutdown'),
      special: 'shutdown',
    },
    {
      from: 'user',
      request: 'ping, bot gone (server answers)',
      expected: 'error from the server',
      send: iq('get', xml('ping', { xmlns: NS_PING })),
      special: 'after-shutdown',
    },
  ]
}
