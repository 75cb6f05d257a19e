// A step that judges timers (STP, VRRP, haproxy's checks) inside TCG guests must not share the
// two CPUs with another suite: a starved guest misses its own deadlines. Under test/run-all.js,
// which runs the boot suite in the background beside the others, exclusive() asks run-all for the
// machine, waits until the suite in front has ended (printing how long it has waited), runs the
// step and gives the machine back. A suite run on its own has no parent to ask and just runs.

type Message = { type?: string };

function granted(what: string): Promise<void> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const tick = setInterval(() => process.stdout.write(`  [${what}] waiting ${((Date.now() - t0) / 1000).toFixed(0)} s for the suite in front to end\n`), 30_000);
    const onMessage = (m: Message) => {
      if (m?.type !== 'exclusive-granted') return;
      clearInterval(tick);
      process.off('message', onMessage);
      process.stdout.write(`  [${what}] has the machine to itself after ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      resolve();
    };
    process.on('message', onMessage);
    process.send?.({ type: 'exclusive-acquire' });
  });
}

export async function exclusive<T>(what: string, step: () => Promise<T>): Promise<T> {
  if (!process.send) return step();
  await granted(what);
  try {
    return await step();
  } finally {
    process.send({ type: 'exclusive-release' });
  }
}
