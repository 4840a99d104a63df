import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DomainEvent } from '@custodian/kernel';
import { checkAgainstSchema } from './json-schema-check';

type Json = Record<string, unknown>;
type Fixture = { file: string; type: string; version: number; json: Json };

export interface EventContract {
  /** The context's name, as in its event types (`identity`, `scheduling`, `records`). */
  context: string;
  /** Folder of `<type>.v<version>.json` fixtures. */
  fixturesDir: string;
  /** Every published event type, at run time. */
  types: readonly string[];
  /** Schemas by type, then by version. */
  schemas: Readonly<Record<string, Readonly<Record<number, object>>>>;
  /** The context's reader of stored events. */
  upcast: (event: Pick<DomainEvent, 'type' | 'schemaVersion' | 'data'>) => { type: string; schemaVersion: number; data: unknown };
}

/** The `data` part of an event schema. */
export function dataSchemaOf(schema: Json): { required: readonly string[]; properties: Json } {
  return ((schema as Json)['properties'] as Json)['data'] as { required: readonly string[]; properties: Json };
}

/**
 * The contract every context keeps for its published events (STYLE habit 2): every type has a
 * v1 fixture, every fixture a schema; each fixture names its type and version, carries exactly
 * the required keys, is valid against its schema, is read back by the current code, and is
 * rejected by its schema once broken (so the checks above can fail); every schema is a closed
 * draft 2020-12 object schema with the stable `$id`. Call it from the context's event spec,
 * beside the compile-time checks that tie the TypeScript types to the schemas.
 */
export function describeEventContract(contract: EventContract): void {
  const { context } = contract;
  const fixtureName = new RegExp(`^(${context}\\.[A-Za-z]+)\\.v(\\d+)\\.json$`);
  const fixtures: Fixture[] = readdirSync(contract.fixturesDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => {
      const match = fixtureName.exec(file);
      if (!match) throw new Error(`Fixture ${file} is not named ${context}.<Type>.v<version>.json`);
      return { file, type: match[1], version: Number(match[2]), json: JSON.parse(readFileSync(join(contract.fixturesDir, file), 'utf8')) as Json };
    });
  const schemaFor = (type: string, version: number): Json | undefined =>
    Object.prototype.hasOwnProperty.call(contract.schemas, type) ? (contract.schemas[type][version] as Json | undefined) : undefined;

  describe(`${context} event fixtures`, () => {
    it('has a v1 fixture for every published event type', () => {
      const present = new Set(fixtures.map((f) => `${f.type}.v${f.version}`));
      expect(contract.types.filter((type) => !present.has(`${type}.v1`))).toEqual([]);
    });

    it('has a schema for every type and version a fixture names', () => {
      expect(fixtures.filter((f) => schemaFor(f.type, f.version) === undefined).map((f) => f.file)).toEqual([]);
    });

    describe.each(fixtures.map((f) => [f.file, f] as const))('%s', (_file, fixture) => {
      const schema = schemaFor(fixture.type, fixture.version) as Json;

      it('names its type and schema version as the file does', () => {
        expect(fixture.json['type']).toBe(fixture.type);
        expect(fixture.json['schemaVersion']).toBe(fixture.version);
        expect(Object.keys(fixture.json).sort()).toEqual(['data', 'schemaVersion', 'type']);
      });

      it('carries exactly the data keys the schema requires', () => {
        expect(Object.keys(fixture.json['data'] as Json).sort()).toEqual([...dataSchemaOf(schema).required].sort());
      });

      it('is valid against its JSON schema', () => {
        expect(checkAgainstSchema(schema, fixture.json)).toEqual([]);
      });

      it('is read by the current code as the current version', () => {
        const event = contract.upcast(fixture.json as unknown as Pick<DomainEvent, 'type' | 'schemaVersion' | 'data'>);
        expect(event.type).toBe(fixture.type);
        expect(event.schemaVersion).toBe(1);
        expect(event.data).toEqual(fixture.json['data']);
      });

      // The schema check must catch a broken event, or the tests above would prove nothing.
      it('is rejected by its schema once broken', () => {
        const data = fixture.json['data'] as Json;
        for (const key of dataSchemaOf(schema).required) {
          const { [key]: _dropped, ...without } = data;
          expect(checkAgainstSchema(schema, { ...fixture.json, data: without })).toContain(`$.data: missing required ${key}`);
        }
        expect(checkAgainstSchema(schema, { ...fixture.json, data: { ...data, extra: 'x' } })).toContain('$.data: unexpected property extra');
        expect(checkAgainstSchema(schema, { ...fixture.json, schemaVersion: 99 })).not.toEqual([]);
        expect(checkAgainstSchema(schema, { ...fixture.json, type: `${context}.Other` })).not.toEqual([]);
        expect(checkAgainstSchema(schema, { ...fixture.json, data: { ...data, tenantId: '' } })).toEqual(['$.data.tenantId: shorter than 1']);
      });
    });
  });

  describe(`${context} event schemas`, () => {
    it.each(contract.types.map((t) => [t]))('%s v1 is a closed draft 2020-12 object schema', (type) => {
      const schema = schemaFor(type, 1) as Json;
      expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema['$id']).toBe(`urn:custodian:event:${type}:v1`);
      expect(schema['additionalProperties']).toBe(false);
      expect(dataSchemaOf(schema)).toMatchObject({ additionalProperties: false });
      expect(Object.keys(dataSchemaOf(schema).properties).sort()).toEqual([...dataSchemaOf(schema).required].sort());
    });

    it('lists every type once, each with a schema', () => {
      expect(new Set(contract.types).size).toBe(contract.types.length);
      expect(Object.keys(contract.schemas).sort()).toEqual([...contract.types].sort());
    });
  });
}
