// A DNS name (RFC 1123 labels, any script for IDNs), an IPv4 address, or a bracketed IPv6
// address, then an optional port: the forms RFC 6120 §4.9.3.19 gives for see-other-host.
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]{0,61}[\\p{L}\\p{N}])?'
const DOMAIN = `${LABEL}(?:\\.${LABEL})*\\.?`
const IPV6 = '\\[[0-9A-Fa-f:.]{2,45}\\]'
const HOST = new RegExp(`^(?:${DOMAIN}|${IPV6})(?::(\\d{1,5}))?$`, 'u')

/** Whether `value` is `domain[:port]`, `ipv4[:port]` or `[ipv6][:port]`. */
export function isSeeOtherHost(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 300) return false
  const match = HOST.exec(value)
  if (match === null) return false
  const port = match[1]
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']')).includes(':')
  return true
}
