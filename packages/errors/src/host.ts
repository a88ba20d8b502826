import { isIPv4, isIPv6 } from './ip.js'

// A DNS name (RFC 1123 labels, any script for IDNs); addresses are left to ip.ts, which knows
// IPv4 and IPv6 exactly, where a pattern of digits, dots and colons does not.
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?'
const DOMAIN = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`, 'u')
// Digits and dots only: meant as an IPv4 address, so it must be one ('999.999.999.999' is not).
const DOTTED_DIGITS = /^[\d.]+$/
const PORT = /^\d{1,5}$/

function isPort(value: string): boolean {
  const port = Number(value)
  return PORT.test(value) && port >= 1 && port <= 65535
}

/** The host and the text after it: `[ipv6]`, or what precedes the last colon. */
function splitHost(value: string): { host: string; ipv6: boolean; rest: string } | undefined {
  if (value.startsWith('[')) {
    const end = value.indexOf(']')
    if (end === -1) return undefined
    return { host: value.slice(1, end), ipv6: true, rest: value.slice(end + 1) }
  }
  const colon = value.indexOf(':')
  return colon === -1
    ? { host: value, ipv6: false, rest: '' }
    : { host: value.slice(0, colon), ipv6: false, rest: value.slice(colon) }
}

/**
 * Whether `value` is `domain[:port]`, `ipv4[:port]` or `[ipv6][:port]`: the forms RFC 6120
 * §4.9.3.19 gives for see-other-host.
 */
export function isSeeOtherHost(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 300) return false
  const parts = splitHost(value)
  if (parts === undefined) return false
  const { host, ipv6, rest } = parts
  if (rest !== '' && !(rest.startsWith(':') && isPort(rest.slice(1)))) return false
  if (ipv6) return isIPv6(host)
  if (DOTTED_DIGITS.test(host)) return isIPv4(host)
  return DOMAIN.test(host)
}
