/**
 * Progress while Logs Insights queries run: a one-line spinner on stderr when it is a terminal, a callback when the
 * caller asked for messages, nothing otherwise (data goes to stdout; stderr stays clean in CI logs).
 */

export type ProgressOption = boolean | ((message: string) => void) | undefined;

export interface Progress {
  update(message: string): void;
  /** a message that must be seen (a warning), printed even when not a terminal */
  warn(message: string): void;
  stop(): void;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function createProgress(option: ProgressOption, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (typeof option === 'function') {
    return { update: option, warn: option, stop() {} };
  }
  const warn = (message: string) => {
    stream.write(`logjam: ${message}\n`);
  };
  if (option === false || !stream.isTTY) return { update() {}, warn, stop() {} };

  let text = '';
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const draw = () => {
    stream.write(`\r\x1b[2K${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  const clear = () => stream.write('\r\x1b[2K');
  return {
    update(message) {
      text = message;
      if (!timer) {
        timer = setInterval(draw, 100);
        timer.unref();
      }
      draw();
    },
    warn(message) {
      clear();
      warn(message);
      if (timer) draw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      clear();
    },
  };
}
