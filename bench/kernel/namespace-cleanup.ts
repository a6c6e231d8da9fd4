// The namespaces must not outlive the bench: deleted when it ends, also on Ctrl-C or kill
// (buildHost's own sweep only catches namespaces whose creator is already gone).

const SIGNALS = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;

/** Runs `dispose` on any of these signals, then exits as the signal would; returns the undo. */
export function disposeOnSignal(dispose: () => void): () => void {
  let exiting = false;
  const handlers = Object.entries(SIGNALS).map(([signal, number]) => {
    // `on`, not `once`: npm passes Ctrl-C on to its child again, and with no listener left that
    // second signal would kill the process in the middle of the cleanup.
    const handler = () => {
      if (exiting) return;
      exiting = true;
      dispose();
      process.exit(128 + number);
    };
    process.on(signal, handler);
    return [signal, handler] as const;
  });
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  };
}
