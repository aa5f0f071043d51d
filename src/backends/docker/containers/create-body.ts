/**
 * The parsed create request -> `POST /containers/create`'s body (Config + HostConfig +
 * NetworkingConfig), as the `docker` CLI builds it for the same flags.
 *
 * @module
 */
import type { ContainerCreateRequest } from '../../../core/schemas/index.js';
import type { ParsedMount, PortBinding } from '../../../core/specs/index.js';

/** The JSON body of `POST /containers/create` (only the fields Stowage sets). */
export interface EngineCreateBody {
  /** Image reference. */
  Image: string;
  /** CMD override. */
  Cmd?: string[];
  /** ENTRYPOINT override. */
  Entrypoint?: string[];
  /** `K=V` entries. */
  Env: string[];
  /** Working directory. */
  WorkingDir?: string;
  /** User. */
  User?: string;
  /** Hostname. */
  Hostname?: string;
  /** Labels. */
  Labels: Record<string, string>;
  /** Pseudo-TTY. */
  Tty: boolean;
  /** Keep stdin open. */
  OpenStdin: boolean;
  /** Close stdin after the first attach detaches (never: attach may come and go). */
  StdinOnce: boolean;
  /** Attach flags the CLI sets for `docker create`. */
  AttachStdin: boolean;
  /** Attach stdout. */
  AttachStdout: boolean;
  /** Attach stderr. */
  AttachStderr: boolean;
  /** `{"80/tcp": {}}`. */
  ExposedPorts: Record<string, Record<string, never>>;
  /** Anonymous volumes: `{"/data": {}}`. */
  Volumes: Record<string, Record<string, never>>;
  /** Stop signal. */
  StopSignal?: string;
  /** Stop timeout, seconds. */
  StopTimeout?: number;
  /** Host-side settings. */
  HostConfig: {
    Binds: string[];
    Mounts: { Type: 'volume'; Target: string; ReadOnly: boolean; VolumeOptions?: { NoCopy: boolean } }[];
    VolumesFrom: string[];
    PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
    PublishAllPorts: boolean;
    Links: string[];
    NetworkMode?: string;
    AutoRemove: boolean;
    /** Process limit (0 or -1: none). */
    PidsLimit?: number;
  };
  /** Aliases on the network joined at create. */
  NetworkingConfig?: { EndpointsConfig: Record<string, { Aliases: string[] }> };
}

/** `80/tcp` key of a binding. */
function portKey(b: { containerPort: number; protocol: string }): string {
  return `${b.containerPort}/${b.protocol}`;
}

/** Host port text: `''` lets the engine choose, `8000-8010` is a range. */
function hostPortText(b: PortBinding): string {
  if (b.hostPort === 0) return '';
  return b.hostPortEnd !== undefined && b.hostPortEnd !== b.hostPort ? `${b.hostPort}-${b.hostPortEnd}` : String(b.hostPort);
}

/** The mode suffix of a `Binds` entry (`ro`, `nocopy`, propagation), or nothing. */
function bindMode(m: ParsedMount): string {
  const modes: string[] = [];
  if (m.readOnly) modes.push('ro');
  if (m.noCopy) modes.push('nocopy');
  if (m.propagation) modes.push(m.propagation);
  return modes.length ? `:${modes.join(',')}` : '';
}

/**
 * Builds the create body. Bind mounts and named volumes go to `Binds` (which, unlike
 * `Mounts`, creates a missing host directory as `docker run -v` does); anonymous volumes go to
 * `Config.Volumes`, except read-only ones, which only `Mounts` can express.
 */
export function createBody(req: ContainerCreateRequest): EngineCreateBody {
  const exposed: EngineCreateBody['ExposedPorts'] = {};
  for (const p of req.exposedPorts) exposed[p.includes('/') ? p : `${p}/tcp`] = {};
  const bindings: EngineCreateBody['HostConfig']['PortBindings'] = {};
  for (const b of req.ports) {
    const key = portKey(b);
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: b.hostIp, HostPort: hostPortText(b) });
  }
  const volumes: EngineCreateBody['Volumes'] = {};
  const binds: string[] = [];
  const mounts: EngineCreateBody['HostConfig']['Mounts'] = [];
  for (const m of req.mounts) {
    if (m.source !== undefined && m.source !== '') binds.push(`${m.source}:${m.target}${bindMode(m)}`);
    else if (m.readOnly || m.noCopy) mounts.push({ Type: 'volume', Target: m.target, ReadOnly: m.readOnly, ...(m.noCopy ? { VolumeOptions: { NoCopy: true } } : {}) });
    else volumes[m.target] = {};
  }
  const body: EngineCreateBody = {
    Image: req.image,
    Env: req.env,
    Labels: req.labels,
    Tty: req.tty,
    OpenStdin: req.openStdin,
    StdinOnce: false,
    AttachStdin: req.openStdin,
    AttachStdout: true,
    AttachStderr: true,
    ExposedPorts: exposed,
    Volumes: volumes,
    HostConfig: {
      Binds: binds,
      Mounts: mounts,
      VolumesFrom: req.volumesFrom.map((v) => (v.mode && v.mode !== 'rw' ? `${v.container}:${v.mode}` : v.container)),
      PortBindings: bindings,
      PublishAllPorts: req.publishAll,
      Links: req.links.map((l) => `${l.name}:${l.alias}`),
      AutoRemove: req.autoRemove,
    },
  };
  if (req.cmd) body.Cmd = req.cmd;
  if (req.entrypoint) body.Entrypoint = req.entrypoint;
  if (req.workingDir !== undefined) body.WorkingDir = req.workingDir;
  if (req.user !== undefined) body.User = req.user;
  if (req.hostname !== undefined) body.Hostname = req.hostname;
  if (req.stopSignal !== undefined) body.StopSignal = req.stopSignal;
  if (req.stopTimeout !== undefined) body.StopTimeout = req.stopTimeout;
  if (req.pidsLimit !== undefined) body.HostConfig.PidsLimit = req.pidsLimit;
  if (req.network !== undefined) {
    body.HostConfig.NetworkMode = req.network;
    if (req.networkAliases.length > 0) body.NetworkingConfig = { EndpointsConfig: { [req.network]: { Aliases: req.networkAliases } } };
  }
  return body;
}
