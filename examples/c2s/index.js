import { client, xml } from '@xmpp/client'
import { errors, guard, StanzaError } from '@xmpp-errors/middleware'
import { pino } from 'pino'

const {
  XMPP_SERVICE = 'xmpp://127.0.0.1:5222',
  XMPP_DOMAIN,
  XMPP_USERNAME,
  XMPP_PASSWORD,
} = process.env
if (!XMPP_DOMAIN || !XMPP_USERNAME || !XMPP_PASSWORD) {
  throw new Error('set XMPP_DOMAIN, XMPP_USERNAME and XMPP_PASSWORD')
}

const NS = 'urn:example:notes'
const notes = new Map([['groceries', 'milk, eggs']])
const logger = pino()
const bot = guard(
  client({
    service: XMPP_SERVICE,
    domain: XMPP_DOMAIN,
    resource: 'bot',
    username: XMPP_USERNAME,
    password: XMPP_PASSWORD,
  }),
  { logger }, // errors() records there too
)
bot.middleware.use(errors()) // first: before any iqCallee route

bot.iqCallee.get(NS, 'get', ({ element }) => {
  const note = notes.get(element.attrs.key)
  if (note === undefined) throw new StanzaError('item-not-found', { text: 'no such note' })
  return xml('note', { xmlns: NS }, note)
})

// Any other throw: the sender gets internal-server-error, the log gets the stack.
bot.middleware.use(({ stanza }, next) => {
  if (stanza.is('message') && stanza.getChildText('body') === 'save') {
    throw new Error('the disk is full')
  }
  return next()
})

await bot.start()
await bot.send(xml('presence'))
logger.info(`online as ${bot.jid}`)
