import { InvalidArgumentError } from '../../src/core/errors.js';
import { describe, expect, it } from 'vitest';
import { messageOf } from './helpers.js';
import { envToRecord, normalizeEnv, normalizeLabels } from '../../src/core/specs/env.js';
import { formatLink, parseLink } from '../../src/core/specs/links.js';

describe('parseLink', () => {
  it('parses name:alias, a bare name and the inspect form', () => {
    expect(parseLink('web4:web4')).toEqual({ name: 'web4', alias: 'web4' });
    expect(parseLink('web4:db')).toEqual({ name: 'web4', alias: 'db' });
    expect(parseLink('web4')).toEqual({ name: 'web4', alias: 'web4' });
    expect(parseLink('/web4:/web5/alias')).toEqual({ name: 'web4', alias: 'alias' });
    expect(formatLink(parseLink('web4'))).toBe('web4:web4');
  });

  it("rejects with Docker's messages", () => {
    expect(messageOf(() => parseLink(''))).toBe('empty string specified for links');
    expect(messageOf(() => parseLink('a:b:c'))).toBe('bad format for links: a:b:c');
  });
});

describe('normalizeEnv', () => {
  it('turns a record or K=V strings into K=V strings', () => {
    expect(normalizeEnv({ A: '1', B: 'x=y' })).toEqual(['A=1', 'B=x=y']);
    expect(normalizeEnv(['A=1', 'EMPTY=', 'BARE'])).toEqual(['A=1', 'EMPTY=', 'BARE']);
    expect(normalizeEnv(undefined)).toEqual([]);
  });

  it('rejects an empty name', () => {
    expect(messageOf(() => normalizeEnv(['=x']))).toBe('invalid environment variable: =x');
    expect(messageOf(() => normalizeEnv({ '': 'x' }))).toBe('invalid environment variable: =x');
    try {
      normalizeEnv(['A=1', '=2']);
      expect.unreachable();
    } catch (e) {
      expect((e as InvalidArgumentError).details.path).toBe('env[1]');
    }
  });

  it('reads K=V strings back into a record, later entries winning', () => {
    expect(envToRecord(['A=1', 'B=2=3', 'A=4', 'C'])).toEqual({ A: '4', B: '2=3', C: '' });
  });
});

describe('normalizeLabels', () => {
  it('accepts a record or k=v strings', () => {
    expect(normalizeLabels({ a: 'b' })).toEqual({ a: 'b' });
    expect(normalizeLabels(['com.example=1', 'flag', 'x=a=b'])).toEqual({ 'com.example': '1', flag: '', x: 'a=b' });
  });

  it('rejects an empty name', () => {
    expect(messageOf(() => normalizeLabels(['=v']))).toBe("invalid label '=v': empty name");
    expect(messageOf(() => normalizeLabels({ ' ': 'v' }))).toBe("invalid label ' =v': empty name");
  });
});
