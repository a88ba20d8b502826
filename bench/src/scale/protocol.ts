/** The request of the scale-out runs: `<query xmlns={NS_SCALE} fail?={Failure}/>` in an iq get. */
export const NS_SCALE = 'urn:xmpp-errors:scale'
/** Which error the component is to throw; absent, it answers with a result. */
export const FAIL_ATTRIBUTE = 'fail'
/** On a result: the name of the component process that answered. */
export const SERVED_BY_ATTRIBUTE = 'served-by'

/** The errors a request can ask for, and the condition each must come back as. */
export const failures = {
  'item-not-found': 'item-not-found',
  forbidden: 'forbidden',
  // A plain exception: errors() answers internal-server-error and hides its message.
  crash: 'internal-server-error',
} as const satisfies Record<string, string>

export type Failure = keyof typeof failures

/** The n-th request's failure: two of five answered, three of five errors of three kinds. */
export function failureOf(n: number): Failure | undefined {
  return ([undefined, 'item-not-found', undefined, 'forbidden', 'crash'] as const)[n % 5]
}
