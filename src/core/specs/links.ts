/**
 * Legacy container links (`docker run --link name:alias`).
 *
 * @module
 */
import { invalidSpec } from './invalid.js';

/** A parsed link: the linked container and the alias it is known by inside the new one. */
export interface LinkSpec {
  /** Linked container's name or ID, without Docker's leading slash. */
  name: string;
  /** Host name the linked container gets inside this one. */
  alias: string;
}

/**
 * Parses `web4:web4`, `web4` (the alias is the name) or the inspect form `/web4:/web5/alias`
 * (the alias is the last path element), as moby's `ParseLink`.
 *
 * @throws InvalidArgumentError: `empty string specified for links`, `bad format for links: a:b:c`.
 */
export function parseLink(spec: string, path?: string): LinkSpec {
  if (spec === '') throw invalidSpec('empty string specified for links', path, spec);
  const arr = spec.split(':');
  if (arr.length > 2) throw invalidSpec(`bad format for links: ${spec}`, path, spec);
  const strip = (s: string): string => (s.startsWith('/') ? s.slice(1) : s);
  if (arr.length === 1) return { name: strip(spec), alias: strip(spec) };
  const [name = '', alias = ''] = arr;
  if (name.startsWith('/')) {
    // Inspect output writes links as `/web4:/web5/web4`: the alias is the last element.
    return { name: name.slice(1), alias: alias.slice(alias.lastIndexOf('/') + 1) };
  }
  return { name, alias };
}

/** Formats a link as the `name:alias` string API.md's `ContainerInfo.links` uses. */
export function formatLink(link: LinkSpec): string {
  return `${link.name}:${link.alias}`;
}
