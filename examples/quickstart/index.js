import { component, xml } from '@xmpp/component'
import { errors, guard, StanzaError } from '@xmpp-errors/middleware'
import { pino } from 'pino'

const { XMPP_SERVICE = 'xmpp://127.0.0.1:5347', XMPP_DOMAIN, XMPP_SECRET } = process.env
if (!XMPP_DOMAIN || !XMPP_SECRET) throw new Error('set XMPP_DOMAIN and XMPP_SECRET')

const NS = 'urn:example:notes'
const notes = new Map([['groceries', 'milk, eggs']])
const logger = pino()
const c = guard(component({ service: XMPP_SERVICE, domain: XMPP_DOMAIN, password: XMPP_SECRET }), {
  logger, // errors() records there too
})
c.middleware.use(errors()) // first: before any iqCallee route

c.iqCallee.get(NS, 'get', ({ element }) => {
  const key = element.attrs.key
  if (!key) throw new StanzaError('bad-request', { text: 'a key is required' })
  const note = notes.get(key)
  if (note === undefined) throw new StanzaError('item-not-found', { text: `no note named ${key}` })
  return xml('note', { xmlns: NS, key }, note)
})

await c.start()
logger.info(`online as ${XMPP_DOMAIN}`)
