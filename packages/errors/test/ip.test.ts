import { isIP } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isIPv4, isIPv6 } from '../src/ip.js'

// The package's own address forms replace node:net's isIP (a browser bundle has no node:net):
// both must agree on every string, valid or nearly so.

const hextet = fc.stringMatching(/^[0-9a-fA-F]{1,5}$/)
const octet = fc.oneof(fc.nat(300).map(String), fc.stringMatching(/^0\d{1,2}$/))
const ipv4 = fc.array(octet, { minLength: 3, maxLength: 5 }).map((o) => o.join('.'))
const zone = fc.option(fc.stringMatching(/^%[0-9a-zA-Z.:%-]{0,4}$/), { nil: '' })
const ipv6 = fc
  .tuple(
    fc.array(hextet, { maxLength: 9 }),
    fc.constantFrom('', '::', ':', ':::'),
    fc.array(hextet, { maxLength: 9 }),
    fc.option(ipv4, { nil: undefined }),
    zone,
  )
  .map(([head, gap, tail, v4, z]) => {
    const right = [...tail, ...(v4 === undefined ? [] : [v4])].join(':')
    return `${head.join(':')}${gap}${right}${z}`
  })
const nearly = fc.oneof(
  ipv4,
  ipv6,
  fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF:.%xz-') }),
)

describe('isIPv4 and isIPv6', () => {
  it('agree with node:net isIP', () => {
    fc.assert(
      fc.property(nearly, (value) => {
        expect([isIPv4(value), isIPv6(value)]).toEqual([isIP(value) === 4, isIP(value) === 6])
      }),
      { numRuns: 20_000 },
    )
  })

  it.each([
    ['127.0.0.1', 4],
    ['01.2.3.4', 0],
    ['256.1.1.1', 0],
    ['::', 6],
    ['::1', 6],
    ['fe80::1%eth0', 6],
    ['::ffff:192.0.2.1', 6],
    ['1:2:3:4:5:6:7::', 6],
    ['1::2:3:4:5:6:7:8', 0],
    ['1:2:3:4:5:6:7:1.2.3.4', 0],
    ['1::2::3', 0],
  ])('%s is %i', (value, version) => {
    expect(isIP(value)).toBe(version)
    expect([isIPv4(value), isIPv6(value)]).toEqual([version === 4, version === 6])
  })
})
