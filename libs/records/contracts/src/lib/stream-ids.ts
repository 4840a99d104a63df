/** One stream per cleaning record (one cleaner on one shift). Stored: never change it. */
export function recordStreamId(recordId: string): string {
  return `records-record-${recordId}`;
}
