/**
 * Incremental splitter for a stream of JSON objects, newline-separated or concatenated.
 *
 * The engine writes progress as `{...}\r\n{...}` but older engines and proxies may join
 * objects with no separator or split one across chunks anywhere, even inside a string or a
 * multi-byte character. We track nesting and string state instead of splitting on newlines.
 *
 * @module
 */
import { StringDecoder } from 'node:string_decoder';
import { EngineError } from '../../../core/errors.js';

/** Splits text into complete top-level JSON object texts as chunks arrive. */
export class JsonObjectSplitter {
  #decoder = new StringDecoder('utf8');
  #buffer = '';
  #scan = 0;
  #depth = 0;
  #inString = false;
  #escape = false;
  #maxObjectSize: number;

  /** @param maxObjectSize - longest object accepted, in characters, so a broken stream cannot exhaust memory. */
  constructor(maxObjectSize = 16 * 1024 * 1024) {
    this.#maxObjectSize = maxObjectSize;
  }

  /** Feeds a chunk; returns the parsed objects completed by it, in order. */
  push(chunk: Buffer | string): unknown[] {
    this.#buffer += typeof chunk === 'string' ? chunk : this.#decoder.write(chunk);
    const out: unknown[] = [];
    let start = 0;
    const text = this.#buffer;
    for (let i = this.#scan; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.#depth === 0) {
        // Between objects only whitespace is allowed.
        if (c === 0x7b /* { */) {
          start = i;
          this.#depth = 1;
        } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          throw malformed(`unexpected ${JSON.stringify(text[i])} between messages`);
        } else {
          start = i + 1;
        }
        continue;
      }
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === 0x5c /* \ */) this.#escape = true;
        else if (c === 0x22 /* " */) this.#inString = false;
        continue;
      }
      if (c === 0x22) this.#inString = true;
      else if (c === 0x7b || c === 0x5b /* [ */) this.#depth++;
      else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
        this.#depth--;
        if (this.#depth === 0) {
          out.push(parse(text.slice(start, i + 1)));
          start = i + 1;
        }
      }
    }
    this.#buffer = text.slice(start);
    this.#scan = this.#buffer.length;
    if (this.#buffer.length > this.#maxObjectSize) throw malformed(`a message exceeds ${this.#maxObjectSize} characters`);
    return out;
  }

  /** Call at the end of input; throws when an object was cut off. */
  end(): void {
    this.#buffer += this.#decoder.end();
    if (this.#depth !== 0 || this.#buffer.trim() !== '') throw malformed('the stream ended inside a message');
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw malformed('a message is not valid JSON', cause);
  }
}

function malformed(what: string, cause?: unknown): EngineError {
  return new EngineError(`Malformed progress stream from Docker Engine: ${what}`, {
    details: { reason: 'malformed-stream' },
    ...(cause === undefined ? {} : { cause }),
  });
}
