/**
 * The gateway's configuration: one typed object, built from the environment once in main.ts
 * (see loadGatewayConfig) and injected. Nothing below main.ts reads process.env.
 */
export class GatewayConfig {
  constructor(
    readonly host: string,
    readonly port: number,
    readonly bootstrapToken: string,
    readonly identity: { host: string; port: number },
    /** Requests to a service time out after this many ms (then 503). */
    readonly serviceTimeoutMs: number,
    /** Largest accepted request body, in bytes. */
    readonly bodyLimitBytes: number,
    /**
     * Addresses/CIDRs of proxies whose X-Forwarded-For is believed for the client IP (recorded
     * on events). Empty: the socket's peer address is the client.
     */
    readonly trustedProxies: readonly string[] = [],
    /** Where the scheduling service listens. */
    readonly scheduling: { host: string; port: number } = { host: '127.0.0.1', port: 4002 },
    /** Where the records service listens. */
    readonly records: { host: string; port: number } = { host: '127.0.0.1', port: 4003 },
    /** Where the audit service listens (activity log, ledger, security monitor, incidents). */
    readonly audit: { host: string; port: number } = { host: '127.0.0.1', port: 4004 },
    /**
     * The activity spool: a directory only this gateway process writes (one per process), where
     * each request's activity waits until the audit service has it. Unset: a fresh temporary
     * directory (tests); the launcher and deployments always set it.
     */
    readonly activity: { spoolDir?: string; shipIntervalMs: number; gatewayId: string } = { shipIntervalMs: 250, gatewayId: 'gateway' },
  ) {}
}
