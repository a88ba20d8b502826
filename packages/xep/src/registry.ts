import type { ErrorType, StanzaCondition } from '@xmpp-errors/conditions'

/**
 * The application-specific error conditions of the XEPs below (RFC 6120 §8.3.4), one row per
 * condition, each with the general conditions and types its XEP pairs it with. The first pair
 * is the default; a row lists more only where the XEP itself uses the condition with another
 * general condition in another situation. Every section cited is the XEP's own. Every other
 * export of this package is derived from this table: adding a condition means adding one row.
 */

export interface Pair {
  readonly condition: StanzaCondition
  readonly type: ErrorType
  /** The section of the XEP that gives this pair, e.g. '6.2.3.2'. */
  readonly section: string
}

export interface OptionRow {
  /** Where the value goes: an attribute of the condition element, or a child element of it. */
  readonly in: 'attribute' | 'child'
  /** The XML name of that attribute or child. */
  readonly name: string
  /** `token`: a string; `integer`: a non-negative integer; `date-time`: XEP-0082, in UTC. */
  readonly value: 'token' | 'integer' | 'date-time'
  /** The only values the XEP's schema allows, where it enumerates them. */
  readonly values?: readonly string[]
  readonly required: boolean
  readonly description: string
}

export interface ConditionRow {
  readonly description: string
  readonly pairs: readonly [Pair, ...Pair[]]
  readonly options?: Readonly<Record<string, OptionRow>>
  /** Where the XEP leaves something open, what was chosen and why. */
  readonly note?: string
}

export interface XepRow {
  readonly xep: string
  readonly title: string
  readonly namespace: string
  readonly url: string
  readonly conditions: Readonly<Record<string, ConditionRow>>
}

/** The `feature` values of `<unsupported/>`: the enumeration in XEP-0060 §18.2. */
const pubsubFeatures = [
  'access-authorize',
  'access-open',
  'access-presence',
  'access-roster',
  'access-whitelist',
  'auto-create',
  'auto-subscribe',
  'collections',
  'config-node',
  'create-and-configure',
  'create-nodes',
  'delete-items',
  'delete-nodes',
  'filtered-notifications',
  'get-pending',
  'instant-nodes',
  'item-ids',
  'last-published',
  'leased-subscription',
  'manage-subscriptions',
  'member-affiliation',
  'meta-data',
  'modify-affiliations',
  'multi-collection',
  'multi-items',
  'multi-subscribe',
  'outcast-affiliation',
  'persistent-items',
  'presence-notifications',
  'presence-subscribe',
  'publish',
  'publish-options',
  'publish-only-affiliation',
  'publisher-affiliation',
  'purge-nodes',
  'retract-items',
  'retrieve-affiliations',
  'retrieve-default',
  'retrieve-default-sub',
  'retrieve-items',
  'retrieve-subscriptions',
  'subscribe',
  'subscription-options',
  'subscription-notifications',
] as const

export const xeps = {
  pubsub: {
    xep: 'XEP-0060',
    title: 'Publish-Subscribe',
    namespace: 'http://jabber.org/protocol/pubsub#errors',
    url: 'https://xmpp.org/extensions/xep-0060.html',
    conditions: {
      'closed-node': {
        description: 'The node has a whitelist access model and the requester is not on it.',
        pairs: [
          { condition: 'not-allowed', type: 'cancel', section: '6.1.3.4' },
          // §6.5.9.8 gives the same pair for item retrieval.
        ],
      },
      'configuration-required': {
        description: 'The subscription must be configured before it becomes active.',
        pairs: [{ condition: 'not-acceptable', type: 'modify', section: '6.1.5' }],
      },
      'invalid-jid': {
        description: 'The JID to subscribe does not match the bare JID of the requester.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '6.1.3.1' }],
      },
      'invalid-options': {
        description: 'The submitted subscription options form is not valid.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '6.3.6.2' }],
      },
      'invalid-payload': {
        description: 'The item payload does not match the namespace or format of the node.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '7.1.3.6' }],
      },
      'invalid-subid': {
        description: 'The subscription ID is not valid or not current.',
        pairs: [{ condition: 'not-acceptable', type: 'modify', section: '6.2.3.5' }],
      },
      'item-forbidden': {
        description:
          'The node is transient with notify-only events and the publish carried an item.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '7.1.3.7' }],
      },
      'item-required': {
        description: 'The request must carry an item (or an item ID) and carries none.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '7.1.3.7' }],
      },
      'jid-required': {
        description: 'The request must name a subscriber JID and names none.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '6.3.4.3' }],
      },
      'max-items-exceeded': {
        description: 'A batch publish would exceed the maximum number of items of the node.',
        pairs: [{ condition: 'not-allowed', type: 'cancel', section: '13.11' }],
      },
      'max-nodes-exceeded': {
        description: 'The service or the requester has reached its maximum number of nodes.',
        pairs: [{ condition: 'not-allowed', type: 'cancel', section: '18.2' }],
        note: 'Only the schema (§18.2) defines it, with no general condition; not-allowed (cancel) as for max-items-exceeded (§13.11).',
      },
      'node-full': {
        description: 'The node holds its maximum number of items and rejects publishing more.',
        pairs: [{ condition: 'conflict', type: 'cancel', section: '7.1.3.4' }],
      },
      'nodeid-required': {
        description: 'The request must name a node and names none.',
        pairs: [
          { condition: 'bad-request', type: 'modify', section: '7.2.3.3' },
          { condition: 'not-acceptable', type: 'modify', section: '8.1.1' },
        ],
        note: 'not-acceptable (§8.1.1) when the service does not support instant nodes; bad-request otherwise.',
      },
      'not-in-roster-group': {
        description:
          'The node has a roster access model and the requester is not in an allowed roster group.',
        pairs: [{ condition: 'not-authorized', type: 'auth', section: '6.1.3.3' }],
      },
      'not-subscribed': {
        description: 'The requester is not subscribed to the node.',
        pairs: [
          { condition: 'unexpected-request', type: 'cancel', section: '6.2.3.2' },
          { condition: 'unexpected-request', type: 'modify', section: '6.3.4.2' },
          { condition: 'not-authorized', type: 'auth', section: '6.5.9.3' },
        ],
        note: 'unsubscribe (§6.2.3.2) uses cancel, subscription options (§6.3.4.2) modify, item retrieval (§6.5.9.3) not-authorized.',
      },
      'payload-too-big': {
        description: 'The item payload is larger than the service allows.',
        pairs: [{ condition: 'not-acceptable', type: 'modify', section: '7.1.3.5' }],
      },
      'payload-required': {
        description: 'The node requires a payload and the item carries none.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '7.1.3.7' }],
      },
      'pending-subscription': {
        description: 'The subscription is still awaiting approval.',
        pairs: [{ condition: 'not-authorized', type: 'auth', section: '6.1.3.7' }],
      },
      'precondition-not-met': {
        description: 'A publish option does not match the configuration of the existing node.',
        pairs: [{ condition: 'conflict', type: 'cancel', section: '7.1.5' }],
        note: 'The XEP names conflict without a type; cancel is its only type in RFC 6120 §8.3.3.2.',
      },
      'presence-subscription-required': {
        description:
          'The node has a presence access model and the requester has no presence subscription to its owner.',
        pairs: [{ condition: 'not-authorized', type: 'auth', section: '6.1.3.2' }],
      },
      'subid-required': {
        description: 'The requester has several subscriptions and the request names none of them.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '6.2.3.1' }],
      },
      'too-many-subscriptions': {
        description: 'The requester has reached its limit of subscriptions.',
        pairs: [{ condition: 'policy-violation', type: 'wait', section: '6.1.3.9' }],
      },
      unsupported: {
        description: 'The service or node does not support the feature the request needs.',
        pairs: [{ condition: 'feature-not-implemented', type: 'cancel', section: '5.6' }],
        note: 'The same pair in every "not supported" case of §§5–8 (e.g. §7.1.3.2, §8.1.1).',
        options: {
          feature: {
            in: 'attribute',
            name: 'feature',
            value: 'token',
            values: pubsubFeatures,
            required: true,
            description: 'the feature that is not supported (§18.2)',
          },
        },
      },
      'unsupported-access-model': {
        description: 'The service does not support the requested access model.',
        pairs: [{ condition: 'not-acceptable', type: 'modify', section: '8.1.2' }],
      },
    },
  },
  commands: {
    xep: 'XEP-0050',
    title: 'Ad-Hoc Commands',
    namespace: 'http://jabber.org/protocol/commands',
    url: 'https://xmpp.org/extensions/xep-0050.html',
    conditions: {
      'bad-action': {
        description: 'The responder cannot accept the specified action.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '4.4' }],
      },
      'bad-locale': {
        description: 'The responder cannot accept the specified language or locale.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '4.4' }],
      },
      'bad-payload': {
        description:
          'The responder cannot accept the payload, e.g. a required form field is missing.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '4.4' }],
      },
      'bad-sessionid': {
        description: 'The responder cannot accept the specified session ID.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '4.4' }],
      },
      'malformed-action': {
        description: 'The responder does not understand the specified action.',
        pairs: [{ condition: 'bad-request', type: 'modify', section: '4.4' }],
      },
      'session-expired': {
        description: 'The session ID is no longer active: completed, canceled or timed out.',
        pairs: [{ condition: 'not-allowed', type: 'cancel', section: '4.4' }],
      },
    },
  },
  upload: {
    xep: 'XEP-0363',
    title: 'HTTP File Upload',
    namespace: 'urn:xmpp:http:upload:0',
    url: 'https://xmpp.org/extensions/xep-0363.html',
    conditions: {
      'file-too-large': {
        description: 'The requested file size is larger than the service accepts.',
        pairs: [{ condition: 'not-acceptable', type: 'modify', section: '6' }],
        options: {
          maxFileSize: {
            in: 'child',
            name: 'max-file-size',
            value: 'integer',
            required: false,
            description: 'the largest file size the service accepts, in bytes',
          },
        },
      },
      retry: {
        description: 'A temporary refusal, e.g. a quota; the requester may try again at `stamp`.',
        pairs: [{ condition: 'resource-constraint', type: 'wait', section: '6' }],
        options: {
          stamp: {
            in: 'attribute',
            name: 'stamp',
            value: 'date-time',
            required: true,
            description: 'when the requester may try again (XEP-0082 date-time, UTC)',
          },
        },
        note: '§6 asks only for a temporary error; resource-constraint (wait) is the pair of its example.',
      },
    },
  },
  jingle: {
    xep: 'XEP-0166',
    title: 'Jingle',
    namespace: 'urn:xmpp:jingle:errors:1',
    url: 'https://xmpp.org/extensions/xep-0166.html',
    conditions: {
      'out-of-order': {
        description: 'The request cannot occur at this point in the state machine.',
        pairs: [{ condition: 'unexpected-request', type: 'wait', section: '10' }],
        note: 'The XEP gives no type; wait is the default of unexpected-request in RFC 6120 §8.3.3.22.',
      },
      'security-required': {
        description:
          'The information must be sent over the encrypted data channel, not the signalling channel.',
        pairs: [{ condition: 'not-acceptable', type: 'cancel', section: '9' }],
      },
      'tie-break': {
        description:
          'The request was sent while the initiator was awaiting a reply on a similar request.',
        pairs: [{ condition: 'conflict', type: 'cancel', section: '7.2.16' }],
      },
      'unknown-session': {
        description: 'The session ID is unknown to the recipient, e.g. the session was terminated.',
        pairs: [{ condition: 'item-not-found', type: 'cancel', section: '6.7' }],
      },
      'unsupported-info': {
        description:
          'The recipient does not support the informational payload of a session-info action.',
        pairs: [{ condition: 'feature-not-implemented', type: 'modify', section: '6.8' }],
      },
    },
  },
  blocking: {
    xep: 'XEP-0191',
    title: 'Blocking Command',
    namespace: 'urn:xmpp:blocking:errors',
    url: 'https://xmpp.org/extensions/xep-0191.html',
    conditions: {
      blocked: {
        description: 'The user has blocked the JID the stanza is addressed to.',
        pairs: [{ condition: 'not-acceptable', type: 'cancel', section: '3.3' }],
      },
    },
  },
  xmppErrors: {
    xep: 'XEP-0205',
    title: 'Best Practices to Discourage Denial of Service Attacks',
    namespace: 'urn:xmpp:errors',
    url: 'https://xmpp.org/extensions/xep-0205.html',
    conditions: {
      'resource-limit-exceeded': {
        description: 'The account has bound as many resources as the server allows.',
        pairs: [{ condition: 'resource-constraint', type: 'cancel', section: '4.4' }],
      },
      'stanza-too-big': {
        description: 'The stanza is larger than the server accepts.',
        pairs: [{ condition: 'not-allowed', type: 'modify', section: '4.5' }],
        note: '§4.5 also allows the policy-violation stream error instead; this table covers stanza errors.',
      },
      'too-many-stanzas': {
        description: 'The sender sent too many stanzas to distinct recipients in a period of time.',
        pairs: [{ condition: 'unexpected-request', type: 'wait', section: '4.6' }],
      },
    },
  },
} as const satisfies Record<string, XepRow>
