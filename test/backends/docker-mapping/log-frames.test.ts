import { describe, expect, it } from 'vitest';
import { FrameParser, LogLineAssembler, splitTimestamp } from '../../../src/backends/docker/containers/log-frames.js';
import { unixSeconds } from '../../../src/backends/docker/containers/logs.js';
import type { LogLine } from '../../../src/core/schemas/index.js';
import { recordedBytes } from './fixtures.js';

function frame(type: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

function linesOf(bytes: Buffer, chunkSize: number): LogLine[] {
  const parser = new FrameParser();
  const asm = new LogLineAssembler(() => new Date(0));
  const out: LogLine[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) {
    for (const f of parser.push(bytes.subarray(i, i + chunkSize))) out.push(...asm.push(f));
  }
  out.push(...asm.end());
  return out;
}

describe('log frames (recorded: a 32 KiB line, a stderr line, a last line without newline)', () => {
  const bytes = recordedBytes('logs-partial-frames.bin');

  for (const chunkSize of [1, 7, 4096, bytes.length]) {
    it(`joins the engine's 16 KiB partial frames, whatever the chunking (${chunkSize})`, () => {
      const lines = linesOf(bytes, chunkSize);
      expect(lines.map((l) => [l.stream, l.text.length])).toEqual([['stdout', 32768], ['stderr', 3], ['stdout', 4]]);
      expect(lines[0]!.text).toBe('x'.repeat(32768));
      expect(lines[0]!.time.toISOString()).toBe('2026-11-28T03:29:57.535Z');
      expect(lines[1]).toMatchObject({ stream: 'stderr', text: 'err' });
      expect(lines[2]).toMatchObject({ stream: 'stdout', text: 'last' });
      expect(lines[2]!.time.toISOString()).toBe('2026-11-28T03:29:57.565Z');
    });
  }

  it('keeps partial lines of stdout and stderr apart when they interleave', () => {
    const bytes = Buffer.concat([
      frame(1, '2024-01-01T00:00:00.100000000Z out-a'),
      frame(2, '2024-01-01T00:00:00.200000000Z err-line\n'),
      frame(1, '2024-01-01T00:00:00.300000000Z out-b\n'),
    ]);
    expect(linesOf(bytes, 5).map((l) => [l.stream, l.text, l.time.getUTCMilliseconds()])).toEqual([
      ['stderr', 'err-line', 200],
      ['stdout', 'out-aout-b', 100],
    ]);
  });

  it('drops stdin and system frames, and strips a CR before the newline', () => {
    const bytes = Buffer.concat([frame(0, 'x\n'), frame(3, 'system'), frame(1, '2024-01-01T00:00:00Z crlf\r\n')]);
    expect(linesOf(bytes, 3).map((l) => l.text)).toEqual(['crlf']);
  });

  it('reads raw TTY output line by line', () => {
    const asm = new LogLineAssembler(() => new Date(0));
    const out = [
      ...asm.pushRaw(Buffer.from('2024-01-01T00:00:01.5Z one\r\n2024-01-01T00:00:02Z tw')),
      ...asm.pushRaw(Buffer.from('o\r\n2024-01-01T00:00:03Z three')),
      ...asm.end(),
    ];
    expect(out.map((l) => [l.stream, l.text, l.time.toISOString()])).toEqual([
      ['stdout', 'one', '2024-01-01T00:00:01.500Z'],
      ['stdout', 'two', '2024-01-01T00:00:02.000Z'],
      ['stdout', 'three', '2024-01-01T00:00:03.000Z'],
    ]);
  });

  it('splits timestamps with offsets and leaves text without one alone', () => {
    expect(splitTimestamp(Buffer.from('2024-01-01T01:00:00.123456789+01:00 hi')).time?.toISOString()).toBe('2024-01-01T00:00:00.123Z');
    const plain = splitTimestamp(Buffer.from('no time here'));
    expect(plain.time).toBeUndefined();
    expect(plain.body.toString()).toBe('no time here');
  });

  it('keeps a UTF-8 character that a partial frame boundary cuts in two', () => {
    const euro = Buffer.from('€'); // three bytes
    const frameOf = (ts: string, bytes: Buffer): Buffer => {
      const payload = Buffer.concat([Buffer.from(`${ts} `), bytes]);
      const header = Buffer.alloc(8);
      header[0] = 1;
      header.writeUInt32BE(payload.length, 4);
      return Buffer.concat([header, payload]);
    };
    const bytes = Buffer.concat([
      frameOf('2024-01-01T00:00:00Z', Buffer.concat([Buffer.from('price '), euro.subarray(0, 1)])),
      frameOf('2024-01-01T00:00:00Z', Buffer.concat([euro.subarray(1), Buffer.from('5\n')])),
    ]);
    expect(linesOf(bytes, 4).map((l) => l.text)).toEqual(['price €5']);
  });

  it('formats since/until as Unix seconds with a fraction', () => {
    expect(unixSeconds(new Date(1_700_000_000_045))).toBe('1700000000.045000000');
    expect(unixSeconds(undefined)).toBeUndefined();
  });
});
