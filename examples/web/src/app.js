// The notes page: @xmpp/client over WebSocket, errors() first in its chain as on a component, and
// each error reply to its own requests read with StanzaError.fromRequest in the browser's
// languages. Its settings come from the address: ?service=ws://…&domain=…&username=…&password=…&bot=…
import { client, xml } from '@xmpp/client'
import { errors, lookupLanguage, StanzaError } from '@xmpp-errors/middleware'
import { read } from '@xmpp-errors/xep'

const NS_NOTES = 'urn:xmpp-errors:notes:0'
const NS_DISCO_INFO = 'http://jabber.org/protocol/disco#info'
const NS_PING = 'urn:xmpp:ping'

// The page's own words, in the languages it has.
const WORDS = {
  en: {
    title: 'Notes',
    key: 'Note',
    get: 'Get note',
    check: 'Let the bot check this page',
    replies: 'Replies',
    bot: 'The bot says',
    answered: 'Requests this page answered',
    online: 'online as',
    offline: 'offline:',
    // What to do next, by the error's type (RFC 6120 §8.3.2).
    cancel: 'Do not retry: the request cannot succeed as it is.',
    modify: 'Change the request, then send it again.',
    auth: 'Sign in or ask for access, then try again.',
    wait: 'Wait a moment, then try again.',
    continue: 'Nothing to do: it went through, with a warning.',
    application: 'Details for the application:',
  },
  de: {
    title: 'Notizen',
    key: 'Notiz',
    get: 'Notiz holen',
    check: 'Den Bot diese Seite prüfen lassen',
    replies: 'Antworten',
    bot: 'Der Bot sagt',
    answered: 'Anfragen, die diese Seite beantwortet hat',
    online: 'angemeldet als',
    offline: 'getrennt:',
    cancel: 'Nicht wiederholen: so kann die Anfrage nicht gelingen.',
    modify: 'Die Anfrage ändern und erneut senden.',
    auth: 'Anmelden oder um Zugang bitten, dann erneut versuchen.',
    wait: 'Einen Moment warten, dann erneut versuchen.',
    continue: 'Nichts zu tun: die Anfrage ging durch, mit einer Warnung.',
    application: 'Einzelheiten für die Anwendung:',
  },
}
const languages = navigator.languages ?? [navigator.language]
const lang = lookupLanguage(Object.keys(WORDS), languages) ?? 'en'
const words = WORDS[lang]
document.documentElement.lang = lang
for (const element of document.querySelectorAll('[data-text]')) {
  element.textContent = words[element.dataset.text]
}

const params = new URLSearchParams(location.search)
const bot = params.get('bot') ?? 'notes.localhost'
const $ = (id) => document.getElementById(id)

function append(parent, tag, text, attributes = {}) {
  const element = document.createElement(tag)
  element.textContent = text
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value)
  parent.append(element)
  return element
}

/** An error as a user sees it: the condition, the text in their language, what to do next. */
function showError(error) {
  const card = append($('replies'), 'article', '', {
    class: 'error',
    'data-condition': error.condition,
    'data-type': error.type,
  })
  append(card, 'h3', error.condition)
  if (error.text) append(card, 'p', error.text, { class: 'text', lang: error.lang ?? '' })
  append(card, 'p', words[error.type], { class: 'next' })
  const application = read(error)
  if (application) {
    append(card, 'p', `${words.application} ${application.xep} ${application.condition}`, {
      class: 'application',
    })
  }
}

const xmpp = client({
  service: params.get('service') ?? `ws://${location.hostname}:5280/xmpp-websocket`,
  domain: params.get('domain') ?? 'localhost',
  username: params.get('username') ?? undefined,
  password: params.get('password') ?? undefined,
  lang,
})
// The page answers what others ask it, as a component does: errors() first, then its routes
// (@xmpp/client answers XEP-0199 pings itself).
// An IQ no route answers (the bot's version query) is answered service-unavailable by errors(),
// whose default logger writes to the console here; onError shows it on the page too.
xmpp.middleware.use(
  errors({
    lang,
    onError: (record) =>
      append($('answered'), 'li', `${record.stanza.from}: ${record.msg}`, {
        'data-condition': record.xmpp.condition,
      }),
  }),
)
function answered(what, ctx) {
  append($('answered'), 'li', `${ctx.from}: ${what}`, { 'data-query': what })
}
xmpp.iqCallee.get(NS_DISCO_INFO, 'query', (ctx) => {
  answered('disco#info', ctx)
  return xml(
    'query',
    { xmlns: NS_DISCO_INFO },
    xml('identity', { category: 'client', type: 'web', name: 'Notes page' }),
    xml('feature', { var: NS_DISCO_INFO }),
    xml('feature', { var: NS_PING }),
  )
})

// The bot's chat answers (its check of this page, say).
xmpp.on('stanza', (stanza) => {
  if (stanza.is('message') && stanza.attrs.from === bot && stanza.getChildText('body')) {
    $('bot').textContent = stanza.getChildText('body')
  }
})
xmpp.on('online', (address) => {
  $('status').textContent = `${words.online} ${address}`
  $('status').dataset.state = 'online'
})
xmpp.on('error', (error) => {
  $('status').textContent = `${words.offline} ${error.message}`
  $('status').dataset.state = 'error'
})

$('ask').addEventListener('submit', async (event) => {
  event.preventDefault()
  const key = new FormData(event.target).get('key')
  const request = xml(
    'iq',
    { type: 'get', to: bot, 'xml:lang': lang },
    xml('get', { xmlns: NS_NOTES, key }),
  )
  try {
    const reply = await xmpp.iqCaller.request(request)
    const note = reply.getChild('note', NS_NOTES)
    append($('replies'), 'p', `${key}: ${note?.text() ?? ''}`, { class: 'note' })
  } catch (reason) {
    const error = StanzaError.fromRequest(reason, { languages })
    if (error === undefined) throw reason
    showError(error)
  }
})
$('check').addEventListener('click', () => {
  xmpp.send(xml('message', { type: 'chat', to: bot }, xml('body', {}, 'check')))
})

xmpp.start().catch(() => {})
