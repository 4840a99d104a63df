import 'reflect-metadata';
import { Command } from 'commander';
import { ConfigError } from '@custodian/platform';
import { startCommand } from './launcher/start.command';
import { verifyCheckpointCommand, verifyConsistencyCommand, verifyInclusionCommand } from './verify/verify-ledger.command';
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

// Verify commands exit 0 (verifies), 1 (does not) or 2 (unusable input); a usage error
// (missing argument or option) is unusable input too, so it exits 2 rather than commander's 1.
const verify = program
  .command('verify')
  .description('Verify exported evidence offline, with nothing but the file (and, for the ledger, its public key)')
  .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2));

verify
  .command('record <file>')
  .description('Verify a record export (GET /v1/records/{id}/export): the hash chain from version 1 to its head')
  .action((file: string) => verifyRecordCommand(file));

verify
  .command('inclusion <file>')
  .description("Verify a ledger inclusion proof: the checkpoint's signature and the event hash's audit path to its root")
  .requiredOption('--public-key <pem-file>', "the ledger's Ed25519 public key (SPKI PEM)")
  .action((file: string, options: { publicKey: string }) => verifyInclusionCommand(file, options));

verify
  .command('consistency <file>')
  .description('Verify a ledger consistency proof: both signed checkpoints and that the earlier tree is a prefix of the later')
  .requiredOption('--public-key <pem-file>', "the ledger's Ed25519 public key (SPKI PEM)")
  .action((file: string, options: { publicKey: string }) => verifyConsistencyCommand(file, options));

verify
  .command('checkpoint <file>')
  .description("Verify a signed ledger checkpoint against the ledger's public key")
  .requiredOption('--public-key <pem-file>', "the ledger's Ed25519 public key (SPKI PEM)")
  .action((file: string, options: { publicKey: string }) => verifyCheckpointCommand(file, options));

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`custodian: ${message}\n`);
  process.exit(1);
});
