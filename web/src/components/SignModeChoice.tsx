/** How the user signs: here, with a key file, or by pasting a signature made with the CLI. */
export type SignMode = 'key' | 'signature';

export function SignModeChoice({
  name,
  mode,
  setMode,
  legend,
  here,
  cli,
}: {
  /** The radio group's name, unique on the page. */
  name: string;
  mode: SignMode;
  setMode(m: SignMode): void;
  legend: string;
  here: string;
  cli: string;
}) {
  return (
    <fieldset className="choice">
      <legend>{legend}</legend>
      <label>
        <input type="radio" name={name} checked={mode === 'key'} onChange={() => setMode('key')} /> {here}
      </label>
      <label>
        <input
          type="radio"
          name={name}
          checked={mode === 'signature'}
          onChange={() => setMode('signature')}
        />{' '}
        {cli}
      </label>
    </fieldset>
  );
}
