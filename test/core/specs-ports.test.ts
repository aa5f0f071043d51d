import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/core/errors.js';
import {
  formatExposedPort, isIpAddress, parseExposedPort, parseExposedPorts, parsePortSpec, parsePortSpecs,
} from '../../src/core/specs/ports.js';

function errorOf(fn: () => unknown): InvalidArgumentError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError);
    return e as InvalidArgumentError;
  }
  throw new Error('expected an InvalidArgumentError');
}

describe('parsePortSpec', () => {
  it('parses the tutorial forms', () => {
    expect(parsePortSpec('43000:80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 43000 }]);
    expect(parsePortSpec('80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 0 }]);
    expect(parsePortSpec('127.0.0.1:8080:80/udp')).toEqual([
      { containerPort: 80, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 8080 },
    ]);
  });

  it('parses an address with no host port, IPv6 in brackets, and sctp', () => {
    expect(parsePortSpec('127.0.0.1::80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 0 }]);
    expect(parsePortSpec('[::1]:80:80')).toEqual([{ containerPort: 80, protocol: 'tcp', hostIp: '::1', hostPort: 80 }]);
    expect(parsePortSpec('::1:8080:80')[0]?.hostIp).toBe('::1');
    expect(parsePortSpec('5000/SCTP')[0]?.protocol).toBe('sctp');
    expect(parsePortSpec('80/')[0]?.protocol).toBe('tcp');
  });

  it('expands matching ranges and keeps a host range for one container port', () => {
    expect(parsePortSpec('8000-8001:80-81')).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8000 },
      { containerPort: 81, protocol: 'tcp', hostIp: '', hostPort: 8001 },
    ]);
    expect(parsePortSpec('80-82').map((b) => b.containerPort)).toEqual([80, 81, 82]);
    expect(parsePortSpec('8000-8010:80')).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8000, hostPortEnd: 8010 },
    ]);
  });

  it("rejects bad specs with go-connections' messages", () => {
    expect(errorOf(() => parsePortSpec('abc')).message).toBe('Invalid containerPort: abc');
    expect(errorOf(() => parsePortSpec('70000:80')).message).toBe('Invalid hostPort: 70000');
    expect(errorOf(() => parsePortSpec('80:70000')).message).toBe('Invalid containerPort: 70000');
    expect(errorOf(() => parsePortSpec('8000-8002:80-81')).message)
      .toBe('Invalid ranges specified for container and host Ports: 80-81 and 8000-8002');
    expect(errorOf(() => parsePortSpec('80/xyz')).message).toBe('Invalid proto: xyz');
    expect(errorOf(() => parsePortSpec('1.2.3:80:80')).message).toBe('Invalid ip address: 1.2.3');
    expect(errorOf(() => parsePortSpec('8080:')).message).toBe('No port specified: 8080:<empty>');
    expect(errorOf(() => parsePortSpec('81-80')).message).toBe('Invalid containerPort: 81-80');
  });

  it('refuses container port 0, which publishes a port that reaches nothing', () => {
    for (const spec of ['80:0', '0', '127.0.0.1::0/udp', '0-2']) {
      const e = errorOf(() => parsePortSpecs([spec], 'spec.ports'));
      expect(e).toBeInstanceOf(InvalidArgumentError);
      expect(e.details.path).toBe('spec.ports[0]');
    }
    expect(errorOf(() => parsePortSpec('80:0')).message).toBe('Invalid containerPort: 0');
    expect(errorOf(() => parsePortSpec({ containerPort: 0 }, 'ports[0]')).details.path).toBe('ports[0].containerPort');
  });

  it('names the field in details.path', () => {
    const e = errorOf(() => parsePortSpecs(['80', 'nope']));
    expect(e.details.path).toBe('ports[1]');
    expect(e.details.value).toBe('nope');
  });

  it('accepts and validates the object form', () => {
    expect(parsePortSpec({ containerPort: 80, hostPort: 8080 })).toEqual([
      { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    ]);
    expect(parsePortSpec({ containerPort: 53, protocol: 'udp', hostIp: '[::1]' })[0]?.hostIp).toBe('::1');
    const e = errorOf(() => parsePortSpec({ containerPort: 70000 }, 'ports[0]'));
    expect(e.message).toBe('Invalid containerPort: 70000');
    expect(e.details.path).toBe('ports[0].containerPort');
    expect(errorOf(() => parsePortSpec({ containerPort: 80, hostIp: 'x' })).message).toBe('Invalid ip address: x');
  });
});

describe('isIpAddress', () => {
  it('accepts what net.ParseIP accepts', () => {
    for (const ip of ['0.0.0.0', '127.0.0.1', '::', '::1', 'fe80::1', '2001:db8::8a2e:370:7334', '::ffff:10.0.0.1',
      '1:2:3:4:5:6:7:8']) {
      expect(isIpAddress(ip), ip).toBe(true);
    }
    for (const ip of ['1.2.3', '256.1.1.1', '01.1.1.1x', 'localhost', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '']) {
      expect(isIpAddress(ip), ip).toBe(false);
    }
  });
});

describe('exposed ports', () => {
  it('parses 80/tcp and 80 alike, and formats them back', () => {
    expect(parseExposedPort('80/tcp')).toEqual({ port: 80, protocol: 'tcp' });
    expect(parseExposedPort('80')).toEqual({ port: 80, protocol: 'tcp' });
    expect(formatExposedPort(parseExposedPort('53/udp'))).toBe('53/udp');
  });

  it('expands ranges only through parseExposedPorts', () => {
    expect(parseExposedPorts('8000-8001/udp').map(formatExposedPort)).toEqual(['8000/udp', '8001/udp']);
    expect(errorOf(() => parseExposedPort('8000-8001')).message).toBe('Invalid containerPort: 8000-8001');
    expect(errorOf(() => parseExposedPort('x/tcp')).message).toBe('Invalid containerPort: x');
  });
});
