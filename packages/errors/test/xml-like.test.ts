import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import xml, { Element as OurElement } from '@xmpp/xml'
import { NS_STANZAS } from '@xmpp-errors/conditions'
import { describe, expect, it } from 'vitest'
import { StanzaError, StreamError, type XmlElement, xmlLike } from '../src/index.js'

// ltx ships an ESM build beside the CommonJS one that @xmpp/xml loads: its Element is another
// class with the same behaviour, as another installed copy of ltx would be.
const ltx = createRequire(import.meta.resolve('@xmpp/xml')).resolve('ltx/src/Element.js')
const { default: OtherElement } = (await import(pathToFileURL(ltx).href)) as {
  default: ElementClass
}

type ElementClass = new (name: string, attrs?: Record<string, string>) => XmlElement

const stanzaOfAnotherCopy = () =>
  new OtherElement('iq', { type: 'get', id: 'q1', from: 'u@localhost/r', to: 'svc.localhost' })

describe('xmlLike', () => {
  it('builds elements of the class of the stanza, so that its instanceof holds', () => {
    expect(OtherElement).not.toBe(OurElement)
    const stanza = stanzaOfAnotherCopy()
    const built = xmlLike(stanza)('error', { type: 'cancel', by: undefined }, xml('x'), '', 'text')
    expect(built).toBeInstanceOf(OtherElement)
    expect(built).not.toBeInstanceOf(OurElement)
    expect(built.toString()).toBe('<error type="cancel"><x/>text</error>')
  })

  it("makes StanzaError and StreamError elements of the stanza's class, the same XML as ours", () => {
    const stanza = stanzaOfAnotherCopy()
    const application = xml('too-fast', { xmlns: 'urn:example' })
    for (const error of [
      new StanzaError('item-not-found', { text: 'none', by: 'svc.localhost', application }),
      new StreamError('see-other-host', { text: 'moved', host: 'other.example:5222' }),
    ]) {
      const element = error.toElement({ like: stanza })
      expect(element).toBeInstanceOf(OtherElement)
      expect(element.getChildElements()[0]).toBeInstanceOf(OtherElement)
      expect(element.toString()).toBe(error.toElement().toString())
    }
    const reply = new StanzaError('bad-request').toElement({ like: stanza })
    expect(reply.getChild('bad-request', NS_STANZAS)).toBeInstanceOf(OtherElement)
  })

  it('falls back to our xml() for anything that is not an ltx element', () => {
    const throwing = Object.defineProperty({}, 'constructor', {
      get() {
        throw new Error('no')
      },
    })
    for (const like of [undefined, null, {}, 'iq', { constructor: 42 }, throwing]) {
      expect(xmlLike(like)('x', {})).toBeInstanceOf(OurElement)
    }
    expect(new StanzaError('bad-request').toElement()).toBeInstanceOf(OurElement)
  })
})
