#!/usr/bin/env python3
"""Reads error replies the way a Slixmpp client does.

Logs in to an XMPP server as a user over plain TCP with SASL PLAIN, sends each request given
as JSON on stdin, and prints one JSON object: for each request, what Slixmpp parsed of the
reply's error (condition, type, text, code), every <text/> with its xml:lang, and the
application condition. Usage: probe.py HOST PORT JID PASSWORD < requests.json

A request is {"to": JID, "xmlns": NS, "kind": KIND, "lang": LANG or null} for an IQ get of
<query xmlns=NS kind=KIND/>, or {"to", "kind", "payload": XML, "lang"} for an IQ get of that
payload, or {"send": XML} to send a raw stanza.
"""
import asyncio
import json
import logging
import sys

try:
    from slixmpp import ClientXMPP
    from slixmpp.exceptions import IqError, IqTimeout
    from slixmpp.xmlstream import ET
except ImportError:
    sys.exit('probe.py needs Slixmpp: apt-get install python3-slixmpp')

NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas'
XML_LANG = '{http://www.w3.org/XML/1998/namespace}lang'


def split(tag):
    """'{ns}name' -> (ns, name)."""
    if tag.startswith('{'):
        ns, name = tag[1:].split('}', 1)
        return ns, name
    return '', tag


def describe(iq):
    error = iq['error']
    xml = error.xml
    texts = []
    application = None
    for child in xml:
        ns, name = split(child.tag)
        if ns == NS_STANZAS and name == 'text':
            texts.append([child.get(XML_LANG), child.text or ''])
        elif ns != NS_STANZAS and application is None:
            application = {
                'ns': ns,
                'name': name,
                'attrs': dict(child.attrib),
                'children': {split(c.tag)[1]: (c.text or '') for c in child},
            }
    return {
        'condition': error['condition'],
        'type': error['type'],
        'text': error['text'],
        'code': error['code'],
        'texts': texts,
        'application': application,
    }


class Probe(ClientXMPP):
    def __init__(self, jid, password, requests):
        super().__init__(jid, password, sasl_mech='PLAIN')
        # The test server listens on loopback without TLS.
        self['feature_mechanisms'].unencrypted_plain = True
        self.requests = requests
        self.results = []
        self.failure = None
        self.add_event_handler('session_start', self.run)
        self.add_event_handler('failed_auth', self.failed)

    def failed(self, _):
        self.failure = 'authentication failed'
        self.disconnect()

    async def run(self, _):
        try:
            for request in self.requests:
                if 'send' in request:
                    self.send_raw(request['send'])
                    self.results.append({'sent': True})
                    continue
                iq = self.Iq()
                iq['type'] = 'get'
                iq['to'] = request['to']
                if request.get('lang'):
                    iq['lang'] = request['lang']
                if 'payload' in request:
                    iq.append(ET.fromstring(request['payload']))
                else:
                    iq.append(ET.Element('{%s}query' % request['xmlns'], kind=request['kind']))
                try:
                    await iq.send(timeout=10)
                    self.results.append({'kind': request['kind'], 'result': True})
                except IqError as e:
                    self.results.append({'kind': request['kind'], **describe(e.iq)})
                except IqTimeout:
                    self.results.append({'kind': request['kind'], 'timeout': True})
        except Exception as e:  # reported, not raised: the test reads stdout
            self.failure = repr(e)
        finally:
            self.disconnect()


def main():
    host, port, jid, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    requests = json.load(sys.stdin)
    logging.basicConfig(level=logging.ERROR)
    probe = Probe(jid, password, requests)
    probe.connect((host, port), force_starttls=False, disable_starttls=True)
    loop = asyncio.get_event_loop()
    loop.run_until_complete(asyncio.wait_for(probe.disconnected, 60))
    # Slixmpp leaves its stream filters running after a disconnect: end them before exiting.
    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    print(json.dumps({'failure': probe.failure, 'results': probe.results}))


if __name__ == '__main__':
    main()
