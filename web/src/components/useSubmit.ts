import { type FormEvent, useState } from 'react';

export interface Submit<A extends unknown[]> {
  /** True while the action runs: the form's button is disabled and says so. */
  readonly busy: boolean;
  /**
   * What the last run threw, undefined when it succeeded or runs again. Kept as thrown, not as
   * text, so the form words it at render time by its code (failureText, ErrorState) and the
   * wording follows a change of language.
   */
  readonly error: unknown;
  /** Runs the action: busy while it runs, the previous failure cleared, a new one kept. */
  run(...args: A): Promise<void>;
  /** Forgets the last failure: the input it was about has changed (a new file loaded). */
  clear(): void;
}

/**
 * The busy / error / submit state every form that sends something keeps. `run` takes the
 * arguments of the action (a form's own submit, or a button that acts on one row); `onSubmit`
 * is the form's handler for an action of no arguments.
 */
export function useSubmit<A extends unknown[] = []>(
  action: (...args: A) => Promise<unknown>,
): Submit<A> & { readonly onSubmit: A extends [] ? (e: FormEvent) => void : never } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await action(...args);
    } catch (err) {
      // A failure is always shown, even a bare `throw undefined`.
      setError(err ?? new Error(String(err)));
    } finally {
      setBusy(false);
    }
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    // Only forms whose action takes no arguments use onSubmit (the return type says so).
    void run(...([] as unknown[] as A));
  };
  const clear = () => setError(undefined);
  return { busy, error, run, clear, onSubmit: onSubmit as A extends [] ? (e: FormEvent) => void : never };
}
