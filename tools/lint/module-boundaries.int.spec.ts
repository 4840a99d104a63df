import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const ESLINT = join(ROOT, 'node_modules/eslint/bin/eslint.js');
const NX = join(ROOT, 'node_modules/.bin/nx');

/** Lints `code` as if it were the file at `path` (relative to the root), through the real CLI. */
function lint(path: string, code: string): { errors: string[] } {
  const res = spawnSync(process.execPath, [ESLINT, '--format', 'json', '--stdin', '--stdin-filename', join(ROOT, path)], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
    env: { ...process.env, NX_DAEMON: 'false' },
    timeout: 60_000,
  });
  const results = JSON.parse(res.stdout) as Array<{ messages: Array<{ ruleId: string | null; message: string; severity: number }> }>;
  return { errors: results.flatMap((r) => r.messages.filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`)) };
}

/**
 * The architecture rules of DESIGN.md "Layout", checked by lint (which `npm test` runs):
 * deliberate violations must fail, and the allowed shapes must pass.
 */
describe('module boundaries (Nx tags + ESLint)', () => {
  beforeAll(() => {
    // The rule needs the project graph; without it ESLint only warns and skips the rule.
    execFileSync(NX, ['show', 'projects'], { cwd: ROOT, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore', timeout: 120_000 });
  });

  it.each([
    ['a framework package', "import { Injectable } from '@nestjs/common';\nexport const x = Injectable;\n"],
    ['a database driver', "import { Pool } from 'pg';\nexport const x = Pool;\n"],
    ['an infrastructure library', "import { PostgresEventStore } from '@custodian/event-store';\nexport const x = PostgresEventStore;\n"],
  ])('refuses %s in a domain library', (_what, code) => {
    const { errors } = lint('libs/identity/domain/src/lib/violation.ts', code);
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*type:domain/)]);
  });

  it('refuses a context reaching another context other than through its contracts', () => {
    // type:service may use a domain library — but not another context's (scope rule).
    const { errors } = lint('libs/gateway/http/src/violation.ts', "import { userDecider } from '@custodian/identity/domain';\nexport const x = userDecider;\n");
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*scope:gateway/)]);
  });

  it('refuses OpenTelemetry in the kernel', () => {
    const { errors } = lint('libs/kernel/src/lib/violation.ts', "import { trace } from '@opentelemetry/api';\nexport const x = trace;\n");
    expect(errors).toEqual([expect.stringMatching(/^@nx\/enforce-module-boundaries: .*type:kernel/)]);
  });

  it('accepts the allowed shapes: domain → kernel and contracts, gateway → identity contracts', () => {
    expect(lint('libs/identity/domain/src/lib/allowed.ts', "import { ValidationError } from '@custodian/kernel';\nimport { MODULES } from '@custodian/identity/contracts';\nexport const x = [ValidationError, MODULES];\n").errors).toEqual([]);
    expect(lint('libs/gateway/http/src/allowed.ts', "import { IDENTITY_PATTERNS } from '@custodian/identity/contracts';\nexport const x = IDENTITY_PATTERNS;\n").errors).toEqual([]);
  });
});
