import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '@custodian/platform';
import { startCommand } from './launcher/start.command';

/** The operator CLI: `custodian start` (and, as they arrive, verify, backup, restore, …). */
const program = new Command()
  .name('custodian')
  .description('Custodian: compliance-grade operations platform for commercial cleaning')
  .showHelpAfterError();

program
  .command('start')
  .description('Start the platform: embedded PostgreSQL unless DATABASE_URL is set, then every service')
  .action(() => startCommand(process.env));

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`custodian: ${message}\n`);
  process.exit(1);
});
