/**
 * Whether an asset-scheduled DAG is due a run: true once every one of its assets has an event newer than
 * the last one its runs consumed (`latestEventId[uri] > lastConsumedEventId[uri]`, where a missing
 * consumed id means nothing was consumed yet and a missing latest id means the asset has no event yet).
 * False for an empty asset list. Event ids increase over time.
 */
export function isAssetRunDue(
  uris: readonly string[],
  lastConsumedEventId: Readonly<Record<string, number>>,
  latestEventId: Readonly<Record<string, number>>,
): boolean {
  if (uris.length === 0) return false;
  return uris.every((uri) => {
    const latest = Object.hasOwn(latestEventId, uri) ? latestEventId[uri] : undefined;
    if (latest === undefined) return false;
    const consumed = Object.hasOwn(lastConsumedEventId, uri) ? lastConsumedEventId[uri] : undefined;
    return consumed === undefined || latest > consumed;
  });
}
