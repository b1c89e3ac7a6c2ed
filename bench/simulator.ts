import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/**
 * `npm run bench:simulator`: how fast the embedded simulator serves valid creates compared
 * with the machine's ceiling, a bare node:http server answering a fixed 201 body, measured
 * in the same run (target: at least 0.6 of its rate); then a 30-second overload with the
 * limiter on, printing the simulator's peak resident memory (target: under 256 MB).
 *
 * Both servers run as child processes so the load generator has its own core. Loopback
 * only; every phase is bounded in time. BENCH_SECONDS (per round) / BENCH_OVERLOAD_SECONDS shorten it.
 */
const MEASURE_S = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = 3;
const WARMUP_S = 2;
const OVERLOAD_S = Number(process.env['BENCH_OVERLOAD_SECONDS'] ?? 30);
const CONNECTIONS = 32;
const OVERLOAD_CONNECTIONS = 128;
const TARGET_RATIO = 0.6;
const TARGET_RSS_MB = 256;

const BIN = fileURLToPath(new URL('../bin/devrev-gate.js', import.meta.url));
const CREATE_BODY = JSON.stringify({
  display_name: 'Bench User',
  email: 'bench@example.com',
  phone_numbers: ['+14155550100'],
  custom_fields: { tnt__tier: 'gold' },
  custom_schema_spec: { tenant_fragment: true },
});
const HEADERS = { 'content-type': 'application/json', authorization: 'Bearer bench-token' };

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Child {
  proc: ChildProcess;
  url: string;
}

/** Starts a child that prints `listening on URL` first, and resolves with that URL. */
const startChild = (args: string[]): Promise<Child> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in 30 s`)), 30_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1]! });
      }
    });
    proc.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });

const stop = async (c: Child) => {
  if (c.proc.exitCode !== null) return;
  const exited = new Promise((r) => c.proc.once('exit', r));
  c.proc.kill('SIGTERM');
  await exited;
};

/** A bare node:http server answering every request with the same 201 body. */
const bareServer = (body: string) =>
  startChild([
    '-e',
    `const http = require('node:http');
     const body = ${JSON.stringify(body)};
     const len = Buffer.byteLength(body);
     const s = http.createServer({ keepAlive: true }, (req, res) => {
       req.resume();
       req.on('end', () => { res.writeHead(201, { 'content-type': 'application/json', 'content-length': len }); res.end(body); });
     });
     s.listen(0, '127.0.0.1', () => console.log('listening on http://127.0.0.1:' + s.address().port));
     process.on('SIGTERM', () => s.close(() => process.exit(0)));`,
  ]);

const simulator = (...args: string[]) => startChild([BIN, 'serve', '--port', '0', ...args]);

const load = (url: string, seconds: number, connections: number, extra: Partial<autocannon.Options> = {}) =>
  autocannon({
    url: `${url}/rev-users.create`,
    method: 'POST',
    headers: HEADERS,
    body: CREATE_BODY,
    connections,
    duration: seconds,
    ...extra,
  });

/** User + system CPU seconds a process has used (Linux /proc; clock ticks of 1/100 s). */
const cpuSeconds = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

interface Measured {
  rate: number;
  /** Server CPU microseconds per answered request: unlike the rate, barely moved by other load on the machine. */
  cpuUs: number;
}

const measure = async (name: string, server: Child): Promise<Measured> => {
  const pid = server.proc.pid!;
  const cpu0 = cpuSeconds(pid);
  const r = await load(server.url, MEASURE_S, CONNECTIONS);
  const cpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, r.requests.total);
  const rate = r.requests.average;
  const other = r.non2xx + r.errors + r.timeouts;
  log(
    `  ${name.padEnd(28)} ${rate.toFixed(0).padStart(7)} req/s  ${cpuUs.toFixed(1).padStart(5)} us CPU/request  (p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${r['2xx']} 2xx, ${other} other)`,
  );
  if (other > 0) throw new Error(`${other} answers from ${name} were not 2xx: the comparison would be unfair`);
  return { rate, cpuUs };
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const rssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
};

const main = async () => {
  log(`simulator benchmark: ${ROUNDS} rounds of ${MEASURE_S} s per server after ${WARMUP_S} s warm-up, ${CONNECTIONS} connections, loopback`);

  // The bare server answers the body the simulator itself gives, so both send the same bytes.
  const sim = await simulator('--no-rate-limit');
  const sample = await fetch(`${sim.url}/rev-users.create`, { method: 'POST', headers: HEADERS, body: CREATE_BODY });
  if (sample.status !== 201) throw new Error(`the simulator answered ${sample.status} to the benchmark's create`);
  const bare = await bareServer(await sample.text());
  await load(sim.url, WARMUP_S, CONNECTIONS);
  await load(bare.url, WARMUP_S, CONNECTIONS);
  // Interleaved rounds, medians compared: this machine is shared, and a burst of someone
  // else's work during one measurement should not decide the ratio.
  const simRuns: Measured[] = [];
  const bareRuns: Measured[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(`round ${round} of ${ROUNDS}`);
    if (round % 2 === 1) {
      simRuns.push(await measure('simulator (limiter off)', sim));
      bareRuns.push(await measure('bare node:http, fixed 201', bare));
    } else {
      bareRuns.push(await measure('bare node:http, fixed 201', bare));
      simRuns.push(await measure('simulator (limiter off)', sim));
    }
  }
  await stop(sim);
  await stop(bare);
  const simRate = median(simRuns.map((m) => m.rate));
  const bareRate = median(bareRuns.map((m) => m.rate));
  const ratio = simRate / bareRate;
  const cpuRatio = median(bareRuns.map((m) => m.cpuUs)) / median(simRuns.map((m) => m.cpuUs));
  log(`simulator median: ${simRate.toFixed(0)} req/s; bare node:http median: ${bareRate.toFixed(0)} req/s`);
  log(`ratio simulator / bare: ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'OK' : 'BELOW TARGET'}`);
  log(`CPU per request, bare / simulator: ${cpuRatio.toFixed(2)} (the rate ratio a CPU-bound run would show)`);
  const load1 = Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  if (load1 > 2.5) log(`note: load average ${load1} on this machine during the run; rates are noisy, the CPU ratio less so`);

  // Overload: far more than the limit, from many users at once, for the full duration.
  log(`overload: ${OVERLOAD_S} s, ${OVERLOAD_CONNECTIONS} connections, 50 tokens, limit 100 per 10 s window`);
  const limited = await simulator('--limit', '100', '--window', '10');
  const pid = limited.proc.pid!;
  let peak = rssMb(pid);
  const startRss = peak;
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 250);
  let n = 0;
  const r = await load(limited.url, OVERLOAD_S, OVERLOAD_CONNECTIONS, {
    requests: [
      {
        setupRequest: (req) => {
          n++;
          return { ...req, headers: { ...HEADERS, authorization: `Bearer overload-${n % 50}` } };
        },
      },
    ],
  });
  clearInterval(sampler);
  peak = Math.max(peak, rssMb(pid));
  await stop(limited);
  const stats = (r as unknown as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {};
  const counts = Object.entries(stats)
    .map(([code, s]) => `${code}: ${s.count}`)
    .join(', ');
  log(`overload answered ${r.requests.total} requests (${r.requests.average.toFixed(0)} req/s; ${counts}; ${r.errors} errors)`);
  log(`simulator RSS: ${startRss.toFixed(0)} MB at start, ${peak.toFixed(0)} MB peak (target < ${TARGET_RSS_MB} MB) ${peak < TARGET_RSS_MB ? 'OK' : 'ABOVE TARGET'}`);
};

main().catch((err) => {
  process.stderr.write(`bench:simulator: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
