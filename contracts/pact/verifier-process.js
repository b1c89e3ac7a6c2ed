// The Pact verifier, run in a child process of its own: pact-core's native verifier
// prints its report straight to file descriptor 1, which no in-process option redirects.
// The parent points this process's stdout and stderr at a log file (or the terminal with
// --debug), sends pact-core's verifyPacts options on stdin, and reads the answer on fd 3.
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The pact-core that @pact-foundation/pact itself would use.
const pactCore = createRequire(require.resolve('@pact-foundation/pact'))('@pact-foundation/pact-core').default;

const ANSWER_FD = 3;
const answer = (ok, out) => {
  writeSync(ANSWER_FD, JSON.stringify({ ok, out }));
  process.exit(0);
};

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  input += chunk;
});
process.stdin.on('end', () => {
  pactCore.verifyPacts(JSON.parse(input)).then(
    (out) => answer(true, String(out)),
    (err) => answer(false, String(err?.message ?? err)),
  );
});
