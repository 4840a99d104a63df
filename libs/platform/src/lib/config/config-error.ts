/** One invalid or missing variable and why. `reason` never contains a secret's value. */
export interface ConfigIssue {
  readonly variable: string;
  readonly reason: string;
}

/**
 * Thrown by `loadConfig` when any variable is missing or invalid. It lists every issue at
 * once, in schema order, so an operator fixes the environment in one pass.
 * Raised at bootstrap only; it is not a request error and maps to no HTTP status.
 */
export class ConfigError extends Error {
  readonly code = 'config_invalid' as const;

  constructor(readonly issues: readonly ConfigIssue[]) {
    super(`Invalid configuration: ${issues.map((i) => `${i.variable} ${i.reason}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}
