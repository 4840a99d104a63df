import {
  bool,
  ConfigError,
  defineConfig,
  duration,
  int,
  list,
  loadConfig,
  oneOf,
  port,
  secret,
  string,
  url,
  type ConfigOf,
  type ConfigSchema,
} from './index';

const appSchema = defineConfig({
  PORT: port({ default: 3000 }),
  DATABASE_URL: url({ optional: true, protocols: ['postgres:', 'postgresql:'] }),
  CUSTODIAN_BOOTSTRAP_TOKEN: secret({ optional: true, minLength: 24 }),
  LOG_LEVEL: oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
  KAFKA_BROKERS: list({ of: string({ pattern: /^[\w.-]+:\d+$/ }), optional: true }),
  TLS_ENABLED: bool({ default: false }),
  CHECKPOINT_EVERY: duration({ default: 60_000 }),
  MAX_BATCH: int({ min: 1, max: 1000, default: 100 }),
});

/** Runs `fn`, expecting a ConfigError, and returns it. */
function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError, nothing was thrown');
}

/** Loads a one-variable schema from one raw value and returns the failure reason. */
function reasonFor(schema: ConfigSchema, raw: string): string {
  const [variable] = Object.keys(schema);
  const error = configErrorOf(() => loadConfig(schema, { [variable]: raw }));
  expect(error.issues).toHaveLength(1);
  expect(error.issues[0].variable).toBe(variable);
  return error.issues[0].reason;
}

describe('loadConfig', () => {
  it('parses every field type from a valid environment', () => {
    const config = loadConfig(appSchema, {
      PORT: '8080',
      DATABASE_URL: 'postgres://custodian:pw@db:5432/custodian',
      CUSTODIAN_BOOTSTRAP_TOKEN: 'x'.repeat(32),
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: 'kafka-0:9092, kafka-1:9092,',
      TLS_ENABLED: 'YES',
      CHECKPOINT_EVERY: '5m',
      MAX_BATCH: '1000',
      UNRELATED: 'ignored',
    });

    expect(config).toEqual({
      PORT: 8080,
      DATABASE_URL: 'postgres://custodian:pw@db:5432/custodian',
      CUSTODIAN_BOOTSTRAP_TOKEN: 'x'.repeat(32),
      LOG_LEVEL: 'debug',
      KAFKA_BROKERS: ['kafka-0:9092', 'kafka-1:9092'],
      TLS_ENABLED: true,
      CHECKPOINT_EVERY: 300_000,
      MAX_BATCH: 1000,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.KAFKA_BROKERS)).toBe(true);
  });

  it('applies defaults and leaves optional fields undefined; empty string counts as unset', () => {
    const config = loadConfig(appSchema, { PORT: '', DATABASE_URL: '', LOG_LEVEL: undefined });

    expect(config).toEqual({
      PORT: 3000,
      DATABASE_URL: undefined,
      CUSTODIAN_BOOTSTRAP_TOKEN: undefined,
      LOG_LEVEL: 'info',
      KAFKA_BROKERS: undefined,
      TLS_ENABLED: false,
      CHECKPOINT_EVERY: 60_000,
      MAX_BATCH: 100,
    });
    expect(Object.keys(config)).toContain('DATABASE_URL');
  });

  it('reports a required variable that is unset or empty', () => {
    const schema = defineConfig({ A: string(), B: port() });
    const error = configErrorOf(() => loadConfig(schema, { A: '' }));

    expect(error.issues).toEqual([
      { variable: 'A', reason: 'is required' },
      { variable: 'B', reason: 'is required' },
    ]);
  });

  it('lists every invalid variable in one error, in schema order', () => {
    const error = configErrorOf(() =>
      loadConfig(appSchema, { PORT: 'abc', DATABASE_URL: 'mysql://db/x', LOG_LEVEL: 'verbose', MAX_BATCH: '0' }),
    );

    expect(error.code).toBe('config_invalid');
    expect(error.name).toBe('ConfigError');
    expect(error.issues.map((i) => i.variable)).toEqual(['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'MAX_BATCH']);
    expect(error.message).toBe(
      'Invalid configuration: PORT must be an integer 1-65535 (got "abc"); ' +
        'DATABASE_URL must be a postgres:// or postgresql:// URL; ' +
        'LOG_LEVEL must be one of debug, info, warn, error (got "verbose"); ' +
        'MAX_BATCH must be an integer 1-1000 (got "0")',
    );
  });

  it('never echoes a secret value', () => {
    const token = 'hunter2-hunter2';
    const schema = defineConfig({
      SHORT: secret({ minLength: 24 }),
      LONG: secret({ maxLength: 4 }),
      SHAPE: secret({ pattern: /^[a-f0-9]+$/ }),
    });
    const error = configErrorOf(() => loadConfig(schema, { SHORT: token, LONG: token, SHAPE: token }));

    expect(error.issues.map((i) => i.variable)).toEqual(['SHORT', 'LONG', 'SHAPE']);
    expect(error.message).not.toContain(token);
    expect(error.message).not.toContain('hunter');
    expect(JSON.stringify(error.issues)).not.toContain('hunter');
    expect(error.message).toContain('SHORT must be at least 24 characters');
  });

  it('never echoes a URL, which may carry credentials', () => {
    const reason = reasonFor(
      defineConfig({ DATABASE_URL: url({ protocols: ['postgres:'] }) }),
      'mysql://admin:s3cret@db/x',
    );

    expect(reason).toBe('must be a postgres:// URL');
    expect(reason).not.toContain('s3cret');
  });
});

describe('field rejections', () => {
  it('port: non-integer, out of range, decimals, signs and padding', () => {
    const schema = defineConfig({ PORT: port() });
    for (const raw of ['abc', '0', '65536', '80.5', '+80', ' 80', '1e3', '0x50']) {
      expect(reasonFor(schema, raw)).toBe(`must be an integer 1-65535 (got ${JSON.stringify(raw)})`);
    }
    expect(loadConfig(schema, { PORT: '65535' }).PORT).toBe(65_535);
  });

  it('int: bounds are inclusive and one-sided bounds are described', () => {
    expect(reasonFor(defineConfig({ N: int({ min: 2, max: 5 }) }), '6')).toBe('must be an integer 2-5 (got "6")');
    expect(reasonFor(defineConfig({ N: int({ min: 2 }) }), '1')).toBe('must be an integer >= 2 (got "1")');
    expect(reasonFor(defineConfig({ N: int({ max: 5 }) }), '6')).toBe('must be an integer <= 5 (got "6")');
    expect(reasonFor(defineConfig({ N: int() }), '9007199254740993')).toMatch(/^must be an integer /);
    expect(loadConfig(defineConfig({ N: int({ min: -3, max: 5 }) }), { N: '-3' }).N).toBe(-3);
  });

  it('url: unparsable, relative, or a protocol not allowed', () => {
    expect(reasonFor(defineConfig({ U: url() }), 'not a url')).toBe('must be an absolute URL');
    expect(reasonFor(defineConfig({ U: url() }), '/relative/path')).toBe('must be an absolute URL');
    expect(reasonFor(defineConfig({ U: url({ protocols: ['https:'] }) }), 'http://x')).toBe('must be a https:// URL');
    expect(loadConfig(defineConfig({ U: url({ protocols: ['postgresql:'] }) }), { U: 'postgresql://h/db' }).U).toBe(
      'postgresql://h/db',
    );
  });

  it('string: minLength, maxLength and pattern, quoting the value', () => {
    expect(reasonFor(defineConfig({ S: string({ minLength: 3 }) }), 'ab')).toBe('must be at least 3 characters (got "ab")');
    expect(reasonFor(defineConfig({ S: string({ maxLength: 1 }) }), 'ab')).toBe('must be at most 1 characters (got "ab")');
    expect(reasonFor(defineConfig({ S: string({ pattern: /^[a-z]+$/ }) }), 'A1')).toBe('must match /^[a-z]+$/ (got "A1")');
  });

  it('string: a global pattern gives the same answer on every call', () => {
    const schema = defineConfig({ S: string({ pattern: /^a/g }) });
    expect(loadConfig(schema, { S: 'abc' }).S).toBe('abc');
    expect(loadConfig(schema, { S: 'abc' }).S).toBe('abc');
  });

  it('string: a long value is truncated in the message', () => {
    const reason = reasonFor(defineConfig({ S: string({ pattern: /^$/ }) }), 'y'.repeat(500));
    expect(reason.length).toBeLessThan(120);
    expect(reason).toContain('…');
  });

  it('oneOf: matches exactly, case-sensitive', () => {
    expect(reasonFor(defineConfig({ L: oneOf(['info', 'warn']) }), 'INFO')).toBe('must be one of info, warn (got "INFO")');
  });

  it('bool: only the listed spellings', () => {
    const schema = defineConfig({ B: bool() });
    expect(reasonFor(schema, 'maybe')).toBe('must be a boolean (true/false, 1/0, yes/no, on/off) (got "maybe")');
    for (const raw of ['true', '1', 'yes', 'ON']) expect(loadConfig(schema, { B: raw }).B).toBe(true);
    for (const raw of ['false', '0', 'no', 'Off']) expect(loadConfig(schema, { B: raw }).B).toBe(false);
  });

  it('list: names the failing item and enforces minItems', () => {
    expect(reasonFor(defineConfig({ P: list({ of: port() }) }), '80, x, 443')).toBe(
      'item 2 must be an integer 1-65535 (got "x")',
    );
    expect(reasonFor(defineConfig({ P: list({ minItems: 1 }) }), ' , ,')).toBe(
      'must list at least 1 comma-separated item',
    );
    expect(loadConfig(defineConfig({ P: list({ of: port() }) }), { P: '80,443' }).P).toEqual([80, 443]);
  });

  it('list: an item parsed by a secret field is not echoed', () => {
    const reason = reasonFor(defineConfig({ K: list({ of: secret({ minLength: 10 }) }) }), 'long-enough-key,short');
    expect(reason).toBe('item 2 must be at least 10 characters');
  });

  it('duration: needs a unit', () => {
    const schema = defineConfig({ D: duration() });
    for (const raw of ['30', '1.5s', '5 m', '1w', 'm']) {
      expect(reasonFor(schema, raw)).toBe(
        `must be a duration such as 250ms, 30s, 5m, 2h or 7d (got ${JSON.stringify(raw)})`,
      );
    }
    expect(loadConfig(schema, { D: '250ms' }).D).toBe(250);
    expect(loadConfig(schema, { D: '2h' }).D).toBe(7_200_000);
    expect(loadConfig(schema, { D: '7d' }).D).toBe(604_800_000);
  });
});

// Compile-time contract (checked by `tsc`, not at run time): the config type is inferred.
export function typeContract(config: ConfigOf<typeof appSchema>): void {
  const portValue: number = config.PORT;
  const level: 'debug' | 'info' | 'warn' | 'error' = config.LOG_LEVEL;
  const dbUrl: string | undefined = config.DATABASE_URL;
  const brokers: readonly string[] | undefined = config.KAFKA_BROKERS;
  // @ts-expect-error optional fields may be undefined
  const requiredUrl: string = config.DATABASE_URL;
  // @ts-expect-error a port is a number
  const portText: string = config.PORT;
  // @ts-expect-error the log level is a literal union
  const onlyDebug: 'debug' = config.LOG_LEVEL;
  // @ts-expect-error config is read-only
  config.PORT = 1;
  // @ts-expect-error a default must be one of the values
  oneOf(['a', 'b'], { default: 'c' });
  // @ts-expect-error optional and default are exclusive
  port({ optional: true, default: 80 });
  // @ts-expect-error list defaults are typed by `of`
  list({ of: port(), default: ['80'] });
  void [portValue, level, dbUrl, brokers, requiredUrl, portText, onlyDebug];
}
