import { describe, expect, it } from 'vitest';
import { isPublicAddress, parseIp } from './address.js';

describe('webhook target addresses (issue 15 item 3)', () => {
  it('parses IPv4, IPv6 with :: and with a dotted tail, and refuses junk', () => {
    expect(parseIp('1.2.3.4')).toEqual({ v: 4, n: 0x01020304 });
    expect(parseIp('::1')).toEqual({ v: 6, n: 1n });
    expect(parseIp('[::ffff:127.0.0.1]')).toEqual({ v: 6, n: 0xffff7f000001n });
    expect(parseIp('::ffff:7f00:1')).toEqual({ v: 6, n: 0xffff7f000001n });
    expect(parseIp('2001:db8::8:800:200c:417a')?.v).toBe(6);
    for (const bad of [
      '1.2.3',
      '01.2.3.4',
      '256.1.1.1',
      '1::2::3',
      'fe80::1%eth0',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
      'x',
    ])
      expect(parseIp(bad), bad).toBeUndefined();
  });
  it('refuses loopback, private, link-local, unique-local, CGNAT, multicast, unspecified and mapped forms', () => {
    for (const ip of [
      '127.0.0.1',
      '127.255.255.254',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.255',
      '0.0.0.0',
      '224.0.0.1',
      '239.255.255.250',
      '255.255.255.255',
      '198.18.0.1',
      '192.0.2.10',
      '::',
      '::1',
      '[::1]',
      'fc00::1',
      'fd12:3456::1',
      'fe80::1',
      'febf::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:10.0.0.1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::7f00:1',
      '::127.0.0.1',
      '2001:db8::1',
      '2002:7f00:1::1',
      'not an ip',
    ])
      expect(isPublicAddress(ip), ip).toBe(false);
  });
  it('accepts public unicast, also IPv4-mapped public addresses', () => {
    for (const ip of [
      '93.184.216.34',
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:2800:220:1::1',
      '2a00:1450::1',
      '::ffff:8.8.8.8',
    ])
      expect(isPublicAddress(ip), ip).toBe(true);
  });
});
