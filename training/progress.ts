/** Terminal progress bars for the training CLIs (stderr, so --json output on stdout stays clean). */
import cliProgress from 'cli-progress';

/** A progress bar for one stage; silent when `enabled` is false (tests, pipes). */
export function stageBar(
  stage: string,
  total: number,
  enabled: boolean,
): { tick: (info?: string) => void; stop: () => void } {
  if (!enabled || total === 0) return { tick: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    {
      format: `${stage.padEnd(22)} {bar} {value}/{total} {info} eta {eta_formatted}`,
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 20,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { info: '' });
  return {
    tick: (info = '') => bar.increment(1, { info }),
    stop: () => bar.stop(),
  };
}
