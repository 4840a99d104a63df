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
  ) {}
}
