/** A run's status as a small coloured label; the text is the status itself. */
export function StatusBadge({ status }: { status: string }) {
  const kind = /^(running|starting|building|scheduled|resuming)$/.test(status)
    ? 'live'
    : status === 'succeeded'
      ? 'ok'
      : /failed/.test(status)
        ? 'bad'
        : status === 'stopped' || status === 'skipped' || status === 'warning'
          ? 'warn'
          : 'idle';
  return <span class={`status status-${kind}`}>{status}</span>;
}
