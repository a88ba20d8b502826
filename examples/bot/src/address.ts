import { jid } from '@xmpp/jid'

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

/** Why `input` is not an XMPP address, or `undefined` when it is one. */
export function addressProblem(input: string): string | undefined {
  if (input.trim() !== input || input.length === 0) return 'it is empty or has spaces around it'
  let parsed: ReturnType<typeof jid>
  try {
    parsed = jid(input)
  } catch {
    return 'it has no domain'
  }
  // @xmpp/jid escapes a local part it finds characters in (XEP-0106), so check it as typed.
  const slash = input.indexOf('/')
  const beforeResource = slash === -1 ? input : input.slice(0, slash)
  const at = beforeResource.indexOf('@')
  const local = at === -1 ? '' : beforeResource.slice(0, at)
  if (at !== -1 && local === '') return 'the part before @ is empty'
  if (FORBIDDEN_IN_LOCAL.test(local)) return `"${local}" is not a valid local part`
  if (bytes(local) > MAX_PART_BYTES) return 'the local part is too long'
  if (!isDomain(parsed.domain)) return `"${parsed.domain}" is not a valid domain`
  if (slash !== -1 && parsed.resource === '') return 'the part after / is empty'
  if (bytes(parsed.resource) > MAX_PART_BYTES) return 'the resource is too long'
  return undefined
}

/** The bare form (`local@domain`, lower-cased) of a valid address, or `undefined`. */
export function bareAddress(input: string): string | undefined {
  if (addressProblem(input) !== undefined) return undefined
  return jid(input).bare().toString()
}
