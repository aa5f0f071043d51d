import { describe, expect, it } from 'vitest';
import { parseInetAton, parseNumericHost } from '../../../src/backends/emulator/network/numeric-host.js';

describe('numeric hosts, as glibc reads them', () => {
  it.each([
    ['127.0.0.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f000001', '127.0.0.1'],
    ['0X7F000001', '127.0.0.1'],
    ['0177.0.0.1', '127.0.0.1'],
    ['127.1', '127.0.0.1'],
    ['127.0.1', '127.0.0.1'],
    ['172.17.1', '172.17.0.1'],
    ['0', '0.0.0.0'],
    ['127.0.0.1 ', '127.0.0.1'],
    ['::ffff:172.17.0.1', '172.17.0.1'],
    ['::FFFF:7f00:1', '127.0.0.1'],
    ['[::ffff:127.0.0.1]', '127.0.0.1'],
    ['0:0:0:0:0:ffff:a00:1', '10.0.0.1'],
  ])('%s is the IPv4 address %s', (text, address) => {
    expect(parseNumericHost(text)).toEqual({ family: 4, address });
  });

  it.each(['::1', '2001:db8::1', 'fe80::1', '::'])('%s is IPv6', (text) => {
    expect(parseNumericHost(text)).toEqual({ family: 6, address: text });
  });

  it.each(['localhost', 'web', '1.2.3.256', '256.1', '08', '1.2.3.4.5', '127.0.0.1.', '', '0x1g', '4294967296', '::ffff:1.2.3.4.5'])(
    '%j is a name, not a number',
    (text) => {
      expect(parseNumericHost(text)).toBeUndefined();
    },
  );

  it('fills the bytes left with the last part, as inet_aton does', () => {
    expect(parseInetAton('1.65535')).toBe(0x0100ffff);
    expect(parseInetAton('1.16777215')).toBe(0x01ffffff);
    expect(parseInetAton('1.16777216')).toBeUndefined();
    expect(parseInetAton('1.2.65536')).toBeUndefined();
    expect(parseInetAton('4294967295')).toBe(0xffffffff);
  });
});
