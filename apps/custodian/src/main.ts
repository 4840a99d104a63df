import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '@custodian/platform';
import { startCommand } from './launcher/start.command';
import { verifyRecordCommand } from './verify/verify-record.command';

/** The operator CLI: `custodian start` (and, as they arrive, verify, backup, restore, …). */
const program = new Command()
  .name('custodian')
  .description('Custodian: compliance-grade operations platform for commercial cleaning')
  .showHelpAfterError();

program
  .command('start')
  .description('Start the platform: embedded PostgreSQL unless DATABASE_URL is set, then every service')
  .action(() => startCommand(process.env));

program
  .command('verify')
  .description('Verify exported evidence offline, with nothing but the file')
  .command('record <file>')
  .description('Verify a record export (GET /v1/records/{id}/export): the hash chain from version 1 to its head')
  .action((file: string) => verifyRecordCommand(file));

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`custodian: ${message}\n`);
  process.exit(1);
});
