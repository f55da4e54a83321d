// A small typed event emitter with the shape of vscode.Event, for the extension's pure (vscode-free) modules, which
// cannot use vscode.EventEmitter and stay unit-testable under plain Node.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

export class Emitter<T> implements Disposable {
  private readonly listeners = new Set<(value: T) => void>();

  /** Subscribes; dispose the result to unsubscribe. */
  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    // A throwing listener must not starve the others (or the process manager that fires).
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        console.error(error);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
