// IP address forms, written out so that the package needs no Node.js built-in (node:net's isIP)
// and bundles for a browser as it is. They accept what isIP accepts: the tests compare the two.

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]\\d|\\d)'
const IPV4 = new RegExp(`^${OCTET}(?:\\.${OCTET}){3}$`)
const HEXTET = /^[0-9a-fA-F]{1,4}$/
// RFC 4007 §11: a zone after the address, as node:net takes it.
const ZONE = /%[0-9a-zA-Z.:-]+$/

/** Dotted-decimal IPv4, four octets, no leading zeros. */
export function isIPv4(value: string): boolean {
  return IPV4.test(value)
}

/** Hextets of one side of `::` (or of the whole address), with a dotted IPv4 tail counted as two. */
function hextets(side: string, tailMayBeIPv4: boolean): number | undefined {
  if (side === '') return 0
  const groups = side.split(':')
  let count = 0
  for (let i = 0; i < groups.length; i++) {
    const group = groups[i] as string
    if (HEXTET.test(group)) count += 1
    else if (tailMayBeIPv4 && i === groups.length - 1 && isIPv4(group)) count += 2
    else return undefined
  }
  return count
}

/** RFC 4291 §2.2 text forms: eight hextets, one `::` for a run of zeros, an IPv4 tail. */
export function isIPv6(value: string): boolean {
  const address = value.replace(ZONE, '')
  if (address.length > 45) return false
  const gap = address.indexOf('::')
  if (gap === -1) return hextets(address, true) === 8
  if (address.indexOf('::', gap + 1) !== -1) return false
  const head = hextets(address.slice(0, gap), false)
  const tail = hextets(address.slice(gap + 2), true)
  return head !== undefined && tail !== undefined && head + tail <= 7
}
