/**
 * The single table of XMPP error conditions (RFC 6120 §8.3.3 and §4.9.3), keyed by code.
 * Every other export of this package is derived from it: adding a condition means adding one row.
 */

type ErrorTypeName = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait'

interface StanzaRow {
  readonly kind: 'stanza'
  readonly condition: string
  readonly title: string
  readonly description: string
  readonly rfc: string
  readonly type: ErrorTypeName
  readonly types: readonly ErrorTypeName[]
  readonly blame: 'sender' | 'server'
  /** The numeric code of XEP-0086, for peers that still read `<error code=…>`; null where none exists. */
  readonly legacyCode: number | null
  /** What the condition element's character data carries (RFC 6120 §8.3.3.5 and §8.3.3.14). */
  readonly characterData: 'xmpp-uri' | null
  /** Set where RFC 3920 used a different default type than RFC 6120. */
  readonly legacyType?: ErrorTypeName
}

interface StreamRow {
  readonly kind: 'stream'
  readonly condition: string
  readonly title: string
  readonly description: string
  readonly rfc: string
  /** What the condition element's character data carries (RFC 6120 §4.9.3.19). */
  readonly characterData: 'host[:port]' | null
}

export const rows = {
  'bad-request': {
    kind: 'stanza',
    condition: 'bad-request',
    title: 'Bad Request',
    description:
      'The sender has sent XML that cannot be processed, such as a stanza that is not well-formed or that contains malformed data.',
    rfc: '8.3.3.1',
    type: 'modify',
    types: ['modify'],
    blame: 'sender',
    legacyCode: 400,
    characterData: null,
  },
  conflict: {
    kind: 'stanza',
    condition: 'conflict',
    title: 'Conflict',
    description:
      'Access cannot be granted because an existing resource or session exists with the same name or address.',
    rfc: '8.3.3.2',
    type: 'cancel',
    types: ['cancel'],
    blame: 'sender',
    legacyCode: 409,
    characterData: null,
  },
  'feature-not-implemented': {
    kind: 'stanza',
    condition: 'feature-not-implemented',
    title: 'Feature Not Implemented',
    description:
      'The feature requested is not implemented by the recipient or server and therefore cannot be processed.',
    rfc: '8.3.3.3',
    type: 'cancel',
    types: ['cancel', 'modify'],
    blame: 'sender',
    legacyCode: 501,
    characterData: null,
  },
  forbidden: {
    kind: 'stanza',
    condition: 'forbidden',
    title: 'Forbidden',
    description:
      'The requesting entity does not possess the necessary permissions to perform the action.',
    rfc: '8.3.3.4',
    type: 'auth',
    types: ['auth'],
    blame: 'sender',
    legacyCode: 403,
    characterData: null,
  },
  gone: {
    kind: 'stanza',
    condition: 'gone',
    title: 'Gone',
    description:
      'The recipient or server can no longer be contacted at this address, typically because the entity has moved and the new address is provided in the error.',
    rfc: '8.3.3.5',
    type: 'cancel',
    types: ['cancel'],
    blame: 'sender',
    legacyCode: 302,
    characterData: 'xmpp-uri',
  },
  'internal-server-error': {
    kind: 'stanza',
    condition: 'internal-server-error',
    title: 'Internal Server Error',
    description:
      'The server has experienced a misconfiguration or other internal error that prevents it from processing the stanza.',
    rfc: '8.3.3.6',
    type: 'cancel',
    types: ['cancel'],
    blame: 'server',
    legacyCode: 500,
    characterData: null,
    legacyType: 'wait',
  },
  'item-not-found': {
    kind: 'stanza',
    condition: 'item-not-found',
    title: 'Item Not Found',
    description: 'The addressed JID or item requested cannot be found.',
    rfc: '8.3.3.7',
    type: 'cancel',
    types: ['cancel'],
    blame: 'sender',
    legacyCode: 404,
    characterData: null,
  },
  'jid-malformed': {
    kind: 'stanza',
    condition: 'jid-malformed',
    title: 'JID Malformed',
    description:
      'The sending entity has provided or communicated an XMPP address that does not conform to the syntax defined in RFC 6122.',
    rfc: '8.3.3.8',
    type: 'modify',
    types: ['modify'],
    blame: 'sender',
    legacyCode: 400,
    characterData: null,
  },
  'not-acceptable': {
    kind: 'stanza',
    condition: 'not-acceptable',
    title: 'Not Acceptable',
    description:
      'The recipient or server understands the request but is refusing to process it because it does not meet criteria defined by the recipient or server.',
    rfc: '8.3.3.9',
    type: 'modify',
    types: ['modify'],
    blame: 'sender',
    legacyCode: 406,
    characterData: null,
  },
  'not-allowed': {
    kind: 'stanza',
    condition: 'not-allowed',
    title: 'Not Allowed',
    description: 'The recipient or server does not allow any entity to perform the action.',
    rfc: '8.3.3.10',
    type: 'cancel',
    types: ['cancel'],
    blame: 'sender',
    legacyCode: 405,
    characterData: null,
  },
  'not-authorized': {
    kind: 'stanza',
    condition: 'not-authorized',
    title: 'Not Authorized',
    description:
      'The entity has attempted to send a stanza to a server or entity that requires prior authentication, or the credentials provided are invalid.',
    rfc: '8.3.3.11',
    type: 'auth',
    types: ['auth'],
    blame: 'sender',
    legacyCode: 401,
    characterData: null,
  },
  'policy-violation': {
    kind: 'stanza',
    condition: 'policy-violation',
    title: 'Policy Violation',
    description:
      'The entity has violated or failed to follow a policy set by the server or recipient.',
    rfc: '8.3.3.12',
    type: 'modify',
    types: ['modify', 'wait'],
    blame: 'sender',
    legacyCode: null,
    characterData: null,
  },
  'recipient-unavailable': {
    kind: 'stanza',
    condition: 'recipient-unavailable',
    title: 'Recipient Unavailable',
    description:
      'The intended recipient or server is temporarily unavailable; the sender should retry at a later time.',
    rfc: '8.3.3.13',
    type: 'wait',
    types: ['wait'],
    blame: 'server',
    legacyCode: 404,
    characterData: null,
  },
  redirect: {
    kind: 'stanza',
    condition: 'redirect',
    title: 'Redirect',
    description:
      'The recipient or server is redirecting requests for this entity to another JID or server, temporarily; the redirection address should be specified in the XML character data of the error element.',
    rfc: '8.3.3.14',
    type: 'modify',
    types: ['modify'],
    blame: 'sender',
    legacyCode: 302,
    characterData: 'xmpp-uri',
  },
  'registration-required': {
    kind: 'stanza',
    condition: 'registration-required',
    title: 'Registration Required',
    description:
      'The requesting entity is not authorised to access the requested service because prior registration is required.',
    rfc: '8.3.3.15',
    type: 'auth',
    types: ['auth'],
    blame: 'sender',
    legacyCode: 407,
    characterData: null,
  },
  'remote-server-not-found': {
    kind: 'stanza',
    condition: 'remote-server-not-found',
    title: 'Remote Server Not Found',
    description:
      'A remote server or service specified as part or all of the JID of the intended recipient does not exist, or cannot be resolved.',
    rfc: '8.3.3.16',
    type: 'cancel',
    types: ['cancel'],
    blame: 'sender',
    legacyCode: 404,
    characterData: null,
  },
  'remote-server-timeout': {
    kind: 'stanza',
    condition: 'remote-server-timeout',
    title: 'Remote Server Timeout',
    description:
      'A remote server or service specified as part or all of the JID of the intended recipient could not be contacted within a reasonable time.',
    rfc: '8.3.3.17',
    type: 'wait',
    types: ['wait'],
    blame: 'server',
    legacyCode: 504,
    characterData: null,
  },
  'resource-constraint': {
    kind: 'stanza',
    condition: 'resource-constraint',
    title: 'Resource Constraint',
    description:
      'The server or recipient lacks the system resources necessary to service the request; the sender should retry after waiting.',
    rfc: '8.3.3.18',
    type: 'wait',
    types: ['wait'],
    blame: 'server',
    legacyCode: 500,
    characterData: null,
  },
  'service-unavailable': {
    kind: 'stanza',
    condition: 'service-unavailable',
    title: 'Service Unavailable',
    description: 'The server or recipient does not currently provide the requested service.',
    rfc: '8.3.3.19',
    type: 'cancel',
    types: ['cancel'],
    blame: 'sender',
    legacyCode: 503,
    characterData: null,
  },
  'subscription-required': {
    kind: 'stanza',
    condition: 'subscription-required',
    title: 'Subscription Required',
    description:
      'The requesting entity is not authorised to access the requested service because a subscription is required.',
    rfc: '8.3.3.20',
    type: 'auth',
    types: ['auth'],
    blame: 'sender',
    legacyCode: 407,
    characterData: null,
  },
  'undefined-condition': {
    kind: 'stanza',
    condition: 'undefined-condition',
    title: 'Undefined Condition',
    description:
      'The error condition is not one of those defined by the other stanza error conditions; any error not otherwise covered should use this condition.',
    rfc: '8.3.3.21',
    type: 'cancel',
    types: ['auth', 'cancel', 'continue', 'modify', 'wait'],
    blame: 'server',
    legacyCode: 500,
    characterData: null,
  },
  'unexpected-request': {
    kind: 'stanza',
    condition: 'unexpected-request',
    title: 'Unexpected Request',
    description:
      'The recipient or server understood the request but was not expecting it at this time, e.g. the request was out of order.',
    rfc: '8.3.3.22',
    type: 'wait',
    types: ['wait', 'modify'],
    blame: 'sender',
    legacyCode: 400,
    characterData: null,
  },
  'stream-bad-format': {
    kind: 'stream',
    condition: 'bad-format',
    title: 'Stream: Bad Format',
    description:
      'The entity has sent XML that cannot be processed at the stream level, such as a root element that is not <stream:stream> or content that violates the Namespaces in XML specification.',
    rfc: '4.9.3.1',
    characterData: null,
  },
  'stream-bad-namespace-prefix': {
    kind: 'stream',
    condition: 'bad-namespace-prefix',
    title: 'Stream: Bad Namespace Prefix',
    description:
      'The entity has sent a stream namespace prefix that is unsupported, or has sent no namespace prefix on the stream element itself.',
    rfc: '4.9.3.2',
    characterData: null,
  },
  'stream-conflict': {
    kind: 'stream',
    condition: 'conflict',
    title: 'Stream: Conflict',
    description:
      'The server is closing the active stream for this entity because a new stream has been initiated that conflicts with it, such as a resource conflict during resource binding.',
    rfc: '4.9.3.3',
    characterData: null,
  },
  'stream-connection-timeout': {
    kind: 'stream',
    condition: 'connection-timeout',
    title: 'Stream: Connection Timeout',
    description:
      'The entity has not generated any traffic over the stream for a period of time that is longer than the server has been configured to allow.',
    rfc: '4.9.3.4',
    characterData: null,
  },
  'stream-host-gone': {
    kind: 'stream',
    condition: 'host-gone',
    title: 'Stream: Host Gone',
    description:
      "The value of the 'to' attribute provided in the initial stream header corresponds to a hostname that is no longer hosted by the server.",
    rfc: '4.9.3.5',
    characterData: null,
  },
  'stream-host-unknown': {
    kind: 'stream',
    condition: 'host-unknown',
    title: 'Stream: Host Unknown',
    description:
      "The value of the 'to' attribute provided in the initial stream header does not correspond to a hostname that is hosted by the server.",
    rfc: '4.9.3.6',
    characterData: null,
  },
  'stream-improper-addressing': {
    kind: 'stream',
    condition: 'improper-addressing',
    title: 'Stream: Improper Addressing',
    description:
      "A stanza sent between two servers lacks a 'to' or 'from' attribute, or the attribute values are invalid with respect to the stream addresses.",
    rfc: '4.9.3.7',
    characterData: null,
  },
  'stream-internal-server-error': {
    kind: 'stream',
    condition: 'internal-server-error',
    title: 'Stream: Internal Server Error',
    description:
      'The server has experienced a misconfiguration or other internal error that prevents it from servicing the stream.',
    rfc: '4.9.3.8',
    characterData: null,
  },
  'stream-invalid-from': {
    kind: 'stream',
    condition: 'invalid-from',
    title: 'Stream: Invalid From',
    description:
      "The 'from' attribute of a stanza sent by a client does not match the bare JID or full JID authenticated for the stream, indicating a spoofed sender address.",
    rfc: '4.9.3.9',
    characterData: null,
  },
  'stream-invalid-namespace': {
    kind: 'stream',
    condition: 'invalid-namespace',
    title: 'Stream: Invalid Namespace',
    description:
      "The stream namespace attribute is something other than 'jabber:client' or 'jabber:server', or the content namespace is incorrect or absent.",
    rfc: '4.9.3.10',
    characterData: null,
  },
  'stream-invalid-xml': {
    kind: 'stream',
    condition: 'invalid-xml',
    title: 'Stream: Invalid XML',
    description:
      'The entity has sent invalid XML, meaning XML that is not well-formed or that does not meet the XML constraints defined in RFC 6120.',
    rfc: '4.9.3.11',
    characterData: null,
  },
  'stream-not-authorized': {
    kind: 'stream',
    condition: 'not-authorized',
    title: 'Stream: Not Authorized',
    description:
      'The entity has attempted to send XML stanzas or other data before the stream has been authenticated, or otherwise is not permitted to send such data at this stage of the stream negotiation.',
    rfc: '4.9.3.12',
    characterData: null,
  },
  'stream-not-well-formed': {
    kind: 'stream',
    condition: 'not-well-formed',
    title: 'Stream: Not Well Formed',
    description:
      'The entity has sent XML that is not well-formed as defined in the XML specification.',
    rfc: '4.9.3.13',
    characterData: null,
  },
  'stream-policy-violation': {
    kind: 'stream',
    condition: 'policy-violation',
    title: 'Stream: Policy Violation',
    description:
      'The entity has violated some local service policy and the server cannot offer more specific information; the server may include a descriptive text element to indicate what policy has been violated.',
    rfc: '4.9.3.14',
    characterData: null,
  },
  'stream-remote-connection-failed': {
    kind: 'stream',
    condition: 'remote-connection-failed',
    title: 'Stream: Remote Connection Failed',
    description:
      'The server is unable to properly connect to a remote entity that is needed for processing.',
    rfc: '4.9.3.15',
    characterData: null,
  },
  'stream-reset': {
    kind: 'stream',
    condition: 'reset',
    title: 'Stream: Reset',
    description:
      'The server is closing the stream and expecting the initiating entity to initiate a new stream; typically used after TLS negotiation or SASL authentication to restart stream negotiation.',
    rfc: '4.9.3.16',
    characterData: null,
  },
  'stream-resource-constraint': {
    kind: 'stream',
    condition: 'resource-constraint',
    title: 'Stream: Resource Constraint',
    description:
      'The server lacks the system resources necessary to service the stream; the server should indicate this by including a <resource-constraint/> child element.',
    rfc: '4.9.3.17',
    characterData: null,
  },
  'stream-restricted-xml': {
    kind: 'stream',
    condition: 'restricted-xml',
    title: 'Stream: Restricted XML',
    description:
      'The entity has attempted to send restricted XML features such as a DTD, an entity reference, or a processing instruction.',
    rfc: '4.9.3.18',
    characterData: null,
  },
  'stream-see-other-host': {
    kind: 'stream',
    condition: 'see-other-host',
    title: 'Stream: See Other Host',
    description:
      'The server will not provide service to the initiating entity but is redirecting traffic to another host, typically to implement load balancing.',
    rfc: '4.9.3.19',
    characterData: 'host[:port]',
  },
  'stream-system-shutdown': {
    kind: 'stream',
    condition: 'system-shutdown',
    title: 'Stream: System Shutdown',
    description: 'The server is being shut down and all active streams are being closed.',
    rfc: '4.9.3.20',
    characterData: null,
  },
  'stream-undefined-condition': {
    kind: 'stream',
    condition: 'undefined-condition',
    title: 'Stream: Undefined Condition',
    description:
      'The error condition is not one of those defined by the other stream error conditions; any stream error not otherwise covered should use this condition.',
    rfc: '4.9.3.21',
    characterData: null,
  },
  'stream-unsupported-encoding': {
    kind: 'stream',
    condition: 'unsupported-encoding',
    title: 'Stream: Unsupported Encoding',
    description:
      'The initiating entity has encoded the stream in an encoding that is not UTF-8, which is the only encoding XMPP supports.',
    rfc: '4.9.3.22',
    characterData: null,
  },
  'stream-unsupported-feature': {
    kind: 'stream',
    condition: 'unsupported-feature',
    title: 'Stream: Unsupported Feature',
    description:
      'The receiving entity has advertised a mandatory-to-negotiate stream feature that the initiating entity does not support, making it impossible to continue stream negotiation.',
    rfc: '4.9.3.23',
    characterData: null,
  },
  'stream-unsupported-stanza-type': {
    kind: 'stream',
    condition: 'unsupported-stanza-type',
    title: 'Stream: Unsupported Stanza Type',
    description:
      'The initiating entity has sent a first-level child of the stream that is not a message, IQ, or presence stanza, and the server does not support the element as a first-level element.',
    rfc: '4.9.3.24',
    characterData: null,
  },
  'stream-unsupported-version': {
    kind: 'stream',
    condition: 'unsupported-version',
    title: 'Stream: Unsupported Version',
    description:
      "The 'version' attribute provided by the initiating entity in the stream header specifies a version of XMPP that is not supported by the server.",
    rfc: '4.9.3.25',
    characterData: null,
  },
} as const satisfies Record<string, StanzaRow | StreamRow>
