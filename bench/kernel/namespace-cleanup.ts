// The namespaces must not outlive the bench: deleted when it ends, also on Ctrl-C or kill
// (buildHost's own sweep only catches namespaces whose creator is already gone).

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Runs `dispose` on any of these signals, then exits as the signal would; returns the undo. */
export function disposeOnSignal(dispose: () => void): () => void {
  const handlers = SIGNALS.map((signal) => {
    const handler = () => {
      dispose();
      process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
    };
    process.once(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
