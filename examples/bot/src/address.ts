// RFC 7622 in brief: a localpart may not hold " & ' / : < > @ or whitespace; each part is at most
// 1023 bytes. A domain is a hostname, an IPv4 address or a bracketed IPv6 address.
const FORBIDDEN_IN_LOCAL = /["&'/:<>@\s]/u
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u
const IPV6 = /^\[[0-9a-f:.]{2,45}\]$/i
const MAX_PART_BYTES = 1023

function bytes(value: string): number {
  return Buffer.byteLength(value, 'utf8')
}

export function isDomain(value: string): boolean {
  if (value.length === 0 || bytes(value) > 253) return false
  if (IPV6.test(value)) return value.includes(':')
  const labels = (value.endsWith('.') ? value.slice(0, -1) : value).split('.')
  return labels.every((label) => LABEL.test(label))
}

interface Parts {
  local: string | undefined
  domain: string
  resource: string | undefined
}

/**
 * RFC 7622 §3.1: the domainpart ends at the first `/`, and a localpart is what comes before the
 * first `@` ahead of it. No XEP-0106 unescaping or escaping: `v\5cw` and `v\w` are two accounts.
 */
function split(input: string): Parts {
  const slash = input.indexOf('/')
  const beforeResource = slash === -1 ? input : input.slice(0, slash)
  const at = beforeResource.indexOf('@')
  return {
    local: at === -1 ? undefined : beforeResource.slice(0, at),
    domain: beforeResource.slice(at + 1),
    resource: slash === -1 ? undefined : input.slice(slash + 1),
  }
}

/**
 * Prepares a typed part the way a server does before it routes or compares (RFC 7622 §3.2, §3.3):
 * full-width forms become their usual ones (NFKC) and letters lower case, so that `ＢＯＢ` is
 * `bob`; a domain loses its final dot (§3.2), so that `localhost.` is `localhost`.
 */
function prepare(part: string): string {
  return part.normalize('NFKC').toLowerCase().normalize('NFKC')
}

function prepareDomain(domain: string): string {
  const prepared = prepare(domain)
  return prepared.endsWith('.') ? prepared.slice(0, -1) : prepared
}

/** Why `input` is not an XMPP address, or `undefined` when it is one. */
export function addressProblem(input: string): string | undefined {
  if (input.trim() !== input || input.length === 0) return 'it is empty or has spaces around it'
  const parts = split(input)
  if (parts.domain === '') return 'it has no domain'
  if (parts.local === '') return 'the part before @ is empty'
  // Checked once prepared: a full-width ＠ becomes an @, which a local part may not hold.
  const local = parts.local === undefined ? '' : prepare(parts.local)
  if (FORBIDDEN_IN_LOCAL.test(local)) return `"${parts.local}" is not a valid local part`
  if (bytes(local) > MAX_PART_BYTES) return 'the local part is too long'
  const domain = prepare(parts.domain)
  if (!isDomain(domain)) return `"${parts.domain}" is not a valid domain`
  if (parts.resource === '') return 'the part after / is empty'
  if (parts.resource !== undefined && bytes(parts.resource) > MAX_PART_BYTES) {
    return 'the resource is too long'
  }
  return undefined
}

/**
 * The bare form (`local@domain`) of a valid address, prepared as a server prepares the addresses
 * it delivers, so that it compares equal to the `from` of that account's stanzas; or `undefined`.
 */
export function bareAddress(input: string): string | undefined {
  if (addressProblem(input) !== undefined) return undefined
  const { local, domain } = split(input)
  const bare = prepareDomain(domain)
  return local === undefined ? bare : `${prepare(local)}@${bare}`
}

/**
 * The bare JID of an address a server wrote (a stanza's `from`), exactly as written: the server
 * has prepared it already, and preparing it again here (XEP-0106 escaping, say) could make two
 * accounts one.
 */
export function bareOf(delivered: string): string {
  const slash = delivered.indexOf('/')
  return slash === -1 ? delivered : delivered.slice(0, slash)
}
