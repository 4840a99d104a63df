/** One stream per tenant holds its IP blocklist. Stored: never change it. */
export function blocklistStreamId(tenantId: string): string {
  return `audit-blocklist-${tenantId}`;
}

/** One stream per incident, from opening to resolution (and any reopening). Stored: never change it. */
export function incidentStreamId(incidentId: string): string {
  return `audit-incident-${incidentId}`;
}
