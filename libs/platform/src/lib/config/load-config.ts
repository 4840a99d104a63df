import { ConfigError, type ConfigIssue } from './config-error';
import type { ConfigField } from './fields';

/** Variable name → field. Keys are the environment variable names and the config's keys. */
export type ConfigSchema = Readonly<Record<string, ConfigField<unknown, boolean>>>;

/** The typed config a schema yields: optional fields (no default) are `T | undefined`. */
export type ConfigOf<S extends ConfigSchema> = {
  readonly [K in keyof S]: S[K] extends ConfigField<infer T, infer Optional>
    ? Optional extends true
      ? T | undefined
      : T
    : never;
};

/** Declares an app's configuration schema; pass it to `loadConfig` once, in `main.ts`. */
export function defineConfig<const S extends ConfigSchema>(fields: S): S {
  return Object.freeze({ ...fields });
}

/**
 * Reads every schema variable from `env` (normally `process.env`, passed by `main.ts`) and
 * returns a frozen, typed config. Variables not in the schema are ignored; `''` counts as
 * unset. Throws one `ConfigError` listing every missing or invalid variable, in schema order.
 */
export function loadConfig<S extends ConfigSchema>(
  schema: S,
  env: Readonly<Record<string, string | undefined>>,
): ConfigOf<S> {
  const values: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [variable, field] of Object.entries(schema)) {
    const raw = env[variable];
    if (raw === undefined || raw === '') {
      if (field.defaultValue !== undefined) values[variable] = field.defaultValue;
      else if (field.optional) values[variable] = undefined;
      else issues.push({ variable, reason: 'is required' });
      continue;
    }
    const parsed = field.parse(raw);
    if (parsed.ok) values[variable] = parsed.value;
    else issues.push({ variable, reason: parsed.reason });
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return Object.freeze(values) as ConfigOf<S>;
}
