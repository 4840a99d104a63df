import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { BUS_CONTEXTS, deadLetterTopicFor, topicFor } from '@custodian/messaging';
import { ASYNCAPI_PATH, buildAsyncApiDocument, CONTEXT_SCHEMAS, PRIVATE_FIELDS, renderAsyncApi } from './generate-asyncapi';

type Json = Record<string, unknown>;

describe('docs/asyncapi.yaml', () => {
  it('is exactly what the generator writes from the contracts (else: run npm run asyncapi:generate)', () => {
    const stored = readFileSync(ASYNCAPI_PATH, 'utf8');
    if (stored !== renderAsyncApi()) {
      throw new Error('docs/asyncapi.yaml differs from the event schemas in libs/<context>/contracts: run npm run asyncapi:generate');
    }
  });

  it('declares a channel and a dead-letter channel for every context, on custodian.<context>.v1', () => {
    const doc = parse(readFileSync(ASYNCAPI_PATH, 'utf8')) as Json;
    const addresses = Object.values(doc['channels'] as Json).map((c) => (c as Json)['address']);
    expect(addresses).toEqual(BUS_CONTEXTS.flatMap((c) => [topicFor(c), deadLetterTopicFor(topicFor(c))]));
    expect(doc['asyncapi']).toBe('3.0.0');
    expect((doc['servers'] as Json)['local']).toMatchObject({ host: '127.0.0.1:9092', protocol: 'kafka' });
  });

  it('has one message per published type and version, whose payload is the schema of the event data without its private fields', () => {
    const doc = buildAsyncApiDocument();
    const messages = (doc['components'] as Json)['messages'] as Json;
    for (const context of BUS_CONTEXTS) {
      const channel = (doc['channels'] as Json)[context] as Json;
      for (const [type, versions] of Object.entries(CONTEXT_SCHEMAS[context])) {
        for (const [version, schema] of Object.entries(versions)) {
          const key = `${type}.v${version}`;
          expect((channel['messages'] as Json)[key]).toEqual({ $ref: `#/components/messages/${key}` });
          const message = messages[key] as Json;
          const data = ((schema as Json)['properties'] as Json)['data'] as Json;
          const hidden = PRIVATE_FIELDS[type] ?? [];
          const payload = message['payload'] as Json;
          expect(Object.keys(payload['properties'] as Json).sort()).toEqual(Object.keys(data['properties'] as Json).filter((f) => !hidden.includes(f)).sort());
          expect(payload['required']).toEqual(((data['required'] as string[] | undefined) ?? []).filter((f) => !hidden.includes(f)));
          expect({ ...payload, properties: undefined, required: undefined }).toEqual({ ...data, properties: undefined, required: undefined });
          const headers = (message['headers'] as Json)['properties'] as Json;
          expect(headers['ce_type']).toEqual({ type: 'string', const: type, description: expect.any(String) });
          expect(headers['ce_source']).toMatchObject({ const: `/custodian/${context}` });
          expect(headers['ce_dataschema']).toMatchObject({ const: `urn:custodian:event:${type}:v${version}` });
        }
      }
    }
  });

  it('documents no client address, user agent or credential hash in any public payload', () => {
    const messages = (buildAsyncApiDocument()['components'] as Json)['messages'] as Json;
    const leaks: string[] = [];
    const walk = (schema: unknown, at: string) => {
      if (!schema || typeof schema !== 'object') return;
      for (const [name, sub] of Object.entries(((schema as Json)['properties'] as Json | undefined) ?? {})) {
        if (/^(ip|userAgent)$|Hash$/.test(name) && !/Encrypted$/.test(name)) leaks.push(`${at}.${name}`);
        walk(sub, `${at}.${name}`);
      }
      walk((schema as Json)['items'], at);
    };
    for (const [key, message] of Object.entries(messages)) walk((message as Json)['payload'], key);
    expect(leaks).toEqual([]);
    // …while the stored events do carry them (the check can fail): they are withheld, not absent.
    expect(Object.keys((((CONTEXT_SCHEMAS.identity['identity.LoginFailed'] as Record<number, Json>)[1]['properties'] as Json)['data'] as Json)['properties'] as Json)).toEqual(expect.arrayContaining(['ip', 'userAgent']));
  });

  it('fails the comparison when a schema changes (the check above can fail)', () => {
    const [type, versions] = Object.entries(CONTEXT_SCHEMAS.records)[0];
    const changed = { ...CONTEXT_SCHEMAS, records: { ...CONTEXT_SCHEMAS.records, [type]: { ...versions, 2: (versions as Record<number, object>)[1] } } };
    expect(JSON.stringify(buildAsyncApiDocument(changed))).not.toEqual(JSON.stringify(buildAsyncApiDocument()));
  });
});
