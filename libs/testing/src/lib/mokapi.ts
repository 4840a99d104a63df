import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { parse, stringify } from 'yaml';
import { freePort } from '@custodian/platform';

/**
 * A Kafka-protocol test broker: mokapi (npm `go-mokapi`), serving exactly the topics declared in
 * an AsyncAPI 3 document, in memory. No Kafka broker can run here (DESIGN.md "Kafka in tests").
 *
 * What the harness does:
 * - copies the document into a private temp folder (mokapi watches and loads every file of the
 *   folder it is given), with its `servers` replaced by one Kafka server on 127.0.0.1 and a free
 *   port, each multi-message channel's messages merged into one (`mergeChannelMessages`: a mokapi
 *   0.52 limit), plus the caller's extra schema-free topics (each with its `.dlq`);
 * - starts the mokapi binary itself (not the npm wrapper, so stopping it stops the broker) with
 *   the dashboard, search index, health and MCP endpoints off and its record log off;
 * - waits, bounded, until the broker answers Kafka metadata for every declared topic;
 * - `stop()` ends the process (SIGTERM, then SIGKILL after 5 s) and `restart()` starts an empty
 *   one on the same port, for outage tests; `close()` stops it for good and removes its folder.
 *   A process still running when the test process exits is killed.
 *
 * Known limits of mokapi 0.52 that tests must live with:
 * - its Kafka listener binds the port on every interface (it takes only the port from the
 *   server's host); clients here only ever connect to 127.0.0.1. Its API port is random (port 0).
 * - it validates every produced record's headers and value against the channel's messages and
 *   rejects a non-matching record (INVALID_RECORD); a channel without messages accepts anything.
 *   It reads the record value once for all of a channel's messages, so only the first message
 *   it tries can match: hence the merge above. A header property without `type` never matches.
 * - it cannot create topics at run time, and it keeps nothing across a restart.
 * - an idempotent producer's batch of more than one record per partition is refused with
 *   OUT_OF_ORDER_SEQUENCE_NUMBER after the producer's first batch (it checks every record of a
 *   batch against the sequence stored before the batch).
 * - a consumer group's first join takes about 3 s (its initial rebalance delay).
 */
export interface MokapiOptions {
  /** The AsyncAPI 3 document declaring the topics (normally the project's docs/asyncapi.yaml). */
  asyncApiPath: string;
  /** Extra schema-free topics for test isolation; each is declared together with `<topic>.dlq`. @defaultValue [] */
  extraTopics?: readonly string[];
  /** Partitions of each extra topic (its `.dlq` has one). @defaultValue 3 */
  extraTopicPartitions?: number;
  /** Bound on a start: process up and every topic answered. @defaultValue 20_000 */
  startTimeoutMs?: number;
}

export interface MokapiHandle {
  /** kafkajs `brokers`: `['127.0.0.1:<port>']`. */
  readonly brokers: string[];
  readonly port: number;
  /** Every topic the broker serves (the document's and the extra ones). */
  readonly topics: readonly string[];
  readonly running: boolean;
  /** Stops the broker process (an outage); its in-memory topics are gone. Idempotent. */
  stop(): Promise<void>;
  /** Starts a fresh (empty) broker on the same port and waits until it answers. */
  restart(): Promise<void>;
  /** Final stop: the process and its temp folder. Idempotent; call it in afterAll. */
  close(): Promise<void>;
  /** The last lines mokapi printed (for failure messages). */
  output(): string;
}

const STOP_GRACE_MS = 5_000;
const OUTPUT_LINES = 200;
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts mokapi on 127.0.0.1 and a free port from `options.asyncApiPath`; see the interface docs. */
export async function startMokapi(options: MokapiOptions): Promise<MokapiHandle> {
  const binary = mokapiBinary();
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'custodian-mokapi-'));
  const { yaml, topics } = brokerDocument(readFileSync(options.asyncApiPath, 'utf8'), port, options.extraTopics ?? [], options.extraTopicPartitions ?? 3);
  writeFileSync(join(dir, 'asyncapi.yaml'), yaml, 'utf8');
  const startTimeoutMs = options.startTimeoutMs ?? 20_000;
  const lines: string[] = [];
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }

  const launch = async (): Promise<void> => {
    const proc = spawn(
      binary,
      [
        '--api-port=0',
        '--api-dashboard=false',
        '--api-search-enabled=false',
        '--health-enabled=false',
        '--mcp-server-enabled=false',
        '--event-store-default-size=0',
        '--log-level=warn',
        `--providers-file-directory=${dir}`,
      ],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = proc;
    live.add(proc);
    const collect = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        lines.push(line);
        if (lines.length > OUTPUT_LINES) lines.shift();
      }
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => {
      gone = true;
      live.delete(proc);
    });
    try {
      await waitUntilServing(`127.0.0.1:${port}`, topics, startTimeoutMs, () => gone);
    } catch (error) {
      await stopProcess(proc, exited);
      throw new Error(`mokapi did not serve ${topics.length} topics on 127.0.0.1:${port} within ${startTimeoutMs} ms: ${String(error)}\n${lines.slice(-20).join('\n')}`);
    }
  };

  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  let closed = false;
  const stop = async (): Promise<void> => {
    if (child) await stopProcess(child, exited);
    child = undefined;
  };
  return {
    brokers: [`127.0.0.1:${port}`],
    port,
    topics,
    get running() {
      return child !== undefined && child.exitCode === null && child.signalCode === null;
    },
    stop,
    async restart() {
      if (closed) throw new Error('mokapi handle is closed; start a new one');
      await stop();
      await launch();
    },
    async close() {
      closed = true;
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => lines.join('\n'),
  };
}

/** Path of the mokapi executable of this platform (from the optional dependency of `go-mokapi`). */
export function mokapiBinary(): string {
  const arch = process.arch === 'arm64' ? 'arm64' : 'x64';
  const platform = process.platform === 'win32' ? 'win32' : process.platform === 'darwin' ? 'darwin' : 'linux';
  const exe = platform === 'win32' ? 'mokapi.exe' : 'mokapi';
  try {
    return require.resolve(`@go-mokapi/${platform}-${arch}/bin/${exe}`);
  } catch {
    throw new Error(`the mokapi binary for ${platform}-${arch} is not installed (npm package @go-mokapi/${platform}-${arch}, an optional dependency of go-mokapi): run npm ci`);
  }
}

type Doc = Record<string, unknown>;

/**
 * The document mokapi loads: one server on 127.0.0.1:`port`, payload consts typed (`typeConsts`),
 * every channel with several messages merged into one (`mergeChannelMessages`), operations
 * dropped (mokapi serves channels), and the extra topics added.
 */
export function brokerDocument(source: string, port: number, extraTopics: readonly string[], partitions: number): { yaml: string; topics: string[] } {
  const doc = parse(source) as Doc;
  if (typeof doc['asyncapi'] !== 'string' || !doc['asyncapi'].startsWith('3.')) throw new Error('mokapi harness: expected an AsyncAPI 3 document');
  doc['servers'] = { test: { host: `127.0.0.1:${port}`, protocol: 'kafka', description: 'mokapi started by the test harness' } };
  delete doc['operations'];
  const components = (doc['components'] as Doc | undefined) ?? {};
  const messages: Doc = {};
  for (const [key, m] of Object.entries((components['messages'] as Doc | undefined) ?? {})) {
    const message = m as Doc;
    messages[key] = message['payload'] === undefined ? message : { ...message, payload: typeConsts(message['payload']) };
  }
  const channels: Doc = {};
  for (const [name, value] of Object.entries((doc['channels'] as Doc | undefined) ?? {})) {
    const channel = { ...(value as Doc) };
    const refs = Object.values((channel['messages'] as Doc | undefined) ?? {}).map((m) => resolveMessage(m as Doc, messages));
    if (refs.length > 1) {
      const merged = `${name}AnyMessage`;
      messages[merged] = mergeChannelMessages(refs);
      channel['messages'] = { [merged]: { $ref: `#/components/messages/${merged}` } };
    }
    channels[name] = channel;
  }
  extraTopics.forEach((topic, i) => {
    channels[`extra${i}`] = { address: topic, bindings: { kafka: { partitions } } };
    channels[`extra${i}Dlq`] = { address: `${topic}.dlq`, bindings: { kafka: { partitions: 1 } } };
  });
  doc['channels'] = channels;
  doc['components'] = { ...components, messages };
  const topics = Object.values(channels).map((c) => String((c as Doc)['address']));
  return { yaml: stringify(doc, { aliasDuplicateObjects: false }), topics };
}

/**
 * A copy of `schema` where every `const` without a `type` gets the type of its value: mokapi 0.52
 * refuses a number against `{ const: 1 }` but accepts it against `{ type: integer, const: 1 }`.
 * Same meaning: a const already fixes the type.
 */
export function typeConsts(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(typeConsts);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Doc = {};
  for (const [k, v] of Object.entries(schema as Doc)) out[k] = k === 'const' || k === 'enum' ? v : typeConsts(v);
  if ('const' in out && !('type' in out)) {
    const c = out['const'];
    out['type'] = c === null ? 'null' : typeof c === 'number' ? (Number.isInteger(c) ? 'integer' : 'number') : typeof c;
  }
  return out;
}

function resolveMessage(message: Doc, messages: Doc): Doc {
  const ref = message['$ref'];
  if (typeof ref !== 'string') return message;
  const prefix = '#/components/messages/';
  const target = ref.startsWith(prefix) ? (messages[ref.slice(prefix.length)] as Doc | undefined) : undefined;
  if (!target) throw new Error(`mokapi harness: cannot resolve ${ref}`);
  return target;
}

/**
 * One message standing for all of a channel's messages: payload `anyOf` their payloads; headers
 * with every property they share, a property whose `const` differs per message becoming an
 * `enum` of those values, required = what all require.
 *
 * Why: mokapi 0.52 validates a record against a channel's messages one after the other from a
 * single read of the record value, so only the first message it tries can match; a channel
 * with one message per event type would refuse most valid records.
 */
export function mergeChannelMessages(messages: readonly Doc[]): Doc {
  const payloads = messages.map((m) => m['payload']).filter((p) => p !== undefined);
  const headerSchemas = messages.map((m) => m['headers'] as Doc | undefined).filter((h): h is Doc => h !== undefined);
  const merged: Doc = { name: 'AnyMessage', contentType: messages[0]['contentType'] ?? 'application/json' };
  if (payloads.length > 0) merged['payload'] = { anyOf: payloads };
  if (headerSchemas.length === messages.length) {
    const names = Object.keys((headerSchemas[0]['properties'] as Doc | undefined) ?? {});
    const properties: Doc = {};
    for (const name of names) {
      const variants = headerSchemas.map((h) => ((h['properties'] as Doc | undefined) ?? {})[name] as Doc | undefined);
      if (variants.some((v) => v === undefined)) continue;
      const distinct = new Set(variants.map((v) => JSON.stringify(v)));
      if (distinct.size === 1) properties[name] = variants[0];
      else if (variants.every((v) => v !== undefined && 'const' in v)) properties[name] = { type: 'string', enum: [...new Set(variants.map((v) => (v as Doc)['const']))] };
      else properties[name] = { type: 'string' };
    }
    const required = headerSchemas.map((h) => new Set((h['required'] as string[] | undefined) ?? []));
    merged['headers'] = { type: 'object', properties, required: [...required[0]].filter((r) => r in properties && required.every((set) => set.has(r))) };
  }
  const bindings = messages[0]['bindings'];
  if (bindings !== undefined) merged['bindings'] = bindings;
  return merged;
}

async function waitUntilServing(broker: string, topics: readonly string[], timeoutMs: number, gone: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = new Kafka({ clientId: 'mokapi-harness', brokers: [broker], logLevel: logLevel.NOTHING, connectionTimeout: 500, requestTimeout: 2_000, retry: { retries: 0 } });
  let last: unknown;
  while (Date.now() < deadline) {
    if (gone()) throw new Error('the mokapi process exited');
    const admin = kafka.admin();
    try {
      await admin.connect();
      const meta = await admin.fetchTopicMetadata({ topics: [...topics] });
      if (meta.topics.length === topics.length && meta.topics.every((t) => t.partitions.length > 0)) return;
      last = new Error(`metadata listed ${meta.topics.length} of ${topics.length} topics`);
    } catch (error) {
      last = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw last instanceof Error ? last : new Error(String(last));
}

async function stopProcess(proc: ChildProcess, exited: Promise<void>): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), STOP_GRACE_MS)))]);
  clearTimeout(timer);
  if (timedOut) {
    proc.kill('SIGKILL');
    await exited;
  }
}
