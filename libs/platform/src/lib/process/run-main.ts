import { ConfigError } from '../config/config-error';

/**
 * Runs a process's `main`: `main` starts everything and returns how to stop it. SIGINT/SIGTERM
 * call that once, then exit 0. A start failure prints the reason (a ConfigError names each bad
 * variable; anything else its stack) and exits 1.
 */
export function runMain(main: () => Promise<() => Promise<void>>): void {
  main()
    .then((stop) => {
      let stopping = false;
      const onSignal = () => {
        if (stopping) return;
        stopping = true;
        stop().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`shutdown failed: ${describe(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${describe(error)}\n`);
      process.exit(1);
    });
}

function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
